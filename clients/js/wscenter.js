// The WebSocket client of a wscenter cluster, for browsers and Node.js 18+,
// with no dependencies: it learns its connection id (_id) from the node's
// first message, keeps the link alive with the node's text ping/pong,
// reconnects by itself with exponential backoff and full jitter, can ask a
// registry's `route` event which node to use, and answers acknowledged
// messages. Browsers and Node.js 22+ have a global WebSocket; on Node.js
// 18-21 pass one: new WscenterClient({ url, WebSocket }) (e.g. the ws package).

/** Defaults of the timing options, in milliseconds. */
export const DEFAULTS = Object.freeze({
    backoffBaseMs: 500,     // first reconnect waits up to this long
    backoffCapMs: 15000,    // no reconnect waits longer than this
    pingIntervalMs: 25000,  // a keep-alive "ping" this long after open and after each ping (0: none)
    pongTimeoutMs: 10000,   // no pong this long after a ping: the link is dead, reconnect (0: never)
    openTimeoutMs: 10000,   // no open message this long after dialling: give up on this attempt (0: never)
    routeTimeoutMs: 5000,   // the registry's answer to `route`
});

/** Close code this client reports (and sends) when it gives up on a silent link. */
export const CLOSE_TIMEOUT = 4000;

const ID_PATTERN = /^[0-9a-f]{32}$/;
const SOCKET_OPEN = 1;   // WebSocket.OPEN, the same in every implementation
const HOST_PORT = /^[\w.-]+:\d+(\/|$)/;   // "127.0.0.1:8090" without a scheme

/** Delay before reconnect attempt `attempt` (0 first): random(0, min(cap, base * 2^attempt)). */
export function backoffDelay(attempt, { backoffBaseMs, backoffCapMs } = DEFAULTS, random = Math.random) {
    const ceiling = Math.min(backoffCapMs, backoffBaseMs * 2 ** attempt);
    return Math.round(random() * ceiling);
}

/**
 * The upgrade URL: `url` (ws:// or wss://; "host:port" means ws://) with
 * ?token=, the extra query data (arrays repeat the key; null and undefined
 * are left out) and acks=1 when asked.
 */
export function buildUrl(url, { token = '', query = {}, acks = false } = {}) {
    const u = new URL(HOST_PORT.test(url) ? `ws://${url}` : url);
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new TypeError(`not a ws:// URL: ${url}`);
    for (const [key, value] of Object.entries(query ?? {})) {
        if (value === undefined || value === null) continue;
        u.searchParams.delete(key);
        for (const item of Array.isArray(value) ? value : [value]) u.searchParams.append(key, String(item));
    }
    if (token) u.searchParams.set('token', token);
    if (acks) u.searchParams.set('acks', '1');
    return u.href;
}

/** The registry API call that answers which node user `id` belongs on. */
export function routeUrl(registry, id, token = '') {
    const u = new URL(HOST_PORT.test(registry) ? `http://${registry}` : registry);
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
        throw new TypeError(`registry must be an http(s) URL: ${registry}`);
    const path = u.pathname.endsWith('/') ? u.pathname : `${u.pathname}/`;
    const query = `event=route&route[id]=${encodeURIComponent(id)}` + (token ? `&token=${encodeURIComponent(token)}` : '');
    return `${u.origin}${path}?${query}`;
}

function parseJson(text) {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
/** {"cmd":"msg","ack":"<token>","data":<msg>}: a message to answer with {"cmd":"ack","ack":"<token>"}. */
const isAcknowledged = (json) => isObject(json) && json.cmd === 'msg' && typeof json.ack === 'string' && 'data' in json;
const valueOf = (option) => (typeof option === 'function' ? option() : option);
const randomId = (random) => Array.from({ length: 16 }, () => Math.floor(random() * 16).toString(16)).join('');

/** Every event of the client: an Event with its fields set on it (ev._id, ev.data, ev.code, ...). */
export class WscenterEvent extends Event {
    constructor(type, fields = {}) {
        super(type);
        Object.assign(this, fields);
    }
}

/**
 * Events:
 * - `open` {_id, url, node}: the node sent the connection's _id; sends work from here.
 * - `message` {data, text, ack, acked}: data is the parsed JSON when the text parses, else the text;
 *   binary frames arrive as data (an ArrayBuffer in browsers) with text null. ack is the token of an
 *   acknowledged message (acks option), else null; acked tells whether autoAck answered it.
 * - `close` {code, reason, wasOpen, willReconnect}: a socket closed, or this client gave up on it.
 * - `reconnecting` {attempt, delayMs}: the next attempt (1, 2, ...) starts in delayMs.
 * - `error` {message, error}: a socket error or a failed route lookup; a close or a retry follows.
 * - `pong` {_id, rttMs}: the node answered a ping.
 * - `state` {state}: idle | connecting | open | reconnecting | closed.
 */
export class WscenterClient extends EventTarget {
    /**
     * options: url (ws://…), or registry (http://… of a registry: its `route` event picks the node
     * before every attempt; url, when given too, is the fallback) with registryToken and routeId
     * (the user id routed; default a random id kept for this client's life); token and query
     * (values, or functions read at every attempt); acks, and autoAck (default true; a value or a function
     * read at every acknowledged message: false leaves the answer to ack()); reconnect (default true); maxAttempts;
     * the DEFAULTS timings; WebSocket, fetch, timers {setTimeout, clearTimeout}, random, now (injectable).
     */
    constructor(options = {}) {
        super();
        this.options = { reconnect: true, maxAttempts: Infinity, acks: false, autoAck: true, ...DEFAULTS, ...options };
        const o = this.options;
        if (!o.url && !o.registry) throw new TypeError('WscenterClient: give a url or a registry');
        this._WebSocket = o.WebSocket ?? globalThis.WebSocket;
        if (typeof this._WebSocket !== 'function')
            throw new TypeError('WscenterClient: no WebSocket here: pass {WebSocket} (Node.js before 22: the ws package)');
        this._setTimeout = o.timers?.setTimeout ?? ((fn, ms) => setTimeout(fn, ms));
        this._clearTimeout = o.timers?.clearTimeout ?? ((t) => clearTimeout(t));
        this._random = o.random ?? Math.random;
        this._now = o.now ?? Date.now;
        this._fetch = o.fetch ?? ((...args) => globalThis.fetch(...args));
        this.routeId = o.routeId ?? randomId(this._random);
        this.state = 'idle';
        this.id = null;          // the connection's _id while open
        this.url = null;         // the URL of the current or last socket
        this.node = null;        // the node the route event chose
        this.attempt = 0;        // reconnect attempts since the last open
        this.retryAt = 0;        // when the pending attempt starts (the clock of `now`)
        this._socket = null;
        this._wanted = false;    // false after close(): no more attempts
        this._generation = 0;    // bumped by close(): a route lookup in flight is dropped
        this._timers = {};
        this._pingSentAt = 0;
    }

    /** Subscribes to an event; returns the function that unsubscribes. */
    on(type, listener) {
        this.addEventListener(type, listener);
        return () => this.removeEventListener(type, listener);
    }

    /** Starts connecting (again, after close()); a no-op while connecting or open. */
    connect() {
        this._wanted = true;
        if (this._socket || this.state === 'connecting') return this;
        this._clear('retry');
        this.attempt = 0;
        this._dial();
        return this;
    }

    /** Closes for good: no reconnect until connect() is called again. */
    close(code = 1000, reason = '') {
        this._wanted = false;
        this._generation += 1;
        this._clear('retry');
        if (this._socket) this._drop(code, reason);
        else if (this.state !== 'idle' && this.state !== 'closed') this._setState('closed');
    }

    get isOpen() {
        return this.id !== null && this._socket?.readyState === SOCKET_OPEN;
    }

    /** Sends a string or binary data as is, anything else as JSON. False when not open. */
    send(data) {
        const isBinary = typeof data !== 'string' && (ArrayBuffer.isView(data) || data instanceof ArrayBuffer ||
            (typeof Blob !== 'undefined' && data instanceof Blob));
        return this._sendRaw(typeof data === 'string' || isBinary ? data : JSON.stringify(data));
    }

    /** Answers an acknowledged message (its `message` event's `ack`) when autoAck is off. False when not open. */
    ack(token) {
        if (typeof token !== 'string' || token === '') return false;
        return this._sendRaw(JSON.stringify({ cmd: 'ack', ack: token }));
    }

    /** Sends the text "ping" (the node answers with a pong); arms the pong timeout. */
    ping() {
        if (!this._sendRaw('ping')) return false;
        this._pingSentAt = this._now();
        const limit = this.options.pongTimeoutMs;
        if (limit > 0 && !this._timers.pong) this._arm('pong', limit, () => this._giveUp(`no pong within ${limit} ms`));
        return true;
    }

    // --- one attempt

    _dial() {
        const generation = this._generation;
        this._setState('connecting');
        if (!this.options.registry) {
            this._open(this.options.url);
            return;
        }
        this._pickRoute().then((base) => {
            if (generation === this._generation) this._open(base);
        }, (e) => {
            if (generation !== this._generation) return;
            this._emit('error', { message: e.message, error: e });
            this._afterClose();
        });
    }

    _open(base) {
        const o = this.options;
        let socket;
        try {
            this.url = buildUrl(base, { token: valueOf(o.token), query: valueOf(o.query), acks: o.acks });
            socket = new this._WebSocket(this.url);
        } catch (e) {   // a bad URL or token: retrying cannot help
            this._wanted = false;
            this._emit('error', { message: e.message, error: e });
            this._setState('closed');
            return;
        }
        this._socket = socket;
        socket.binaryType = 'arraybuffer';
        if (o.openTimeoutMs > 0)
            this._arm('open', o.openTimeoutMs, () => this._giveUp(`no open message within ${o.openTimeoutMs} ms`));
        socket.addEventListener('message', (ev) => {
            if (socket === this._socket) this._onFrame(ev.data);
        });
        socket.addEventListener('error', (ev) => {
            if (socket !== this._socket) return;
            this._emit('error', { message: ev.message ?? 'WebSocket error', error: ev.error ?? null });
        });
        socket.addEventListener('close', (ev) => {
            if (socket === this._socket) this._closed(ev.code, ev.reason ?? '');
        });
    }

    /** The route event's node; url (when given) if the registry cannot tell. */
    async _pickRoute() {
        const o = this.options;
        try {
            const route = await this._route();
            this.node = route.node ?? null;
            return route.url;
        } catch (e) {
            if (!o.url) throw e;
            this._emit('error', { message: `${e.message}; using ${o.url}`, error: e });
            this.node = null;
            return o.url;
        }
    }

    async _route() {
        const o = this.options;
        const controller = new AbortController();
        const timer = this._setTimeout(() => controller.abort(), o.routeTimeoutMs);
        try {
            const response = await this._fetch(routeUrl(o.registry, this.routeId, valueOf(o.registryToken)),
                { signal: controller.signal });
            const envelope = parseJson(await response.text());
            if (!isObject(envelope)) throw new Error(`route: HTTP ${response.status}, not a JSON envelope`);
            if (envelope.code !== 0) throw new Error(`route: code ${envelope.code}: ${envelope.msg}`);
            const route = envelope.data?.route;
            if (!isObject(route) || typeof route.url !== 'string') throw new Error('route: no live node');
            return route;
        } catch (e) {
            if (e.name === 'AbortError') throw new Error(`route: no answer within ${o.routeTimeoutMs} ms`);
            throw e;
        } finally {
            this._clearTimeout(timer);
        }
    }

    _onFrame(raw) {
        if (typeof raw !== 'string') {
            this._emit('message', { data: raw, text: null, ack: null, acked: false });
            return;
        }
        const json = parseJson(raw);
        if (this.id === null && json?.cmd === 'open' && typeof json._id === 'string' && ID_PATTERN.test(json._id)) {
            this.id = json._id;
            this.attempt = 0;
            this._clear('open');
            this._setState('open');
            this._keepAlive();
            this._emit('open', { _id: this.id, url: this.url, node: this.node });
        } else if (this.id !== null && json?.cmd === 'pong' && json._id === this.id) {
            this._clear('pong');
            this._emit('pong', { _id: this.id, rttMs: this._now() - this._pingSentAt });
        } else if (this.options.acks && isAcknowledged(json)) {
            // The inner message as it would arrive without acks: a string as is, anything else as JSON.
            const text = typeof json.data === 'string' ? json.data : JSON.stringify(json.data);
            const data = parseJson(text);
            const acked = Boolean(valueOf(this.options.autoAck));
            this._emit('message', { data: data === undefined ? text : data, text, ack: json.ack, acked });
            if (acked) this.ack(json.ack);
        } else {
            this._emit('message', { data: json === undefined ? raw : json, text: raw, ack: null, acked: false });
        }
    }

    _keepAlive() {
        const every = this.options.pingIntervalMs;
        if (every > 0) this._arm('ping', every, () => {
            this.ping();
            this._keepAlive();
        });
    }

    // --- ends of an attempt

    /** A silent link: close it without waiting for a close handshake that may never come. */
    _giveUp(reason) {
        if (this._socket) this._drop(CLOSE_TIMEOUT, reason);
    }

    _drop(code, reason) {
        const socket = this._socket;
        this._socket = null;   // its own close event is ignored from now on
        try {
            socket.close(code, reason);
        } catch {
            // already closing
        }
        this._closed(code, reason);
    }

    _closed(code, reason) {
        const wasOpen = this.id !== null;
        this._socket = null;
        this.id = null;
        for (const name of ['open', 'ping', 'pong']) this._clear(name);
        const willReconnect = this._willReconnect();
        this._emit('close', { code, reason, wasOpen, willReconnect });
        this._afterClose();
    }

    _willReconnect() {
        return this._wanted && this.options.reconnect && this.attempt < this.options.maxAttempts;
    }

    _afterClose() {
        if (this._socket || this._timers.retry) return;   // a listener already called connect()
        if (!this._willReconnect()) {
            this._wanted = false;
            this._setState('closed');
            return;
        }
        const delayMs = backoffDelay(this.attempt, this.options, this._random);
        this.attempt += 1;
        this.retryAt = this._now() + delayMs;
        this._setState('reconnecting');
        this._emit('reconnecting', { attempt: this.attempt, delayMs });
        this._arm('retry', delayMs, () => this._dial());
    }

    // --- small parts

    _sendRaw(data) {
        if (!this.isOpen) return false;
        this._socket.send(data);
        return true;
    }

    _arm(name, ms, fn) {
        this._clear(name);
        this._timers[name] = this._setTimeout(() => {
            delete this._timers[name];
            fn();
        }, ms);
    }

    _clear(name) {
        if (this._timers[name] === undefined) return;
        this._clearTimeout(this._timers[name]);
        delete this._timers[name];
    }

    _setState(state) {
        if (this.state === state) return;
        this.state = state;
        this._emit('state', { state });
    }

    _emit(type, fields) {
        this.dispatchEvent(new WscenterEvent(type, fields));
    }
}
