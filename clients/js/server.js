// Calls a wscenter registry's HTTP API from a backend (Node.js 18+, or any
// runtime with fetch): one event or a batch in one POST, the parameters as a
// JSON body, event, token, timeout and ack in the query. Results come back
// normalised per event (per-node values, failed nodes, totals, delivery
// receipts); a call the registry refuses or cannot answer throws a
// WscenterApiError.

const DEFAULT_TIMEOUT_MS = 3000;   // the registry's default gathering time
const DEFAULT_MARGIN_MS = 2000;    // the HTTP round trip on top of the gathering time
const ACK_GATHER_MARGIN_MS = 250;  // a call with ack=<ms> gathers for at least ack + this
const REGISTRY_EVENTS = new Set(['route', 'nodes']);   // answered by the registry itself, not per node

/**
 * Why a call failed: kind is 'network' (no connection), 'timeout' (no answer
 * in time), 'http' (a status other than 200: 413 body too large, 503
 * overloaded), 'response' (not a JSON envelope) or 'refused' (code other
 * than 0: token error, unknown event, missing parameter). code, msg and
 * envelope are set when the registry answered with an envelope.
 */
export class WscenterApiError extends Error {
    constructor(message, { kind, status = 0, code = null, envelope = null, cause } = {}) {
        super(message, cause ? { cause } : undefined);
        this.name = 'WscenterApiError';
        this.kind = kind;
        this.status = status;
        this.code = code;
        this.msg = envelope?.msg ?? null;
        this.envelope = envelope;
    }
}

/** A per-node failure slot, e.g. {"code":2,"msg":"timeout","data":[]} for a node that did not answer in time. */
export const isNodeError = (v) =>
    v !== null && typeof v === 'object' && typeof v.code === 'number' && typeof v.msg === 'string' && 'data' in v;

/** A send's per-node result when the call asked for receipts: {sent, acked, _ids}. */
export const isReceipt = (v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.sent === 'number' && typeof v.acked === 'number';

const normaliseReceipt = (v) => ({ sent: v.sent, acked: v.acked, _ids: Array.isArray(v._ids) ? v._ids.map(String) : [] });

/**
 * One event's result: its per-node values, the nodes that failed, and their sum or union.
 * A send called with ackMs has a receipt {sent, acked, _ids} per node (the _ids that acked);
 * sent, acked and ackedIds add them up.
 */
export class EventResult {
    constructor(event, raw) {
        this.event = event;
        this.nodes = {};     // node id -> value, the nodes that answered
        this.failed = {};    // node id -> {code, msg}
        this.value = null;   // the registry's own answer (route, nodes); for per-node events the first non-null value
        if (REGISTRY_EVENTS.has(event)) {
            this.value = raw ?? null;
            return;
        }
        for (const [node, v] of Object.entries(raw ?? {})) {
            if (isNodeError(v)) this.failed[node] = { code: v.code, msg: v.msg };
            else this.nodes[node] = isReceipt(v) ? normaliseReceipt(v) : v;
        }
        this.value = Object.values(this.nodes).find((v) => v !== null && v !== undefined) ?? null;
    }

    /** True when no node failed (a timeout leaves a node out of the totals). */
    get ok() {
        return Object.keys(this.failed).length === 0;
    }

    /** Numbers added up, true counted as 1: connections sent to (a receipt's sent), joins, "online on how many nodes". */
    get total() {
        let sum = 0;
        for (const v of Object.values(this.nodes))
            sum += typeof v === 'number' ? v : v === true ? 1 : isReceipt(v) ? v.sent : 0;
        return sum;
    }

    /** True when the nodes answered with receipts (a send called with ackMs). */
    get hasReceipts() {
        return Object.values(this.nodes).some(isReceipt);
    }

    /** Connections sent to, on every node (the same as total). */
    get sent() {
        return this.total;
    }

    /** Connections that acknowledged, on every node (0 without receipts). */
    get acked() {
        return Object.values(this.nodes).reduce((sum, v) => sum + (isReceipt(v) ? v.acked : 0), 0);
    }

    /** The _ids of the connections that acknowledged. */
    get ackedIds() {
        return [...new Set(Object.values(this.nodes).flatMap((v) => (isReceipt(v) ? v._ids : [])))];
    }

    /** List results united, each item once: user ids, connection ids, group ids. */
    get list() {
        return [...new Set(Object.values(this.nodes).flatMap((v) => (Array.isArray(v) ? v : [])))];
    }
}

/** The request of a batch {event: params, ...} (events run in that order): {method, url, headers, body}. */
export function buildRequest(base, events, { token = '', timeoutMs, ackMs } = {}) {
    const names = Object.keys(events);
    if (names.length === 0) throw new TypeError('no event to call');
    const u = new URL(/^[\w.-]+:\d+(\/|$)/.test(base) ? `http://${base}` : base);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`registry must be an http(s) URL: ${base}`);
    u.search = '';
    u.searchParams.set('event', names.join(','));
    if (token) u.searchParams.set('token', token);
    if (timeoutMs) u.searchParams.set('timeout', String(timeoutMs));
    if (ackMs) u.searchParams.set('ack', String(ackMs));
    const body = {};
    for (const name of names) body[name] = events[name] ?? {};
    return { method: 'POST', url: u.href, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/**
 * Parses an answer into {code, msg, masterIds, results: {event: EventResult}, envelope};
 * throws WscenterApiError for a status other than 200, a body that is not an envelope, or a code other than 0.
 */
export function parseResponse(status, text, events) {
    let envelope;
    try {
        envelope = JSON.parse(text);
    } catch {
        envelope = null;
    }
    const isEnvelope = envelope !== null && typeof envelope === 'object' && typeof envelope.code === 'number';
    if (status !== 200) {
        const why = isEnvelope ? envelope.msg : text.trim().slice(0, 200);
        throw new WscenterApiError(`HTTP ${status}: ${why || 'no body'}`,
            { kind: 'http', status, code: isEnvelope ? envelope.code : null, envelope: isEnvelope ? envelope : null });
    }
    if (!isEnvelope) throw new WscenterApiError(`not a JSON envelope: ${text.slice(0, 200)}`, { kind: 'response', status });
    if (envelope.code !== 0)
        throw new WscenterApiError(`code ${envelope.code}: ${envelope.msg}`,
            { kind: 'refused', status, code: envelope.code, envelope });
    const results = {};
    for (const event of events) results[event] = new EventResult(event, envelope.data?.[event]);
    return { code: envelope.code, msg: envelope.msg, masterIds: envelope.master_ids ?? [], results, envelope };
}

export class WscenterApi {
    /**
     * options: url (http://host:port of a registry), token, timeoutMs (the registry's gathering time,
     * default its own: 3000), marginMs (waited on top of it for the HTTP answer, default 2000), fetch.
     */
    constructor({ url, token = '', timeoutMs, marginMs = DEFAULT_MARGIN_MS, fetch } = {}) {
        if (!url) throw new TypeError('WscenterApi: give the url of a registry');
        this.url = url;
        this.token = token;
        this.timeoutMs = timeoutMs;
        this.marginMs = marginMs;
        this._fetch = fetch ?? ((...args) => globalThis.fetch(...args));
    }

    /**
     * Runs a batch {event: params, ...} in one request; resolves with parseResponse()'s result.
     * options: timeoutMs (the gathering time), ackMs (every send of the batch waits this long at most
     * for the connections that opted in to acknowledge; its results become receipts).
     */
    async batch(events, { timeoutMs = this.timeoutMs, ackMs } = {}) {
        const req = buildRequest(this.url, events, { token: this.token, timeoutMs, ackMs });
        const gather = Math.max(timeoutMs || DEFAULT_TIMEOUT_MS, ackMs ? ackMs + ACK_GATHER_MARGIN_MS : 0);
        const limit = gather + this.marginMs;
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), limit);
        let status;
        let text;
        try {
            const response = await this._fetch(req.url, { method: req.method, headers: req.headers, body: req.body,
                signal: controller.signal });
            status = response.status;
            text = await response.text();
        } catch (e) {
            if (e.name === 'AbortError')
                throw new WscenterApiError(`no answer from ${this.url} within ${limit} ms`, { kind: 'timeout', cause: e });
            throw new WscenterApiError(`cannot reach ${this.url}: ${e.cause?.message ?? e.message}`,
                { kind: 'network', cause: e });
        } finally {
            clearTimeout(timer);
        }
        return parseResponse(status, text, Object.keys(events));
    }

    /** Runs one event; resolves with its EventResult. */
    async call(event, params = {}, options = {}) {
        return (await this.batch({ [event]: params }, options)).results[event];
    }

    /** The node user `id` should connect to: {node, url}, or null with no live node. */
    async route(id) {
        return (await this.call('route', { id })).value;
    }

    bindId(id, _id) {
        return this.call('bindId', { id, _id });
    }

    // The sends: extra holds the optional parameters (exclude_Ids, excludeIds),
    // options {timeoutMs, ackMs} as for batch().

    sendMessageToId(id, msg, extra = {}, options = {}) {
        return this.call('sendMessageToId', { id, msg, ...extra }, options);
    }

    sendMessageTo_Id(_id, msg, extra = {}, options = {}) {
        return this.call('sendMessageTo_Id', { _id, msg, ...extra }, options);
    }

    sendToGroup(groupId, msg, extra = {}, options = {}) {
        return this.call('sendToGroup', { groupId, msg, ...extra }, options);
    }

    broadcast(msg, extra = {}, options = {}) {
        return this.call('broadcast', { msg, ...extra }, options);
    }
}
