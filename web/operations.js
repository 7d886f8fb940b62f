// The operations panel: one form for every API event (fields follow the
// chosen event), `_id` fields filled from the selected test connection, and
// a readable result: one row per node, a total, the raw envelope and the
// request as a curl command. Sends may ask for delivery receipts (ack=<ms>):
// their rows then show how many connections acknowledged.

import { el, shortId, copyText } from './dom.js';
import { ApiClient } from './api.js';
import { EVENTS, GROUPS, PARAMS, findEvent, wireName, aggregate, isErrorResult, isReceipt, takesAck } from './events.js';
import { hue } from './cluster.js';

export class OperationsView {
    /**
     * elements: {form, select, doc, fields, method (select), timeout, ack, submit, running, result};
     * connections: ConnectionsView; onConnect(url); logApi(result).
     */
    constructor({ api, elements, connections, onConnect, logApi }) {
        Object.assign(this, { api, connections, onConnect, logApi });
        this.ui = elements;
        this.values = { msg: 'Hello from the wscenter demo' };
        this.autoFilledId = '';
        this.running = false;
        this.resultCount = 0;   // exposed as data-seq so that a script can wait for the next result
        this.buildSelect();
        this.ui.select.addEventListener('change', () => this.renderFields());
        this.ui.form.addEventListener('submit', (e) => {
            e.preventDefault();
            this.submit();
        });
        this.renderFields();
    }

    get event() {
        return findEvent(this.ui.select.value);
    }

    buildSelect() {
        for (const group of GROUPS) {
            const og = el('optgroup', { label: group });
            for (const e of EVENTS.filter((x) => x.group === group))
                og.append(el('option', { value: e.name, text: e.name }));
            this.ui.select.append(og);
        }
        this.ui.select.value = 'bindId';
    }

    /** Shows the chosen event programmatically (quick buttons, tests). */
    choose(name) {
        if (!findEvent(name)) return;
        this.ui.select.value = name;
        this.renderFields();
    }

    /** Called when the selected connection or its _id / user changes. */
    onSelectionChanged(conn) {
        const id = conn?._id ?? '';
        if (id && (this.values._id === undefined || this.values._id === '' || this.values._id === this.autoFilledId)) {
            this.values._id = id;
            this.autoFilledId = id;
        }
        const input = this.ui.fields.querySelector('#op-field-_id');
        if (input && input.value !== (this.values._id ?? '')) input.value = this.values._id ?? '';
        const use = this.ui.fields.querySelector('#op-use-selected');
        if (use) {
            use.disabled = !id;
            use.textContent = conn ? `Use #${conn.number}` : 'Use selected';
        }
        this.refreshDatalists();
    }

    /** Puts the selected connection's _id into the form, whatever was typed. */
    useSelected() {
        const conn = this.connections.selected;
        if (!conn?._id) return;
        this.values._id = conn._id;
        this.autoFilledId = conn._id;
        this.onSelectionChanged(conn);
    }

    refreshDatalists() {
        const opts = (list) => list.map(([value, label]) => el('option', { value, label }));
        const conns = this.connections.connections.filter((c) => c._id);
        document.getElementById('op-list-conn')?.replaceChildren(...opts(conns.map((c) =>
            [c._id, `#${c.number}${c.userId ? ` · ${c.userId}` : ''}`])));
        document.getElementById('op-list-user')?.replaceChildren(...opts(this.connections.knownUserIds().map((u) => [u, 'bound user'])));
        document.getElementById('op-list-group')?.replaceChildren(...opts(this.connections.knownGroups().map((g) => [g, 'group'])));
    }

    renderFields() {
        const event = this.event;
        this.ui.doc.textContent = event.doc;
        this.ui.ack.disabled = !takesAck(event);   // the registry applies ack= to sends only
        const rows = event.params.map((p) => this.fieldRow(p));
        if (rows.length === 0) rows.push(el('p', { class: 'muted small-text', text: 'This event takes no parameters.' }));
        this.ui.fields.replaceChildren(...rows);
        this.onSelectionChanged(this.connections.selected);
    }

    fieldRow(param) {
        const spec = PARAMS[param];
        const name = wireName(param);
        const id = `op-field-${name}`;
        const common = {
            id, name, placeholder: spec.placeholder, autocomplete: 'off',
            dataset: { testid: id, param: name },
            oninput: (e) => { this.values[name] = e.target.value; },
        };
        const label = el('label', { for: id }, spec.label, spec.optional ? el('span', { class: 'muted', text: ' (optional)' }) : null,
            el('code', { class: 'wire', text: name }));
        if (spec.kind === 'msg') {
            const area = el('textarea', { ...common, rows: 2 });
            area.value = this.values[name] ?? '';
            const json = el('input', { type: 'checkbox', id: 'op-msg-json', dataset: { testid: 'op-msg-json' } });
            json.checked = Boolean(this.values.msgJson);
            json.addEventListener('change', () => { this.values.msgJson = json.checked; });
            return el('div', { class: 'field' }, label, area,
                el('label', { class: 'inline small-text', for: 'op-msg-json', title: 'sent as a JSON value in a POST body; the client receives its compact JSON text' },
                    json, ' send as JSON (object / array)'));
        }
        const listId = { conn: 'op-list-conn', user: 'op-list-user', group: 'op-list-group' }[spec.kind];
        const input = el('input', { ...common, list: listId });
        input.value = this.values[name] ?? '';
        if (spec.kind === 'conn') {
            const use = el('button', {
                type: 'button', class: 'small', id: 'op-use-selected', dataset: { testid: 'op-use-selected' },
                title: 'fill in the _id of the selected test connection', onclick: () => this.useSelected(),
            }, 'Use selected');
            return el('div', { class: 'field' }, label, el('div', { class: 'with-button' }, input, use));
        }
        return el('div', { class: 'field' }, label, input);
    }

    /** The parameters of the form, or throws with the first problem. */
    collect() {
        const event = this.event;
        const params = {};
        let method = this.ui.method.value;
        for (const p of event.params) {
            const spec = PARAMS[p];
            const name = wireName(p);
            const raw = (this.values[name] ?? '').trim();
            if (!raw) {
                if (spec.optional) continue;
                this.ui.fields.querySelector(`#op-field-${name}`)?.focus();
                throw new Error(`${event.name} needs ${name}`);
            }
            if (spec.kind === 'list') {
                params[name] = raw.split(',').map((s) => s.trim()).filter(Boolean);
            } else if (spec.kind === 'msg' && this.values.msgJson) {
                try {
                    params[name] = JSON.parse(this.values[name]);
                } catch (e) {
                    throw new Error(`the message is not valid JSON: ${e.message}`);
                }
                method = 'POST';   // a JSON value can only travel in a JSON body
            } else {
                params[name] = spec.kind === 'msg' ? this.values[name] : raw;
            }
        }
        const timeout = Number(this.ui.timeout.value);
        const ack = takesAck(event) ? Number(this.ui.ack.value) : 0;
        return { event, params, method, timeoutMs: timeout > 0 ? timeout : undefined, ackMs: ack > 0 ? ack : undefined };
    }

    async submit() {
        if (this.running) return;
        let call;
        try {
            call = this.collect();
        } catch (e) {
            this.showProblem(e.message);
            return;
        }
        this.running = true;
        this.ui.submit.disabled = true;
        this.ui.result.dataset.state = 'running';
        this.ui.running.textContent = `running ${call.event.name}${call.ackMs ? ` (acks awaited up to ${call.ackMs} ms)` : ''}…`;
        const res = await this.api.call(call.event.name, call.params,
            { method: call.method, timeoutMs: call.timeoutMs, ackMs: call.ackMs });
        this.running = false;
        this.ui.submit.disabled = false;
        this.ui.running.textContent = '';
        this.logApi(res, false);
        this.showResult(call.event, res);
        if (call.event.mutates) this.connections.refreshAll();
    }

    showProblem(text) {
        this.ui.result.dataset.state = 'error';
        this.ui.result.dataset.seq = String(++this.resultCount);
        this.ui.result.replaceChildren(el('p', { class: 'result-status bad', id: 'op-result-status', dataset: { testid: 'op-result-status' }, text }));
    }

    showResult(event, res) {
        const env = res.envelope;
        const ok = res.ok;
        this.ui.result.dataset.state = ok ? 'ok' : 'error';
        this.ui.result.dataset.event = event.name;
        this.ui.result.dataset.seq = String(++this.resultCount);
        const status = el('p', { class: `result-status ${ok ? 'good' : 'bad'}`, id: 'op-result-status', dataset: { testid: 'op-result-status' } },
            el('strong', { text: event.name }), ' · ',
            ok ? `code 0 ${env.msg}` : res.error, ` · ${res.ms} ms · ${res.method}`,
            env?.master_ids ? ` · ${env.master_ids.length} node${env.master_ids.length === 1 ? '' : 's'}` : '');
        const parts = [status];
        if (ok) parts.push(event.result === 'registry' ? this.registryResult(event, env) : this.nodeTable(event, env));
        parts.push(
            el('details', { class: 'raw', open: true },
                el('summary', { text: 'Raw envelope' }),
                el('pre', { id: 'op-result-raw', dataset: { testid: 'op-result-raw' }, text: env ? JSON.stringify(env, null, 2) : '(no JSON body)' })),
            this.requestBlock(res));
        this.ui.result.replaceChildren(...parts);
    }

    nodeTable(event, env) {
        const perNode = env.data?.[event.name] ?? {};
        const nodes = [...new Set([...(env.master_ids ?? []), ...Object.keys(perNode)])];
        const conns = this.connections.connections;
        const labelOf = (_id) => conns.find((c) => c._id === _id)?.label ?? shortId(_id);
        const rows = nodes.map((node) => {
            const here = conns.filter((c) => this.connections.cluster.nodeForUrl(c.url)?.node === node).map((c) => `#${c.number}`);
            const value = perNode[node];
            return el('tr', { dataset: { testid: 'op-result-row', node } },
                el('td', { class: 'mono', title: node },
                    el('span', { class: 'node-dot', style: `--hue:${hue(node)}` }), shortId(node),
                    here.length ? el('span', { class: 'muted', text: ` ${here.join(' ')}` }) : null),
                el('td', { class: 'value' }, node in perNode ? formatValue(value, labelOf) : el('span', { class: 'muted', text: 'no reply' })));
        });
        if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: 2, class: 'empty', text: 'No node answered: is any wsnode connected?' })));
        const total = aggregate(event, perNode);
        return el('table', { class: 'result-table', id: 'op-result-table' },
            el('thead', {}, el('tr', {}, el('th', { text: 'Node' }), el('th', { text: 'Result' }))),
            el('tbody', {}, rows),
            total ? el('tfoot', {}, el('tr', {},
                el('th', { text: total.label }),
                el('td', { class: 'value', id: 'op-result-total', dataset: { testid: 'op-result-total' } }, formatValue(total.value, labelOf)))) : null);
    }

    registryResult(event, env) {
        const value = env.data?.[event.name];
        if (event.name === 'route') {
            if (!value) return el('p', { class: 'muted', id: 'op-result-total', dataset: { testid: 'op-result-total' }, text: 'No live node to route to.' });
            return el('div', { class: 'route-result' },
                el('p', {}, 'Connect to node ', el('code', { text: value.node, title: value.node }), ' at ',
                    el('code', { id: 'op-result-total', dataset: { testid: 'op-result-total' }, text: value.url })),
                el('button', { type: 'button', class: 'small', onclick: () => this.onConnect(value.url) }, 'Open a test connection there'));
        }
        const nodes = value?.nodes ?? [];
        return el('p', { id: 'op-result-total', dataset: { testid: 'op-result-total' } },
            `${nodes.length} live node${nodes.length === 1 ? '' : 's'} seen from registry `, el('code', { text: value?.registry ?? '?' }),
            ' (the cluster view shows them).');
    }

    requestBlock(res) {
        if (!res.url) return el('span');
        const curl = ApiClient.curl(res);
        return el('details', { class: 'raw' },
            el('summary', { text: 'Request' }),
            el('pre', { id: 'op-result-request', text: `${res.method} ${res.url}${res.body ? `\n\n${res.body}` : ''}` }),
            el('button', { type: 'button', class: 'small', onclick: async (e) => {
                e.target.textContent = (await copyText(curl)) ? 'Copied' : 'Copy failed (needs https or localhost)';
            } }, 'Copy as curl'));
    }
}

/**
 * One per-node result as readable text: errors in red, lists as chips, receipts as
 * "acked k / sent n" and the connections that acked (labelOf(_id) names them).
 */
export function formatValue(value, labelOf = shortId) {
    if (isErrorResult(value))
        return el('span', { class: 'bad', text: `code ${value.code}: ${value.msg}` });
    if (isReceipt(value)) {
        const ids = Array.isArray(value._ids) ? value._ids : [];
        return el('span', { class: 'receipt', dataset: { testid: 'receipt', sent: String(value.sent), acked: String(value.acked) } },
            el('span', { class: value.acked === value.sent ? 'good' : 'warn', text: `acked ${value.acked} / sent ${value.sent}` }),
            ids.length ? el('span', { class: 'chips' }, ids.map((id) => el('span', { class: 'chip', title: id, text: labelOf(id) }))) : null);
    }
    if (Array.isArray(value)) {
        if (value.length === 0) return el('span', { class: 'muted', text: '[] (none)' });
        return el('span', { class: 'chips' }, value.map((v) => el('span', { class: 'chip', text: String(v) })));
    }
    if (value === null || value === undefined) return el('span', { class: 'muted', text: 'null' });
    if (typeof value === 'boolean') return el('span', { class: value ? 'good' : 'muted', text: String(value) });
    if (typeof value === 'object') return el('code', { text: JSON.stringify(value) });
    return el('span', { text: String(value) });
}
