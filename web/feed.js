// The cluster's events in the log: presence (online, offline) and
// connections opening and closing anywhere in the cluster, node_lost closes
// among them. A browser cannot subscribe on the bus, so this asks the
// registry for its `recentEvents` every second, from where it left off.

export const FEED_REFRESH_MS = 1000;
// A cursor past any the registry has: its answer is empty and says where
// the newest event ends, which is where the log starts.
const FROM_NOW = '999999999999';

/** One log line for a cluster event (an object as the registry lists it). */
export function describeEvent(e) {
    const short = (id) => (typeof id === 'string' ? id.slice(0, 8) : id);
    const where = e.node ? ` on node ${short(e.node)}` : '';
    const conn = e._id ? ` (_id ${short(e._id)})` : '';
    switch (e.event) {
        case 'online': return `${e.id} is online${where}${conn}`;
        case 'offline': return `${e.id} is offline${where}${conn}`;
        case 'open': return `connection ${short(e._id)} opened${where}`;
        case 'close': {
            const user = e.id ? ` of ${e.id}` : '';
            const reason = e.reason ? `: ${e.reason}` : '';
            return `connection ${short(e._id)}${user} closed${where}${reason}`;
        }
        default: return `${e.event}${where}${conn}`;
    }
}

/** The log kind of an event: node losses stand out. */
export function eventKind(e) {
    if (e.event === 'online' || e.event === 'offline') return 'presence';
    if (e.reason === 'node_lost') return 'node-lost';
    return 'cluster';
}

export class EventFeed {
    /** api: ApiClient; log(kind, text); enabled(): whether to poll now. */
    constructor({ api, log, enabled }) {
        Object.assign(this, { api, log, enabled });
        this.next = null;     // the registry's cursor; null before the first answer
        this.registry = null;
        this.busy = false;
        this.timer = null;
    }

    start() {
        this.timer = setInterval(() => this.poll(), FEED_REFRESH_MS);
        this.poll();
    }

    async poll() {
        if (this.busy || !this.enabled()) return;
        this.busy = true;
        const params = { since: this.next === null ? FROM_NOW : String(this.next) };
        const res = await this.api.call('recentEvents', params);
        this.busy = false;
        if (!res.ok) return;   // the cluster view reports an unreachable API
        const page = res.envelope.data?.recentEvents ?? {};
        // Another registry answers (the API URL changed): its numbers are its own.
        if (page.registry !== this.registry) {
            this.registry = page.registry ?? null;
            if (this.next !== null) this.next = null;
        }
        const first = this.next === null;
        this.next = page.next ?? this.next;
        // What happened before the page was opened is history, not news.
        if (first) return;
        for (const e of page.events ?? []) this.log(eventKind(e), describeEvent(e));
    }
}
