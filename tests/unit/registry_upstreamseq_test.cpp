// Which client events are new: per node and boot, seq above the last one
// delivered and not impossibly far ahead.
#include "registry/UpstreamSeq.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace wsc {
namespace {

using V = UpstreamSeq::Verdict;
const std::string kNode = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr std::uint64_t kBoot = 77;

TEST(UpstreamSeq, DeliversEachNewEventOnceInOrder) {
    UpstreamSeq s;
    EXPECT_EQ(s.check(kNode, kBoot, 1), V::Deliver);
    EXPECT_EQ(s.check(kNode, kBoot, 2), V::Deliver);
    EXPECT_EQ(s.check(kNode, kBoot, 2), V::Repeat);
    EXPECT_EQ(s.check(kNode, kBoot, 1), V::Repeat);
    EXPECT_EQ(s.check(kNode, kBoot, 10), V::Deliver);  // events sent elsewhere meanwhile
}

TEST(UpstreamSeq, AHugeJumpIsRefusedAndDoesNotSilenceTheNode) {
    UpstreamSeq s;
    ASSERT_EQ(s.check(kNode, kBoot, 5), V::Deliver);
    EXPECT_EQ(s.check(kNode, kBoot, std::numeric_limits<std::uint64_t>::max()), V::Refused);
    EXPECT_EQ(s.check(kNode, kBoot, 5 + UpstreamSeq::kMaxJump + 1), V::Refused);
    EXPECT_EQ(s.check(kNode, kBoot, 6), V::Deliver);
    EXPECT_EQ(s.check(kNode, kBoot, 6 + UpstreamSeq::kMaxJump), V::Deliver);
}

TEST(UpstreamSeq, AFirstEventMustBeAPossibleOne) {
    UpstreamSeq s;
    EXPECT_EQ(s.check(kNode, kBoot, 0), V::Refused);
    EXPECT_EQ(s.check(kNode, kBoot, std::numeric_limits<std::uint64_t>::max()), V::Refused);
    EXPECT_EQ(s.size(), 0u);
    EXPECT_EQ(s.check(kNode, kBoot, 12345), V::Deliver);  // joined late: fine
}

TEST(UpstreamSeq, ARestartedNodeStartsANewSequence) {
    UpstreamSeq s;
    ASSERT_EQ(s.check(kNode, kBoot, 500), V::Deliver);
    EXPECT_EQ(s.check(kNode, kBoot + 1, 1), V::Deliver);
    EXPECT_EQ(s.check(kNode, kBoot + 1, 2), V::Deliver);
    EXPECT_EQ(s.check(kNode, kBoot + 1, 2), V::Repeat);
}

TEST(UpstreamSeq, NodesAreIndependentAndForgettable) {
    UpstreamSeq s;
    const std::string other = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    ASSERT_EQ(s.check(kNode, kBoot, 9), V::Deliver);
    EXPECT_EQ(s.check(other, kBoot, 1), V::Deliver);
    s.forget(kNode);
    EXPECT_EQ(s.check(kNode, kBoot, 1), V::Deliver);
}

}  // namespace
}  // namespace wsc
