#include <gtest/gtest.h>

#include "wsnode/ConnectRateLimiter.hpp"

using wsc::ConnectRateLimiter;
using namespace std::chrono_literals;

TEST(ConnectRateLimiter, AllowsABurstThenRefillsAtTheRate) {
    ConnectRateLimiter limiter(10);
    const auto t0 = ConnectRateLimiter::Clock::time_point{} + 100s;
    int allowed = 0;
    for (int i = 0; i < 50; ++i) allowed += limiter.allow("1.2.3.4", t0);
    EXPECT_EQ(allowed, 10);
    EXPECT_FALSE(limiter.allow("1.2.3.4", t0 + 50ms));
    EXPECT_TRUE(limiter.allow("1.2.3.4", t0 + 110ms));  // one token back after 0.1 s
    // Another address is not affected.
    EXPECT_TRUE(limiter.allow("5.6.7.8", t0));
}

TEST(ConnectRateLimiter, ZeroDisablesTheLimit) {
    ConnectRateLimiter limiter(0);
    for (int i = 0; i < 1000; ++i) EXPECT_TRUE(limiter.allow("a", {}));
    EXPECT_EQ(limiter.tracked(), 0u);
}

TEST(ConnectRateLimiter, IdleAddressesAreForgotten) {
    ConnectRateLimiter limiter(5);
    const auto t0 = ConnectRateLimiter::Clock::time_point{} + 100s;
    for (int i = 0; i < 1000; ++i) limiter.allow("10.0.0." + std::to_string(i), t0);
    EXPECT_EQ(limiter.tracked(), 1000u);
    limiter.allow("x", t0 + 20s);
    EXPECT_EQ(limiter.tracked(), 1u);
}
