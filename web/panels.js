// The test connections on screen: one panel per connection with its state,
// _id, bound user, groups, a chat view and a composer. The user id and the
// groups are asked from the cluster (getIdBy_Id + getGroupIdsBy_Id). An
// auto-ack box per panel decides whether messages that ask for a delivery
// receipt are acknowledged; unanswered ones can be acked by hand.

import { el, clock, shortId, copyText } from './dom.js';
import { TestConnection } from './ws.js';
import { hue } from './cluster.js';

const MAX_CHAT_ITEMS = 300;   // a chatty group should not slow the page down

export class ConnectionsView {
    /**
     * api: ApiClient; container: where panels go; cluster: ClusterView (node of a URL);
     * log(kind, text, who); logApi(result, background); onSelect(conn|null); getToken().
     */
    constructor({ api, container, empty, cluster, log, logApi, onSelect, getToken }) {
        Object.assign(this, { api, container, empty, cluster, log, logApi, onSelect, getToken });
        this.connections = [];
        this.panels = new Map();
        this.selected = null;
        this.nextNumber = 1;
    }

    add(url) {
        const conn = new TestConnection(this.nextNumber++, url, this.getToken);
        this.connections.push(conn);
        const panel = this.buildPanel(conn);
        this.panels.set(conn, panel);
        this.container.append(panel.root);
        this.empty.hidden = true;
        conn.addEventListener('log', (e) => this.log(e.detail.kind, e.detail.text, conn.label));
        conn.addEventListener('status', () => {
            if (conn.state === 'reconnecting' || conn.state === 'closed') {
                if (conn.lastClose && conn.lastClose !== conn.shownClose) this.chat(conn, 'system', `disconnected: ${conn.lastClose}`);
                conn.shownClose = conn.lastClose;
            } else if (conn.state === 'connecting') {
                conn.shownClose = '';
            }
            this.renderPanel(conn);
            if (conn === this.selected) this.onSelect(conn);
        });
        conn.addEventListener('message', (e) => this.onMessage(conn, e.detail));
        conn.addEventListener('sent', (e) => this.chat(conn, 'out', e.detail));
        if (!this.selected) this.select(conn);
        conn.connect();
        this.renderPanel(conn);
        return conn;
    }

    remove(conn) {
        conn.disconnect();
        this.panels.get(conn)?.root.remove();
        this.panels.delete(conn);
        this.connections = this.connections.filter((c) => c !== conn);
        this.empty.hidden = this.connections.length > 0;
        if (this.selected === conn) this.select(this.connections[0] ?? null);
    }

    select(conn) {
        this.selected = conn;
        for (const [c, p] of this.panels) {
            p.root.classList.toggle('selected', c === conn);
            p.radio.checked = c === conn;
        }
        this.onSelect(conn);
    }

    /** Asks the cluster for the user id and groups of one connection. */
    async refreshInfo(conn) {
        if (!conn._id || conn.refreshing) return;
        conn.refreshing = true;
        const _id = conn._id;
        const res = await this.api.callBatch({ getIdBy_Id: { _id }, getGroupIdsBy_Id: { _id } });
        conn.refreshing = false;
        this.logApi(res, true);
        if (!res.ok || conn._id !== _id) return;
        const data = res.envelope.data ?? {};
        const ids = Object.values(data.getIdBy_Id ?? {}).filter((v) => typeof v === 'string' || typeof v === 'number');
        conn.userId = ids.length ? String(ids[0]) : null;
        const groups = Object.values(data.getGroupIdsBy_Id ?? {}).flatMap((v) => (Array.isArray(v) ? v : []));
        conn.groups = [...new Set(groups.map(String))].sort();
        this.renderPanel(conn);
        if (conn === this.selected) this.onSelect(conn);
    }

    refreshAll() {
        return Promise.all(this.connections.filter((c) => c._id).map((c) => this.refreshInfo(c)));
    }

    knownUserIds() {
        return [...new Set(this.connections.map((c) => c.userId).filter(Boolean))];
    }

    knownGroups() {
        return [...new Set(this.connections.flatMap((c) => c.groups))];
    }

    onMessage(conn, { text, json, ack, acked }) {
        if (json && json.cmd === 'open') {
            this.chat(conn, 'system', `connected · _id ${shortId(json._id)}`);
            this.refreshInfo(conn);
        } else if (json && json.cmd === 'pong') {
            this.chat(conn, 'system', 'pong');
        } else {
            this.chat(conn, 'in', text, ack ? this.ackMark(conn, ack, acked) : null);
        }
    }

    /** Beside a message that asked for an ack: "acked", or a button that acks it by hand. */
    ackMark(conn, token, acked) {
        const done = () => el('span', { class: 'ack-mark good', dataset: { testid: 'chat-acked' }, text: '✓ acked' });
        if (acked) return done();
        const button = el('button', {
            type: 'button', class: 'small ack-mark', dataset: { testid: 'chat-ack' },
            title: 'not acknowledged (auto-ack is off): send the ack now',
            onclick: () => {
                if (conn.ack(token)) button.replaceWith(done());
            },
        }, 'ack');
        return button;
    }

    chat(conn, kind, text, extra = null) {
        const panel = this.panels.get(conn);
        if (!panel) return;
        const list = panel.chat;
        const looksJson = kind !== 'system' && /^\s*[[{]/.test(text);
        list.append(el('li', { class: `chat-${kind}`, dataset: { testid: `chat-${kind}` } },
            el('span', { class: `bubble${looksJson ? ' mono' : ''}`, text }),
            el('time', { text: clock().slice(0, 8) }), extra));
        while (list.childElementCount > MAX_CHAT_ITEMS) list.firstElementChild.remove();
        list.scrollTop = list.scrollHeight;
    }

    buildPanel(conn) {
        const n = conn.number;
        const radio = el('input', {
            type: 'radio', name: 'conn-select', id: `conn-${n}-select`, dataset: { testid: 'conn-select' },
            onchange: () => this.select(conn),
        });
        const status = el('span', { class: 'state', id: `conn-${n}-status`, dataset: { testid: 'conn-status' } });
        const node = el('span', { class: 'node-tag', id: `conn-${n}-node` });
        const toggle = el('button', {
            type: 'button', class: 'small', id: `conn-${n}-toggle`, dataset: { testid: 'conn-toggle' },
            onclick: () => (conn.wanted ? conn.disconnect() : conn.connect()),
        });
        const idField = el('dd', {
            class: 'mono copyable', id: `conn-${n}-id`, dataset: { testid: 'conn-id' }, title: 'click to copy',
            onclick: async () => {
                if (conn._id && (await copyText(conn._id))) this.log('ui', `copied ${conn._id}`, conn.label);
            },
        });
        const user = el('dd', { id: `conn-${n}-user`, dataset: { testid: 'conn-user' } });
        const groups = el('dd', { class: 'chips', id: `conn-${n}-groups`, dataset: { testid: 'conn-groups' } });
        const autoAck = el('input', {
            type: 'checkbox', id: `conn-${n}-autoack`, dataset: { testid: 'conn-autoack' }, checked: true,
            onchange: () => {
                conn.autoAck = autoAck.checked;
                this.log('ui', `auto-ack ${conn.autoAck ? 'on' : 'off'}`, conn.label);
            },
        });
        const chat = el('ol', { class: 'chat', id: `conn-${n}-chat`, dataset: { testid: 'conn-chat' }, 'aria-live': 'polite' });
        const input = el('input', {
            id: `conn-${n}-input`, dataset: { testid: 'conn-input' }, autocomplete: 'off',
            placeholder: 'Text frame to the node (goes upstream to the bus)',
        });
        const composer = el('form', {
            class: 'composer', onsubmit: (e) => {
                e.preventDefault();
                if (input.value && conn.send(input.value)) input.value = '';
            },
        }, input, el('button', { type: 'submit', class: 'small', id: `conn-${n}-send`, dataset: { testid: 'conn-send' } }, 'Send'));

        const button = (key, label, title, onclick, cls = 'small') => el('button', {
            type: 'button', class: cls, id: `conn-${n}-${key}`, dataset: { testid: `conn-${key}` }, title, onclick,
            'aria-label': key === 'remove' ? 'remove this connection' : null,
        }, label);
        const root = el('article', { class: 'conn', id: `conn-${n}`, dataset: { testid: 'conn-panel', conn: String(n) } },
            el('header', {},
                el('div', { class: 'title-row' },
                    el('label', { class: 'conn-title', for: `conn-${n}-select` }, radio, `Connection #${n}`),
                    status, node),
                el('div', { class: 'actions' },
                    button('ping', 'Ping', 'send the text "ping"; the node answers with a pong', () => conn.ping()),
                    button('refresh', 'Refresh', 'ask the cluster for the user id and groups', () => this.refreshInfo(conn)),
                    toggle,
                    el('label', {
                        class: 'inline small-text', for: `conn-${n}-autoack`,
                        title: 'acknowledge messages sent with ack= at once (this connection opted in with ?acks=1)',
                    }, autoAck, 'auto-ack'),
                    el('span', { class: 'spacer' }),
                    button('remove', '✕', 'close and remove this panel', () => this.remove(conn), 'small ghost'))),
            el('dl', { class: 'facts' },
                el('dt', { text: '_id' }), idField,
                el('dt', { text: 'user' }), user,
                el('dt', { text: 'groups' }), groups,
                el('dt', { text: 'url' }), el('dd', { class: 'mono url', text: conn.url })),
            chat, composer);
        root.addEventListener('click', (e) => {
            if (!e.target.closest('button, input, a, .copyable') && this.selected !== conn) this.select(conn);
        });
        const [ping, refresh, send] = ['ping', 'refresh', 'send'].map((k) => root.querySelector(`[data-testid=conn-${k}]`));
        return { root, radio, status, node, toggle, idField, user, groups, chat, input, ping, refresh, send };
    }

    renderPanel(conn) {
        const p = this.panels.get(conn);
        if (!p) return;
        const open = conn.state === 'open';
        let state = conn.state;
        if (conn.state === 'reconnecting')
            state = `retry in ${Math.max(0, (conn.retryAt - Date.now()) / 1000).toFixed(1)} s`;
        else if (conn.state === 'closed' && conn.lastClose) state = `closed · ${conn.lastClose}`;
        p.status.textContent = state;
        p.status.title = state;
        p.status.dataset.state = conn.state;
        p.root.dataset.state = conn.state;
        p.idField.textContent = conn._id ?? '—';
        p.user.textContent = conn.userId ?? (open ? 'not bound' : '—');
        p.user.classList.toggle('muted', !conn.userId);
        p.groups.replaceChildren(...(conn.groups.length
            ? conn.groups.map((g) => el('span', { class: 'chip', text: g }))
            : [el('span', { class: 'muted', text: open ? 'none' : '—' })]));
        p.toggle.textContent = conn.wanted ? 'Disconnect' : 'Connect';
        p.ping.disabled = !open;
        p.send.disabled = !open;
        p.refresh.disabled = !conn._id;
        const node = this.cluster.nodeForUrl(conn.url);
        p.node.textContent = node ? `node ${shortId(node.node)}` : '';
        p.node.title = node ? node.node : '';
        p.node.style.setProperty('--hue', node ? hue(node.node) : 0);
        p.node.hidden = !node;
    }

    renderAll() {
        for (const c of this.connections) this.renderPanel(c);
    }
}
