// Unit tests of the WebSocket client with a fake socket, a manual clock and a
// fixed random source: no network, no real waiting.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WscenterClient, backoffDelay, buildUrl, routeUrl, CLOSE_TIMEOUT, DEFAULTS } from '../wscenter.js';
import { FakeClock, fakeWebSocket, record } from './fakes.mjs';

const ID = '0123456789abcdef0123456789abcdef';

/** A client on a fake socket and clock; random() returns `random` unless given a function. */
function setup(options = {}, random = 0.5) {
    const clock = new FakeClock();
    const { WebSocket, sockets } = fakeWebSocket();
    const client = new WscenterClient({
        url: 'ws://127.0.0.1:8090/', WebSocket, timers: clock, now: clock.now,
        random: typeof random === 'function' ? random : () => random, ...options,
    });
    const events = record(client);
    const last = () => sockets[sockets.length - 1];
    const of = (type) => events.filter(([t]) => t === type).map(([, ev]) => ev);
    return { client, clock, sockets, events, last, of };
}

test('backoff: full jitter between 0 and min(cap, base * 2^attempt)', () => {
    const opts = { backoffBaseMs: 100, backoffCapMs: 1000 };
    const ceilings = [100, 200, 400, 800, 1000, 1000, 1000];
    ceilings.forEach((ceiling, attempt) => {
        assert.equal(backoffDelay(attempt, opts, () => 0), 0);
        assert.equal(backoffDelay(attempt, opts, () => 0.999999), ceiling);
        assert.equal(backoffDelay(attempt, opts, () => 0.5), ceiling / 2);
    });
    assert.equal(backoffDelay(5000, opts, () => 1), 1000, 'a huge attempt stays at the cap');
    for (let i = 0; i < 1000; i++) {
        const d = backoffDelay(i % 12, DEFAULTS);
        assert.ok(d >= 0 && d <= Math.min(DEFAULTS.backoffCapMs, DEFAULTS.backoffBaseMs * 2 ** (i % 12)), `delay ${d}`);
    }
});

test('URL: token, extra query data, acks, host:port shorthand; other schemes refused', () => {
    assert.equal(buildUrl('ws://127.0.0.1:8090/'), 'ws://127.0.0.1:8090/');
    assert.equal(buildUrl('127.0.0.1:8090', { token: 'a b' }), 'ws://127.0.0.1:8090/?token=a+b');
    assert.equal(buildUrl('wss://h/ws?room=1', { query: { lang: 'fr', tag: ['x', 'y'], none: null }, acks: true }),
        'wss://h/ws?room=1&lang=fr&tag=x&tag=y&acks=1');
    assert.equal(buildUrl('ws://h/?lang=en', { query: { lang: 'fr' } }), 'ws://h/?lang=fr', 'query data replaces a key');
    assert.throws(() => buildUrl('http://127.0.0.1:8090/'), /not a ws:\/\/ URL/);
    assert.equal(routeUrl('http://127.0.0.1:8011', 'alice &co', 'k'),
        'http://127.0.0.1:8011/?event=route&route[id]=alice%20%26co&token=k');
    assert.equal(routeUrl('127.0.0.1:8011/api'), 'http://127.0.0.1:8011/api/?event=route&route[id]=undefined');
    assert.throws(() => routeUrl('ws://h/', 'u'), /http\(s\)/);
});

test('token and query functions are read at every attempt', () => {
    let token = 'one';
    const { client, clock, last } = setup({ token: () => token, query: () => ({ v: token.length }) });
    client.connect();
    assert.equal(last().url, 'ws://127.0.0.1:8090/?v=3&token=one');
    token = 'three';
    last().drop();
    clock.advance(1000);
    assert.equal(last().url, 'ws://127.0.0.1:8090/?v=5&token=three');
});

test('open carries the _id; messages are parsed JSON when they parse, else text', () => {
    const { client, last, of } = setup();
    client.connect();
    assert.equal(client.state, 'connecting');
    assert.equal(client.send('early'), false, 'nothing is sent before the open message');
    last().accept(ID);
    assert.equal(client.state, 'open');
    assert.equal(client.id, ID);
    assert.equal(of('open')[0]._id, ID);
    assert.equal(of('open')[0].url, 'ws://127.0.0.1:8090/');
    last().receive('{"a":1}');
    last().receive('hello');
    last().receive('42');
    const bytes = new Uint8Array([1, 2]).buffer;
    last().receive(bytes);
    assert.deepEqual(of('message').map((m) => [m.data, m.text]),
        [[{ a: 1 }, '{"a":1}'], ['hello', 'hello'], [42, '42'], [bytes, null]]);
    assert.equal(client.send({ x: 1 }), true);
    assert.equal(client.send('plain'), true);
    assert.deepEqual(last().sent, ['{"x":1}', 'plain']);
    assert.deepEqual(of('state').map((e) => e.state), ['connecting', 'open']);
});

test('keep-alive: a ping every interval; a pong keeps the link, no pong forces a reconnect', () => {
    const { client, clock, sockets, last, of } = setup({ pingIntervalMs: 1000, pongTimeoutMs: 300 });
    client.connect();
    last().accept(ID);
    clock.advance(999);
    assert.deepEqual(last().sent, []);
    clock.advance(1);
    assert.deepEqual(last().sent, ['ping']);
    clock.advance(120);
    last().receive(JSON.stringify({ cmd: 'pong', _id: ID }));
    assert.equal(of('pong')[0].rttMs, 120);
    assert.equal(of('message').length, 0, 'pongs are not messages');
    clock.advance(880);   // pings keep their own beat: the next one 1000 ms after the last
    assert.deepEqual(last().sent, ['ping', 'ping']);
    clock.advance(299);
    assert.equal(of('close').length, 0);
    clock.advance(1);   // no pong 300 ms after the second ping
    assert.deepEqual(sockets[0].closedWith, { code: CLOSE_TIMEOUT, reason: 'no pong within 300 ms' });
    const [closed] = of('close');
    assert.equal(closed.code, CLOSE_TIMEOUT);
    assert.equal(closed.wasOpen, true);
    assert.equal(closed.willReconnect, true);
    assert.equal(client.id, null);
    assert.deepEqual(of('reconnecting').map((e) => [e.attempt, e.delayMs]), [[1, 250]]);
    sockets[0].drop(1006);   // the late close event of the dropped socket changes nothing
    assert.equal(of('close').length, 1);
    clock.advance(250);
    assert.equal(sockets.length, 2);
    last().accept(ID.replace('0', 'f'));
    assert.equal(client.state, 'open');
});

test('a manual ping arms the pong timeout too; the open timeout gives up on a silent node', () => {
    const { client, clock, sockets, last, of } = setup({ pingIntervalMs: 0, pongTimeoutMs: 500, openTimeoutMs: 2000 });
    client.connect();
    clock.advance(1999);
    assert.equal(of('close').length, 0);
    clock.advance(1);
    assert.equal(of('close')[0].reason, 'no open message within 2000 ms');
    assert.equal(of('close')[0].wasOpen, false);
    clock.advance(250);
    last().accept(ID);
    clock.advance(10000);
    assert.deepEqual(last().sent, [], 'pingIntervalMs 0: no keep-alive');
    assert.equal(client.ping(), true);
    clock.advance(500);
    assert.equal(of('close')[1].code, CLOSE_TIMEOUT);
    assert.equal(sockets.length, 2);
});

test('reconnects with growing jittered delays; an open resets the attempts', () => {
    const { client, clock, sockets, last, of } = setup({ backoffBaseMs: 100, backoffCapMs: 400 }, 1);
    client.connect();
    for (let i = 0; i < 4; i++) {
        last().drop(1006);
        clock.advance(of('reconnecting').at(-1).delayMs);
    }
    assert.deepEqual(of('reconnecting').map((e) => [e.attempt, e.delayMs]), [[1, 100], [2, 200], [3, 400], [4, 400]]);
    assert.equal(sockets.length, 5);
    last().accept(ID);
    assert.equal(client.attempt, 0);
    last().drop(1001, 'going away');
    const closed = of('close').at(-1);
    assert.deepEqual([closed.code, closed.reason, closed.wasOpen, closed.willReconnect], [1001, 'going away', true, true]);
    assert.equal(of('reconnecting').at(-1).delayMs, 100);
    assert.equal(client.retryAt, clock.time + 100);
});

test('close() stops reconnecting: while open, and while a retry waits', () => {
    const { client, clock, sockets, last, of } = setup();
    client.connect();
    last().accept(ID);
    client.close();
    assert.deepEqual(sockets[0].closedWith, { code: 1000, reason: '' });
    assert.equal(of('close')[0].willReconnect, false);
    assert.equal(client.state, 'closed');
    sockets[0].drop(1000);
    clock.advance(60000);
    assert.equal(sockets.length, 1, 'no new socket after close()');

    client.connect();   // connect() again starts over
    assert.equal(sockets.length, 2);
    last().drop(1006);
    assert.equal(client.state, 'reconnecting');
    client.close();
    assert.equal(client.state, 'closed');
    clock.advance(60000);
    assert.equal(sockets.length, 2, 'the pending retry was cancelled');
    assert.equal(of('reconnecting').length, 1);
});

test('maxAttempts and reconnect: false bound the retries', () => {
    const { client, last, clock, sockets, of } = setup({ maxAttempts: 2 });
    client.connect();
    for (let i = 0; i < 3; i++) {
        last().drop(1006);
        clock.advance(20000);
    }
    assert.equal(sockets.length, 3);
    assert.deepEqual(of('close').map((e) => e.willReconnect), [true, true, false]);
    assert.equal(client.state, 'closed');

    const once = setup({ reconnect: false });
    once.client.connect();
    once.last().drop(1006);
    assert.equal(once.of('close')[0].willReconnect, false);
    assert.equal(once.client.state, 'closed');
});

test('acks: acks=1 in the URL, every acknowledged message is answered and delivered as its inner data', () => {
    const { client, last, of } = setup({ acks: true });
    client.connect();
    assert.equal(last().url, 'ws://127.0.0.1:8090/?acks=1');
    last().accept(ID);
    last().receive(JSON.stringify({ cmd: 'msg', ack: 't1', data: { room: 'r1', text: 'hi' } }));
    last().receive(JSON.stringify({ cmd: 'msg', ack: 't2', data: 'plain text' }));
    last().receive(JSON.stringify({ cmd: 'msg', ack: 't3', data: '{"n":1}' }));
    last().receive('not acknowledged');
    assert.deepEqual(last().sent.map((s) => JSON.parse(s)),
        [{ cmd: 'ack', ack: 't1' }, { cmd: 'ack', ack: 't2' }, { cmd: 'ack', ack: 't3' }]);
    assert.deepEqual(of('message').map((m) => [m.data, m.ack]),
        [[{ room: 'r1', text: 'hi' }, 't1'], ['plain text', 't2'], [{ n: 1 }, 't3'], ['not acknowledged', null]]);
    assert.equal(of('message')[0].text, '{"room":"r1","text":"hi"}');

    const plain = setup();   // without the option the same frame is an ordinary message
    plain.client.connect();
    plain.last().accept(ID);
    plain.last().receive(JSON.stringify({ cmd: 'msg', ack: 't1', data: 1 }));
    assert.deepEqual(plain.last().sent, []);
    assert.deepEqual(plain.of('message')[0].data, { cmd: 'msg', ack: 't1', data: 1 });
});

test('autoAck off: acknowledged messages are delivered unanswered until ack(token); a function is read each time', () => {
    let auto = false;
    const { client, last, of } = setup({ acks: true, autoAck: () => auto });
    assert.equal(client.ack('t0'), false, 'not open yet');
    client.connect();
    last().accept(ID);
    last().receive(JSON.stringify({ cmd: 'msg', ack: 't1', data: 'first' }));
    assert.deepEqual(last().sent, []);
    assert.deepEqual(of('message').map((m) => [m.data, m.ack, m.acked]), [['first', 't1', false]]);
    assert.equal(client.ack('t1'), true);
    assert.equal(client.ack(''), false);
    auto = true;
    last().receive(JSON.stringify({ cmd: 'msg', ack: 't2', data: 'second' }));
    assert.equal(of('message')[1].acked, true);
    assert.deepEqual(last().sent.map((s) => JSON.parse(s)), [{ cmd: 'ack', ack: 't1' }, { cmd: 'ack', ack: 't2' }]);
});

test('only the first open message and pongs with our _id are taken as control messages', () => {
    const { client, last, of } = setup();
    client.connect();
    last().accept(ID);
    last().receive(JSON.stringify({ cmd: 'open', _id: 'f'.repeat(32) }));
    last().receive(JSON.stringify({ cmd: 'pong', _id: 'e'.repeat(32) }));
    assert.equal(client.id, ID);
    assert.equal(of('open').length, 1);
    assert.equal(of('message').length, 2);
});

/** A fetch answering the route event from a list of envelopes (or errors), recording the URLs. */
function fakeFetch(answers) {
    const urls = [];
    const fetch = async (url) => {
        urls.push(url);
        const next = answers.shift();
        if (next instanceof Error) throw next;
        return { status: 200, text: async () => JSON.stringify(next) };
    };
    return { fetch, urls };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
const routeTo = (port) => ({
    code: 0, msg: 'ok', extra: [], master_ids: ['n'], data: { route: { node: `n${port}`, url: `ws://127.0.0.1:${port}/` } },
});

test('registry: the route event picks the node before every attempt', async () => {
    const { fetch, urls } = fakeFetch([routeTo(9001), new Error('connection refused'),
        { code: 0, msg: 'ok', extra: [], master_ids: [], data: { route: null } }, routeTo(9002)]);
    const { client, clock, sockets, last, of } = setup({ url: undefined, registry: 'http://127.0.0.1:8011',
        registryToken: 'api', routeId: 'alice', token: 'c', fetch });
    client.connect();
    await flush();
    assert.equal(urls[0], 'http://127.0.0.1:8011/?event=route&route[id]=alice&token=api');
    assert.equal(last().url, 'ws://127.0.0.1:9001/?token=c');
    last().accept(ID);
    assert.equal(of('open')[0].node, 'n9001');
    last().drop(1006);
    clock.advance(250);
    await flush();
    assert.match(of('error')[0].message, /connection refused/);   // the registry is down: try again later
    assert.equal(sockets.length, 1);
    clock.advance(500);
    await flush();
    assert.match(of('error')[1].message, /no live node/);
    clock.advance(1000);
    await flush();
    assert.equal(last().url, 'ws://127.0.0.1:9002/?token=c');
    assert.equal(urls.length, 4);
    assert.deepEqual(of('reconnecting').map((e) => e.attempt), [1, 2, 3]);
});

test('registry with url: url is the fallback; close() during a route lookup wins', async () => {
    const { fetch } = fakeFetch([{ code: 1, msg: 'token error', data: [] }, routeTo(9003)]);
    const { client, last, sockets, of } = setup({ registry: '127.0.0.1:8011', fetch });
    client.connect();
    await flush();
    assert.equal(last().url, 'ws://127.0.0.1:8090/');
    assert.match(of('error')[0].message, /code 1: token error; using ws:\/\/127.0.0.1:8090\//);
    last().drop(1006);
    client.connect();   // at once, while the retry waits
    client.close();
    await flush();
    assert.equal(sockets.length, 1, 'the lookup answered after close(): no socket');
    assert.equal(client.state, 'closed');
});

test('a WebSocket constructor is required where there is no global one', () => {
    assert.throws(() => new WscenterClient({ url: 'ws://h/', WebSocket: 'not a class' }), /no WebSocket here/);
    if (!globalThis.WebSocket) assert.throws(() => new WscenterClient({ url: 'ws://h/' }), /no WebSocket here/);
    assert.throws(() => new WscenterClient({ WebSocket: fakeWebSocket().WebSocket }), /url or a registry/);
});

test('a bad URL stops the client with an error instead of retrying', () => {
    const { client, sockets, of } = setup({ url: 'http://127.0.0.1:8090/' });
    client.connect();
    assert.equal(sockets.length, 0);
    assert.match(of('error')[0].message, /not a ws:\/\/ URL/);
    assert.equal(client.state, 'closed');
});
