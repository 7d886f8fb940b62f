// Unit tests of the HTTP API helper: the requests it builds, and what it makes
// of the answers of a tiny local HTTP server standing in for a registry.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { WscenterApi, WscenterApiError, EventResult, buildRequest, isReceipt, parseResponse } from '../server.js';

const TIMEOUT = { code: 2, msg: 'timeout', data: [] };
const ok = (data, masterIds = ['n1', 'n2']) => ({ code: 0, msg: 'ok', extra: [], master_ids: masterIds, data });

let server;
let base;
const seen = [];          // {method, url, contentType, body} of every request
let answer = () => ({ status: 200, body: ok({}) });

before(async () => {
    server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
            seen.push({ method: req.method, url: req.url, contentType: req.headers['content-type'], body });
            const a = answer(req);
            if (a === null) return;   // never answers
            res.writeHead(a.status, { 'content-type': 'application/json' });
            res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
        });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${server.address().port}`;
});

after(() => {
    server.closeAllConnections();
    server.close();
});

test('a request is one POST: event, token and timeout in the query, the parameters as JSON', () => {
    const events = { bindId: { id: 'u1', _id: 'c1' }, joinGroupById: { groupId: 'g', id: 'u1' } };
    const req = buildRequest('http://h:1/api?x=1', events, { token: 'k&1', timeoutMs: 500 });
    assert.equal(req.method, 'POST');
    assert.equal(req.url, 'http://h:1/api?event=bindId%2CjoinGroupById&token=k%261&timeout=500');
    assert.deepEqual(req.headers, { 'content-type': 'application/json' });
    assert.deepEqual(JSON.parse(req.body), events);
    assert.equal(buildRequest('127.0.0.1:8011', { getIds: undefined }).url, 'http://127.0.0.1:8011/?event=getIds');
    assert.equal(buildRequest('127.0.0.1:8011', { getIds: undefined }).body, '{"getIds":{}}');
    assert.throws(() => buildRequest('ws://h/', { getIds: {} }), /http\(s\)/);
    assert.throws(() => buildRequest('http://h/', {}), /no event/);
});

test('results: per-node values, failed nodes, totals, lists and the first value', () => {
    const sent = new EventResult('sendToGroup', { n1: 2, n2: 1, n3: TIMEOUT });
    assert.deepEqual(sent.nodes, { n1: 2, n2: 1 });
    assert.deepEqual(sent.failed, { n3: { code: 2, msg: 'timeout' } });
    assert.equal(sent.ok, false);
    assert.equal(sent.total, 3);
    assert.equal(new EventResult('isOnlineId', { n1: false, n2: true }).total, 1);
    assert.deepEqual(new EventResult('getIds', { n1: ['a', 'b'], n2: ['b', 'c'] }).list, ['a', 'b', 'c']);
    assert.equal(new EventResult('getIdBy_Id', { n1: null, n2: 'alice' }).value, 'alice');
    assert.equal(new EventResult('getIdBy_Id', { n1: null }).value, null);
    const data = new EventResult('get_IdData', { n1: { code: '2', msg: 'x', data: 'y' } });   // query data, not a failure
    assert.equal(data.ok, true);
    const route = new EventResult('route', { node: 'n1', url: 'ws://h:1/' });
    assert.deepEqual(route.value, { node: 'n1', url: 'ws://h:1/' });
    assert.deepEqual(route.nodes, {});
});

test('receipts: {sent, acked, _ids} per node are added up; plain results have none', () => {
    const r = new EventResult('sendToGroup', {
        n1: { sent: 2, acked: 1, _ids: ['c1'] },
        n2: { sent: 1, acked: 1, _ids: ['c3'] },
        n3: { sent: 0, acked: 0 },
        n4: TIMEOUT,
    });
    assert.deepEqual(r.nodes.n3, { sent: 0, acked: 0, _ids: [] }, '_ids is always a list');
    assert.deepEqual(Object.keys(r.failed), ['n4']);
    assert.equal(r.hasReceipts, true);
    assert.equal(r.total, 3);
    assert.equal(r.sent, 3);
    assert.equal(r.acked, 2);
    assert.deepEqual(r.ackedIds, ['c1', 'c3']);
    const plain = new EventResult('sendToGroup', { n1: 2 });
    assert.equal(plain.hasReceipts, false);
    assert.equal(plain.sent, 2);
    assert.equal(plain.acked, 0);
    assert.deepEqual(plain.ackedIds, []);
    assert.equal(isReceipt({ sent: 1 }), false);
    assert.equal(isReceipt([1]), false);
});

test('parseResponse: envelope fields, and a clear error for each way a call fails', () => {
    const res = parseResponse(200, JSON.stringify(ok({ getConnectionCount: { n1: 3, n2: 4 } })), ['getConnectionCount']);
    assert.deepEqual(res.masterIds, ['n1', 'n2']);
    assert.equal(res.results.getConnectionCount.total, 7);
    assert.throws(() => parseResponse(200, '{"code":1,"msg":"token error","data":[]}', ['getIds']),
        (e) => e instanceof WscenterApiError && e.kind === 'refused' && e.code === 1 && e.msg === 'token error' &&
            e.message === 'code 1: token error');
    assert.throws(() => parseResponse(503, '{"code":1,"msg":"overloaded, try again","data":[]}', ['getIds']),
        { name: 'WscenterApiError', kind: 'http', status: 503, message: 'HTTP 503: overloaded, try again' });
    assert.throws(() => parseResponse(413, 'too large\n', ['getIds']), { kind: 'http', message: 'HTTP 413: too large' });
    assert.throws(() => parseResponse(200, '<html>', ['getIds']), { kind: 'response' });
});

test('call and batch against a server: what is sent and what comes back', async () => {
    answer = (req) => (req.url.includes('event=bindId%2CgetIds')
        ? { status: 200, body: ok({ bindId: { n1: 1, n2: 0 }, getIds: { n1: ['alice'], n2: [] } }) }
        : { status: 200, body: ok({ sendMessageToId: { n1: 2, n2: TIMEOUT } }) });
    const api = new WscenterApi({ url: base, token: 'secret' });
    const batch = await api.batch({ bindId: { id: 'alice', _id: 'c1' }, getIds: {} }, { timeoutMs: 800 });
    assert.equal(batch.results.bindId.total, 1);
    assert.deepEqual(batch.results.getIds.list, ['alice']);
    assert.deepEqual(seen.at(-1), {
        method: 'POST', url: '/?event=bindId%2CgetIds&token=secret&timeout=800', contentType: 'application/json',
        body: '{"bindId":{"id":"alice","_id":"c1"},"getIds":{}}',
    });
    const sent = await api.sendMessageToId('alice', { hello: 1 });
    assert.equal(sent.total, 2);
    assert.deepEqual(Object.keys(sent.failed), ['n2']);
    assert.equal(seen.at(-1).body, '{"sendMessageToId":{"id":"alice","msg":{"hello":1}}}');
});

test('ackMs goes into the query as ack, and the wait covers it', async () => {
    assert.equal(buildRequest('http://h:1', { broadcast: { msg: 'm' } }, { ackMs: 1500, timeoutMs: 500 }).url,
        'http://h:1/?event=broadcast&timeout=500&ack=1500');
    answer = () => ({ status: 200, body: ok({ sendMessageTo_Id: { n1: { sent: 1, acked: 1, _ids: ['c1'] }, n2: 0 } }) });
    const api = new WscenterApi({ url: base });
    const r = await api.sendMessageTo_Id('c1', 'hi', {}, { ackMs: 2000 });
    assert.equal(seen.at(-1).url, '/?event=sendMessageTo_Id&ack=2000');
    assert.deepEqual([r.sent, r.acked, r.ackedIds], [1, 1, ['c1']]);
    // A registry that takes longer than timeoutMs, but not longer than ackMs, is still waited for.
    answer = () => null;
    await assert.rejects(new WscenterApi({ url: base, timeoutMs: 20, marginMs: 20 }).broadcast('x', {}, { ackMs: 100 }),
        { kind: 'timeout', message: `no answer from ${base} within 370 ms` });
});

test('route() returns the node and URL, or null with no live node', async () => {
    answer = () => ({ status: 200, body: ok({ route: { node: 'n1', url: 'ws://127.0.0.1:9/' } }) });
    const api = new WscenterApi({ url: base });
    assert.deepEqual(await api.route('alice'), { node: 'n1', url: 'ws://127.0.0.1:9/' });
    assert.equal(seen.at(-1).body, '{"route":{"id":"alice"}}');
    answer = () => ({ status: 200, body: ok({ route: null }, []) });
    assert.equal(await api.route('alice'), null);
});

test('refused calls, unreachable registries and silent ones throw WscenterApiError', async () => {
    answer = () => ({ status: 200, body: { code: 1, msg: 'bindId: missing parameter _id', data: [] } });
    await assert.rejects(new WscenterApi({ url: base }).call('bindId', { id: 'u' }),
        { name: 'WscenterApiError', kind: 'refused', code: 1, msg: 'bindId: missing parameter _id' });

    const closed = http.createServer();
    await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${closed.address().port}`;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(new WscenterApi({ url: deadUrl }).call('getIds'),
        (e) => e instanceof WscenterApiError && e.kind === 'network' && e.message.startsWith(`cannot reach ${deadUrl}`));

    answer = () => null;
    await assert.rejects(new WscenterApi({ url: base, timeoutMs: 30, marginMs: 30 }).call('getIds'),
        { kind: 'timeout', message: `no answer from ${base} within 60 ms` });
});
