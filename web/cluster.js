// The live cluster view: asks the registry for its `nodes` every two seconds
// and shows each node, the registries it is on and its connection count.

import { el, shortId, clock } from './dom.js';

export const CLUSTER_REFRESH_MS = 2000;

/** The same URL with and without a trailing slash is one node. */
const sameUrl = (a, b) => String(a).replace(/\/+$/, '') === String(b).replace(/\/+$/, '');

export class ClusterView {
    /**
     * api: ApiClient; onConnect(url): opens a test connection; log(kind, text);
     * logApi(result, background): records the polling calls.
     * Elements: the table body, the summary line and the node URL datalist.
     */
    constructor({ api, body, summary, datalist, onConnect, onChange, log, logApi }) {
        Object.assign(this, { api, body, summary, datalist, onConnect, onChange, log, logApi });
        this.loaded = false;
        this.nodes = [];
        this.registry = null;
        this.busy = false;
        this.error = null;
        this.timer = null;
    }

    start() {
        this.refresh();
        this.timer = setInterval(() => this.refresh(), CLUSTER_REFRESH_MS);
    }

    /** The node serving a WebSocket URL, if the cluster view knows it. */
    nodeForUrl(url) {
        try {
            const u = new URL(url);
            u.search = '';
            return this.nodes.find((n) => sameUrl(n.url, u.href)) ?? null;
        } catch {
            return null;
        }
    }

    async refresh() {
        if (this.busy) return;
        this.busy = true;
        const res = await this.api.call('nodes', {});
        this.busy = false;
        this.logApi?.(res, true);
        if (!res.ok) {
            this.refused = Boolean(res.envelope);   // the API answered, but said no (token error)
            if (this.error !== res.error) this.log?.('cluster', `cluster view: ${res.error}`);
            this.error = res.error;
            this.render();
            return;
        }
        const data = res.envelope.data?.nodes ?? {};
        const nodes = Array.isArray(data.nodes) ? data.nodes : [];
        this.reportChanges(nodes);
        if (this.error) this.log?.('cluster', 'the registry answers again');
        this.error = null;
        this.registry = data.registry ?? null;
        this.nodes = nodes;
        this.masterIds = res.envelope.master_ids ?? [];
        this.render();
        this.onChange?.(this.nodes);
    }

    reportChanges(nodes) {
        if (!this.loaded) {   // the first answer: nothing has changed yet
            this.loaded = true;
            for (const n of nodes) this.log?.('cluster', `node ${n.node} at ${n.url}`);
            return;
        }
        const before = new Set(this.nodes.map((n) => n.node));
        const after = new Set(nodes.map((n) => n.node));
        for (const n of nodes)
            if (!before.has(n.node)) this.log?.('cluster', `node ${n.node} joined (${n.url})`);
        for (const n of this.nodes)
            if (!after.has(n.node)) this.log?.('cluster', `node ${n.node} left`);
    }

    render() {
        const total = this.nodes.reduce((a, n) => a + (Number(n.conns) || 0), 0);
        const when = clock().slice(0, 8);
        this.summary.textContent = this.error
            ? `${this.refused ? 'refused' : 'unreachable'}: ${this.error}`
            : `${this.nodes.length} node${this.nodes.length === 1 ? '' : 's'} · ${total} connection${total === 1 ? '' : 's'} · via registry ${shortId(this.registry)} · ${when}`;
        this.summary.classList.toggle('bad', Boolean(this.error));
        this.summary.dataset.nodes = String(this.nodes.length);

        const rows = this.nodes.map((n, i) => el('tr', { dataset: { testid: 'cluster-node-row', node: n.node } },
            el('td', { class: 'mono', title: n.node },
                el('span', { class: 'node-dot', style: `--hue:${hue(n.node)}` }), `${shortId(n.node)}`),
            el('td', { class: 'mono url', text: n.url ?? '' }),
            el('td', { class: 'num', dataset: { testid: 'cluster-node-conns' }, text: String(n.conns ?? '?') }),
            el('td', {}, el('span', { class: 'regs' }, (n.registries ?? []).map((r) =>
                el('span', { class: `reg${r === n.served_by ? ' served' : ''}`, title: r === n.served_by ? `${r}: calls from this registry reach the node through it` : r, text: shortId(r) })))),
            el('td', { class: 'num', title: 'registry hops from this registry', text: String(n.hops ?? '') }),
            el('td', {},
                el('button', {
                    class: 'small', type: 'button', id: `cluster-connect-${i + 1}`,
                    dataset: { testid: 'cluster-connect' }, disabled: !n.url,
                    title: `open a test connection to ${n.url}`, onclick: () => this.onConnect(n.url),
                }, 'Connect'))));
        if (rows.length === 0) {
            rows.push(el('tr', {}, el('td', { colspan: 6, class: 'empty',
                text: this.error
                    ? (this.refused ? 'The registry refused the call: check the token.' : 'The registry does not answer: check the API URL.')
                    : 'No wsnode is connected to the cluster yet.' })));
        }
        this.body.replaceChildren(...rows);
        this.body.closest('table')?.classList.toggle('stale', Boolean(this.error));   // last known, not current
        this.datalist.replaceChildren(...this.nodes.filter((n) => n.url).map((n) =>
            el('option', { value: n.url, label: `node ${shortId(n.node)} · ${n.conns} conns` })));
    }
}

// Node colours: hues handed out in order of first sight, far apart on the
// colour wheel, so that two or three nodes never look alike.
const HUES = [220, 28, 150, 330, 265, 190, 95, 0];
const hues = new Map();

/** A stable colour per node id, so a node keeps its colour across the page. */
export function hue(nodeId) {
    if (!hues.has(nodeId)) hues.set(nodeId, HUES[hues.size % HUES.length]);
    return hues.get(nodeId);
}
