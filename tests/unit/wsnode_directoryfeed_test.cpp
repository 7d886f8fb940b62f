// Unit tests of DirectoryFeed: the numbering of a node's Directory messages.
#include "wsnode/DirectoryFeed.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace wsc {
namespace {

using Strings = std::vector<std::string>;

const std::string kNode = "0123456789abcdef0123456789abcdef";
const std::string kRegistry = "fedcba9876543210fedcba9876543210";
constexpr std::uint64_t kBoot = 77;

TEST(WsnodeDirectoryFeed, DeltasAreNumberedFromOnePerBoot) {
    DirectoryFeed feed(kNode, kBoot);
    EXPECT_EQ(feed.seq(), 0u);
    const bus::Directory first =
        feed.delta(InterestChanges{{"u1"}, {"u0"}, {"g1", "g2"}, {"g0"}, {}, {}, {}}, kRegistry);
    EXPECT_EQ(first.node, kNode);
    EXPECT_EQ(first.boot, kBoot);
    EXPECT_EQ(first.seq, 1u);
    EXPECT_EQ(first.snap, 0u);
    EXPECT_EQ(first.users_add, Strings{"u1"});
    EXPECT_EQ(first.users_del, Strings{"u0"});
    EXPECT_EQ(first.groups_add, (Strings{"g1", "g2"}));
    EXPECT_EQ(first.groups_del, Strings{"g0"});
    EXPECT_EQ(first.ack, kRegistry);

    const bus::Directory second = feed.delta(InterestChanges{{}, {"u1"}, {}, {}, {}, {}, {}}, "");
    EXPECT_EQ(second.seq, 2u);
    EXPECT_TRUE(second.ack.empty());
    EXPECT_EQ(feed.seq(), 2u);
}

TEST(WsnodeDirectoryFeed, SnapshotsListEverythingAtTheCurrentSeq) {
    DirectoryFeed feed(kNode, kBoot);
    const bus::Directory empty = feed.snapshot({});
    EXPECT_EQ(empty.seq, 0u);
    EXPECT_EQ(empty.snap, 1u);
    EXPECT_TRUE(empty.users_add.empty());

    feed.delta(InterestChanges{{"u1"}, {}, {}, {}, {}, {}, {}}, kRegistry);
    InterestChanges all;
    all.users_add = {"u1", "u2"};
    all.groups_add = {"g1"};
    all.conns_add = {"c1", "c2"};
    all.conns_user = {"u1", ""};
    const bus::Directory snap = feed.snapshot(all);
    EXPECT_EQ(snap.node, kNode);
    EXPECT_EQ(snap.boot, kBoot);
    EXPECT_EQ(snap.seq, 1u);  // a snapshot takes no number of its own
    EXPECT_EQ(snap.snap, 2u);
    EXPECT_EQ(snap.users_add, (Strings{"u1", "u2"}));
    EXPECT_EQ(snap.groups_add, Strings{"g1"});
    EXPECT_EQ(snap.conns_add, (Strings{"c1", "c2"}));
    EXPECT_EQ(snap.conns_user, (Strings{"u1", ""}));
    EXPECT_TRUE(snap.users_del.empty());
    EXPECT_TRUE(snap.groups_del.empty());
    EXPECT_TRUE(snap.ack.empty());
    // The next delta follows on.
    EXPECT_EQ(feed.delta(InterestChanges{{}, {"u2"}, {}, {}, {}, {}, {}}, "").seq, 2u);
}

TEST(WsnodeDirectoryFeed, MessagesEncodeAsTheProtocolSays) {
    DirectoryFeed feed(kNode, kBoot);
    const bus::Directory delta =
        feed.delta(InterestChanges{{"u1"}, {}, {"g1"}, {}, {}, {}, {}}, kRegistry);
    const auto decoded = bus::decode<bus::Directory>(bus::encode(delta));
    EXPECT_EQ(decoded.seq, 1u);
    EXPECT_EQ(decoded.users_add, Strings{"u1"});
    EXPECT_EQ(decoded.groups_add, Strings{"g1"});
    EXPECT_EQ(decoded.ack, kRegistry);
    // Empty lists and a zero snap are left out of the body.
    const nlohmann::json body = delta.to_json();
    EXPECT_FALSE(body.contains("users_del"));
    EXPECT_FALSE(body.contains("snap"));
}

}  // namespace
}  // namespace wsc
