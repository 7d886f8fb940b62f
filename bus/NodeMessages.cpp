// Bodies exchanged between nodes and registries (bus/Messages.hpp).
#include <msgpack.hpp>

#include "bus/BodyReader.hpp"
#include "bus/Messages.hpp"

namespace wsc::bus {

namespace {

constexpr const char* kNode = "node";

void pack_string(msgpack::packer<msgpack::sbuffer>& pk, std::string_view s) {
    pk.pack_str(static_cast<std::uint32_t>(s.size()));
    pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
}

// NodeReady and a node's Heartbeat share their body.
NodeHello read_hello(const nlohmann::json& body, const char* command) {
    const BodyReader r(body, command);
    return NodeHello{r.hex_id(kNode),
                     r.opt_str("url"),
                     r.opt_i64("conns"),
                     r.opt_hex64("nonce"),
                     r.opt_hex64("proof"),
                     r.opt_u64("boot").value_or(0),
                     r.opt_u64("dseq").value_or(0)};
}

}  // namespace

nlohmann::json NodeHello::to_json() const {
    nlohmann::json body{{kNode, node}, {"url", url}, {"conns", conns}};
    if (!nonce.empty()) body["nonce"] = nonce;
    if (!proof.empty()) body["proof"] = proof;
    if (boot != 0) body["boot"] = boot;
    if (dseq != 0) body["dseq"] = dseq;
    return body;
}

NodeHello NodeHello::from_json(const nlohmann::json& body) {
    return read_hello(body, "NodeReady");
}

nlohmann::json Heartbeat::to_json() const {
    return hello ? hello->to_json() : nlohmann::json::object();
}

Heartbeat Heartbeat::from_json(const nlohmann::json& body) {
    const BodyReader r(body, "Heartbeat");
    if (!r.find(kNode)) return Heartbeat{};
    return Heartbeat{read_hello(body, "Heartbeat")};
}

nlohmann::json NodeBye::to_json() const {
    return {{kNode, node}};
}

NodeBye NodeBye::from_json(const nlohmann::json& body) {
    return NodeBye{BodyReader(body, "NodeBye").hex_id(kNode)};
}

nlohmann::json Request::to_json() const {
    nlohmann::json body{{"req", req}, {"events", events}};
    if (!origin.empty()) body["origin"] = origin;
    return body;
}

Request Request::from_json(const nlohmann::json& body) {
    const BodyReader r(body, "Request");
    return Request{r.u64("req"), r.opt_str("origin"), r.events("events")};
}

nlohmann::json request_event(std::string_view name, nlohmann::json params) {
    return {{"name", name}, {"params", std::move(params)}};
}

const std::string& event_name(const nlohmann::json& event) {
    return event.at("name").get_ref<const std::string&>();
}

const nlohmann::json& event_params(const nlohmann::json& event) {
    return event.at("params");
}

nlohmann::json Reply::results_map() const& {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [name, result] : results) out[name] = result;
    return out;
}

nlohmann::json Reply::results_map() && {
    nlohmann::json out = nlohmann::json::object();
    for (auto& [name, result] : results) out[name] = std::move(result);
    return out;
}

nlohmann::json Reply::to_json() const {
    nlohmann::json body{{"req", req}, {kNode, node}, {"results", results_map()}};
    if (!origin.empty()) body["origin"] = origin;
    if (dseq != 0) body["dseq"] = dseq;
    return body;
}

Reply Reply::from_json(const nlohmann::json& body) {
    const BodyReader r(body, "Reply");
    Reply reply{
        r.u64("req"), r.opt_hex_id("origin"), r.hex_id(kNode), {}, r.opt_u64("dseq").value_or(0)};
    for (const auto& [name, result] : r.map("results").items())
        reply.results.emplace_back(name, result);
    return reply;
}

std::string encode(const Reply& reply) {
    msgpack::sbuffer body;
    msgpack::packer<msgpack::sbuffer> pk(body);
    pk.pack_map(3 + (reply.origin.empty() ? 0 : 1) + (reply.dseq == 0 ? 0 : 1));
    pack_string(pk, "req");
    pk.pack_uint64(reply.req);
    if (!reply.origin.empty()) {
        pack_string(pk, "origin");
        pack_string(pk, reply.origin);
    }
    pack_string(pk, kNode);
    pack_string(pk, reply.node);
    pack_string(pk, "results");
    pk.pack_map(static_cast<std::uint32_t>(reply.results.size()));
    for (const auto& [name, result] : reply.results) {
        pack_string(pk, name);
        const std::string packed = to_msgpack(result);
        body.write(packed.data(), packed.size());
    }
    if (reply.dseq != 0) {
        pack_string(pk, "dseq");
        pk.pack_uint64(reply.dseq);
    }
    return std::string(body.data(), body.size());
}

nlohmann::json Upstream::to_json() const {
    nlohmann::json body{{"event", event}, {kNode, node},  {"_id", conn},
                        {"id", user},     {"data", data}, {"seq", seq}};
    if (boot) body["boot"] = *boot;
    if (binary) body["binary"] = true;
    if (!root.empty()) body["root"] = root;
    if (!reason.empty()) body["reason"] = reason;
    if (!eid.empty()) body["eid"] = eid;
    return body;
}

Upstream Upstream::from_json(const nlohmann::json& body) {
    const BodyReader r(body, "Upstream");
    Upstream up;
    up.event = r.str("event");
    up.node = r.hex_id(kNode);
    up.conn = r.str("_id");
    up.user = r.string_or_null("id");
    up.data = r.any("data");
    up.binary = r.opt_bool("binary");
    up.seq = r.u64("seq");
    up.boot = r.opt_u64("boot");
    up.root = r.opt_hex_id("root");
    up.reason = r.close_reason("reason");
    up.eid = r.event_id("eid", false);
    return up;
}

nlohmann::ordered_json Upstream::event_line() const {
    nlohmann::ordered_json line{
        {"event", event}, {kNode, node}, {"_id", conn}, {"id", user}, {"data", data}};
    if (binary) line["binary"] = true;
    if (!reason.empty()) line["reason"] = reason;
    if (!eid.empty()) line["eid"] = eid;
    return line;
}

nlohmann::json Challenge::to_json() const {
    return {{"nonce", nonce}};
}

Challenge Challenge::from_json(const nlohmann::json& body) {
    return Challenge{BodyReader(body, "Challenge").hex64("nonce")};
}

nlohmann::json NodeLost::to_json() const {
    return {{kNode, node}, {"boot", boot}};
}

NodeLost NodeLost::from_json(const nlohmann::json& body) {
    const BodyReader r(body, "NodeLost");
    return NodeLost{r.hex_id(kNode), r.u64("boot")};
}

}  // namespace wsc::bus
