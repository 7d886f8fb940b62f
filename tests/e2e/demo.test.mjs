// End-to-end test of the browser demo: starts a real cluster (1 registry,
// 2 wsnodes on loopback, ephemeral ports), opens /ui/ in headless Chromium
// and drives the page as a person would: two test connections (one per
// node), bind, join a group, send to the group, read both chat views and
// the cluster view, send with delivery receipts while one connection does
// not acknowledge, then check that a closed connection reconnects.
//
// Env: WSC_REGISTRY_BIN, WSC_WSNODE_BIN (default: build/ under the repo root),
// WSC_CHROMIUM (default /usr/bin/chromium), WSC_SCREENSHOT_DIR (default
// build/e2e), WSC_UPDATE_DOC_SCREENSHOT=1 also writes docs/demo.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, launchBrowser, runOperation, startRegistry, startWsnode, waitFor, watchedPage } from './processes.mjs';

const SCREENSHOT_DIR = process.env.WSC_SCREENSHOT_DIR || path.join(ROOT, 'build/e2e');
const TEST_BUDGET_MS = 60000;    // the whole test, cluster start and browser included

async function startCluster() {
    const { busPort, httpPort } = await startRegistry();
    const nodes = await Promise.all([1, 2].map((i) => startWsnode(`wsnode${i}`, busPort)));
    return { httpPort, nodes };
}

const connId = (page, n) => page.textContent(`#conn-${n}-id`);
const HEX32 = /^[0-9a-f]{32}$/;

test('the demo page drives a real cluster', { timeout: TEST_BUDGET_MS }, async () => {
    const { httpPort, nodes } = await startCluster();

    const browser = await launchBrowser();
    const { page, problems } = await watchedPage(browser, { viewport: { width: 1480, height: 1000 } });

    await page.goto(`http://127.0.0.1:${httpPort}/ui/`);
    assert.equal(await page.inputValue('#api-url'), `http://127.0.0.1:${httpPort}`, 'API URL is the page origin');

    // The cluster view lists both nodes on its own (it polls every 2 s).
    await waitFor(page, 'two nodes in the cluster view',
        () => document.querySelectorAll('[data-testid=cluster-node-row]').length === 2);
    for (const n of nodes)
        assert.ok(await page.$(`[data-testid=cluster-node-row][data-node="${n.id}"]`), `node ${n.id} is shown`);

    // The WebSocket URL is prefilled (from the route event) with one of our nodes.
    await waitFor(page, 'a prefilled WebSocket URL', () => document.querySelector('#ws-url').value !== '');
    const prefilled = await page.inputValue('#ws-url');
    assert.ok(nodes.some((n) => prefilled === `ws://127.0.0.1:${n.port}/`), `prefilled URL ${prefilled}`);

    // Two test connections, one on each node.
    for (const n of nodes) {
        await page.fill('#ws-url', `ws://127.0.0.1:${n.port}/`);
        await page.click('#ws-connect');
    }
    await waitFor(page, 'both connections to get their _id', (re) =>
        [1, 2].every((i) => new RegExp(re).test(document.querySelector(`#conn-${i}-id`)?.textContent ?? '')),
    HEX32.source);
    const id1 = await connId(page, 1);
    const id2 = await connId(page, 2);
    assert.notEqual(id1, id2);

    // Bind user alice to connection #1: the _id field follows the selected connection.
    await page.click('#conn-1-select');
    await page.selectOption('#op-event', 'bindId');
    assert.equal(await page.inputValue('#op-field-_id'), id1, '_id filled from the selected connection');
    assert.equal(await runOperation(page, 'bindId', { id: 'alice' }), '1');

    // alice (connection #1) and connection #2 join room1.
    assert.equal(await runOperation(page, 'joinGroupById', { groupId: 'room1', id: 'alice' }), '1');
    await page.click('#conn-2-select');
    await page.selectOption('#op-event', 'joinGroupBy_Id');
    assert.equal(await page.inputValue('#op-field-_id'), id2);
    assert.equal(await runOperation(page, 'joinGroupBy_Id', { groupId: 'room1' }), '1');
    assert.equal(await runOperation(page, 'getGroup_IdCount', { groupId: 'room1' }), '2');

    // A message to the group reaches both chat views.
    const text = 'hello room1 from the e2e test';
    assert.equal(await runOperation(page, 'sendToGroup', { groupId: 'room1', msg: text }), '2');
    await waitFor(page, 'the group message in both chat views', (t) =>
        [1, 2].every((i) => [...document.querySelectorAll(`#conn-${i}-chat .chat-in`)].some((li) => li.textContent.includes(t))),
    text);

    // With receipts asked (ack=), #1 acknowledges by itself and #2, its auto-ack off, does not.
    await page.uncheck('#conn-2-autoack');
    const receiptText = 'with receipts';
    const total = await runOperation(page, 'sendToGroup', { groupId: 'room1', msg: receiptText }, { ack: 1000 });
    assert.match(total, /^acked 1 \/ sent 2/);
    assert.deepEqual(await page.$$eval('#op-result-total .chip', (chips) => chips.map((c) => c.textContent)), ['#1'],
        'the connection that acked');
    const receipts = await page.$$eval('[data-testid=op-result-row]', (rows) => Object.fromEntries(rows.map((r) => {
        const receipt = r.querySelector('[data-testid=receipt]');
        return [r.dataset.node, receipt ? `${receipt.dataset.acked}/${receipt.dataset.sent}` : r.textContent];
    })));
    assert.deepEqual(receipts, { [nodes[0].id]: '1/1', [nodes[1].id]: '0/1' }, 'per node: acked/sent');
    await waitFor(page, 'the receipt message in both chats: acked in #1, an ack button in #2', (t) => {
        const last = (i) => [...document.querySelectorAll(`#conn-${i}-chat .chat-in`)].find((li) => li.textContent.includes(t));
        return last(1)?.querySelector('[data-testid=chat-acked]') && last(2)?.querySelector('[data-testid=chat-ack]');
    }, receiptText);
    await page.click('#conn-2-chat [data-testid=chat-ack]');   // late, but the button turns into a mark
    await waitFor(page, 'the message acked by hand in #2', () => document.querySelector('#conn-2-chat [data-testid=chat-acked]'));
    await page.fill('#op-ack', '');
    await page.check('#conn-2-autoack');

    // The panels show who is bound where, and ping gets a pong.
    await waitFor(page, 'alice and room1 on panel #1', () =>
        document.querySelector('#conn-1-user').textContent === 'alice' &&
        document.querySelector('#conn-1-groups').textContent.includes('room1'));
    await page.click('#conn-2-ping');
    await waitFor(page, 'a pong in chat #2', () =>
        [...document.querySelectorAll('#conn-2-chat .chat-system')].some((li) => li.textContent.includes('pong')));

    // The cluster view counts one connection on each node.
    await waitFor(page, 'one connection per node in the cluster view', () =>
        [...document.querySelectorAll('[data-testid=cluster-node-conns]')].map((td) => td.textContent).join() === '1,1');
    assert.equal(await page.getAttribute('#cluster-summary', 'data-nodes'), '2');

    // The log shows the cluster's presence events live: alice came online.
    await waitFor(page, 'alice online in the log', () =>
        [...document.querySelectorAll('#log .log-presence')].some((li) => li.textContent.includes('alice is online')));

    // The event log recorded the socket events and the API calls.
    const kinds = await page.$$eval('#log .log-line', (lines) => lines.map((l) => l.dataset.kind));
    for (const k of ['ws-open', 'ws-msg', 'api', 'cluster', 'presence']) assert.ok(kinds.includes(k), `log has ${k} lines`);

    // Screenshot of the state above: the connection panels, the last result and the log.
    await page.selectOption('#op-event', 'sendToGroup');
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const shot = path.join(SCREENSHOT_DIR, 'demo.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.WSC_UPDATE_DOC_SCREENSHOT === '1') {
        fs.mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
        fs.copyFileSync(shot, path.join(ROOT, 'docs/demo.png'));
    }

    // A connection closed by the server comes back by itself with a new _id.
    await page.click('#conn-2-select');
    assert.equal(await runOperation(page, 'closeBy_Id', {}), '1');
    await waitFor(page, 'connection #2 to reconnect with a new _id', ([old, re]) => {
        const now = document.querySelector('#conn-2-id').textContent;
        return now !== old && new RegExp(re).test(now) &&
            document.querySelector('#conn-2-status').dataset.state === 'open';
    }, [id2, HEX32.source]);

    assert.deepEqual(problems.offsite, [], 'the page makes no external requests');
    assert.deepEqual(problems.errors, [], 'no script errors in the page');
});
