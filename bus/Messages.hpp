// Typed bodies of every bus command: the one schema of bus/PROTOCOL.md's
// command table, and the only code that knows the body keys.
//
// Each struct has
//   nlohmann::json to_json() const;              the body, as to_msgpack takes it
//   static T from_json(const nlohmann::json&);   checks and reads a decoded body
// and the free functions encode(msg) / decode<T>(bytes) go to and from the
// msgpack bytes of a frame. from_json throws DecodeError naming the command
// and the key when a required key is missing, a key has the wrong type, or
// an id or nonce has the wrong size. A missing optional key takes its
// default (empty string, 0, null, false, empty list); unknown keys are
// ignored, so a newer peer may add some.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "bus/MsgpackJson.hpp"
#include "bus/Protocol.hpp"

namespace wsc::bus {

// Results of a Request's events in the order of the events (a json object
// would sort them by name).
using EventResults = std::vector<std::pair<std::string, nlohmann::json>>;

// ---- node <-> registry ----

// NodeReady, and the Heartbeat a node sends: who the node is. `nonce` and
// `proof` (64 hex each, empty when absent) answer a Challenge. `boot` and
// `dseq` say where the node's directory changes are: the process and the
// number of the last Directory message sent (0 when absent).
struct NodeHello {
    std::string node;  // 32 hex
    std::string url;
    std::int64_t conns = 0;
    std::string nonce;
    std::string proof;
    std::uint64_t boot = 0;
    std::uint64_t dseq = 0;

    nlohmann::json to_json() const;
    static NodeHello from_json(const nlohmann::json& body);
};

// A Heartbeat: from a node, its hello; from a registry (or any other
// keep-alive), `{}`. A body without `node` is a keep-alive.
struct Heartbeat {
    std::optional<NodeHello> hello;

    nlohmann::json to_json() const;
    static Heartbeat from_json(const nlohmann::json& body);
};

struct NodeBye {
    std::string node;  // 32 hex

    nlohmann::json to_json() const;
    static NodeBye from_json(const nlohmann::json& body);
};

// Request to a node: run `events`, an array of {name, params} maps (params
// defaults to {} when absent; decoding fills it in). `origin` is the
// registry where the call started (empty when absent), echoed in the Reply.
struct Request {
    std::uint64_t req = 0;
    std::string origin;
    nlohmann::json events = nlohmann::json::array();

    nlohmann::json to_json() const;
    static Request from_json(const nlohmann::json& body);
};

// One item of a Request's `events`: {name, params}.
nlohmann::json request_event(std::string_view name, nlohmann::json params);
// The parts of an item of a decoded Request's `events` (checked there).
const std::string& event_name(const nlohmann::json& event);
const nlohmann::json& event_params(const nlohmann::json& event);

// A node's answer to a Request. encode() keeps `results` in event order;
// decoding yields them in key order.
struct Reply {
    std::uint64_t req = 0;
    std::string origin;  // copied from the Request; empty when absent
    std::string node;    // 32 hex
    EventResults results;
    // When the Request added interests to the node's directory: the
    // Directory message that says so (its `seq`), which the origin waits to
    // see acknowledged by every registry before answering. 0 when absent.
    std::uint64_t dseq = 0;

    // `results` as the map a gatherer keeps; the second takes them.
    nlohmann::json results_map() const&;
    nlohmann::json results_map() &&;
    nlohmann::json to_json() const;
    static Reply from_json(const nlohmann::json& body);
};

// A client event (open, message, close) published by a node; registries
// add `root` (where it entered the federation) when passing it to peers,
// and leave it out towards subscribers.
struct Upstream {
    std::string event;
    std::string node;     // 32 hex
    std::string conn;     // `_id`
    nlohmann::json user;  // `id`: the bound user id (string) or null
    nlohmann::json data;
    bool binary = false;  // sent only when true
    std::uint64_t seq = 0;
    std::optional<std::uint64_t> boot;
    std::string root;  // 32 hex; empty when absent
    // Close events: why the connection ended (kCloseReasons); empty for
    // other events, and from nodes that predate it.
    std::string reason;
    // The event's cluster-unique id, set where it entered the federation
    // (see event_id()); empty from a node.
    std::string eid;

    nlohmann::json to_json() const;
    static Upstream from_json(const nlohmann::json& body);
    // The event as a subscriber shows it: event, node, _id, id, data, and
    // binary, reason and eid when set, in that order, without the numbering.
    nlohmann::ordered_json event_line() const;
};

// An event the cluster itself makes, not a node: a user's presence
// (`online`, `offline`) and the `close` of each connection of a node
// declared lost. Made by one registry, passed down the federation's tree
// rooted there (`root`), and to subscribers without `root`.
struct ClusterEvent {
    std::string event;
    std::string eid;      // kEventIdLength hex
    nlohmann::json user;  // `id`: the user id (string) or null
    std::string node;     // 32 hex; empty when absent
    std::string conn;     // `_id`; empty when absent
    std::string reason;   // close events: kCloseNodeLost
    std::string root;     // 32 hex; empty when absent

    nlohmann::json to_json() const;
    static ClusterEvent from_json(const nlohmann::json& body);
    // As a subscriber shows it: event, id, node, _id, reason (when set), eid.
    nlohmann::ordered_json event_line() const;
};

// Registry -> node or peer: prove the cluster secret with this nonce.
struct Challenge {
    std::string nonce;  // 64 hex

    nlohmann::json to_json() const;
    static Challenge from_json(const nlohmann::json& body);
};

// Registry -> node: the cluster declared the node's process `boot` lost
// (every connection it held was reported closed, reason node_lost). The
// node closes them all without reporting them again and starts a new boot.
struct NodeLost {
    std::string node;  // 32 hex
    std::uint64_t boot = 0;

    nlohmann::json to_json() const;
    static NodeLost from_json(const nlohmann::json& body);
};

// ---- clients ----

// An API call over the bus. `req` is any value of the client's choice,
// echoed in the ClientResult (null when absent). `params` is the parameter
// map an HTTP caller sends (a map; its content is the API layer's to check).
// A call that does not decode is still answered, with echo_req().
struct ClientCall {
    nlohmann::json req;
    nlohmann::json params;

    nlohmann::json to_json() const;
    static ClientCall from_json(const nlohmann::json& body);
};

struct ClientResult {
    nlohmann::json req;    // always sent, null when the call had none
    std::string envelope;  // the exact JSON text of the HTTP answer

    nlohmann::json to_json() const;
    static ClientResult from_json(const nlohmann::json& body);
};

// Start or renew a subscription. No `events` (or an empty list): every kind.
// `req` is echoed in the ClientResult refusing a wrong token.
struct Subscribe {
    std::vector<std::string> events;  // always sent
    std::string token;                // sent when not empty
    nlohmann::json req;               // sent when not null

    nlohmann::json to_json() const;
    static Subscribe from_json(const nlohmann::json& body);
};

// The `req` of a ClientCall or Subscribe body that could not be decoded, so
// that its refusal still reaches the caller's request (null when absent).
nlohmann::json echo_req(const nlohmann::json& body);

// ---- registry <-> registry ----

struct PeerHello {
    std::string registry;  // 32 hex
    std::string token;     // empty when absent
    std::string nonce;     // 64 hex; empty when absent
    std::string proof;     // 64 hex; empty when absent

    nlohmann::json to_json() const;
    static PeerHello from_json(const nlohmann::json& body);
};

// A registry's link-state advertisement, flooded to every registry.
struct PeerState {
    struct Node {
        std::string node;  // 32 hex
        std::string url;
        std::int64_t conns = 0;
        // The node's directory as the sender has it: the node's boot and the
        // seq applied (0 when absent), so that a registry that fell behind
        // notices it and asks for a snapshot.
        std::uint64_t boot = 0;
        std::uint64_t dseq = 0;
    };
    std::string origin;  // 32 hex
    std::uint64_t seq = 0;
    std::vector<Node> nodes;
    std::vector<std::string> peers;  // 32 hex each
    // Milliseconds the sender has run: a registry that has just started
    // does not decide presence yet (registry/Presence.hpp). 0 when absent.
    std::uint64_t up = 0;

    nlohmann::json to_json() const;
    static PeerState from_json(const nlohmann::json& body);
};

// A Request passed to a peer along the path the origin chose (source
// routing): `hops` are the registries after the receiver, `targets` the
// nodes the last one sends the Request to.
struct ForwardedRequest {
    std::uint64_t req = 0;
    std::string origin;  // 32 hex
    nlohmann::json events = nlohmann::json::array();
    std::vector<std::string> targets;  // node ids
    std::vector<std::string> hops;     // registry ids; empty when absent
    std::int64_t ttl = 0;              // ms; 0 when absent

    nlohmann::json to_json() const;
    static ForwardedRequest from_json(const nlohmann::json& body);
};

// ---- the interest directory (routing hints) ----

// Which user ids and group ids have a connection on a node. A node numbers
// its changes per boot (`seq` 1, 2, …) and sends each to every registry;
// registries flood them to each other. `snap` > 0 makes it a snapshot
// (numbered per boot): `users_add`, `groups_add` and `conns_add` then list
// everything the node holds as of `seq`, and replace what was known.
// `conns_add[i]` is a connection opened or (un)bound, `conns_user[i]` its
// user id ("" when unbound); `conns_del` the connections closed. `ack`, when set, is
// the registry whose API call made the change: every registry that sees it
// answers with a DirectoryAck.
struct Directory {
    std::string node;  // 32 hex
    std::uint64_t boot = 0;
    std::uint64_t seq = 0;
    std::uint64_t snap = 0;
    std::vector<std::string> users_add;
    std::vector<std::string> users_del;
    std::vector<std::string> groups_add;
    std::vector<std::string> groups_del;
    std::vector<std::string> conns_add;
    std::vector<std::string> conns_user;  // as long as conns_add
    std::vector<std::string> conns_del;
    std::string ack;  // 32 hex; empty when absent

    nlohmann::json to_json() const;
    static Directory from_json(const nlohmann::json& body);
};

// A registry lacks `node`'s directory: the node's registries pass it to the
// node, which sends a snapshot. Flooded; `origin` and its rising `seq` keep
// each want to one copy per registry.
struct DirectoryWant {
    std::string node;    // 32 hex
    std::string origin;  // 32 hex
    std::uint64_t seq = 0;

    nlohmann::json to_json() const;
    static DirectoryWant from_json(const nlohmann::json& body);
};

// `registry` has seen `node`'s Directory message `seq` (of boot `boot`).
// Flooded; a registry passes on only acks newer than it has seen.
struct DirectoryAck {
    std::string registry;  // 32 hex
    std::string node;      // 32 hex
    std::uint64_t boot = 0;
    std::uint64_t seq = 0;

    nlohmann::json to_json() const;
    static DirectoryAck from_json(const nlohmann::json& body);
};

// ---- bytes ----

template <class Message>
std::string encode(const Message& message) {
    return to_msgpack(message.to_json());
}
// Packed by hand so that `results` keeps the order of the events.
std::string encode(const Reply& reply);

template <class Message>
Message decode(std::string_view bytes) {
    return Message::from_json(from_msgpack(bytes));
}

// ---- machine-readable schema (bus/PROTOCOL.md's command table) ----

struct KeySchema {
    std::string_view name;
    // uint64, int64, bool, string, hex32 (an id), hex64 (nonce, proof),
    // string|null, map, any, events, results, nodes, hex32[], string[]
    std::string_view type;
    bool required;
};

// One row of the command table: a command in one direction.
struct MessageSchema {
    Command command;
    std::string_view label;      // the command's name, plus "(forwarded)" etc. for variants
    std::string_view direction;  // e.g. "node → registry"
    std::vector<KeySchema> keys;
    // Decodes a body as this row's struct and encodes it again: the
    // canonical body, or DecodeError.
    nlohmann::json (*normalise)(const nlohmann::json& body);
};

const std::vector<MessageSchema>& message_schemas();

}  // namespace wsc::bus
