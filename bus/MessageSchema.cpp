// The command table of bus/PROTOCOL.md as data; bus_protocoldoc_test
// compares the two, bus_messages_test checks it against the decoders.
#include "bus/Messages.hpp"

namespace wsc::bus {

namespace {

template <class Message>
nlohmann::json normalise(const nlohmann::json& body) {
    return Message::from_json(body).to_json();
}

// A node's Heartbeat must carry its hello (a body without `node` is only a
// keep-alive, the registry's row).
nlohmann::json node_heartbeat(const nlohmann::json& body) {
    Heartbeat hb = Heartbeat::from_json(body);
    if (!hb.hello) throw DecodeError("Heartbeat: missing 'node'");
    return hb.to_json();
}

const std::vector<KeySchema> kHelloKeys = {{"node", "hex32", true},   {"url", "string", false},
                                           {"conns", "int64", false}, {"nonce", "hex64", false},
                                           {"proof", "hex64", false}, {"boot", "uint64", false},
                                           {"dseq", "uint64", false}};

const std::vector<KeySchema> kReplyKeys = {{"req", "uint64", true},
                                           {"origin", "hex32", false},
                                           {"node", "hex32", true},
                                           {"results", "results", true},
                                           {"dseq", "uint64", false}};

std::vector<KeySchema> upstream_keys(bool root) {
    std::vector<KeySchema> keys = {{"event", "string", true}, {"node", "hex32", true},
                                   {"_id", "string", true},   {"id", "string|null", false},
                                   {"data", "any", false},    {"binary", "bool", false},
                                   {"seq", "uint64", true},   {"boot", "uint64", false}};
    if (root) keys.push_back({"root", "hex32", false});
    keys.push_back({"reason", "string", false});
    keys.push_back({"eid", "hex24", false});
    return keys;
}

std::vector<KeySchema> cluster_event_keys(bool root) {
    std::vector<KeySchema> keys = {{"event", "string", true},    {"eid", "hex24", true},
                                   {"id", "string|null", false}, {"node", "hex32", false},
                                   {"_id", "string", false},     {"reason", "string", false}};
    if (root) keys.push_back({"root", "hex32", false});
    return keys;
}

std::vector<KeySchema> directory_keys() {
    return {{"node", "hex32", true},           {"boot", "uint64", true},
            {"seq", "uint64", true},           {"snap", "uint64", false},
            {"users_add", "string[]", false},  {"users_del", "string[]", false},
            {"groups_add", "string[]", false}, {"groups_del", "string[]", false},
            {"conns_add", "string[]", false},  {"conns_user", "string[]", false},
            {"conns_del", "string[]", false},  {"ack", "hex32", false}};
}

std::vector<MessageSchema> make_schemas() {
    using C = Command;
    return {
        {C::NodeReady, "NodeReady", "node → registry", kHelloKeys, normalise<NodeHello>},
        {C::Heartbeat, "Heartbeat", "node → registry", kHelloKeys, node_heartbeat},
        {C::Heartbeat, "Heartbeat", "registry → node", {}, normalise<Heartbeat>},
        {C::NodeBye, "NodeBye", "node → registry", {{"node", "hex32", true}}, normalise<NodeBye>},
        {C::Request,
         "Request",
         "registry → node",
         {{"req", "uint64", true}, {"origin", "string", false}, {"events", "events", true}},
         normalise<Request>},
        {C::Reply, "Reply", "node → registry", kReplyKeys, normalise<Reply>},
        {C::ClientCall,
         "ClientCall",
         "client → registry",
         {{"req", "any", false}, {"params", "map", true}},
         normalise<ClientCall>},
        {C::ClientResult,
         "ClientResult",
         "registry → client",
         {{"req", "any", true}, {"envelope", "string", true}},
         normalise<ClientResult>},
        {C::PeerHello,
         "PeerHello",
         "registry ↔ registry",
         {{"registry", "hex32", true},
          {"token", "string", false},
          {"nonce", "hex64", false},
          {"proof", "hex64", false}},
         normalise<PeerHello>},
        {C::PeerState,
         "PeerState",
         "registry → registry (flooded)",
         {{"origin", "hex32", true},
          {"seq", "uint64", true},
          {"nodes", "nodes", true},
          {"peers", "hex32[]", true},
          {"up", "uint64", false}},
         normalise<PeerState>},
        {C::Request,
         "Request (forwarded)",
         "registry → registry",
         {{"req", "uint64", true},
          {"origin", "hex32", true},
          {"events", "events", true},
          {"targets", "hex32[]", true},
          {"hops", "hex32[]", false},
          {"ttl", "int64", false}},
         normalise<ForwardedRequest>},
        {C::Reply, "Reply (relayed)", "registry → registry", kReplyKeys, normalise<Reply>},
        {C::Subscribe,
         "Subscribe",
         "client → registry",
         {{"events", "string[]", false}, {"token", "string", false}, {"req", "any", false}},
         normalise<Subscribe>},
        {C::Upstream, "Upstream", "node → registry", upstream_keys(false), normalise<Upstream>},
        {C::Upstream, "Upstream", "registry → registry", upstream_keys(true), normalise<Upstream>},
        {C::Upstream, "Upstream", "registry → subscriber", upstream_keys(false),
         normalise<Upstream>},
        {C::Challenge,
         "Challenge",
         "registry → node, registry → peer",
         {{"nonce", "hex64", true}},
         normalise<Challenge>},
        {C::Directory, "Directory", "node → registry", directory_keys(), normalise<Directory>},
        {C::Directory, "Directory", "registry → registry (flooded)", directory_keys(),
         normalise<Directory>},
        {C::DirectoryWant,
         "DirectoryWant",
         "registry → registry (flooded)",
         {{"node", "hex32", true}, {"origin", "hex32", true}, {"seq", "uint64", true}},
         normalise<DirectoryWant>},
        {C::DirectoryWant,
         "DirectoryWant",
         "registry → node",
         {{"node", "hex32", true}, {"origin", "hex32", true}, {"seq", "uint64", true}},
         normalise<DirectoryWant>},
        {C::DirectoryAck,
         "DirectoryAck",
         "registry → registry (flooded)",
         {{"registry", "hex32", true},
          {"node", "hex32", true},
          {"boot", "uint64", true},
          {"seq", "uint64", true}},
         normalise<DirectoryAck>},
        {C::NodeLost,
         "NodeLost",
         "registry → node",
         {{"node", "hex32", true}, {"boot", "uint64", true}},
         normalise<NodeLost>},
        {C::Event, "Event", "registry → registry (tree)", cluster_event_keys(true),
         normalise<ClusterEvent>},
        {C::Event, "Event", "registry → subscriber", cluster_event_keys(false),
         normalise<ClusterEvent>},
    };
}

}  // namespace

const std::vector<MessageSchema>& message_schemas() {
    static const std::vector<MessageSchema> schemas = make_schemas();
    return schemas;
}

}  // namespace wsc::bus
