// Gathering replies on the bus: completion, strays, deadlines, lost nodes.
#include <gtest/gtest.h>

#include "registry/Gatherer.hpp"

namespace wsc {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using Clock = Gatherer::Clock;

const Clock::time_point kT0{};
const Clock::time_point kDeadline = kT0 + milliseconds(3000);

const std::string kNodeA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kNodeB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const std::string kNodeC = "cccccccccccccccccccccccccccccccc";

TEST(Gatherer, CompletesOnTheLastReply) {
    Gatherer g;
    EXPECT_EQ(g.start(7, {kNodeA, kNodeB, kNodeC}, kDeadline), std::nullopt);
    EXPECT_EQ(g.pending(), 1u);
    EXPECT_EQ(g.on_reply(7, kNodeB, json{{"getIds", {"u1"}}}), std::nullopt);
    EXPECT_EQ(g.on_reply(7, kNodeA, json{{"getIds", json::array()}}), std::nullopt);
    auto out = g.on_reply(7, kNodeC, json{{"getIds", {"u2"}}});
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->req, 7u);
    EXPECT_TRUE(out->missing.empty());
    ASSERT_EQ(out->replies.size(), 3u);
    EXPECT_EQ(out->replies.at(kNodeA), (json{{"getIds", json::array()}}));
    EXPECT_EQ(out->replies.at(kNodeB), (json{{"getIds", {"u1"}}}));
    EXPECT_EQ(out->replies.at(kNodeC), (json{{"getIds", {"u2"}}}));
    EXPECT_EQ(g.pending(), 0u);
    EXPECT_EQ(g.stray_replies(), 0u);
}

TEST(Gatherer, EmptyNodeListCompletesAtStart) {
    Gatherer g;
    auto out = g.start(3, {}, kDeadline);
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->req, 3u);
    EXPECT_TRUE(out->replies.empty());
    EXPECT_TRUE(out->missing.empty());
    EXPECT_EQ(g.pending(), 0u);
    EXPECT_EQ(g.next_deadline(), std::nullopt);
}

TEST(Gatherer, DuplicateAndStrayRepliesAreCountedAndIgnored) {
    Gatherer g;
    g.start(1, {kNodeA, kNodeB}, kDeadline);
    EXPECT_EQ(g.on_reply(1, kNodeA, json{{"n", 1}}), std::nullopt);
    // Duplicate from A: ignored, its first answer stays.
    EXPECT_EQ(g.on_reply(1, kNodeA, json{{"n", 2}}), std::nullopt);
    // A node that was not asked.
    EXPECT_EQ(g.on_reply(1, kNodeC, json{{"n", 3}}), std::nullopt);
    // An unknown request.
    EXPECT_EQ(g.on_reply(99, kNodeB, json{{"n", 4}}), std::nullopt);
    EXPECT_EQ(g.stray_replies(), 3u);
    EXPECT_EQ(g.pending(), 1u);

    auto out = g.on_reply(1, kNodeB, json{{"n", 5}});
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->replies.size(), 2u);
    EXPECT_EQ(out->replies.at(kNodeA), (json{{"n", 1}}));
    EXPECT_EQ(out->replies.count(kNodeC), 0u);

    // A late reply to a finished request is a stray too.
    EXPECT_EQ(g.on_reply(1, kNodeB, json{{"n", 6}}), std::nullopt);
    EXPECT_EQ(g.stray_replies(), 4u);
}

TEST(Gatherer, RequestsAreIndependent) {
    Gatherer g;
    g.start(1, {kNodeA, kNodeB}, kDeadline);
    g.start(2, {kNodeA}, kDeadline);
    auto two = g.on_reply(2, kNodeA, json::object());
    ASSERT_TRUE(two.has_value());
    EXPECT_EQ(two->req, 2u);
    EXPECT_EQ(g.pending(), 1u);
    EXPECT_EQ(g.on_reply(1, kNodeA, json::object()), std::nullopt);
}

TEST(Gatherer, ExpireListsTheSilentNodesAsMissing) {
    Gatherer g;
    g.start(1, {kNodeC, kNodeA, kNodeB}, kDeadline);
    g.start(2, {kNodeA}, kDeadline + milliseconds(1000));
    g.on_reply(1, kNodeB, json{{"x", 1}});

    EXPECT_TRUE(g.expire(kDeadline - milliseconds(1)).empty());
    EXPECT_EQ(g.pending(), 2u);

    auto done = g.expire(kDeadline);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].req, 1u);
    EXPECT_EQ(done[0].missing, (std::vector<std::string>{kNodeA, kNodeC}));
    ASSERT_EQ(done[0].replies.size(), 1u);
    EXPECT_EQ(done[0].replies.at(kNodeB), (json{{"x", 1}}));
    EXPECT_EQ(g.pending(), 1u);

    auto later = g.expire(kDeadline + milliseconds(1000));
    ASSERT_EQ(later.size(), 1u);
    EXPECT_EQ(later[0].req, 2u);
    EXPECT_EQ(later[0].missing, std::vector<std::string>{kNodeA});
    EXPECT_EQ(g.pending(), 0u);

    // A reply after the deadline is a stray.
    EXPECT_EQ(g.on_reply(1, kNodeA, json::object()), std::nullopt);
    EXPECT_EQ(g.stray_replies(), 1u);
}

TEST(Gatherer, DropOfTheLastAwaitedNodeCompletes) {
    Gatherer g;
    g.start(1, {kNodeA, kNodeB}, kDeadline);
    g.on_reply(1, kNodeA, json{{"ok", true}});
    auto done = g.drop_node(kNodeB);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].req, 1u);
    EXPECT_EQ(done[0].missing, std::vector<std::string>{kNodeB});
    EXPECT_EQ(done[0].replies.count(kNodeA), 1u);
    EXPECT_EQ(g.pending(), 0u);
}

TEST(Gatherer, DropKeepsEarlierDroppedNodesMissing) {
    Gatherer g;
    g.start(1, {kNodeA, kNodeB, kNodeC}, kDeadline);
    EXPECT_TRUE(g.drop_node(kNodeC).empty());
    EXPECT_TRUE(g.drop_node(kNodeA).empty());
    EXPECT_EQ(g.pending(), 1u);
    // A dropped node's late reply does not count.
    EXPECT_EQ(g.on_reply(1, kNodeA, json::object()), std::nullopt);
    EXPECT_EQ(g.stray_replies(), 1u);
    auto done = g.drop_node(kNodeB);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].missing, (std::vector<std::string>{kNodeA, kNodeB, kNodeC}));
    EXPECT_TRUE(done[0].replies.empty());
}

TEST(Gatherer, DropThenReplyCompletesWithTheDroppedNodeMissing) {
    Gatherer g;
    g.start(1, {kNodeA, kNodeB}, kDeadline);
    EXPECT_TRUE(g.drop_node(kNodeA).empty());
    auto out = g.on_reply(1, kNodeB, json{{"v", 2}});
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->missing, std::vector<std::string>{kNodeA});
    EXPECT_EQ(out->replies.size(), 1u);
}

TEST(Gatherer, DropTouchesEveryRequestAwaitingTheNode) {
    Gatherer g;
    g.start(1, {kNodeA}, kDeadline);
    g.start(2, {kNodeA, kNodeB}, kDeadline);
    g.start(3, {kNodeB}, kDeadline);
    auto done = g.drop_node(kNodeA);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].req, 1u);
    EXPECT_EQ(g.pending(), 2u);
    EXPECT_TRUE(g.drop_node("unknown-node").empty());
    EXPECT_EQ(g.pending(), 2u);
    auto two = g.on_reply(2, kNodeB, json::object());
    ASSERT_TRUE(two.has_value());
    EXPECT_EQ(two->missing, std::vector<std::string>{kNodeA});
}

TEST(Gatherer, NextDeadlineIsTheEarliestPending) {
    Gatherer g;
    EXPECT_EQ(g.next_deadline(), std::nullopt);
    g.start(1, {kNodeA}, kT0 + milliseconds(500));
    g.start(2, {kNodeA}, kT0 + milliseconds(200));
    g.start(3, {kNodeB}, kT0 + milliseconds(900));
    EXPECT_EQ(g.next_deadline(), kT0 + milliseconds(200));
    g.on_reply(2, kNodeA, json::object());
    EXPECT_EQ(g.next_deadline(), kT0 + milliseconds(500));
    g.expire(kT0 + milliseconds(500));
    EXPECT_EQ(g.next_deadline(), kT0 + milliseconds(900));
    g.drop_node(kNodeB);
    EXPECT_EQ(g.next_deadline(), std::nullopt);
}

}  // namespace
}  // namespace wsc

TEST(Gatherer, GiveUpOnOneNodeOfOneRequest) {
    wsc::Gatherer g;
    const auto t = wsc::Gatherer::Clock::now() + std::chrono::seconds(3);
    EXPECT_FALSE(g.start(1, {"a", "b"}, t));
    EXPECT_FALSE(g.start(2, {"a"}, t));
    EXPECT_FALSE(g.give_up(1, "a"));
    EXPECT_FALSE(g.give_up(1, "zzz"));  // not asked
    auto done = g.on_reply(1, "b", nlohmann::json::object());
    ASSERT_TRUE(done);
    EXPECT_EQ(done->missing, std::vector<std::string>{"a"});
    EXPECT_EQ(g.pending(), 1u);  // request 2 still waits for a
    auto second = g.give_up(2, "a");
    ASSERT_TRUE(second);
    EXPECT_EQ(second->missing, std::vector<std::string>{"a"});
}
