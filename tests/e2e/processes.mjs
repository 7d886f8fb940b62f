// What the end-to-end tests share: real registries and wsnodes started on
// loopback with ephemeral ports, self-signed certificates, headless Chromium,
// driving the demo's operations form, and their clean-up (registered with
// node:test's after() by importing this module).
//
// Env: WSC_REGISTRY_BIN, WSC_WSNODE_BIN (default: build/ under the repo root),
// WSC_CHROMIUM (default /usr/bin/chromium).

import { after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const REGISTRY_BIN = process.env.WSC_REGISTRY_BIN || path.join(ROOT, 'build/registry/wscenter-registry');
const WSNODE_BIN = process.env.WSC_WSNODE_BIN || path.join(ROOT, 'build/wsnode/wscenter-wsnode');
const CHROMIUM = process.env.WSC_CHROMIUM || '/usr/bin/chromium';

const START_TIMEOUT_MS = 10000;  // one process printing its ready line
const STEP_TIMEOUT_MS = 8000;    // one UI step (a few API round trips at most)
const STOP_GRACE_MS = 2000;      // SIGTERM first, SIGKILL after this
export const HEARTBEAT_MS = 200; // fast liveness so nodes register (and leave) quickly
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'];

const children = [];
const browsers = [];
const tempDirs = [];

/** Spawns a program; resolves with {match, proc} once stdout matches `ready`; rejects on exit or timeout. */
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
            const match = out.match(ready);
            if (match) {
                clearTimeout(timer);
                resolve({ match, proc });
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

/** Stops one started process: `signal` first, SIGKILL after a grace period; resolves once it has exited. */
export function stopProcess(proc, signal = 'SIGTERM') {
    const { child } = proc;
    const i = children.indexOf(proc);
    if (i >= 0) children.splice(i, 1);
    return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        child.once('exit', () => {
            clearTimeout(killer);
            resolve();
        });
        child.kill(signal);
    });
}

async function stopAll() {
    await Promise.all(browsers.splice(0).map((b) => b.close().catch(() => {})));
    await Promise.all(children.slice().map((proc) => stopProcess(proc)));
    for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

after(stopAll);
for (const sig of ['SIGINT', 'SIGTERM'])
    process.once(sig, () => stopAll().finally(() => process.exit(1)));

/** A registry serving the demo from web/, with extra `--registry.key=value` flags: {busPort, httpPort, proc}. */
export async function startRegistry(args = []) {
    const { match, proc } = await startProcess('registry', REGISTRY_BIN, [
        '--registry.bus_port=0', '--registry.http_port=0', '--registry.http_host=127.0.0.1',
        `--registry.heartbeat_ms=${HEARTBEAT_MS}`, `--registry.web_root=${path.join(ROOT, 'web')}`, ...args,
    ], /wscenter-registry ready bus_port=(\d+) http_port=(\d+)/);
    return { busPort: Number(match[1]), httpPort: Number(match[2]), proc };
}

/**
 * A wsnode joined to the registry on busPort, on `port` (0: any free one), with extra
 * `--wsnode.key=value` flags: {id, port, proc}.
 */
export async function startWsnode(name, busPort, port = 0, args = []) {
    const { match, proc } = await startProcess(name, WSNODE_BIN, [
        `--wsnode.port=${port}`, '--wsnode.host=127.0.0.1', `--wsnode.registries=${busPort}`,
        `--wsnode.heartbeat_ms=${HEARTBEAT_MS}`, ...args,
    ], /wscenter-wsnode ready node=([0-9a-f]{32}) ws_port=(\d+)/);
    return { id: match[1], port: Number(match[2]), proc };
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost (EC P-256, valid two days) made by openssl
 * in a temporary folder removed after the tests: {cert, key} paths.
 */
export function selfSignedCertificate() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsc-e2e-tls-'));
    tempDirs.push(dir);
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout', key, '-out', cert], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { cert, key };
}

/** Headless Chromium, closed after the tests. */
export async function launchBrowser() {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    browsers.push(browser);
    return browser;
}

/** A new page that collects script errors, console errors and requests off the machine. */
export async function watchedPage(browser, options = {}) {
    const page = await browser.newPage(options);
    const problems = { errors: [], offsite: [] };
    page.on('pageerror', (e) => problems.errors.push(`page error: ${e.message}`));
    page.on('console', (m) => {
        if (m.type() === 'error') problems.errors.push(`console error: ${m.text()}`);
    });
    page.on('request', (r) => {
        const u = new URL(r.url());
        if (!['127.0.0.1', 'localhost'].includes(u.hostname) && u.protocol !== 'data:') problems.offsite.push(r.url());
    });
    return { page, problems };
}

/** Waits until fn(arg) is truthy in the page; the message says what was awaited. */
export async function waitFor(page, what, fn, arg, timeout = STEP_TIMEOUT_MS) {
    try {
        return await page.waitForFunction(fn, arg, { timeout });
    } catch (e) {
        throw new Error(`timed out waiting for ${what}: ${e.message.split('\n')[0]}`);
    }
}

/**
 * Runs one event through the demo's operations form (fields by parameter name; ack: the ack
 * field of a send, '' for none) and returns the result panel's total as text; fails when the
 * call does not succeed.
 */
export async function runOperation(page, event, fields, { ack } = {}) {
    await page.selectOption('#op-event', event);
    if (ack !== undefined) await page.fill('#op-ack', String(ack));
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
