// The registry's table of live wsnodes: registration, routes, expiry.
//
// Time is passed in explicitly, so expiry is tested without sleeping.
#include <gtest/gtest.h>

#include "registry/NodeTable.hpp"

namespace wsc {
namespace {

using std::chrono::milliseconds;
using Clock = NodeTable::Clock;

constexpr milliseconds kExpiry{3000};
const Clock::time_point kT0{};  // an arbitrary origin; only differences matter

const std::string kNodeA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kNodeB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const std::string kNodeC = "cccccccccccccccccccccccccccccccc";

TEST(NodeTable, UpsertNewNodeIsReportedAndStored) {
    NodeTable t(kExpiry);
    EXPECT_EQ(t.upsert(kNodeA, "route-1", "ws://h:1/", 4, kT0), NodeTable::Upsert::Joined);
    ASSERT_EQ(t.size(), 1u);
    const auto* e = t.find(kNodeA);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->node_id, kNodeA);
    EXPECT_EQ(e->route, "route-1");
    EXPECT_EQ(e->url, "ws://h:1/");
    EXPECT_EQ(e->conns, 4);
    EXPECT_EQ(e->expires, kT0 + kExpiry);
    EXPECT_EQ(t.node_of_route("route-1"), kNodeA);
}

TEST(NodeTable, UpsertKnownNodeRefreshesFields) {
    NodeTable t(kExpiry);
    ASSERT_EQ(t.upsert(kNodeA, "route-1", "ws://h:1/", 4, kT0), NodeTable::Upsert::Joined);
    EXPECT_EQ(t.upsert(kNodeA, "route-1", "ws://h:2/", 9, kT0 + milliseconds(1000)),
              NodeTable::Upsert::Refreshed);
    ASSERT_EQ(t.size(), 1u);
    const auto* e = t.find(kNodeA);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->url, "ws://h:2/");
    EXPECT_EQ(e->conns, 9);
    EXPECT_EQ(e->expires, kT0 + milliseconds(1000) + kExpiry);
}

TEST(NodeTable, ALiveNodeIdCannotBeClaimedByAnotherRoute) {
    NodeTable t(kExpiry);
    ASSERT_EQ(t.upsert(kNodeA, "first", "ws://h:1/", 3, kT0), NodeTable::Upsert::Joined);
    const auto before_expiry = kT0 + kExpiry - milliseconds(1);
    EXPECT_EQ(t.upsert(kNodeA, "stranger", "ws://evil/", 0, before_expiry),
              NodeTable::Upsert::Refused);
    // Nothing changed: commands still go to the first link.
    EXPECT_EQ(t.find(kNodeA)->route, "first");
    EXPECT_EQ(t.find(kNodeA)->url, "ws://h:1/");
    EXPECT_EQ(t.node_of_route("stranger"), std::nullopt);
    EXPECT_FALSE(t.touch_route("stranger", before_expiry));
    // Kept alive by its own link, it stays refused to others.
    EXPECT_TRUE(t.touch_route("first", before_expiry));
    EXPECT_EQ(t.upsert(kNodeA, "stranger", "", 0, kT0 + kExpiry), NodeTable::Upsert::Refused);
}

TEST(NodeTable, ReconnectMovesNodeToNewRouteOnceTheOldOneExpired) {
    NodeTable t(kExpiry);
    ASSERT_EQ(t.upsert(kNodeA, "old-route", "ws://h:1/", 0, kT0), NodeTable::Upsert::Joined);
    // Not yet forgotten by expire(), but silent past its expiry: dead.
    EXPECT_EQ(t.upsert(kNodeA, "new-route", "ws://h:1/", 0, kT0 + kExpiry),
              NodeTable::Upsert::Moved);
    EXPECT_EQ(t.node_of_route("new-route"), kNodeA);
    EXPECT_EQ(t.node_of_route("old-route"), std::nullopt);
    EXPECT_EQ(t.find(kNodeA)->route, "new-route");
    // The old link no longer keeps anyone alive.
    EXPECT_FALSE(t.touch_route("old-route", kT0));
    EXPECT_TRUE(t.touch_route("new-route", kT0));
}

TEST(NodeTable, ANodeThatLeftCanBeClaimedAgain) {
    NodeTable t(kExpiry);
    ASSERT_EQ(t.upsert(kNodeA, "old-route", "", 0, kT0), NodeTable::Upsert::Joined);
    ASSERT_TRUE(t.remove(kNodeA));  // NodeBye
    EXPECT_EQ(t.upsert(kNodeA, "new-route", "", 0, kT0), NodeTable::Upsert::Joined);
    EXPECT_EQ(t.find(kNodeA)->route, "new-route");
}

TEST(NodeTable, TouchRouteExtendsLifeOfItsNodeOnly) {
    NodeTable t(kExpiry);
    t.upsert(kNodeA, "ra", "ws://a/", 0, kT0);
    t.upsert(kNodeB, "rb", "ws://b/", 0, kT0);
    const auto later = kT0 + milliseconds(2000);
    EXPECT_TRUE(t.touch_route("ra", later));
    EXPECT_EQ(t.find(kNodeA)->expires, later + kExpiry);
    EXPECT_EQ(t.find(kNodeB)->expires, kT0 + kExpiry);
    EXPECT_FALSE(t.touch_route("unknown", later));
    EXPECT_EQ(t.size(), 2u);
}

TEST(NodeTable, ExpireForgetsOnlySilentNodes) {
    NodeTable t(kExpiry);
    t.upsert(kNodeA, "ra", "ws://a/", 0, kT0);
    t.upsert(kNodeB, "rb", "ws://b/", 0, kT0 + milliseconds(1000));
    t.upsert(kNodeC, "rc", "ws://c/", 0, kT0);
    t.touch_route("rc", kT0 + milliseconds(2000));

    // Just before A's expiry nothing goes.
    EXPECT_TRUE(t.expire(kT0 + kExpiry - milliseconds(1)).empty());
    EXPECT_EQ(t.size(), 3u);

    // At A's expiry A goes; B (refreshed later) and C (touched) stay.
    EXPECT_EQ(t.expire(kT0 + kExpiry), std::vector<std::string>{kNodeA});
    EXPECT_EQ(t.find(kNodeA), nullptr);
    EXPECT_EQ(t.node_of_route("ra"), std::nullopt);
    EXPECT_EQ(t.size(), 2u);

    // Much later both remaining go, in id order.
    EXPECT_EQ(t.expire(kT0 + milliseconds(60000)), (std::vector<std::string>{kNodeB, kNodeC}));
    EXPECT_EQ(t.size(), 0u);
    EXPECT_FALSE(t.touch_route("rb", kT0 + milliseconds(60000)));
}

TEST(NodeTable, RemoveForgetsNodeAndItsRoute) {
    NodeTable t(kExpiry);
    t.upsert(kNodeA, "ra", "ws://a/", 0, kT0);
    t.upsert(kNodeB, "rb", "ws://b/", 0, kT0);
    EXPECT_TRUE(t.remove(kNodeA));
    EXPECT_FALSE(t.remove(kNodeA));
    EXPECT_EQ(t.find(kNodeA), nullptr);
    EXPECT_EQ(t.node_of_route("ra"), std::nullopt);
    EXPECT_EQ(t.node_of_route("rb"), kNodeB);
    EXPECT_EQ(t.size(), 1u);
    EXPECT_FALSE(t.remove("never-seen"));
}

TEST(NodeTable, NodeIdsAreSorted) {
    NodeTable t(kExpiry);
    t.upsert(kNodeC, "rc", "", 0, kT0);
    t.upsert(kNodeA, "ra", "", 0, kT0);
    t.upsert(kNodeB, "rb", "", 0, kT0);
    EXPECT_EQ(t.node_ids(), (std::vector<std::string>{kNodeA, kNodeB, kNodeC}));

    std::vector<std::string> seen;
    t.for_each([&](const NodeTable::Entry& e) { seen.push_back(e.node_id); });
    EXPECT_EQ(seen, t.node_ids());
}

TEST(NodeTable, NextExpiryIsTheEarliest) {
    NodeTable t(kExpiry);
    EXPECT_EQ(t.next_expiry(), std::nullopt);
    t.upsert(kNodeA, "ra", "", 0, kT0 + milliseconds(500));
    t.upsert(kNodeB, "rb", "", 0, kT0 + milliseconds(100));
    t.upsert(kNodeC, "rc", "", 0, kT0 + milliseconds(900));
    EXPECT_EQ(t.next_expiry(), kT0 + milliseconds(100) + kExpiry);
    t.touch_route("rb", kT0 + milliseconds(1000));
    EXPECT_EQ(t.next_expiry(), kT0 + milliseconds(500) + kExpiry);
    t.remove(kNodeA);
    EXPECT_EQ(t.next_expiry(), kT0 + milliseconds(900) + kExpiry);
}

TEST(NodeTable, RemovingANodeKeepsARouteTakenOverByAnother) {
    // A link (route) re-registers under a different node id, e.g. a node
    // process restarted with a fresh id but the same zmq identity. The old
    // entry lingers until it expires; forgetting it must not unmap the
    // route that now belongs to the new node.
    NodeTable t(kExpiry);
    t.upsert(kNodeA, "shared", "", 0, kT0);
    t.upsert(kNodeB, "shared", "", 0, kT0 + milliseconds(1000));
    EXPECT_EQ(t.node_of_route("shared"), kNodeB);
    t.remove(kNodeA);
    EXPECT_EQ(t.node_of_route("shared"), kNodeB);
    EXPECT_TRUE(t.touch_route("shared", kT0 + milliseconds(2000)));
}

}  // namespace
}  // namespace wsc
