// Bodies exchanged between registries, and with clients (bus/Messages.hpp).
#include "bus/BodyReader.hpp"
#include "bus/Messages.hpp"

namespace wsc::bus {

namespace {
constexpr const char* kReq = "req";
constexpr const char* kToken = "token";
}  // namespace

// ---- registry <-> registry ----

nlohmann::json PeerHello::to_json() const {
    nlohmann::json body{{"registry", registry}};
    if (!token.empty()) body[kToken] = token;
    if (!nonce.empty()) body["nonce"] = nonce;
    if (!proof.empty()) body["proof"] = proof;
    return body;
}

PeerHello PeerHello::from_json(const nlohmann::json& body) {
    const BodyReader r(body, "PeerHello");
    return PeerHello{r.hex_id("registry"), r.opt_str(kToken), r.opt_hex64("nonce"),
                     r.opt_hex64("proof")};
}

nlohmann::json PeerState::to_json() const {
    auto list = nlohmann::json::array();
    for (const auto& n : nodes) {
        nlohmann::json entry{{"node", n.node}, {"url", n.url}, {"conns", n.conns}};
        if (n.boot != 0) entry["boot"] = n.boot;
        if (n.dseq != 0) entry["dseq"] = n.dseq;
        list.push_back(std::move(entry));
    }
    nlohmann::json body{
        {"origin", origin}, {"seq", seq}, {"nodes", std::move(list)}, {"peers", peers}};
    if (up != 0) body["up"] = up;
    return body;
}

PeerState PeerState::from_json(const nlohmann::json& body) {
    const BodyReader r(body, "PeerState");
    PeerState state{r.hex_id("origin"),
                    r.u64("seq"),
                    {},
                    r.hex_ids("peers", true),
                    r.opt_u64("up").value_or(0)};
    for (const auto& entry : r.array("nodes")) {
        // Each entry is read like a body of its own, so errors name the key.
        const BodyReader n(entry, "PeerState node");
        state.nodes.push_back(Node{n.hex_id("node"), n.opt_str("url"), n.opt_i64("conns"),
                                   n.opt_u64("boot").value_or(0), n.opt_u64("dseq").value_or(0)});
    }
    return state;
}

nlohmann::json ForwardedRequest::to_json() const {
    return {{kReq, req},          {"origin", origin}, {"events", events},
            {"targets", targets}, {"hops", hops},     {"ttl", ttl}};
}

ForwardedRequest ForwardedRequest::from_json(const nlohmann::json& body) {
    const BodyReader r(body, "Request (forwarded)");
    return ForwardedRequest{r.u64(kReq),
                            r.hex_id("origin"),
                            r.events("events"),
                            r.hex_ids("targets", true),
                            r.hex_ids("hops", false),
                            r.opt_i64("ttl")};
}

// ---- clients ----

nlohmann::json echo_req(const nlohmann::json& body) {
    if (!body.is_object()) return nullptr;
    return body.value(kReq, nlohmann::json());
}

nlohmann::json ClientCall::to_json() const {
    return {{kReq, req}, {"params", params}};
}

ClientCall ClientCall::from_json(const nlohmann::json& body) {
    const BodyReader r(body, "ClientCall");
    return ClientCall{r.any(kReq), r.map("params")};
}

nlohmann::json ClientResult::to_json() const {
    return {{kReq, req}, {"envelope", envelope}};
}

ClientResult ClientResult::from_json(const nlohmann::json& body) {
    const BodyReader r(body, "ClientResult");
    if (!r.find(kReq)) r.fail(kReq, "present (null when the call had none)");
    return ClientResult{r.any(kReq), r.str("envelope")};
}

nlohmann::json Subscribe::to_json() const {
    nlohmann::json body{{"events", events}};
    if (!token.empty()) body[kToken] = token;
    if (!req.is_null()) body[kReq] = req;
    return body;
}

Subscribe Subscribe::from_json(const nlohmann::json& body) {
    const BodyReader r(body, "Subscribe");
    return Subscribe{r.opt_strings("events"), r.opt_str(kToken), r.any(kReq)};
}

}  // namespace wsc::bus
