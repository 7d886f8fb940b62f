// The API events the demo can call, with their parameters and how their
// per-node results add up. Mirrors the table in README.md / SPEC.md §4.

/** Parameter kinds: how the form asks for them and how they are sent. */
export const PARAMS = {
    id: { label: 'User id', placeholder: 'user1', kind: 'user' },
    _id: { label: 'Connection _id', placeholder: '32 hex, from a test connection', kind: 'conn' },
    groupId: { label: 'Group id', placeholder: 'room1', kind: 'group' },
    groupIds: { label: 'Group id(s)', placeholder: 'room1 or room1,room2', kind: 'group', name: 'groupId' },
    msg: { label: 'Message', placeholder: 'Hello!', kind: 'msg' },
    exclude_Ids: { label: 'Exclude _ids', placeholder: 'optional, comma separated', kind: 'list', optional: true },
    excludeIds: { label: 'Exclude user ids', placeholder: 'optional, comma separated', kind: 'list', optional: true },
};

/**
 * sum: integers added up across nodes; bool: true anywhere; list: union;
 * value: the first non-null; object: the first object; registry: one
 * answer from the registry itself, not keyed by node.
 */
const E = (name, group, params, result, doc, mutates = false) => ({ name, group, params, result, doc, mutates });

export const EVENTS = [
    E('bindId', 'Bind', ['id', '_id'], 'sum', 'Bind a user id to a connection (1 on its node).', true),
    E('unBindId', 'Bind', ['id'], 'sum', 'Unbind every connection of a user.', true),
    E('unBind_Id', 'Bind', ['_id'], 'sum', 'Unbind one connection.', true),

    E('joinGroupById', 'Groups', ['groupIds', 'id'], 'sum', 'All connections of a user join the group(s).', true),
    E('joinGroupBy_Id', 'Groups', ['groupId', '_id'], 'sum', 'One connection joins a group.', true),
    E('leaveGroupById', 'Groups', ['groupIds', 'id'], 'sum', 'All connections of a user leave the group(s).', true),
    E('leaveGroupBy_Id', 'Groups', ['groupId', '_id'], 'sum', 'One connection leaves a group.', true),
    E('leaveAllGroupById', 'Groups', ['id'], 'sum', 'A user leaves every group.', true),
    E('leaveAllGroupBy_Id', 'Groups', ['_id'], 'sum', 'A connection leaves every group.', true),

    E('sendMessageToId', 'Send', ['id', 'msg', 'exclude_Ids'], 'sum', 'Send to every connection of a user.'),
    E('sendMessageTo_Id', 'Send', ['_id', 'msg'], 'sum', 'Send to one connection.'),
    E('sendToGroup', 'Send', ['groupId', 'msg', 'excludeIds', 'exclude_Ids'], 'sum', 'Send to every member of a group.'),
    E('broadcast', 'Send', ['msg', 'exclude_Ids'], 'sum', 'Send to every connection in the cluster.'),
    E('sendMessageToGroupByOnlyId', 'Send', ['id', 'msg', 'exclude_Ids'], 'sum',
        'Send to every member of every group the user is in (each connection once).'),
    E('sendMessageToGroupByOnly_Id', 'Send', ['_id', 'msg'], 'sum',
        'Send to every member of every group the connection is in (each connection once).'),

    E('getConnectionCount', 'Query', [], 'sum', 'Connections per node.'),
    E('getIds', 'Query', [], 'list', 'Bound user ids.'),
    E('get_Ids', 'Query', [], 'list', 'Connection ids.'),
    E('isOnlineId', 'Query', ['id'], 'bool', 'Is the user connected anywhere?'),
    E('isOnline_Id', 'Query', ['_id'], 'bool', 'Is the connection open?'),
    E('getGroupIds', 'Query', [], 'list', 'Group ids.'),
    E('getGroupIdsById', 'Query', ['id'], 'list', 'Groups of a user.'),
    E('getGroupIdsBy_Id', 'Query', ['_id'], 'list', 'Groups of a connection.'),
    E('isInGroupById', 'Query', ['groupId', 'id'], 'bool', 'Is the user in the group?'),
    E('isInGroupBy_Id', 'Query', ['groupId', '_id'], 'bool', 'Is the connection in the group?'),
    E('getGroupIdCount', 'Query', ['groupId'], 'sum', 'Distinct bound users in the group, per node.'),
    E('getGroup_IdCount', 'Query', ['groupId'], 'sum', 'Connections in the group.'),
    E('getIdBy_Id', 'Query', ['_id'], 'value', 'The user id bound to a connection.'),
    E('get_IdsById', 'Query', ['id'], 'list', 'The connections of a user.'),
    E('get_IdData', 'Query', ['_id'], 'object', 'Query parameters of the connection\'s upgrade URL.'),

    E('closeBy_Id', 'Close', ['_id'], 'sum', 'Close one connection.', true),
    E('closeById', 'Close', ['id'], 'sum', 'Close every connection of a user.', true),

    E('route', 'Cluster', ['id'], 'registry', 'The node a user should connect to (rendezvous hashing).'),
    E('nodes', 'Cluster', [], 'registry', 'Live nodes and the registries they are on.'),
    E('recentEvents', 'Cluster', [], 'registry',
        'The last presence and connection events this registry saw (the log shows them live).'),
];

export const GROUPS = ['Bind', 'Groups', 'Send', 'Query', 'Close', 'Cluster'];

export const findEvent = (name) => EVENTS.find((e) => e.name === name);

/** The sends: the events with a message, which take ack=<ms> for delivery receipts. */
export const takesAck = (event) => event.params.includes('msg');

/** The name a parameter is sent under (groupIds is sent as groupId). */
export const wireName = (param) => PARAMS[param].name ?? param;

const isNodeError = (v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.code === 'number' && 'msg' in v;

/** True for a per-node slot holding {"code":N,"msg":..,"data":[]} instead of a result. */
export const isErrorResult = (v) => isNodeError(v) && v.code !== 0;

/** A send's per-node result when the call asked for receipts: {sent, acked, _ids}. */
export const isReceipt = (v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.sent === 'number' && typeof v.acked === 'number';

/** Receipts added up: {sent, acked, _ids} over every node. */
export function addReceipts(values) {
    const receipts = values.filter(isReceipt);
    return {
        sent: receipts.reduce((a, r) => a + r.sent, 0),
        acked: receipts.reduce((a, r) => a + r.acked, 0),
        _ids: [...new Set(receipts.flatMap((r) => (Array.isArray(r._ids) ? r._ids : [])))],
    };
}

/**
 * Adds the per-node results of one event up: {label, value} for the total
 * row, or null when a total makes no sense.
 */
export function aggregate(event, perNode) {
    const values = Object.values(perNode ?? {}).filter((v) => !isErrorResult(v));
    switch (event.result) {
    case 'sum':
        if (values.some(isReceipt)) return { label: 'Total', value: addReceipts(values) };
        return { label: 'Total', value: values.reduce((a, v) => a + (Number(v) || 0), 0) };
    case 'bool': {
        const yes = values.filter((v) => v === true).length;
        return { label: 'Anywhere', value: yes > 0 ? `true (on ${yes} node${yes === 1 ? '' : 's'})` : 'false' };
    }
    case 'list': {
        const all = [...new Set(values.flatMap((v) => (Array.isArray(v) ? v : [])))];
        return { label: `All (${all.length})`, value: all };
    }
    case 'value': {
        const found = values.find((v) => v !== null && v !== undefined && v !== '');
        return { label: 'Result', value: found ?? null };
    }
    case 'object': {   // null on the nodes that do not hold the connection
        const found = values.find((v) => v && typeof v === 'object');
        return { label: 'Result', value: found ?? null };
    }
    default:
        return null;
    }
}
