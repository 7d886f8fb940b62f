// The federation's link-state view: applying states, expiry, shortest-path
// routes to nodes, and the PeerState body.
#include <gtest/gtest.h>

#include "registry/Topology.hpp"

namespace wsc {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using Clock = Topology::Clock;
using NodeMap = std::map<std::string, Topology::NodeInfo>;
using Peers = std::set<std::string>;

constexpr milliseconds kExpiry{3000};
const Clock::time_point kT0{};

std::string hex(char c) {
    return std::string(32, c);
}

// Registry ids: B and C sort below self, D above, so "smallest id" and
// "local" are not the same thing.
const std::string kSelf = hex('5');
const std::string kB = hex('1');
const std::string kC = hex('2');
const std::string kD = hex('9');

// Node ids.
const std::string kN0 = hex('a');
const std::string kN1 = hex('b');
const std::string kN2 = hex('c');
const std::string kN3 = hex('d');

// A PeerState body as a peer sends it, and its way in through the decoder.
json state_body(const std::string& origin, std::uint64_t seq, const NodeMap& nodes,
                const Peers& peers) {
    return Topology::encode_state(origin, seq, nodes, peers, 0).to_json();
}
bool apply_message(Topology& t, const json& body, Clock::time_point now) {
    return t.apply_state(bus::PeerState::from_json(body), now);
}

Topology::State state(std::uint64_t seq, NodeMap nodes, Peers peers) {
    Topology::State s;
    s.seq = seq;
    s.nodes = std::move(nodes);
    s.peers = std::move(peers);
    return s;
}

NodeMap one_node(const std::string& id, const std::string& url = "ws://x/", int conns = 0) {
    return NodeMap{{id, Topology::NodeInfo{url, conns}}};
}

void expect_route(const std::map<std::string, Topology::Route>& routes, const std::string& node,
                  const std::string& registry, const std::string& next_hop, int distance) {
    auto it = routes.find(node);
    ASSERT_NE(it, routes.end()) << "no route to " << node;
    EXPECT_EQ(it->second.registry, registry) << node;
    EXPECT_EQ(it->second.next_hop, next_hop) << node;
    EXPECT_EQ(it->second.distance, distance) << node;
}

TEST(Topology, ApplyTakesOnlyNewerStates) {
    Topology t(kSelf, kExpiry);
    EXPECT_EQ(t.self(), kSelf);
    EXPECT_TRUE(t.apply(kB, state(2, one_node(kN1), {}), kT0));
    EXPECT_FALSE(t.apply(kB, state(2, one_node(kN2), {}), kT0));  // same seq
    EXPECT_FALSE(t.apply(kB, state(1, one_node(kN2), {}), kT0));  // older
    EXPECT_EQ(t.known_registries(), 1u);
    t.apply(kB, state(1, {}, {kSelf}), kT0);
    // The stale states did not replace the nodes of seq 2.
    auto routes = t.routes({}, {kB});
    EXPECT_EQ(routes.count(kN1), 1u);
    EXPECT_EQ(routes.count(kN2), 0u);

    EXPECT_TRUE(t.apply(kB, state(3, one_node(kN2), {}), kT0));
    routes = t.routes({}, {kB});
    EXPECT_EQ(routes.count(kN1), 0u);
    EXPECT_EQ(routes.count(kN2), 1u);
}

TEST(Topology, OwnStateFloodedBackIsIgnored) {
    Topology t(kSelf, kExpiry);
    EXPECT_FALSE(t.apply(kSelf, state(100, one_node(kN1), {kB}), kT0));
    EXPECT_EQ(t.known_registries(), 0u);
    EXPECT_TRUE(t.routes({}, {}).empty());
}

TEST(Topology, ExpireForgetsStatesNotRefreshed) {
    Topology t(kSelf, kExpiry);
    t.apply(kB, state(1, {}, {}), kT0);
    t.apply(kC, state(1, {}, {}), kT0 + milliseconds(1000));
    t.apply(kB, state(2, {}, {}), kT0 + milliseconds(500));  // refresh moves B's expiry
    EXPECT_TRUE(t.expire(kT0 + kExpiry).empty());
    EXPECT_EQ(t.expire(kT0 + milliseconds(500) + kExpiry), std::vector<std::string>{kB});
    EXPECT_EQ(t.known_registries(), 1u);
    EXPECT_EQ(t.expire(kT0 + milliseconds(1000) + kExpiry), std::vector<std::string>{kC});
    EXPECT_EQ(t.known_registries(), 0u);
    // A forgotten origin starts afresh: any seq is new again.
    EXPECT_TRUE(t.apply(kB, state(1, {}, {}), kT0 + milliseconds(10000)));
}

TEST(Topology, LocalNodesAreServedHere) {
    Topology t(kSelf, kExpiry);
    auto routes = t.routes(one_node(kN0), {});
    ASSERT_EQ(routes.size(), 1u);
    expect_route(routes, kN0, kSelf, "", 0);
}

TEST(Topology, ChainRoutesThroughTheNextHop) {
    // self - B - C
    Topology t(kSelf, kExpiry);
    t.apply(kB, state(1, one_node(kN1, "ws://b/", 3), {kSelf, kC}), kT0);
    t.apply(kC, state(1, one_node(kN2, "ws://c/", 4), {kB}), kT0);
    const auto routes = t.routes(one_node(kN0, "ws://self/", 1), {kB});
    ASSERT_EQ(routes.size(), 3u);
    expect_route(routes, kN0, kSelf, "", 0);
    expect_route(routes, kN1, kB, kB, 1);
    expect_route(routes, kN2, kC, kB, 2);

    const auto infos = t.node_infos(one_node(kN0, "ws://self/", 1), {kB});
    ASSERT_EQ(infos.size(), 3u);
    EXPECT_EQ(infos.at(kN0).url, "ws://self/");
    EXPECT_EQ(infos.at(kN1).url, "ws://b/");
    EXPECT_EQ(infos.at(kN1).conns, 3);
    EXPECT_EQ(infos.at(kN2).url, "ws://c/");
    EXPECT_EQ(infos.at(kN2).conns, 4);
}

TEST(Topology, AnEdgeCountsWhenOneEndAdvertisesIt) {
    // B has not yet learnt its link to C; C's state already lists B.
    Topology t(kSelf, kExpiry);
    t.apply(kB, state(1, {}, {kSelf}), kT0);
    t.apply(kC, state(1, one_node(kN2), {kB}), kT0);
    expect_route(t.routes({}, {kB}), kN2, kC, kB, 2);
}

TEST(Topology, FullMeshRoutesEveryNodeDirectly) {
    Topology t(kSelf, kExpiry);
    t.apply(kB, state(1, one_node(kN1), {kSelf, kC, kD}), kT0);
    t.apply(kC, state(1, one_node(kN2), {kSelf, kB, kD}), kT0);
    t.apply(kD, state(1, one_node(kN3), {kSelf, kB, kC}), kT0);
    const auto routes = t.routes(one_node(kN0), {kB, kC, kD});
    ASSERT_EQ(routes.size(), 4u);
    expect_route(routes, kN0, kSelf, "", 0);
    expect_route(routes, kN1, kB, kB, 1);
    expect_route(routes, kN2, kC, kC, 1);
    expect_route(routes, kN3, kD, kD, 1);
}

TEST(Topology, NodeOnTwoRegistriesIsServedByTheNearest) {
    // self - B - C, node N1 on both B and C: B is one hop nearer.
    Topology t(kSelf, kExpiry);
    t.apply(kB, state(1, one_node(kN1, "ws://via-b/"), {kSelf, kC}), kT0);
    t.apply(kC, state(1, one_node(kN1, "ws://via-c/"), {kB}), kT0);
    expect_route(t.routes({}, {kB}), kN1, kB, kB, 1);
    EXPECT_EQ(t.node_infos({}, {kB}).at(kN1).url, "ws://via-b/");

    // self - D - C with C nearer than B (self - D - B - ...): C wins even
    // though its id is larger than B's.
    Topology u(kSelf, kExpiry);
    u.apply(kD, state(1, {}, {kSelf, kC}), kT0);
    u.apply(kC, state(1, one_node(kN1), {kD, kB}), kT0);
    u.apply(kB, state(1, one_node(kN1), {kC}), kT0);
    expect_route(u.routes({}, {kD}), kN1, kC, kD, 2);
}

TEST(Topology, EqualDistanceTieGoesToTheSmallestRegistryId) {
    Topology t(kSelf, kExpiry);
    t.apply(kD, state(1, one_node(kN1), {kSelf}), kT0);
    t.apply(kC, state(1, one_node(kN1), {kSelf}), kT0);
    t.apply(kB, state(1, {}, {kSelf}), kT0);
    expect_route(t.routes({}, {kB, kC, kD}), kN1, kC, kC, 1);
    // With B holding it too, B (the smallest id) takes over.
    t.apply(kB, state(2, one_node(kN1), {kSelf}), kT0);
    expect_route(t.routes({}, {kB, kC, kD}), kN1, kB, kB, 1);
}

TEST(Topology, LocalNodeAlwaysWins) {
    // B's id is smaller than ours and B is one hop away: still served here.
    Topology t(kSelf, kExpiry);
    t.apply(kB, state(1, one_node(kN0), {kSelf}), kT0);
    const auto routes = t.routes(one_node(kN0), {kB});
    expect_route(routes, kN0, kSelf, "", 0);

    const auto regs = t.node_registries(one_node(kN0), {kB});
    ASSERT_EQ(regs.count(kN0), 1u);
    EXPECT_EQ(regs.at(kN0), (std::set<std::string>{kSelf, kB}));
}

TEST(Topology, UnreachableRegistryIsKnownButNotRouted) {
    Topology t(kSelf, kExpiry);
    t.apply(kB, state(1, one_node(kN1), {kSelf}), kT0);
    t.apply(kD, state(1, one_node(kN3), {}), kT0);  // nobody links to D
    EXPECT_EQ(t.known_registries(), 2u);
    const auto routes = t.routes({}, {kB});
    EXPECT_EQ(routes.count(kN1), 1u);
    EXPECT_EQ(routes.count(kN3), 0u);
    EXPECT_EQ(t.node_infos({}, {kB}).count(kN3), 0u);
    EXPECT_EQ(t.node_registries({}, {kB}).count(kN3), 0u);
}

TEST(Topology, OwnEdgesCountOnlyWhenLiveHere) {
    // B and D both claim a link to us; only B's link is live here.
    Topology t(kSelf, kExpiry);
    t.apply(kB, state(1, one_node(kN1), {kSelf}), kT0);
    t.apply(kD, state(1, one_node(kN3), {kSelf}), kT0);
    auto routes = t.routes({}, {kB});
    EXPECT_EQ(routes.count(kN1), 1u);
    EXPECT_EQ(routes.count(kN3), 0u) << "D's claimed link to us is not live";

    // With no live link at all, nothing remote is reachable.
    EXPECT_TRUE(t.routes({}, {}).empty());

    // Once the link to D is up, D is one hop away.
    routes = t.routes({}, {kB, kD});
    expect_route(routes, kN3, kD, kD, 1);
}

TEST(Topology, LivePeerWithoutStateStillRelays) {
    // B is linked but has not sent its state yet; C's state lists B.
    Topology t(kSelf, kExpiry);
    t.apply(kC, state(1, one_node(kN2), {kB}), kT0);
    expect_route(t.routes({}, {kB}), kN2, kC, kB, 2);
}

TEST(Topology, EncodeStateRoundTripsThroughApplyMessage) {
    const NodeMap nodes{{kN1, {"ws://b:9000/", 12}}, {kN2, {"ws://b:9001/", 0}}};
    const json body = state_body(kB, 42, nodes, {kSelf, kC});
    EXPECT_EQ(body.at("origin"), kB);
    EXPECT_EQ(body.at("seq"), 42);
    EXPECT_EQ(body.at("peers"), (json{kC, kSelf}));  // sorted set
    ASSERT_EQ(body.at("nodes").size(), 2u);
    EXPECT_EQ(body.at("nodes")[0], (json{{"node", kN1}, {"url", "ws://b:9000/"}, {"conns", 12}}));

    Topology t(kSelf, kExpiry);
    // Through text too, as a peer would see it after decoding.
    EXPECT_TRUE(apply_message(t, json::parse(body.dump()), kT0));
    EXPECT_FALSE(apply_message(t, body, kT0));  // same seq again
    const auto infos = t.node_infos({}, {kB});
    ASSERT_EQ(infos.size(), 2u);
    EXPECT_EQ(infos.at(kN1).url, "ws://b:9000/");
    EXPECT_EQ(infos.at(kN1).conns, 12);
    EXPECT_EQ(infos.at(kN2).url, "ws://b:9001/");
    expect_route(t.routes({}, {kB}), kN2, kB, kB, 1);
    EXPECT_TRUE(apply_message(t, state_body(kB, 43, {}, {}), kT0));
    EXPECT_TRUE(t.routes({}, {kB}).empty());
}

TEST(Topology, ApplyMessageRejectsMalformedBodies) {
    const json good = state_body(kB, 1, one_node(kN1), {kSelf});
    auto with = [&](const std::string& key, json value) {
        json b = good;
        b[key] = std::move(value);
        return b;
    };
    auto without = [&](const std::string& key) {
        json b = good;
        b.erase(key);
        return b;
    };
    const std::vector<std::pair<std::string, json>> bad = {
        {"not an object", json::array({1, 2})},
        {"null", json()},
        {"missing origin", without("origin")},
        {"missing seq", without("seq")},
        {"missing nodes", without("nodes")},
        {"missing peers", without("peers")},
        {"origin not hex", with("origin", "registry-b")},
        {"origin upper case", with("origin", std::string(32, 'A'))},
        {"origin too short", with("origin", std::string(31, '1'))},
        {"origin a number", with("origin", 12)},
        {"seq a string", with("seq", "1")},
        {"node id bad", with("nodes", json::array({{{"node", "n1"}, {"url", "ws://x/"}}}))},
        {"node without id", with("nodes", json::array({{{"url", "ws://x/"}}}))},
        {"node url a number", with("nodes", json::array({{{"node", kN1}, {"url", 5}}}))},
        {"node conns a string", with("nodes", json::array({{{"node", kN1}, {"conns", "5"}}}))},
        {"peer id bad", with("peers", json::array({"peer"}))},
        {"peer id a number", with("peers", json::array({1}))},
    };
    for (const auto& [what, body] : bad) {
        Topology t(kSelf, kExpiry);
        EXPECT_THROW(apply_message(t, body, kT0), std::exception) << what;
        EXPECT_EQ(t.known_registries(), 0u) << what << ": nothing may be applied";
    }
    Topology t(kSelf, kExpiry);
    EXPECT_TRUE(apply_message(t, good, kT0));
}

}  // namespace
}  // namespace wsc
