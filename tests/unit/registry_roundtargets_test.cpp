// Which nodes a round reaches: the owner of an `_id`, the nodes the
// directory says may hold a user or group, everyone for cluster-wide events.
#include <gtest/gtest.h>

#include "bus/ConnIds.hpp"
#include "bus/Messages.hpp"
#include "registry/RoundTargets.hpp"

namespace wsc {
namespace {

using nlohmann::json;

const std::string kA(32, 'a'), kB(32, 'b'), kC(32, 'c');
const LiveNodes kLive{{kA, kB, kC}};

json round(std::initializer_list<std::pair<const char*, json>> events) {
    json out = json::array();
    for (const auto& [name, params] : events) out.push_back(bus::request_event(name, params));
    return out;
}

class RoundTargetsTest : public ::testing::Test {
  protected:
    RoundTargetsTest() {
        const auto t0 = Directory::Clock::now();
        for (const auto& node : kLive.ids) {
            bus::Directory snap;
            snap.node = node;
            snap.boot = 1;
            snap.snap = 1;
            if (node == kA) snap.users_add = {"alice"};
            if (node == kB) snap.users_add = {"alice", "bob"};
            if (node == kC) snap.groups_add = {"room"};
            dir.apply(snap, t0);
        }
    }
    // A change of `node` arrives with earlier ones missing: it is no longer synced.
    void lose_sync(const std::string& node) {
        bus::Directory gap;
        gap.node = node;
        gap.boot = 1;
        gap.seq = 5;  // 1..4 missing
        dir.apply(gap, Directory::Clock::now());
    }
    Directory dir;
};

TEST_F(RoundTargetsTest, AConnectionIdGoesToItsOwnerOnly) {
    const std::string conn = bus::new_conn_id(bus::node_tag(kB));
    EXPECT_EQ(
        round_targets(round({{"sendMessageTo_Id", {{"_id", conn}, {"msg", "x"}}}}), kLive, dir),
        std::vector<std::string>{kB});
}

TEST_F(RoundTargetsTest, AMalformedOrUnknownConnectionIdGoesNowhere) {
    EXPECT_TRUE(round_targets(round({{"isOnline_Id", {{"_id", "nope"}}}}), kLive, dir).empty());
    const std::string stranger = bus::new_conn_id(bus::node_tag(std::string(32, 'f')));
    EXPECT_TRUE(round_targets(round({{"closeBy_Id", {{"_id", stranger}}}}), kLive, dir).empty());
}

TEST_F(RoundTargetsTest, UsersAndGroupsGoWhereTheDirectorySays) {
    EXPECT_EQ(
        round_targets(round({{"sendMessageToId", {{"id", "alice"}, {"msg", "x"}}}}), kLive, dir),
        (std::vector<std::string>{kA, kB}));
    EXPECT_EQ(round_targets(round({{"isOnlineId", {{"id", "bob"}}}}), kLive, dir),
              std::vector<std::string>{kB});
    EXPECT_TRUE(round_targets(round({{"isOnlineId", {{"id", "carol"}}}}), kLive, dir).empty());
    EXPECT_EQ(
        round_targets(round({{"sendToGroup", {{"groupId", "room"}, {"msg", "x"}}}}), kLive, dir),
        std::vector<std::string>{kC});
    EXPECT_EQ(
        round_targets(round({{"sendToGroups", {{"groupIds", {"none", "room"}}, {"msg", "x"}}}}),
                      kLive, dir),
        std::vector<std::string>{kC});
}

TEST_F(RoundTargetsTest, ParamsOfAnotherTypeOrMissingReadAsEmpty) {
    // Only the strings of a group list count.
    EXPECT_EQ(
        round_targets(round({{"sendToGroups", {{"groupIds", {1, "room", nullptr}}}}}), kLive, dir),
        std::vector<std::string>{kC});
    EXPECT_TRUE(
        round_targets(round({{"sendToGroups", {{"groupIds", "room"}}}}), kLive, dir).empty());
    EXPECT_TRUE(round_targets(round({{"sendToGroups", json::object()}}), kLive, dir).empty());
    // A missing or non-string id is the empty id, which no synced node holds.
    EXPECT_TRUE(round_targets(round({{"isOnlineId", {{"id", 7}}}}), kLive, dir).empty());
    EXPECT_TRUE(round_targets(round({{"isOnline_Id", {{"_id", 7}}}}), kLive, dir).empty());
    EXPECT_TRUE(round_targets(round({{"sendToGroup", {{"msg", "x"}}}}), kLive, dir).empty());
}

TEST_F(RoundTargetsTest, AnUnsyncedNodeGetsAnEmptyIdButNotAnEmptyGroupList) {
    lose_sync(kC);
    EXPECT_EQ(round_targets(round({{"isOnlineId", json::object()}}), kLive, dir),
              std::vector<std::string>{kC});
    EXPECT_TRUE(round_targets(round({{"sendToGroups", {{"groupIds", json::array()}}}}), kLive, dir)
                    .empty());
}

TEST_F(RoundTargetsTest, AnUnsyncedNodeGetsEverythingThatCouldConcernIt) {
    lose_sync(kC);
    EXPECT_EQ(round_targets(round({{"isOnlineId", {{"id", "bob"}}}}), kLive, dir),
              (std::vector<std::string>{kB, kC}));
}

TEST_F(RoundTargetsTest, ARoundGoesToTheUnionAndClusterWideEventsEverywhere) {
    const std::string conn = bus::new_conn_id(bus::node_tag(kC));
    EXPECT_EQ(
        round_targets(round({{"isOnlineId", {{"id", "bob"}}}, {"getIdBy_Id", {{"_id", conn}}}}),
                      kLive, dir),
        (std::vector<std::string>{kB, kC}));
    EXPECT_EQ(round_targets(
                  round({{"isOnlineId", {{"id", "bob"}}}, {"getConnectionCount", json::object()}}),
                  kLive, dir),
              kLive.ids);
    EXPECT_EQ(round_targets(round({{"broadcast", {{"msg", "x"}}}}), kLive, dir), kLive.ids);
}

TEST(ConnIds, ConnectionIdsNameTheirNodeAndAreFresh) {
    const std::string tag = bus::node_tag(kA);
    ASSERT_EQ(tag.size(), bus::kConnTagLength);
    const std::string one = bus::new_conn_id(tag), two = bus::new_conn_id(tag);
    EXPECT_EQ(one.size(), 32u);
    EXPECT_NE(one, two);
    EXPECT_EQ(bus::conn_tag(one), tag);
    EXPECT_NE(bus::node_tag(kA), bus::node_tag(kB));
    // Ids that differ only at the end still get different tags.
    EXPECT_NE(bus::node_tag("node-0001"), bus::node_tag("node-0002"));
    EXPECT_TRUE(bus::conn_tag("ABCDEF0123456789abcdef0123456789").empty());
    EXPECT_TRUE(bus::conn_tag("short").empty());
}

}  // namespace
}  // namespace wsc
