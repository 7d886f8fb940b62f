// The directory's connections: every change of a connection's user
// reported once and in order, snapshots compared with what was known,
// a first snapshot learned, and what a node held reported when it leaves
// or restarts.
#include <gtest/gtest.h>

#include <algorithm>

#include "registry/Directory.hpp"

namespace wsc {
namespace {

using Clock = Directory::Clock;
using std::chrono::milliseconds;
using Strings = std::vector<std::string>;

const std::string kNode(32, 'a');
const std::string kOther(32, 'b');
constexpr std::uint64_t kBoot = 7;

bus::Directory conns(std::uint64_t seq, Strings add, Strings users, Strings del = {},
                     std::uint64_t snap = 0, std::uint64_t boot = kBoot) {
    bus::Directory d;
    d.node = kNode;
    d.boot = boot;
    d.seq = seq;
    d.snap = snap;
    d.conns_add = std::move(add);
    d.conns_user = std::move(users);
    d.conns_del = std::move(del);
    return d;
}

// "conn:before>after" per binding, "~" marking a learned one.
Strings described(const std::vector<Directory::Binding>& bindings) {
    Strings out;
    for (const auto& b : bindings)
        out.push_back(b.cause.conn + ":" + b.before + ">" + b.after + (b.learned ? "~" : "") + "@" +
                      std::to_string(b.cause.seq));
    return out;
}

class DirectoryConnsTest : public ::testing::Test {
  protected:
    Directory dir{Directory::Settings{milliseconds(1000), milliseconds(500), 16}};
    Clock::time_point t0 = Clock::now();
};

TEST_F(DirectoryConnsTest, EveryChangeOfAUserIsReportedOnceInOrder) {
    ASSERT_FALSE(dir.check_exact(kNode, kBoot, 0, t0));  // known from its start
    dir.apply(conns(1, {"c1", "c2"}, {"", ""}), t0);     // opened: no user, nothing to say
    EXPECT_TRUE(dir.take_bindings().empty());
    dir.apply(conns(2, {"c1"}, {"u1"}), t0);
    dir.apply(conns(2, {"c1"}, {"u1"}), t0);  // the same change by another path
    dir.apply(conns(3, {"c1", "c2"}, {"u2", "u1"}), t0);
    dir.apply(conns(4, {}, {}, {"c1", "c2"}), t0);
    EXPECT_EQ(described(dir.take_bindings()),
              (Strings{"c1:>u1@2", "c1:u1>u2@3", "c2:>u1@3", "c1:u2>@4", "c2:u1>@4"}));
    EXPECT_EQ(dir.connections(), 0u);
}

TEST_F(DirectoryConnsTest, AFirstSnapshotIsLearnedALaterOneIsComparedWithWhatWasKnown) {
    EXPECT_TRUE(dir.check_exact(kNode, kBoot, 5, t0));  // joined late: a snapshot is asked
    dir.apply(conns(5, {"c1", "c2", "c3"}, {"u1", "", "u2"}, {}, 1), t0);
    auto learned = described(dir.take_bindings());
    std::sort(learned.begin(), learned.end());
    EXPECT_EQ(learned, (Strings{"c1:>u1~@5", "c3:>u2~@5"}));
    EXPECT_EQ(dir.connections(), 3u);
    // A change lost (7 skips 6): unsynced, but the connections are kept...
    EXPECT_TRUE(dir.apply(conns(7, {"c4"}, {"u4"}), t0 + milliseconds(600)).want);
    EXPECT_TRUE(dir.take_bindings().empty());
    EXPECT_EQ(dir.connections(), 3u);
    // ...so that the snapshot says what changed meanwhile: real changes now.
    dir.apply(conns(7, {"c2", "c3", "c4"}, {"u9", "u2", "u4"}, {}, 2), t0 + milliseconds(700));
    auto changed = described(dir.take_bindings());
    std::sort(changed.begin(), changed.end());
    EXPECT_EQ(changed, (Strings{"c1:u1>@7", "c2:>u9@7", "c4:>u4@7"}));
}

TEST_F(DirectoryConnsTest, ANodeThatLeavesOrRestartsLosesWhatItHeld) {
    ASSERT_FALSE(dir.check_exact(kNode, kBoot, 0, t0));
    dir.apply(conns(1, {"c1", "c2"}, {"u1", ""}), t0);
    dir.take_bindings();
    EXPECT_TRUE(dir.take_lost().empty());
    // A new process of the same node: the old one's connections are lost.
    ASSERT_FALSE(dir.check_exact(kNode, kBoot + 1, 0, t0));
    auto lost = dir.take_lost();
    ASSERT_EQ(lost.size(), 1u);
    EXPECT_EQ(lost[0].node, kNode);
    EXPECT_EQ(lost[0].boot, kBoot);
    EXPECT_EQ(lost[0].conns, (std::map<std::string, std::string>{{"c1", "u1"}, {"c2", ""}}));
    EXPECT_EQ(dir.connections(), 0u);
    // The new process's connections, then the node leaves the cluster.
    dir.apply(conns(1, {"c9"}, {"u9"}, {}, 0, kBoot + 1), t0);
    dir.retain({kOther}, t0);
    EXPECT_TRUE(dir.take_lost().empty());  // a moment's absence is no departure
    dir.retain({kOther}, t0 + milliseconds(1100));
    lost = dir.take_lost();
    ASSERT_EQ(lost.size(), 1u);
    EXPECT_EQ(lost[0].boot, kBoot + 1);
    EXPECT_EQ(lost[0].conns, (std::map<std::string, std::string>{{"c9", "u9"}}));
    // A node that let go of everything first (a drain) loses nothing.
    dir.apply(conns(1, {"c1"}, {"u1"}, {}, 0, kBoot + 2), t0);
    dir.apply(conns(2, {}, {}, {"c1"}, 0, kBoot + 2), t0);
    dir.retain({kOther}, t0);
    dir.retain({kOther}, t0 + milliseconds(1100));
    EXPECT_TRUE(dir.take_lost().empty());
}

TEST_F(DirectoryConnsTest, AProcessReportedLostThatComesBackIsFenced) {
    ASSERT_FALSE(dir.check_exact(kNode, kBoot, 0, t0));
    dir.apply(conns(1, {"c1"}, {"u1"}), t0);
    dir.take_bindings();
    dir.retain({kOther}, t0);
    dir.retain({kOther}, t0 + milliseconds(1100));
    ASSERT_EQ(dir.take_lost().size(), 1u);
    EXPECT_TRUE(dir.was_lost(kNode, kBoot));
    EXPECT_FALSE(dir.was_lost(kNode, kBoot + 1));
    // The same process again (a partition healed), still holding c1: gone
    // for good as far as the cluster goes (the node is told to close it).
    EXPECT_TRUE(dir.check_exact(kNode, kBoot, 1, t0 + milliseconds(1200)));
    dir.apply(conns(1, {"c1"}, {"u1"}, {}, 1), t0 + milliseconds(1300));
    dir.apply(conns(2, {"c2"}, {"u2"}), t0 + milliseconds(1300));
    EXPECT_TRUE(dir.take_bindings().empty());
    EXPECT_EQ(dir.connections(), 0u);
    // Its next process is an ordinary one.
    EXPECT_FALSE(dir.check_exact(kNode, kBoot + 1, 0, t0 + milliseconds(1400)));
    EXPECT_TRUE(dir.take_lost().empty());  // the fenced one held nothing
    dir.apply(conns(1, {"c3"}, {"u3"}, {}, 0, kBoot + 1), t0 + milliseconds(1400));
    EXPECT_EQ(described(dir.take_bindings()), Strings{"c3:>u3@1"});
}

TEST_F(DirectoryConnsTest, AConnectionWithoutItsUserIdIsNotTaken) {
    bus::Directory d = conns(1, {"c1", "c2"}, {"u1"});
    const auto back = bus::decode<bus::Directory>(bus::encode(d));
    EXPECT_EQ(back.conns_add, Strings{"c1"});
    EXPECT_EQ(back.conns_user, Strings{"u1"});
}

}  // namespace
}  // namespace wsc
