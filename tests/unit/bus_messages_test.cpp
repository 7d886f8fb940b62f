// The typed bus bodies: round trips, the exact wire format, defaults of
// optional keys, and refusal of every malformed shape, driven by
// message_schemas() so that the schema and the decoders cannot drift apart.
#include <gtest/gtest.h>

#include <limits>

#include "bus/Messages.hpp"

namespace wsc::bus {
namespace {

using nlohmann::json;

const std::string kId = std::string(32, 'a');
const std::string kId2 = std::string(32, '1');
const std::string kNonce = std::string(64, 'b');

template <class M>
M round_trip(const M& m) {
    return decode<M>(encode(m));
}

// The DecodeError message of `f`, or "" when it did not throw one.
template <class F>
std::string refusal(F f) {
    try {
        f();
    } catch (const DecodeError& e) {
        return e.what();
    }
    return "";
}

TEST(BusMessages, NodeBodiesRoundTrip) {
    const NodeHello hello{kId, "ws://h:1/", 42, kNonce, std::string(64, 'c')};
    const auto back = round_trip(hello);
    EXPECT_EQ(back.node, kId);
    EXPECT_EQ(back.url, "ws://h:1/");
    EXPECT_EQ(back.conns, 42);
    EXPECT_EQ(back.nonce, kNonce);
    EXPECT_EQ(back.proof, std::string(64, 'c'));
    EXPECT_EQ(round_trip(Heartbeat{hello}).hello->to_json(), hello.to_json());
    EXPECT_FALSE(round_trip(Heartbeat{}).hello);
    EXPECT_EQ(round_trip(NodeBye{kId}).node, kId);
    EXPECT_EQ(round_trip(Challenge{kNonce}).nonce, kNonce);

    const json events = json::array({{{"name", "getIds"}, {"params", {{"id", "u"}}}}});
    EXPECT_EQ(events[0], request_event("getIds", {{"id", "u"}}));
    const auto req = round_trip(Request{1ULL << 63, kId2, events});
    EXPECT_EQ(req.req, 1ULL << 63);
    EXPECT_EQ(req.origin, kId2);
    EXPECT_EQ(req.events, events);
    EXPECT_EQ(event_name(req.events[0]), "getIds");
    EXPECT_EQ(event_params(req.events[0]), (json{{"id", "u"}}));

    const Reply reply{9, kId2, kId, {{"z", 1}, {"a", json::array({"x"})}}};
    const auto rb = round_trip(reply);
    EXPECT_EQ(rb.req, 9u);
    EXPECT_EQ(rb.origin, kId2);
    EXPECT_EQ(rb.node, kId);
    EXPECT_EQ(rb.results_map(), (json{{"z", 1}, {"a", json::array({"x"})}}));
    EXPECT_EQ(Reply::from_json(reply.to_json()).results_map(), reply.results_map());

    Upstream up;
    up.event = "message";
    up.node = kId;
    up.conn = kId2;
    up.user = "u1";
    up.data = "aGk=";
    up.binary = true;
    up.seq = 5;
    up.boot = 77;
    up.root = kId2;
    EXPECT_EQ(round_trip(up).to_json(), up.to_json());
    EXPECT_EQ(up.event_line().dump(), R"({"event":"message","node":")" + kId + R"(","_id":")" +
                                          kId2 + R"(","id":"u1","data":"aGk=","binary":true})");
}

TEST(BusMessages, ClientAndPeerBodiesRoundTrip) {
    const json params{{"event", "getIds"}, {"token", "T"}};
    const auto call = round_trip(ClientCall{7, params});
    EXPECT_EQ(call.req, 7);
    EXPECT_EQ(call.params, params);
    EXPECT_EQ(round_trip(ClientResult{"any", "{}"}).req, "any");
    EXPECT_EQ(round_trip(ClientResult{nullptr, "{}"}).envelope, "{}");
    const auto sub = round_trip(Subscribe{{"open", "close"}, "T", 3});
    EXPECT_EQ(sub.events, (std::vector<std::string>{"open", "close"}));
    EXPECT_EQ(sub.token, "T");
    EXPECT_EQ(sub.req, 3);

    const PeerHello hello{kId, "T", kNonce, kNonce};
    EXPECT_EQ(round_trip(hello).to_json(), hello.to_json());
    const PeerState state{kId, 12, {{kId2, "ws://n/", 3}}, {kId2}};
    const auto sb = round_trip(state);
    EXPECT_EQ(sb.to_json(), state.to_json());
    ASSERT_EQ(sb.nodes.size(), 1u);
    EXPECT_EQ(sb.nodes[0].conns, 3);
    const ForwardedRequest fwd{4, kId, json::array(), {kId2}, {kId}, 250};
    EXPECT_EQ(round_trip(fwd).to_json(), fwd.to_json());
}

TEST(BusMessages, BodiesKeepTheirWireFormat) {
    // The exact bytes the hand-built bodies had.
    EXPECT_EQ(encode(NodeHello{kId, "ws://h/", 2, {}, {}}),
              to_msgpack(json{{"node", kId}, {"url", "ws://h/"}, {"conns", 2}}));
    EXPECT_EQ(encode(Heartbeat{}), to_msgpack(json::object()));
    EXPECT_EQ(encode(Request{3, kId, json::array()}),
              to_msgpack(json{{"req", 3}, {"origin", kId}, {"events", json::array()}}));
    EXPECT_EQ(encode(ClientCall{3, json::object()}),
              to_msgpack(json{{"req", 3}, {"params", json::object()}}));
    EXPECT_EQ(encode(Subscribe{{}, "", nullptr}), to_msgpack(json{{"events", json::array()}}));
    EXPECT_EQ(encode(PeerHello{kId, "", "", ""}), to_msgpack(json{{"registry", kId}}));
    Upstream up;
    up.event = "close";
    up.node = kId;
    up.conn = kId2;
    up.seq = 1;
    up.boot = 2;
    EXPECT_EQ(encode(up), to_msgpack(json{{"event", "close"},
                                          {"node", kId},
                                          {"_id", kId2},
                                          {"id", nullptr},
                                          {"data", nullptr},
                                          {"seq", 1},
                                          {"boot", 2}}));
    // A Reply keeps its results in event order (a json map would sort them).
    const std::string bytes = encode(Reply{1, "", kId, {{"zulu", 1}, {"alpha", 2}}});
    EXPECT_LT(bytes.find("zulu"), bytes.find("alpha"));
    EXPECT_EQ(bytes.find("origin"), std::string::npos);
    EXPECT_EQ(from_msgpack(bytes),
              (json{{"req", 1}, {"node", kId}, {"results", {{"zulu", 1}, {"alpha", 2}}}}));
}

TEST(BusMessages, MissingOptionalKeysTakeTheirDefaults) {
    const auto hello = NodeHello::from_json({{"node", kId}});
    EXPECT_EQ(hello.url, "");
    EXPECT_EQ(hello.conns, 0);
    EXPECT_TRUE(hello.nonce.empty());
    EXPECT_FALSE(Heartbeat::from_json(json::object()).hello);
    EXPECT_FALSE(Heartbeat::from_json({{"url", "x"}}).hello);  // no node: a keep-alive
    const auto req = Request::from_json({{"req", 1}, {"events", {{{"name", "getIds"}}}}});
    EXPECT_EQ(req.origin, "");
    EXPECT_EQ(req.events[0].at("params"), json::object());  // filled in
    const auto up =
        Upstream::from_json({{"event", "open"}, {"node", kId}, {"_id", kId2}, {"seq", 1}});
    EXPECT_TRUE(up.user.is_null());
    EXPECT_TRUE(up.data.is_null());
    EXPECT_FALSE(up.binary);
    EXPECT_FALSE(up.boot);
    EXPECT_EQ(up.root, "");
    const auto sub = Subscribe::from_json(json::object());
    EXPECT_TRUE(sub.events.empty());
    EXPECT_TRUE(sub.req.is_null());
    EXPECT_TRUE(ClientCall::from_json({{"params", json::object()}}).req.is_null());
    const auto fwd = ForwardedRequest::from_json(
        {{"req", 1}, {"origin", kId}, {"events", json::array()}, {"targets", json::array()}});
    EXPECT_TRUE(fwd.hops.empty());
    EXPECT_EQ(fwd.ttl, 0);
    const auto state = PeerState::from_json(
        {{"origin", kId}, {"seq", 1}, {"nodes", {{{"node", kId2}}}}, {"peers", json::array()}});
    EXPECT_EQ(state.nodes.at(0).url, "");
    EXPECT_EQ(state.nodes.at(0).conns, 0);
    EXPECT_EQ(echo_req({{"req", "r"}, {"params", 5}}), "r");
    EXPECT_TRUE(echo_req(json::array()).is_null());
}

TEST(BusMessages, RefusalsNameTheCommandAndTheKey) {
    EXPECT_EQ(refusal([] {
                  Request::from_json({{"events", json::array()}});
              }),
              "Request: missing 'req'");
    EXPECT_EQ(refusal([] {
                  Challenge::from_json({{"nonce", "abc"}});
              }),
              "Challenge: 'nonce' must be 64 lowercase hex characters");
    EXPECT_EQ(refusal([] { decode<NodeBye>(to_msgpack(json::array())); }),
              "NodeBye: body is not a map");
    EXPECT_NE(refusal([] { decode<NodeBye>("\xc1"); }), "");  // not msgpack at all
    EXPECT_EQ(refusal([] {
                  Heartbeat::from_json({{"node", 5}});
              }),
              "Heartbeat: 'node' must be a string");
}

TEST(BusMessages, DirectoryBodiesRoundTrip) {
    Directory d;
    d.node = kId;
    d.boot = 9;
    d.seq = 4;
    d.users_add = {"u1", "u2"};
    d.groups_del = {"g"};
    d.ack = kId2;
    const auto back = round_trip(d);
    EXPECT_EQ(back.to_json(), d.to_json());
    EXPECT_EQ(back.snap, 0u);
    EXPECT_TRUE(back.users_del.empty());
    // Empty lists and no ack stay off the wire.
    Directory empty{kId, 1, 2, 3, {}, {}, {}, {}, {}, {}, {}, {}};
    EXPECT_EQ(empty.to_json(), (json{{"node", kId}, {"boot", 1}, {"seq", 2}, {"snap", 3}}));
    const DirectoryWant want{kId, kId2, 5};
    EXPECT_EQ(round_trip(want).to_json(), want.to_json());
    const DirectoryAck ack{kId2, kId, 9, 4};
    EXPECT_EQ(round_trip(ack).to_json(), ack.to_json());
    // A Reply's dseq survives the hand-packed encoder; 0 stays off the wire.
    Reply reply{1, kId2, kId, {{"bindId", 1}}, 4};
    EXPECT_EQ(round_trip(reply).dseq, 4u);
    reply.dseq = 0;
    EXPECT_FALSE(from_msgpack(encode(reply)).contains("dseq"));
    const NodeHello hello{kId, "", 0, "", "", 9, 4};
    EXPECT_EQ(round_trip(hello).boot, 9u);
    EXPECT_EQ(round_trip(hello).dseq, 4u);
}

TEST(BusMessages, ReservedByteTwelveIsNoCommand) {
    EXPECT_FALSE(command_from_byte(kReservedCommand));
    EXPECT_EQ(command_from_byte(11), Command::Upstream);
    EXPECT_EQ(command_from_byte(13), Command::Challenge);
    for (const auto& s : message_schemas())
        EXPECT_NE(static_cast<std::uint8_t>(s.command), kReservedCommand);
}

// ---- schema-driven: every row of message_schemas() against its decoder ----

json sample(std::string_view type) {
    if (type == "uint64") return 7u;
    if (type == "int64") return 5;
    if (type == "bool") return true;
    if (type == "string") return "s";
    if (type == "hex32") return kId;
    if (type == "hex64") return kNonce;
    if (type == "hex24") return std::string(24, 'c');
    if (type == "string|null") return "u";
    if (type == "map") return {{"k", 1}};
    if (type == "any") return json::array({1, 2});
    if (type == "events") return json::array({{{"name", "getIds"}, {"params", json::object()}}});
    if (type == "results") return {{"getIds", json::array({"x"})}};
    if (type == "nodes") return json::array({{{"node", kId2}, {"url", "ws://n/"}, {"conns", 1}}});
    if (type == "hex32[]") return json::array({kId2});
    if (type == "string[]") return json::array({"message"});
    ADD_FAILURE() << "no sample for type " << type;
    return nullptr;
}

// Values of the wrong type or size for `type`.
std::vector<json> wrong(std::string_view type) {
    const std::string upper(32, 'A');
    if (type == "uint64") return {"1", -1, 1.5, nullptr};
    if (type == "int64") return {"1", 1.5, std::numeric_limits<std::uint64_t>::max()};
    if (type == "bool") return {"yes", 1};
    if (type == "string") return {5, nullptr, json::array()};
    if (type == "hex32") return {5, std::string(31, 'a'), std::string(33, 'a'), upper, "xyz"};
    if (type == "hex64") return {5, std::string(63, 'b'), std::string(65, 'b'), kId};
    if (type == "hex24") return {5, std::string(23, 'c'), std::string(25, 'c'), kId, "xyz"};
    if (type == "string|null") return {5, json::object()};
    if (type == "map") return {json::array({1}), "m", nullptr};
    if (type == "any") return {};
    if (type == "events")
        return {"x", json::array({5}), json::array({{{"params", json::object()}}}),
                json::array({{{"name", 5}}}), json::array({{{"name", "a"}, {"params", 5}}})};
    if (type == "results") return {json::array({1}), 5};
    if (type == "nodes")
        return {5,
                json::array({5}),
                json::array({{{"url", "ws://n/"}}}),
                json::array({{{"node", "n1"}}}),
                json::array({{{"node", kId2}, {"url", 5}}}),
                json::array({{{"node", kId2}, {"conns", "5"}}}),
                json::array({{{"node", kId2}, {"dseq", "5"}}}),
                json::array({{{"node", kId2}, {"boot", -1}}})};
    if (type == "hex32[]")
        return {5, json::array({"nope"}), json::array({5}), json::array({upper})};
    if (type == "string[]") return {5, json::array({5})};
    ADD_FAILURE() << "no wrong values for type " << type;
    return {};
}

std::string row(const MessageSchema& s) {
    return std::string(s.label) + " (" + std::string(s.direction) + ")";
}

json full_body(const MessageSchema& s) {
    json body = json::object();
    for (const auto& k : s.keys) body[std::string(k.name)] = sample(k.type);
    return body;
}

TEST(BusMessages, EveryRowEncodesExactlyItsKeys) {
    for (const auto& s : message_schemas()) {
        const json body = full_body(s);
        EXPECT_EQ(s.normalise(body), body) << row(s);
        EXPECT_TRUE(std::string(s.label).starts_with(to_string(s.command))) << row(s);
    }
}

TEST(BusMessages, EveryRowRefusesAMissingRequiredKeyAndAcceptsAMissingOptionalOne) {
    for (const auto& s : message_schemas()) {
        for (const auto& k : s.keys) {
            json body = full_body(s);
            body.erase(std::string(k.name));
            const std::string why = refusal([&] { s.normalise(body); });
            if (k.required) {
                EXPECT_NE(why.find("'" + std::string(k.name) + "'"), std::string::npos)
                    << row(s) << " without " << k.name << ": " << why;
                EXPECT_TRUE(why.starts_with(to_string(s.command))) << why;
            } else {
                EXPECT_EQ(why, "") << row(s) << " without optional " << k.name;
            }
        }
    }
}

TEST(BusMessages, EveryRowRefusesWrongTypesAndSizes) {
    for (const auto& s : message_schemas()) {
        for (const json& body : {json::array(), json(5), json("x"), json()})
            EXPECT_NE(refusal([&] { s.normalise(body); }), "") << row(s) << ": " << body;
        for (const auto& k : s.keys) {
            for (const auto& value : wrong(k.type)) {
                json body = full_body(s);
                body[std::string(k.name)] = value;
                EXPECT_NE(refusal([&] { s.normalise(body); }), "")
                    << row(s) << ": " << k.name << " = " << value;
            }
        }
    }
}

TEST(BusMessages, UnknownKeysAreIgnored) {
    for (const auto& s : message_schemas()) {
        json body = full_body(s);
        body["from_a_newer_peer"] = 1;
        EXPECT_EQ(s.normalise(body), full_body(s)) << row(s);
    }
}

}  // namespace
}  // namespace wsc::bus
