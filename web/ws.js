// One test WebSocket connection: it learns its _id from the node's first
// message, answers the demo's ping button, and reconnects by itself with
// exponential backoff until the user disconnects it.

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 15000;
const BACKOFF_JITTER = 0.2;   // +-20% so that many tabs do not reconnect in step
const ID_PATTERN = /^[0-9a-f]{32}$/;
const ABNORMAL_CLOSE = 1006;   // no close frame: the upgrade failed or the link dropped

/** The upgrade URL: the chosen URL plus ?token=T when a token is set. */
export function wsUrlWithToken(url, token) {
    const u = new URL(/^[\w.-]+:\d+/.test(url) ? `ws://${url}` : url);   // "127.0.0.1:8090" means ws://…
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error(`not a ws:// URL: ${url}`);
    if (token) u.searchParams.set('token', token);
    return u.href;
}

/**
 * Emits 'status' (state changed), 'message' ({detail: {text, json}}),
 * 'sent' ({detail: text}) and 'log' ({detail: {kind, text}}).
 */
export class TestConnection extends EventTarget {
    /** getToken() is read at every (re)connect, so fixing the token field heals a panel. */
    constructor(number, url, getToken) {
        super();
        this.number = number;
        this.url = url;
        this.getToken = getToken;
        this.state = 'idle';          // connecting | open | reconnecting | closed
        this._id = null;
        this.userId = null;
        this.groups = [];
        this.attempt = 0;
        this.retryAt = 0;
        this.lastClose = '';
        this.socket = null;
        this.retryTimer = null;
        this.wanted = false;          // false once the user disconnects: no more retries
    }

    get label() {
        return `#${this.number}`;
    }

    connect() {
        this.wanted = true;
        clearTimeout(this.retryTimer);
        this.retryTimer = null;
        let target;
        try {
            target = wsUrlWithToken(this.url, this.getToken());
        } catch (e) {
            this.wanted = false;
            this.lastClose = e.message;
            this.setState('closed');
            this.log('ws-error', e.message);
            return;
        }
        this.setState('connecting');
        this.log('ws', `connecting to ${target}`);
        const socket = new WebSocket(target);
        this.socket = socket;
        let opened = false;
        socket.addEventListener('open', () => {
            if (socket !== this.socket) return;
            opened = true;
            this.attempt = 0;
            this.setState('open');
            this.log('ws-open', 'open');
        });
        socket.addEventListener('message', (ev) => {
            if (socket !== this.socket) return;
            this.onMessage(typeof ev.data === 'string' ? ev.data : '[binary frame]');
        });
        socket.addEventListener('error', () => {
            if (socket !== this.socket) return;
            this.log('ws-error', 'connection error (see the close code)');
        });
        socket.addEventListener('close', (ev) => {
            if (socket !== this.socket) return;
            this.socket = null;
            this._id = null;
            this.userId = null;
            this.groups = [];
            this.lastClose = `code ${ev.code}${ev.reason ? ` (${ev.reason})` : ''}`;
            // Browsers hide why an upgrade failed (a 401 for a wrong token looks like 1006).
            if (!opened && ev.code === ABNORMAL_CLOSE) this.lastClose += ': refused or unreachable (URL? token?)';
            this.log('ws-close', `closed: ${this.lastClose}`);
            if (this.wanted) this.scheduleRetry();
            else this.setState('closed');
        });
    }

    /** Stops for good: closes the socket and cancels any pending retry. */
    disconnect() {
        this.wanted = false;
        clearTimeout(this.retryTimer);
        this.retryTimer = null;
        if (this.socket) this.socket.close(1000, 'closed by the demo');
        else this.setState('closed');
    }

    send(text) {
        if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
        this.socket.send(text);
        this.dispatchEvent(new CustomEvent('sent', { detail: text }));
        this.log('ws-send', `sent: ${text}`);
        return true;
    }

    ping() {
        return this.send('ping');
    }

    scheduleRetry() {
        const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
        const delay = Math.round(base * (1 - BACKOFF_JITTER + Math.random() * 2 * BACKOFF_JITTER));
        this.attempt += 1;
        this.retryAt = Date.now() + delay;
        this.setState('reconnecting');
        this.log('ws', `reconnecting in ${(delay / 1000).toFixed(1)} s (attempt ${this.attempt})`);
        this.retryTimer = setTimeout(() => this.connect(), delay);
    }

    onMessage(text) {
        let json = null;
        try {
            json = JSON.parse(text);
        } catch {
            // plain text messages are fine: the API delivers msg as it was given
        }
        if (json && json.cmd === 'open' && typeof json._id === 'string' && ID_PATTERN.test(json._id)) {
            this._id = json._id;
            this.log('ws-open', `_id ${json._id}`);
            this.setState('open');
        } else {
            this.log('ws-msg', `received: ${text}`);
        }
        this.dispatchEvent(new CustomEvent('message', { detail: { text, json } }));
    }

    setState(state) {
        this.state = state;
        this.dispatchEvent(new Event('status'));
    }

    log(kind, text) {
        this.dispatchEvent(new CustomEvent('log', { detail: { kind, text } }));
    }
}
