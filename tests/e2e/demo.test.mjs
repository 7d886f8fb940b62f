// End-to-end test of the browser demo: starts a real cluster (1 registry,
// 2 wsnodes on loopback, ephemeral ports), opens /ui/ in headless Chromium
// and drives the page as a person would: two test connections (one per
// node), bind, join a group, send to the group, read both chat views and
// the cluster view, then check that a closed connection reconnects.
//
// Env: WSC_REGISTRY_BIN, WSC_WSNODE_BIN (default: build/ under the repo root),
// WSC_CHROMIUM (default /usr/bin/chromium), WSC_SCREENSHOT_DIR (default
// build/e2e), WSC_UPDATE_DOC_SCREENSHOT=1 also writes docs/demo.png.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const REGISTRY_BIN = process.env.WSC_REGISTRY_BIN || path.join(ROOT, 'build/registry/wscenter-registry');
const WSNODE_BIN = process.env.WSC_WSNODE_BIN || path.join(ROOT, 'build/wsnode/wscenter-wsnode');
const CHROMIUM = process.env.WSC_CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT_DIR = process.env.WSC_SCREENSHOT_DIR || path.join(ROOT, 'build/e2e');

const TEST_BUDGET_MS = 60000;    // the whole test, cluster start and browser included
const START_TIMEOUT_MS = 10000;  // one process printing its ready line
const STEP_TIMEOUT_MS = 8000;    // one UI step (a few API round trips at most)
const STOP_GRACE_MS = 2000;      // SIGTERM first, SIGKILL after this
const HEARTBEAT_MS = 200;        // fast liveness so nodes register quickly
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'];

const children = [];
let browser = null;

/** Spawns a program and resolves with the ready line's match; rejects on exit or timeout. */
function startProcess(name, bin, args, ready) {
    if (!fs.existsSync(bin)) throw new Error(`${name}: ${bin} does not exist (build it first, or set the env var)`);
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const proc = { name, child, stderr: '' };
    children.push(proc);
    child.stderr.on('data', (d) => {
        proc.stderr = (proc.stderr + d).slice(-4000);
    });
    return new Promise((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`${name} not ready in ${START_TIMEOUT_MS} ms\n${proc.stderr}`)),
            START_TIMEOUT_MS);
        child.stdout.on('data', (d) => {
            out += d;
            const m = out.match(ready);
            if (m) {
                clearTimeout(timer);
                resolve(m);
            }
        });
        child.on('error', (e) => {
            clearTimeout(timer);
            reject(new Error(`${name}: ${e.message}`));
        });
        child.on('exit', (code, signal) => {
            clearTimeout(timer);
            reject(new Error(`${name} exited (${signal ?? code}) before it was ready\n${proc.stderr}`));
        });
    });
}

async function stopAll() {
    if (browser) await browser.close().catch(() => {});
    browser = null;
    await Promise.all(children.splice(0).map(({ child }) => new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        child.once('exit', () => {
            clearTimeout(killer);
            resolve();
        });
        child.kill('SIGTERM');
    })));
}

after(stopAll);
for (const sig of ['SIGINT', 'SIGTERM'])
    process.once(sig, () => stopAll().finally(() => process.exit(1)));

async function startCluster() {
    const [, busPort, httpPort] = await startProcess('registry', REGISTRY_BIN, [
        '--registry.bus_port=0', '--registry.http_port=0', '--registry.http_host=127.0.0.1',
        `--registry.heartbeat_ms=${HEARTBEAT_MS}`, `--registry.web_root=${path.join(ROOT, 'web')}`,
    ], /wscenter-registry ready bus_port=(\d+) http_port=(\d+)/);
    const nodeArgs = ['--wsnode.port=0', '--wsnode.host=127.0.0.1', `--wsnode.registries=${busPort}`,
        `--wsnode.heartbeat_ms=${HEARTBEAT_MS}`];
    const ready = /wscenter-wsnode ready node=([0-9a-f]{32}) ws_port=(\d+)/;
    const nodes = await Promise.all([1, 2].map(async (i) => {
        const [, id, port] = await startProcess(`wsnode${i}`, WSNODE_BIN, nodeArgs, ready);
        return { id, port: Number(port) };
    }));
    return { httpPort: Number(httpPort), nodes };
}

/** Waits until fn(arg) is truthy in the page; the message says what was awaited. */
async function waitFor(page, what, fn, arg) {
    try {
        return await page.waitForFunction(fn, arg, { timeout: STEP_TIMEOUT_MS });
    } catch (e) {
        throw new Error(`timed out waiting for ${what}: ${e.message.split('\n')[0]}`);
    }
}

/** Runs one event through the operations form and returns the result panel's total text. */
async function runOperation(page, event, fields) {
    await page.selectOption('#op-event', event);
    for (const [name, value] of Object.entries(fields)) await page.fill(`#op-field-${name}`, value);
    const seq = Number((await page.getAttribute('#op-result', 'data-seq')) ?? 0);
    await page.click('#op-submit');
    await waitFor(page, `the result of ${event}`,
        (n) => Number(document.querySelector('#op-result').dataset.seq ?? 0) > n, seq);
    const state = await page.getAttribute('#op-result', 'data-state');
    const status = await page.textContent('#op-result-status');
    assert.equal(state, 'ok', `${event} failed: ${status}`);
    return (await page.textContent('#op-result-total'))?.trim();
}

const connId = (page, n) => page.textContent(`#conn-${n}-id`);
const HEX32 = /^[0-9a-f]{32}$/;

test('the demo page drives a real cluster', { timeout: TEST_BUDGET_MS }, async () => {
    const { httpPort, nodes } = await startCluster();

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1480, height: 1000 } });
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(`page error: ${e.message}`));
    page.on('console', (m) => {
        if (m.type() === 'error') pageErrors.push(`console error: ${m.text()}`);
    });
    const offsite = [];
    page.on('request', (r) => {
        const u = new URL(r.url());
        if (!['127.0.0.1', 'localhost'].includes(u.hostname) && u.protocol !== 'data:') offsite.push(r.url());
    });

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

    // The event log recorded the socket events and the API calls.
    const kinds = await page.$$eval('#log .log-line', (lines) => lines.map((l) => l.dataset.kind));
    for (const k of ['ws-open', 'ws-msg', 'api', 'cluster']) assert.ok(kinds.includes(k), `log has ${k} lines`);

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

    assert.deepEqual(offsite, [], 'the page makes no external requests');
    assert.deepEqual(pageErrors, [], 'no script errors in the page');
});
