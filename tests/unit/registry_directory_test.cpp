// The routing directory: deltas in order, duplicates, gaps, snapshots, a
// node's own word (heartbeat) and a peer's (PeerState), restarts and leaves.
// Whatever happens it may over-approximate a node, never miss one.
#include <gtest/gtest.h>

#include "registry/Directory.hpp"
#include "registry/DirectoryAcks.hpp"

namespace wsc {
namespace {

using Clock = Directory::Clock;
using std::chrono::milliseconds;

const std::string kNode(32, 'a');
const std::string kOther(32, 'b');
constexpr std::uint64_t kBoot = 7;

bus::Directory delta(std::uint64_t seq, std::vector<std::string> users_add,
                     std::vector<std::string> users_del = {},
                     std::vector<std::string> groups_add = {},
                     std::vector<std::string> groups_del = {}) {
    bus::Directory d;
    d.node = kNode;
    d.boot = kBoot;
    d.seq = seq;
    d.users_add = std::move(users_add);
    d.users_del = std::move(users_del);
    d.groups_add = std::move(groups_add);
    d.groups_del = std::move(groups_del);
    return d;
}

bus::Directory snapshot(std::uint64_t seq, std::uint64_t snap, std::vector<std::string> users,
                        std::vector<std::string> groups = {}) {
    bus::Directory d = delta(seq, std::move(users), {}, std::move(groups));
    d.snap = snap;
    return d;
}

class DirectoryTest : public ::testing::Test {
  protected:
    Directory dir{Directory::Settings{milliseconds(1000), milliseconds(500), 4}};
    Clock::time_point t0 = Clock::now();

    // Syncs kNode with an empty snapshot at seq 0.
    void sync() { ASSERT_FALSE(dir.apply(snapshot(0, 1, {}), t0).want); }
};

TEST_F(DirectoryTest, AnUnknownNodeMayHoldAnything) {
    EXPECT_TRUE(dir.may_hold_user(kNode, "u1"));
    EXPECT_TRUE(dir.may_hold_group(kNode, "g1"));
    EXPECT_FALSE(dir.stat(kNode).synced);
}

TEST_F(DirectoryTest, DeltasInOrderMakeItExact) {
    sync();
    EXPECT_FALSE(dir.may_hold_user(kNode, "u1"));
    auto a = dir.apply(delta(1, {"u1"}, {}, {"g1"}), t0);
    EXPECT_TRUE(a.fresh);
    EXPECT_FALSE(a.want);
    EXPECT_TRUE(dir.may_hold_user(kNode, "u1"));
    EXPECT_TRUE(dir.may_hold_group(kNode, "g1"));
    EXPECT_FALSE(dir.may_hold_user(kNode, "u2"));
    dir.apply(delta(2, {}, {"u1"}, {}, {"g1"}), t0);
    EXPECT_FALSE(dir.may_hold_user(kNode, "u1"));
    EXPECT_FALSE(dir.may_hold_group(kNode, "g1"));
    EXPECT_EQ(dir.stat(kNode).seq, 2u);
    EXPECT_TRUE(dir.stat(kNode).synced);
}

TEST_F(DirectoryTest, ADuplicateIsNeitherAppliedAgainNorPassedOn) {
    sync();
    dir.apply(delta(1, {"u1"}), t0);
    dir.apply(delta(2, {}, {"u1"}), t0);
    const auto again = dir.apply(delta(1, {"u1"}), t0);
    EXPECT_FALSE(again.fresh);
    EXPECT_FALSE(dir.may_hold_user(kNode, "u1"));  // the old add did not come back
}

TEST_F(DirectoryTest, AGapUnsyncsTheNodeAndAsksASnapshot) {
    sync();
    dir.apply(delta(1, {"u1"}), t0);
    const auto gap = dir.apply(delta(3, {"u3"}), t0);
    EXPECT_TRUE(gap.fresh);
    EXPECT_TRUE(gap.want);
    EXPECT_FALSE(dir.stat(kNode).synced);
    // Unsynced: it may hold anything, so nothing addressed to it is missed.
    EXPECT_TRUE(dir.may_hold_user(kNode, "u2"));
    // The snapshot at seq 2 plus the kept delta 3 make it exact again.
    const auto snap = dir.apply(snapshot(2, 2, {"u1", "u2"}), t0);
    EXPECT_FALSE(snap.want);
    EXPECT_TRUE(dir.stat(kNode).synced);
    EXPECT_EQ(dir.stat(kNode).seq, 3u);
    EXPECT_TRUE(dir.may_hold_user(kNode, "u3"));
    EXPECT_TRUE(dir.may_hold_user(kNode, "u2"));
    EXPECT_FALSE(dir.may_hold_user(kNode, "u9"));
}

TEST_F(DirectoryTest, SnapshotsAreAskedAtMostOncePerInterval) {
    sync();
    EXPECT_TRUE(dir.apply(delta(5, {"x"}), t0).want);
    EXPECT_FALSE(dir.apply(delta(6, {"y"}), t0 + milliseconds(100)).want);
    EXPECT_TRUE(dir.apply(delta(7, {"z"}), t0 + milliseconds(600)).want);
}

TEST_F(DirectoryTest, ASnapshotWithAGapLeftAsksAgain) {
    sync();
    dir.apply(delta(4, {"u4"}), t0);  // gap: 1..3 missing
    const auto snap = dir.apply(snapshot(2, 2, {"u1"}), t0 + milliseconds(600));
    EXPECT_TRUE(snap.want);  // 3 is still missing
    EXPECT_FALSE(dir.stat(kNode).synced);
    EXPECT_TRUE(dir.may_hold_user(kNode, "anyone"));
}

TEST_F(DirectoryTest, AnOlderSnapshotNeverUndoesLaterChanges) {
    sync();
    dir.apply(delta(1, {"u1"}), t0);
    dir.apply(delta(2, {"u2"}), t0);
    const auto old = dir.apply(snapshot(1, 5, {"u1"}), t0);
    EXPECT_TRUE(old.fresh);  // still passed on: another registry may need it
    EXPECT_TRUE(dir.may_hold_user(kNode, "u2"));
    EXPECT_EQ(dir.stat(kNode).seq, 2u);
}

TEST_F(DirectoryTest, DeltasKeptForASnapshotAreBounded) {
    sync();
    for (std::uint64_t s = 10; s < 100; ++s) dir.apply(delta(s, {"u"}), t0);
    // Only the last few were kept: a snapshot at 50 cannot catch up.
    EXPECT_TRUE(dir.apply(snapshot(50, 2, {}), t0 + milliseconds(600)).want);
    EXPECT_FALSE(dir.stat(kNode).synced);
}

TEST_F(DirectoryTest, AHeartbeatAheadOfWhatWasAppliedMeansALostChange) {
    sync();
    dir.apply(delta(1, {"u1"}), t0);
    EXPECT_FALSE(dir.check_exact(kNode, kBoot, 1, t0));
    EXPECT_FALSE(dir.check_exact(kNode, kBoot, 0, t0));  // a late heartbeat: fine
    EXPECT_TRUE(dir.check_exact(kNode, kBoot, 2, t0));   // change 2 never came
    EXPECT_FALSE(dir.stat(kNode).synced);
    EXPECT_TRUE(dir.may_hold_user(kNode, "u2"));
}

TEST_F(DirectoryTest, AFirstHeartbeatAsksTheSnapshot) {
    EXPECT_TRUE(dir.check_exact(kNode, kBoot, 3, t0));
    EXPECT_FALSE(dir.check_exact(kNode, kBoot, 3, t0 + milliseconds(100)));  // asked already
    EXPECT_FALSE(dir.stat(kNode).synced);
    // A node that keeps no directory (boot 0) is never asked, always unsynced.
    EXPECT_FALSE(dir.check_exact(kOther, 0, 0, t0));
    EXPECT_TRUE(dir.may_hold_user(kOther, "u"));
}

TEST_F(DirectoryTest, ANodeThatSentNoChangeYetHoldsNothing) {
    // Its process started with nothing and has changed nothing: no snapshot needed.
    EXPECT_FALSE(dir.check_exact(kNode, kBoot, 0, t0));
    EXPECT_TRUE(dir.stat(kNode).synced);
    EXPECT_FALSE(dir.may_hold_user(kNode, "u1"));
    EXPECT_FALSE(dir.apply(delta(1, {"u1"}), t0).want);
    EXPECT_TRUE(dir.may_hold_user(kNode, "u1"));
}

TEST_F(DirectoryTest, HoldingEveryChangeFromTheFirstMakesItExactWithoutASnapshot) {
    // Seen first through a peer: change 2 waits, change 1 completes the story.
    EXPECT_TRUE(dir.apply(delta(2, {"u2"}), t0).want);
    EXPECT_FALSE(dir.stat(kNode).synced);
    EXPECT_FALSE(dir.apply(delta(1, {"u1"}), t0 + milliseconds(10)).want);
    EXPECT_TRUE(dir.stat(kNode).synced);
    EXPECT_EQ(dir.stat(kNode).seq, 2u);
    EXPECT_TRUE(dir.may_hold_user(kNode, "u1"));
    EXPECT_FALSE(dir.may_hold_user(kNode, "u3"));
}

TEST_F(DirectoryTest, ARestartedNodeStartsOver) {
    sync();
    dir.apply(delta(1, {"u1"}), t0);
    // The new process has sent nothing yet: it holds nothing.
    EXPECT_FALSE(dir.check_exact(kNode, kBoot + 1, 0, t0));
    EXPECT_TRUE(dir.stat(kNode).synced);
    EXPECT_FALSE(dir.may_hold_user(kNode, "u1"));  // gone with the old process
    // One that has: a snapshot is asked, and taken.
    EXPECT_TRUE(dir.check_exact(kNode, kBoot + 2, 4, t0));
    EXPECT_FALSE(dir.stat(kNode).synced);
    bus::Directory fresh = snapshot(4, 1, {"u9"});
    fresh.boot = kBoot + 2;
    dir.apply(fresh, t0);
    EXPECT_TRUE(dir.stat(kNode).synced);
    EXPECT_TRUE(dir.may_hold_user(kNode, "u9"));
}

TEST_F(DirectoryTest, BehindAPeerForLongerThanTheGraceMeansALostChange) {
    sync();
    dir.apply(delta(1, {"u1"}), t0);
    EXPECT_FALSE(dir.check_lagging(kNode, kBoot, 2, t0));                      // in flight?
    EXPECT_FALSE(dir.check_lagging(kNode, kBoot, 2, t0 + milliseconds(500)));  // still grace
    EXPECT_TRUE(dir.check_lagging(kNode, kBoot, 2, t0 + milliseconds(1100)));  // lost
    EXPECT_FALSE(dir.stat(kNode).synced);
}

TEST_F(DirectoryTest, CatchingUpWithinTheGraceIsFine) {
    sync();
    EXPECT_FALSE(dir.check_lagging(kNode, kBoot, 1, t0));
    dir.apply(delta(1, {"u1"}), t0 + milliseconds(10));
    EXPECT_FALSE(dir.check_lagging(kNode, kBoot, 1, t0 + milliseconds(1100)));
    EXPECT_TRUE(dir.stat(kNode).synced);
}

TEST_F(DirectoryTest, NodesThatLeftAreForgotten) {
    sync();
    dir.apply(delta(1, {"u1"}), t0);
    dir.retain({kOther}, t0);
    EXPECT_EQ(dir.size(), 1u);  // gone for a moment: routes may be changing
    dir.retain({kNode, kOther}, t0 + milliseconds(500));
    dir.retain({kOther}, t0 + milliseconds(1200));
    EXPECT_EQ(dir.size(), 1u);  // it was back meanwhile: its absence starts over
    dir.retain({kOther}, t0 + milliseconds(2300));
    EXPECT_EQ(dir.size(), 0u);
    EXPECT_FALSE(dir.stat(kNode).synced);
    EXPECT_TRUE(dir.may_hold_user(kNode, "u9"));  // if it comes back: unknown again
}

TEST(DirectoryAcks, SettledWhenEveryRegistryHasSeenTheChange) {
    DirectoryAcks acks;
    const std::string r1(32, '1'), r2(32, '2');
    EXPECT_FALSE(acks.settled(kNode, 3, {r1, r2}));
    EXPECT_TRUE(acks.record({r1, kNode, kBoot, 3}));
    EXPECT_FALSE(acks.record({r1, kNode, kBoot, 2}));  // older: not passed on
    EXPECT_FALSE(acks.settled(kNode, 3, {r1, r2}));
    EXPECT_TRUE(acks.record({r2, kNode, kBoot, 4}));
    EXPECT_TRUE(acks.settled(kNode, 3, {r1, r2}));
    EXPECT_FALSE(acks.settled(kNode, 4, {r1, r2}));
    EXPECT_TRUE(acks.settled(kNode, 4, {r2}));  // r1 left the cluster
    // A restarted node numbers from 1: acks of the old process say nothing.
    EXPECT_TRUE(acks.record({r1, kNode, kBoot + 1, 1}));
    EXPECT_FALSE(acks.settled(kNode, 1, {r1, r2}));
    acks.retain({});
    EXPECT_FALSE(acks.settled(kNode, 1, {r1}));
}

}  // namespace
}  // namespace wsc
