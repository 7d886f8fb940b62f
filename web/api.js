// Calls the registry's HTTP API: GET with PHP-style bracket parameters, or
// POST with a JSON body {"<event>": {...}}; the token always rides in the
// query string, as the seed documents.

const DEFAULT_TIMEOUT_MS = 3000;   // the registry's default gathering time
const FETCH_MARGIN_MS = 2000;      // extra wait for the HTTP round trip itself
const ACK_GATHER_MARGIN_MS = 250;  // a call with ack=<ms> gathers for at least ack + this

/** Percent-encodes a key but keeps the brackets readable: sendToGroup[exclude_Ids][]. */
const encodeKey = (k) => encodeURIComponent(k).replace(/%5B/g, '[').replace(/%5D/g, ']');
/** Percent-encodes a value but keeps commas readable (event=a,b and group lists). */
const encodeValue = (v) => encodeURIComponent(v).replace(/%2C/g, ',');

/** Flattens {a: {b: 'x', c: ['y', 'z']}} into [['a[b]','x'], ['a[c][]','y'], ['a[c][]','z']]. */
export function flattenParams(prefix, value, out = []) {
    if (Array.isArray(value)) {
        for (const item of value) flattenParams(`${prefix}[]`, item, out);
    } else if (value !== null && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) flattenParams(`${prefix}[${k}]`, v, out);
    } else if (value !== undefined) {
        out.push([prefix, value === null ? '' : String(value)]);
    }
    return out;
}

export class ApiClient {
    /** getBase / getToken are read on every call so that the header fields take effect at once. */
    constructor(getBase, getToken) {
        this.getBase = getBase;
        this.getToken = getToken;
    }

    /** The request for one event: {method, url, body}. Throws on an unusable API URL. */
    request(event, params = {}, options = {}) {
        return this.requestBatch({ [event]: params }, options);
    }

    /**
     * The request for a batch {event: params, ...}, run in order by the
     * registry (event=a,b). ackMs asks every send of the batch for delivery
     * receipts (ack=<ms>). Throws on an unusable API URL.
     */
    requestBatch(events, { method = 'GET', timeoutMs, ackMs } = {}) {
        let raw = this.getBase() || '/';
        if (/^[\w.-]+:\d+/.test(raw)) raw = `http://${raw}`;   // "127.0.0.1:8013" means http://127.0.0.1:8013
        const base = new URL(raw, location.href);
        if (base.protocol !== 'http:' && base.protocol !== 'https:')
            throw new Error(`API URL must be http(s): ${base.href}`);
        const pairs = [['event', Object.keys(events).join(',')]];
        const token = this.getToken();
        if (token) pairs.push(['token', token]);
        if (timeoutMs) pairs.push(['timeout', String(timeoutMs)]);
        if (ackMs) pairs.push(['ack', String(ackMs)]);
        let body = null;
        if (method === 'POST') {
            body = JSON.stringify(events);
        } else {
            for (const [event, params] of Object.entries(events))
                for (const [k, v] of Object.entries(params)) flattenParams(`${event}[${k}]`, v, pairs);
        }
        const query = pairs.map(([k, v]) => `${encodeKey(k)}=${encodeValue(v)}`).join('&');
        const path = base.pathname.endsWith('/') ? base.pathname : base.pathname + '/';
        return { method, url: `${base.origin}${path}?${query}`, body };
    }

    /**
     * Runs one event. Resolves (never rejects) with {ok, envelope, error,
     * status, ms, method, url, body}; ok means HTTP 200 and code 0.
     */
    async call(event, params = {}, options = {}) {
        return this.callBatch({ [event]: params }, options);
    }

    /** Runs a batch {event: params, ...} in one request; resolves like call(). */
    async callBatch(events, options = {}) {
        const started = performance.now();
        let req;
        try {
            req = this.requestBatch(events, options);
        } catch (e) {
            return { ok: false, error: e.message, ms: 0, method: options.method ?? 'GET', url: '', body: null,
                events: Object.keys(events) };
        }
        const controller = new AbortController();
        const gather = Math.max(options.timeoutMs || DEFAULT_TIMEOUT_MS,
            options.ackMs ? options.ackMs + ACK_GATHER_MARGIN_MS : 0);
        const limit = gather + FETCH_MARGIN_MS;
        const timer = setTimeout(() => controller.abort(), limit);
        const result = { ...req, events: Object.keys(events), ok: false, envelope: null, error: null, status: 0 };
        try {
            const response = await fetch(req.url, {
                method: req.method,
                body: req.body,
                headers: req.body ? { 'Content-Type': 'application/json' } : undefined,
                signal: controller.signal,
                cache: 'no-store',
            });
            result.status = response.status;
            const text = await response.text();
            try {
                result.envelope = JSON.parse(text);
            } catch {
                result.error = `HTTP ${response.status}: ${text.slice(0, 200) || 'empty body'}`;
            }
            if (result.envelope) {
                result.ok = response.ok && result.envelope.code === 0;
                if (!result.ok) result.error = `code ${result.envelope.code}: ${result.envelope.msg}`;
            }
        } catch (e) {
            result.error = e.name === 'AbortError' ? `no answer within ${limit} ms` : `network error: ${e.message}`;
        } finally {
            clearTimeout(timer);
            result.ms = Math.round(performance.now() - started);
        }
        return result;
    }

    /** A curl command line equivalent to the request, for copying into a terminal. */
    static curl(req) {
        const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
        if (req.method === 'POST')
            return `curl -X POST ${quote(req.url)} -H 'Content-Type: application/json' -d ${quote(req.body)}`;
        return `curl -g ${quote(req.url)}`;
    }
}
