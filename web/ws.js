// One test WebSocket connection of the demo, built on the JavaScript client
// (clients/js/wscenter.js, served here as lib/wscenter.js): it shows the
// client's events as panel states, chat lines and log lines. It opts in to
// delivery receipts (?acks=1) and acknowledges at once while autoAck is on.

import { WscenterClient, buildUrl } from './lib/wscenter.js';

const ABNORMAL_CLOSE = 1006;   // no close frame: the upgrade failed or the link dropped

/** The upgrade URL: the chosen URL plus ?token=T when a token is set. */
export const wsUrlWithToken = (url, token) => buildUrl(url, { token });

/**
 * Emits 'status' (state changed), 'message' ({detail: {text, json, ack, acked}}),
 * 'sent' ({detail: text}) and 'log' ({detail: {kind, text}}).
 */
export class TestConnection extends EventTarget {
    /** getToken() is read at every (re)connect, so fixing the token field heals a panel. */
    constructor(number, url, getToken) {
        super();
        this.number = number;
        this.url = url;
        this.userId = null;
        this.groups = [];
        this.lastClose = '';
        this.manualPings = 0;   // pongs owed to the Ping button are shown; keep-alive pongs are not
        this.autoAck = true;    // off: messages that ask for an ack go unanswered (or are acked by hand)
        // Reconnects after 0-0.5 s, 0-1 s, ... 0-15 s.
        this.client = new WscenterClient({ url, token: getToken, acks: true, autoAck: () => this.autoAck });
        const on = (type, fn) => this.client.addEventListener(type, fn);
        on('state', ({ state }) => {
            if (state === 'connecting') this.log('ws', `connecting to ${this.url}`);
            this.dispatchEvent(new Event('status'));
        });
        on('open', ({ _id }) => {
            this.log('ws-open', `_id ${_id}`);
            this.show({ cmd: 'open', _id });
        });
        on('message', ({ data, text, ack, acked }) => {
            const shown = text ?? '[binary frame]';
            const receipt = ack === null ? '' : acked ? ' (acked)' : ' (ack asked, not sent: auto-ack is off)';
            this.log('ws-msg', `received: ${shown}${receipt}`);
            this.emit('message', { text: shown, json: text !== null && data !== text ? data : null, ack, acked });
        });
        on('pong', ({ _id, rttMs }) => {
            if (this.manualPings === 0) return;
            this.manualPings -= 1;
            this.log('ws-msg', `pong after ${rttMs} ms`);
            this.show({ cmd: 'pong', _id });
        });
        on('error', ({ message }) => {
            if (!this.client.isOpen) this.lastClose = message;
            this.log('ws-error', message === 'WebSocket error' ? 'connection error (see the close code)' : message);
        });
        on('close', ({ code, reason, wasOpen }) => {
            this.userId = null;
            this.groups = [];
            this.manualPings = 0;
            this.lastClose = `code ${code}${reason ? ` (${reason})` : ''}`;
            // Browsers hide why an upgrade failed (a 401 for a wrong token looks like 1006).
            if (!wasOpen && code === ABNORMAL_CLOSE) this.lastClose += ': refused or unreachable (URL? token?)';
            this.log('ws-close', `closed: ${this.lastClose}`);
        });
        on('reconnecting', ({ attempt, delayMs }) =>
            this.log('ws', `reconnecting in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt})`));
    }

    get label() {
        return `#${this.number}`;
    }

    get state() {
        return this.client.state;
    }

    get _id() {
        return this.client.id;
    }

    get retryAt() {
        return this.client.retryAt;
    }

    /** True from connect() until disconnect() (or a URL that cannot work). */
    get wanted() {
        return ['connecting', 'open', 'reconnecting'].includes(this.client.state);
    }

    connect() {
        this.client.connect();
    }

    /** Stops for good: closes the socket and cancels any pending retry. */
    disconnect() {
        this.client.close(1000, 'closed by the demo');
    }

    send(text) {
        if (!this.client.send(text)) return false;
        this.emit('sent', text);
        this.log('ws-send', `sent: ${text}`);
        return true;
    }

    /** Acknowledges a message by hand (auto-ack off). */
    ack(token) {
        if (!this.client.ack(token)) return false;
        this.log('ws-send', `acked ${token}`);
        return true;
    }

    ping() {
        if (!this.client.ping()) return false;
        this.manualPings += 1;
        this.emit('sent', 'ping');
        this.log('ws-send', 'sent: ping');
        return true;
    }

    /** A control message of the node, shown in the chat view as before the client consumed it. */
    show(json) {
        this.emit('message', { text: JSON.stringify(json), json });
    }

    emit(type, detail) {
        this.dispatchEvent(new CustomEvent(type, { detail }));
    }

    log(kind, text) {
        this.emit('log', { kind, text });
    }
}
