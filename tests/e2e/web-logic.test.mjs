// Unit tests of the demo page's pure logic (no browser, no cluster): how API
// requests are encoded, how per-node results add up, and how the WebSocket
// URL gets its token. The modules are the very files served at /ui/.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
// api.js resolves the API URL against the page's location, as in a browser.
globalThis.location = { href: 'http://127.0.0.1:8011/ui/', origin: 'http://127.0.0.1:8011' };

const load = (file) => import(pathToFileURL(path.join(WEB, file)).href);
const { ApiClient, flattenParams } = await load('api.js');
const { EVENTS, PARAMS, aggregate, findEvent, isErrorResult, isReceipt, takesAck } = await load('events.js');
const { wsUrlWithToken } = await load('ws.js');

const client = (base, token = '') => new ApiClient(() => base, () => token);

test('flattenParams writes PHP brackets for objects and lists', () => {
    assert.deepEqual(flattenParams('e', { id: 'u1', ex: ['a', 'b'], n: 3 }),
        [['e[id]', 'u1'], ['e[ex][]', 'a'], ['e[ex][]', 'b'], ['e[n]', '3']]);
});

test('a GET request carries event, token and bracket parameters, encoded', () => {
    const req = client('http://127.0.0.1:8011', 's3cret').request('sendToGroup',
        { groupId: 'room 1', msg: 'a&b=c', exclude_Ids: ['x', 'y'] });
    assert.equal(req.method, 'GET');
    assert.equal(req.body, null);
    assert.equal(req.url, 'http://127.0.0.1:8011/?event=sendToGroup&token=s3cret' +
        '&sendToGroup[groupId]=room%201&sendToGroup[msg]=a%26b%3Dc' +
        '&sendToGroup[exclude_Ids][]=x&sendToGroup[exclude_Ids][]=y');
});

test('a batch names every event and takes a timeout', () => {
    const req = client('http://h:1/').requestBatch(
        { getIdBy_Id: { _id: 'c1' }, getGroupIdsBy_Id: { _id: 'c1' } }, { timeoutMs: 500 });
    assert.equal(req.url, 'http://h:1/?event=getIdBy_Id,getGroupIdsBy_Id&timeout=500' +
        '&getIdBy_Id[_id]=c1&getGroupIdsBy_Id[_id]=c1');
});

test('ackMs rides in the query as ack=, after the timeout', () => {
    const req = client('http://h:1/').request('broadcast', { msg: 'hi' }, { timeoutMs: 500, ackMs: 1500 });
    assert.equal(req.url, 'http://h:1/?event=broadcast&timeout=500&ack=1500&broadcast[msg]=hi');
    assert.equal(client('http://h:1/').request('broadcast', { msg: 'hi' }).url, 'http://h:1/?event=broadcast&broadcast[msg]=hi');
});

test('a POST request keeps the token in the query and the parameters in a JSON body', () => {
    const req = client('http://h:1', 't').request('sendMessageTo_Id', { _id: 'c', msg: { z: 1, a: [2] } },
        { method: 'POST' });
    assert.equal(req.url, 'http://h:1/?event=sendMessageTo_Id&token=t');
    assert.deepEqual(JSON.parse(req.body), { sendMessageTo_Id: { _id: 'c', msg: { z: 1, a: [2] } } });
    assert.match(ApiClient.curl(req), /^curl -X POST 'http:\/\/h:1\/\?event=sendMessageTo_Id&token=t' /);
});

test('an API URL without a scheme means http, and a non-http URL is refused', () => {
    assert.equal(client('127.0.0.1:8013').request('nodes').url, 'http://127.0.0.1:8013/?event=nodes');
    assert.throws(() => client('ftp://h/').request('nodes'), /must be http/);
});

test('call() reports an unusable API URL instead of throwing', async () => {
    const res = await client('ftp://h/').call('nodes');
    assert.equal(res.ok, false);
    assert.match(res.error, /must be http/);
});

test('totals: sums skip failed nodes, lists are united, booleans say where', () => {
    const timeout = { code: 2, msg: 'timeout', data: [] };
    assert.ok(isErrorResult(timeout));
    assert.deepEqual(aggregate(findEvent('sendToGroup'), { a: 2, b: 1, c: timeout }), { label: 'Total', value: 3 });
    assert.deepEqual(aggregate(findEvent('getIds'), { a: ['u1', 'u2'], b: ['u2'] }).value, ['u1', 'u2']);
    assert.equal(aggregate(findEvent('isOnlineId'), { a: false, b: true }).value, 'true (on 1 node)');
    assert.equal(aggregate(findEvent('isOnlineId'), { a: false }).value, 'false');
    assert.equal(aggregate(findEvent('getIdBy_Id'), { a: null, b: 'alice' }).value, 'alice');
    assert.deepEqual(aggregate(findEvent('get_IdData'), { a: null, b: {} }).value, {});
    assert.equal(aggregate(findEvent('route'), {}), null);
});

test('receipts: only sends take ack=, and {sent, acked, _ids} add up across nodes', () => {
    assert.deepEqual(EVENTS.filter(takesAck).map((e) => e.name), ['sendMessageToId', 'sendMessageTo_Id', 'sendToGroup',
        'broadcast', 'sendMessageToGroupByOnlyId', 'sendMessageToGroupByOnly_Id']);
    const timeout = { code: 2, msg: 'timeout', data: [] };
    assert.ok(isReceipt({ sent: 1, acked: 0, _ids: [] }));
    assert.ok(!isReceipt(timeout) && !isReceipt(3) && !isReceipt(null));
    assert.deepEqual(aggregate(findEvent('sendToGroup'), {
        a: { sent: 1, acked: 1, _ids: ['c1'] }, b: { sent: 1, acked: 0, _ids: [] }, c: timeout,
    }), { label: 'Total', value: { sent: 2, acked: 1, _ids: ['c1'] } });
});

test('the catalog has every API event with known parameters', () => {
    const names = EVENTS.map((e) => e.name);
    for (const name of ['bindId', 'unBindId', 'unBind_Id', 'joinGroupById', 'joinGroupBy_Id', 'leaveGroupById',
        'leaveGroupBy_Id', 'leaveAllGroupById', 'leaveAllGroupBy_Id', 'sendMessageToId', 'sendMessageTo_Id',
        'sendToGroup', 'broadcast', 'sendMessageToGroupByOnlyId', 'sendMessageToGroupByOnly_Id',
        'getConnectionCount', 'getIds', 'get_Ids', 'isOnlineId', 'isOnline_Id', 'getGroupIds', 'getGroupIdsById',
        'getGroupIdsBy_Id', 'isInGroupById', 'isInGroupBy_Id', 'getGroupIdCount', 'getGroup_IdCount',
        'getIdBy_Id', 'get_IdsById', 'get_IdData', 'closeBy_Id', 'closeById', 'route', 'nodes'])
        assert.ok(names.includes(name), `${name} is in the catalog`);
    assert.equal(new Set(names).size, names.length, 'no event twice');
    for (const e of EVENTS) for (const p of e.params) assert.ok(PARAMS[p], `${e.name}: parameter ${p} is described`);
});

test('the WebSocket URL gets ?token= and keeps its own parameters', () => {
    assert.equal(wsUrlWithToken('ws://127.0.0.1:8090/', ''), 'ws://127.0.0.1:8090/');
    assert.equal(wsUrlWithToken('ws://127.0.0.1:8090/?room=1', 'a b'), 'ws://127.0.0.1:8090/?room=1&token=a+b');
    assert.equal(wsUrlWithToken('127.0.0.1:8090', ''), 'ws://127.0.0.1:8090/');
    assert.throws(() => wsUrlWithToken('http://127.0.0.1:8090/', ''), /not a ws:\/\/ URL/);
});

test('cluster events read as log lines, node losses apart', async () => {
    const { describeEvent, eventKind } = await load('feed.js');
    const node = 'a'.repeat(32), conn = 'b'.repeat(32);
    assert.equal(describeEvent({ event: 'online', id: 'alice', node, _id: conn }),
        'alice is online on node aaaaaaaa (_id bbbbbbbb)');
    assert.equal(describeEvent({ event: 'offline', id: 'alice', node, _id: conn }),
        'alice is offline on node aaaaaaaa (_id bbbbbbbb)');
    assert.equal(describeEvent({ event: 'close', id: 'bob', node, _id: conn, reason: 'node_lost' }),
        'connection bbbbbbbb of bob closed on node aaaaaaaa: node_lost');
    assert.equal(describeEvent({ event: 'close', id: null, node, _id: conn, reason: 'client' }),
        'connection bbbbbbbb closed on node aaaaaaaa: client');
    assert.equal(eventKind({ event: 'online' }), 'presence');
    assert.equal(eventKind({ event: 'close', reason: 'node_lost' }), 'node-lost');
    assert.equal(eventKind({ event: 'close', reason: 'client' }), 'cluster');
});

test('the feed starts from the newest event and then asks from its cursor', async () => {
    const { EventFeed } = await load('feed.js');
    const asked = [];
    const pages = [
        { registry: 'r1', next: 500, events: [{ event: 'online', id: 'old' }] },
        { registry: 'r1', next: 502, events: [{ event: 'online', id: 'new', node: 'n', _id: 'c' }] },
    ];
    const api = { call: async (event, params) => {
        asked.push([event, params.since]);
        return { ok: true, envelope: { data: { recentEvents: pages[asked.length - 1] } } };
    } };
    const logged = [];
    const feed = new EventFeed({ api, log: (kind, text) => logged.push(text), enabled: () => true });
    await feed.poll();
    await feed.poll();
    assert.deepEqual(asked, [['recentEvents', '999999999999'], ['recentEvents', '500']]);
    assert.deepEqual(logged, ['new is online on node n (_id c)'], 'history is not news');
});
