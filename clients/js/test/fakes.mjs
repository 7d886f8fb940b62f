// Test doubles for the client: a manual clock and a WebSocket driven by the test.

/** setTimeout/clearTimeout/now on a clock that moves only when told to. */
export class FakeClock {
    constructor() {
        this.time = 0;
        this.nextId = 1;
        this.pending = new Map();   // id -> {at, fn}
        this.setTimeout = (fn, ms) => {
            const id = this.nextId++;
            this.pending.set(id, { at: this.time + ms, fn });
            return id;
        };
        this.clearTimeout = (id) => this.pending.delete(id);
        this.now = () => this.time;
    }

    /** Moves the clock forward, running every timer that falls due, in order. */
    advance(ms) {
        const end = this.time + ms;
        for (;;) {
            let next = null;
            for (const [id, t] of this.pending)
                if (t.at <= end && (next === null || t.at < next[1].at)) next = [id, t];
            if (!next) break;
            this.pending.delete(next[0]);
            this.time = next[1].at;
            next[1].fn();
        }
        this.time = end;
    }
}

/** A WebSocket class whose sockets the test opens, feeds and closes; every socket made is in `sockets`. */
export function fakeWebSocket() {
    const sockets = [];
    class FakeSocket {
        constructor(url) {
            this.url = url;
            this.readyState = 0;
            this.sent = [];
            this.closedWith = null;
            this.listeners = {};
            sockets.push(this);
        }

        addEventListener(type, fn) {
            (this.listeners[type] ??= []).push(fn);
        }

        send(data) {
            if (this.readyState !== 1) throw new Error('send on a socket that is not open');
            this.sent.push(data);
        }

        close(code, reason) {
            this.closedWith = { code, reason };
            this.readyState = 2;
        }

        fire(type, fields = {}) {
            for (const fn of this.listeners[type] ?? []) fn({ type, ...fields });
        }

        /** The node accepts and sends the open message. */
        accept(id = 'ab'.repeat(16)) {
            this.readyState = 1;
            this.fire('open');
            this.receive(JSON.stringify({ cmd: 'open', _id: id }));
        }

        receive(data) {
            this.fire('message', { data });
        }

        /** The server (or the network) ends the connection. */
        drop(code = 1006, reason = '') {
            this.readyState = 3;
            this.fire('close', { code, reason });
        }
    }
    return { WebSocket: FakeSocket, sockets };
}

/** Records every event of the listed types as [type, event]. */
export function record(client, types = ['open', 'message', 'close', 'reconnecting', 'error', 'pong', 'state']) {
    const events = [];
    for (const type of types) client.addEventListener(type, (ev) => events.push([type, ev]));
    return events;
}
