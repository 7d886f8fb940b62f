// Nonces handed to links that must prove the cluster secret: one per
// connection, used once, bounded in time and number.
#include "registry/LinkChallenges.hpp"

#include <gtest/gtest.h>

namespace wsc {
namespace {

using std::chrono::milliseconds;
using Clock = LinkChallenges::Clock;
const Clock::time_point kT0{};
constexpr milliseconds kLife{3000};

LinkChallenges::NonceSource counter() {
    return [n = 0]() mutable { return "nonce-" + std::to_string(++n); };
}

TEST(LinkChallenges, ANonceIsGoodOnceAndOnlyOnItsOwnLink) {
    LinkChallenges c(kLife, 10, counter());
    const auto n = c.issue("link-1", kT0);
    EXPECT_FALSE(c.redeem("link-2", n, kT0));  // another connection: replay refused
    EXPECT_TRUE(c.redeem("link-1", n, kT0));
    EXPECT_FALSE(c.redeem("link-1", n, kT0));  // used up: replay refused
}

TEST(LinkChallenges, AWrongNonceUsesTheChallengeUp) {
    LinkChallenges c(kLife, 10, counter());
    const auto n = c.issue("link-1", kT0);
    EXPECT_FALSE(c.redeem("link-1", "guess", kT0));
    EXPECT_FALSE(c.redeem("link-1", n, kT0));
    EXPECT_FALSE(c.redeem("link-1", "", kT0));
}

TEST(LinkChallenges, AskingAgainGivesThePendingNonceUntilItExpires) {
    LinkChallenges c(kLife, 10, counter());
    const auto n = c.issue("link-1", kT0);
    EXPECT_EQ(c.issue("link-1", kT0 + milliseconds(10)), n);
    EXPECT_EQ(c.size(), 1u);
    const auto later = c.issue("link-1", kT0 + kLife);
    EXPECT_NE(later, n);
    EXPECT_FALSE(c.redeem("link-1", n, kT0 + kLife));
}

TEST(LinkChallenges, AnExpiredNonceIsRefused) {
    LinkChallenges c(kLife, 10, counter());
    const auto n = c.issue("link-1", kT0);
    EXPECT_FALSE(c.redeem("link-1", n, kT0 + kLife));
}

TEST(LinkChallenges, TheTableIsBoundedOldestFirst) {
    LinkChallenges c(kLife, 3, counter());
    const auto first = c.issue("a", kT0);
    c.issue("b", kT0 + milliseconds(1));
    c.issue("c", kT0 + milliseconds(2));
    const auto d = c.issue("d", kT0 + milliseconds(3));
    EXPECT_EQ(c.size(), 3u);
    EXPECT_FALSE(c.redeem("a", first, kT0 + milliseconds(4)));
    EXPECT_TRUE(c.redeem("d", d, kT0 + milliseconds(4)));
}

}  // namespace
}  // namespace wsc
