// Wires the demo together: the API settings, the cluster view, the test
// connections, the operations form and the event log.

import { $, el, brief, shortId } from './dom.js';
import { ApiClient } from './api.js';
import { ClusterView } from './cluster.js';
import { ConnectionsView } from './panels.js';
import { OperationsView } from './operations.js';
import { EventLog } from './log.js';
import { EventFeed } from './feed.js';

const FALLBACK_API = 'http://127.0.0.1:8011';   // the seed's first registry, when opened from a file
const QUICK_EVENTS = ['bindId', 'joinGroupBy_Id', 'sendToGroup', 'sendMessageToId', 'broadcast', 'getConnectionCount'];

const pageParams = new URLSearchParams(location.search);
const apiUrl = $('#api-url');
const apiToken = $('#api-token');
const wsUrl = $('#ws-url');
const wsUrlSource = $('#ws-url-source');
const routeUser = $('#route-user');
const apiStatus = $('#api-status');

// The page is served by a registry, so its own origin is the API by default;
// ?api=…&token=… in the page URL override the fields.
apiUrl.value = pageParams.get('api') ?? (location.origin.startsWith('http') ? location.origin : FALLBACK_API);
apiToken.value = pageParams.get('token') ?? '';

const api = new ApiClient(() => apiUrl.value.trim(), () => apiToken.value.trim());
const log = new EventLog($('#log'), $('#log-count'), $('#log-autoscroll'));
const pollingBox = $('#log-polling');
const feedBox = $('#log-feed');

function logApi(res, background) {
    if (background && !pollingBox.checked) return;
    const what = `${res.method} ${(res.events ?? []).join(',')}`;
    if (!res.ok) {
        log.add('api-error', `${what} → ${res.error} (${res.ms} ms)`);
        return;
    }
    log.add('api', `${what} → ok (${res.ms} ms) ${brief(res.envelope.data, 400)}`);
}

const cluster = new ClusterView({
    api,
    body: $('#cluster-body'),
    summary: $('#cluster-summary'),
    datalist: $('#node-urls'),
    onConnect: (url) => connect(url),
    onChange: () => {
        connections.renderAll();
        connections.refreshAll();   // picks up binds and joins made elsewhere (curl, the CLI, another tab)
        if (!wsUrlTouched && !wsUrl.value) suggestWsUrl();
    },
    log: (kind, text) => log.add(kind, text),
    logApi,
});

const connections = new ConnectionsView({
    api,
    container: $('#connections'),
    empty: $('#connections-empty'),
    cluster,
    log: (kind, text, who) => log.add(kind, text, who),
    logApi,
    onSelect: (conn) => operations?.onSelectionChanged(conn),
    getToken: () => apiToken.value.trim(),
});

const operations = new OperationsView({
    api,
    elements: {
        form: $('#op-form'),
        select: $('#op-event'),
        doc: $('#op-doc'),
        fields: $('#op-fields'),
        method: $('#op-method'),
        timeout: $('#op-timeout'),
        ack: $('#op-ack'),
        submit: $('#op-submit'),
        running: $('#op-running'),
        result: $('#op-result'),
    },
    connections,
    onConnect: (url) => connect(url),
    logApi,
});

$('#op-quick').append(...QUICK_EVENTS.map((name) =>
    el('button', { type: 'button', class: 'small link', dataset: { testid: 'op-quick' }, onclick: () => operations.choose(name) }, name)));

function connect(url) {
    const target = (url ?? wsUrl.value).trim();
    if (!target) {
        wsUrl.focus();
        log.add('ui', 'enter a WebSocket URL first (or press Route)');
        return;
    }
    connections.add(target);
}

// --- WebSocket URL suggestion: the route event first, else the first live node.
let wsUrlTouched = false;
wsUrl.addEventListener('input', () => {
    wsUrlTouched = wsUrl.value !== '';
    wsUrlSource.textContent = '';
});

async function suggestWsUrl({ fromButton = false } = {}) {
    const user = routeUser.value.trim();
    if (user) {
        const res = await api.call('route', { id: user });
        if (fromButton) logApi(res, false);
        const route = res.ok ? res.envelope.data?.route : null;
        if (route?.url) {
            wsUrl.value = route.url;
            wsUrlSource.textContent = `From the route event: user “${user}” belongs on node ${shortId(route.node)}.`;
            return;
        }
    }
    const first = cluster.nodes.find((n) => n.url);
    if (first) {
        wsUrl.value = first.url;
        wsUrlSource.textContent = `From the nodes event: node ${shortId(first.node)}.`;
    } else if (cluster.error) {
        wsUrlSource.textContent = 'The API does not answer (API URL? token?): set it, then press Route.';
    } else {
        wsUrlSource.textContent = 'No live node yet: the URL fills in when one joins.';
    }
}

$('#connect-form').addEventListener('submit', (e) => {
    e.preventDefault();
    connect();
});
$('#route-button').addEventListener('click', () => {
    wsUrlTouched = false;
    suggestWsUrl({ fromButton: true });
});
$('#log-clear').addEventListener('click', () => log.clear());

// The header pill mirrors the cluster view's last answer.
function renderApiStatus() {
    const good = !cluster.error && cluster.loaded;
    apiStatus.textContent = cluster.error
        ? (cluster.refused ? `API: ${cluster.error.replace(/^code \d+: /, '')}` : 'API unreachable')
        : cluster.loaded ? `registry ${shortId(cluster.registry)}` : '…';
    apiStatus.className = `pill ${good ? 'good' : cluster.error ? 'bad' : ''}`;
    apiStatus.title = cluster.error ?? `answers for ${cluster.nodes.length} nodes`;
}
const renderCluster = cluster.render.bind(cluster);
cluster.render = () => {
    renderCluster();
    renderApiStatus();
};

// Changing the API URL or token takes effect at the next call; refresh now so the view follows.
apiUrl.addEventListener('change', () => cluster.refresh());
apiToken.addEventListener('change', () => cluster.refresh());

// Panels in the "reconnecting" state show a countdown.
setInterval(() => {
    for (const c of connections.connections) if (c.state === 'reconnecting') connections.renderPanel(c);
}, 250);

log.add('ui', `demo loaded; API ${apiUrl.value}`);
cluster.start();
new EventFeed({ api, log: (kind, text) => log.add(kind, text), enabled: () => feedBox.checked }).start();
suggestWsUrl();
window.wscDemo = { api, cluster, connections, operations, log };   // for the console and tests
