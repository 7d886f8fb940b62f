// End-to-end test of the JavaScript client (clients/js/) against a real
// registry and wsnode: WscenterClient runs in headless Chromium, loaded from
// the registry's /ui/lib/wscenter.js as the demo page loads it, asks the
// registry's route event for its node, and keeps the link alive with pings;
// the Node.js side binds it and sends to it with WscenterApi
// (clients/js/server.js). Then the wsnode is killed and started again on the
// same port, and the client must come back by itself and receive again.
// A second test checks delivery receipts: a client with acks: true answers a
// send made with ack=<ms> at once, and one without them counts as sent only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WscenterApi } from '../../clients/js/server.js';
import { launchBrowser, startRegistry, startWsnode, stopProcess, waitFor, watchedPage } from './processes.mjs';

const TEST_BUDGET_MS = 60000;
const RECONNECT_TIMEOUT_MS = 15000;   // node death noticed, restart, route updated, a backoff or two
const HEX32 = /^[0-9a-f]{32}$/;

/** Starts a client in the page; its events are kept in window.clientEvents as [type, fields]. */
function startClient(page, options) {
    return page.evaluate(async (opts) => {
        const { WscenterClient } = await import('/ui/lib/wscenter.js');
        const events = [];
        window.clientEvents = events;
        const client = new WscenterClient(opts);
        for (const type of ['open', 'message', 'close', 'reconnecting', 'pong'])
            client.addEventListener(type, (ev) => {
                const { _id, url, node, data, ack, acked, code, wasOpen, willReconnect, attempt, delayMs } = ev;
                events.push([type, { _id, url, node, data, ack, acked, code, wasOpen, willReconnect, attempt, delayMs }]);
            });
        window.client = client;
        client.connect();
    }, options);
}

/** The fields of the n-th (from 0; negative from the end) event of a type, once there is one. */
async function nth(page, type, n) {
    await waitFor(page, `${type} event #${n}`, ([t, i]) =>
        window.clientEvents.filter(([e]) => e === t).length > (i < 0 ? -i - 1 : i), [type, n], RECONNECT_TIMEOUT_MS);
    return page.evaluate(([t, i]) => window.clientEvents.filter(([e]) => e === t).at(i)[1], [type, n]);
}

/** Resolves once the registry counts node `id` among the live nodes. */
async function joined(api, id) {
    for (let i = 0; i < 100; i++) {
        if ((await api.batch({ getConnectionCount: {} })).masterIds.includes(id)) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`node ${id} did not join the registry in 5 s`);
}

/** Binds the connection to alice and sends her `msg`; resolves once the page has received it. */
async function bindAndSend(page, api, _id, msg) {
    assert.equal((await api.bindId('alice', _id)).total, 1, 'bound on one node');
    assert.equal((await api.sendMessageToId('alice', msg)).total, 1, 'sent to one connection');
    await waitFor(page, `the message ${JSON.stringify(msg)}`, (m) => window.clientEvents.some(([t, ev]) =>
        t === 'message' && JSON.stringify(ev.data) === m), JSON.stringify(msg));
}

test('the client routes, receives, and comes back after its node restarts', { timeout: TEST_BUDGET_MS }, async () => {
    const { busPort, httpPort } = await startRegistry();
    const node = await startWsnode('wsnode', busPort);
    const api = new WscenterApi({ url: `http://127.0.0.1:${httpPort}` });

    const browser = await launchBrowser();
    const { page, problems } = await watchedPage(browser);
    await page.goto(`http://127.0.0.1:${httpPort}/ui/`);
    await startClient(page, {
        registry: `http://127.0.0.1:${httpPort}`, routeId: 'alice', query: { app: 'e2e' },
        backoffBaseMs: 100, backoffCapMs: 1000, pingIntervalMs: 300, pongTimeoutMs: 2000,
    });

    const first = await nth(page, 'open', 0);
    assert.match(first._id, HEX32);
    assert.equal(first.url, `ws://127.0.0.1:${node.port}/?app=e2e`, 'the route event chose the node');
    assert.equal(first.node, node.id);
    const data = await api.batch({ get_IdData: { _id: first._id } });
    assert.deepEqual(data.results.get_IdData.value, { app: 'e2e' }, JSON.stringify(data.envelope));
    await bindAndSend(page, api, first._id, { hello: 'from the server helper' });
    await bindAndSend(page, api, first._id, 'plain text');
    assert.equal((await nth(page, 'pong', 0))._id, first._id, 'the keep-alive ping gets a pong');

    // The node dies without a word and comes back on the same port, as a new node.
    await stopProcess(node.proc, 'SIGKILL');
    const closed = await nth(page, 'close', 0);
    assert.equal(closed.wasOpen, true);
    assert.equal(closed.willReconnect, true);
    const again = await startWsnode('wsnode-restarted', busPort, node.port);
    assert.notEqual(again.id, node.id);
    await joined(api, again.id);   // the client may be back before the registry knows the node

    const second = await nth(page, 'open', 1);
    assert.match(second._id, HEX32);
    assert.notEqual(second._id, first._id);
    assert.equal(second.url, first.url);
    assert.equal((await api.call('isOnline_Id', { _id: second._id })).nodes[again.id], true, 'on the restarted node');
    assert.ok((await nth(page, 'reconnecting', 0)).attempt >= 1);
    await bindAndSend(page, api, second._id, { hello: 'after the restart' });

    // close() is final: no more attempts.
    const closes = await page.evaluate(() => {
        window.client.close();
        return window.clientEvents.filter(([t]) => t === 'close').length;
    });
    const last = await nth(page, 'close', closes - 1);
    assert.equal(last.willReconnect, false);
    assert.equal(await page.evaluate(() => window.client.state), 'closed');
    assert.deepEqual(problems.errors.filter((e) => e.startsWith('page error')), [], 'no script errors');
    assert.deepEqual(problems.offsite, []);
});

test('acks: an acknowledging client makes a send with ack return at once, acked', { timeout: TEST_BUDGET_MS }, async () => {
    const ACK_MS = 3000;
    const { busPort, httpPort } = await startRegistry();
    const node = await startWsnode('wsnode', busPort);
    const api = new WscenterApi({ url: `http://127.0.0.1:${httpPort}` });
    await joined(api, node.id);

    // Two clients of alice, each in its own page: one opted in to acks, one not.
    const browser = await launchBrowser();
    const pages = [];
    for (const acks of [true, false]) {
        const { page, problems } = await watchedPage(browser);
        await page.goto(`http://127.0.0.1:${httpPort}/ui/`);
        await startClient(page, { url: `ws://127.0.0.1:${node.port}/`, acks });
        const { _id } = await nth(page, 'open', 0);
        assert.equal((await api.bindId('alice', _id)).total, 1);
        pages.push({ page, problems, _id });
    }
    const [acking, plain] = pages;

    const msg = { hello: 'with a receipt' };
    const started = Date.now();
    const result = await api.sendMessageToId('alice', msg, {}, { ackMs: ACK_MS });
    const elapsed = Date.now() - started;
    assert.equal(result.hasReceipts, true, JSON.stringify(result.nodes));
    assert.deepEqual(result.nodes[node.id], { sent: 2, acked: 1, _ids: [acking._id] });
    assert.deepEqual([result.sent, result.acked, result.ackedIds], [2, 1, [acking._id]]);
    // The only awaited connection acked: the call ends then, not at the ack time.
    assert.ok(elapsed < ACK_MS / 2, `the call took ${elapsed} ms`);

    const got = await nth(acking.page, 'message', 0);
    assert.deepEqual(got.data, msg, 'the message event carries the inner data');
    assert.equal(typeof got.ack, 'string');
    assert.equal(got.acked, true);
    const raw = await nth(plain.page, 'message', 0);
    assert.deepEqual(raw.data, msg, 'a client that did not opt in gets the message as is');
    assert.equal(raw.ack, null);

    for (const { problems } of pages) {
        assert.deepEqual(problems.errors.filter((e) => e.startsWith('page error')), [], 'no script errors');
        assert.deepEqual(problems.offsite, []);
    }
});
