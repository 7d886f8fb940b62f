// LogThrottle: one line per interval, and the next line counts the rest.
#include "common/LogThrottle.hpp"

#include <gtest/gtest.h>

namespace wsc {
namespace {

using namespace std::chrono_literals;

TEST(LogThrottle, OneLinePerIntervalCountingTheHeldBack) {
    LogThrottle throttle(10s);
    const LogThrottle::Clock::time_point t0{100s};
    EXPECT_TRUE(throttle.admit(t0));
    EXPECT_EQ(throttle.held_back_note("failed"), "");
    EXPECT_FALSE(throttle.admit(t0 + 1s));
    EXPECT_FALSE(throttle.admit(t0 + 9s));
    EXPECT_TRUE(throttle.admit(t0 + 10s));
    EXPECT_EQ(throttle.held_back_note("failed"), " (2 more failed since the last report)");
    EXPECT_EQ(throttle.held_back_note("failed"), "");  // the count was reset
    EXPECT_FALSE(throttle.admit(t0 + 11s));
}

}  // namespace
}  // namespace wsc
