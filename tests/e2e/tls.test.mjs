// End-to-end test of native TLS: a self-signed certificate made with openssl,
// a registry serving its API and the demo over https:// and a wsnode serving
// wss://, both with that certificate. Headless Chromium (told to accept the
// certificate) opens the demo over https, connects a test connection to the
// node's advertised wss:// URL from the cluster view, and sends it a message
// through the demo, with a delivery receipt.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
    launchBrowser, runOperation, selfSignedCertificate, startRegistry, startWsnode, waitFor, watchedPage,
} from './processes.mjs';

const TEST_BUDGET_MS = 60000;
const HEX32 = /^[0-9a-f]{32}$/;

test('the demo over https drives a wss:// node', { timeout: TEST_BUDGET_MS }, async () => {
    const { cert, key } = selfSignedCertificate();
    const { busPort, httpPort } = await startRegistry([`--registry.tls_cert=${cert}`, `--registry.tls_key=${key}`]);
    const node = await startWsnode('wsnode-tls', busPort, 0, [`--wsnode.tls_cert=${cert}`, `--wsnode.tls_key=${key}`]);
    const wssUrl = `wss://127.0.0.1:${node.port}/`;

    const browser = await launchBrowser();
    const { page, problems } = await watchedPage(browser, { ignoreHTTPSErrors: true, viewport: { width: 1480, height: 1000 } });
    const origin = `https://127.0.0.1:${httpPort}`;
    await page.goto(`${origin}/ui/`);
    assert.equal(await page.inputValue('#api-url'), origin, 'the API is the https origin of the page');

    // The node advertises its wss:// URL; the cluster view's Connect button opens a test connection there.
    await waitFor(page, 'the TLS node in the cluster view', (id) =>
        document.querySelector(`[data-testid=cluster-node-row][data-node="${id}"]`), node.id);
    const shownUrl = await page.textContent(`[data-testid=cluster-node-row][data-node="${node.id}"] .url`);
    assert.equal(shownUrl, wssUrl);
    await page.click(`[data-testid=cluster-node-row][data-node="${node.id}"] [data-testid=cluster-connect]`);
    await waitFor(page, 'connection #1 to get its _id over wss', (re) =>
        new RegExp(re).test(document.querySelector('#conn-1-id')?.textContent ?? ''), HEX32.source);
    assert.equal(await page.textContent('#conn-1 .url'), wssUrl);

    // A message through the demo (the _id is filled from the selected connection), with a receipt.
    const text = 'hello over TLS';
    assert.match(await runOperation(page, 'sendMessageTo_Id', { msg: text }, { ack: 3000 }), /^acked 1 \/ sent 1/);
    await waitFor(page, 'the message in chat #1, acked', (t) =>
        [...document.querySelectorAll('#conn-1-chat .chat-in')].some((li) =>
            li.textContent.includes(t) && li.querySelector('[data-testid=chat-acked]')), text);

    assert.deepEqual(problems.offsite, [], 'the page makes no external requests');
    assert.deepEqual(problems.errors, [], 'no script errors in the page');
});
