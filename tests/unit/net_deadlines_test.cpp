#include "net/Deadlines.hpp"

#include <gtest/gtest.h>

namespace wsc {
namespace {

using Clock = Deadlines<int>::Clock;
using std::chrono::milliseconds;

TEST(Deadlines, ExpiredComeOutEarliestFirstAndOnce) {
    Deadlines<int> d;
    const auto t0 = Clock::now();
    d.set(1, t0 + milliseconds(30));
    d.set(2, t0 + milliseconds(10));
    d.set(3, t0 + milliseconds(50));
    EXPECT_TRUE(d.take_expired(t0).empty());
    EXPECT_EQ(d.take_expired(t0 + milliseconds(30)), (std::vector<int>{2, 1}));
    EXPECT_TRUE(d.take_expired(t0 + milliseconds(30)).empty());
    EXPECT_EQ(d.size(), 1u);
    EXPECT_TRUE(d.has(3));
}

TEST(Deadlines, SetMovesAndClearForgets) {
    Deadlines<int> d;
    const auto t0 = Clock::now();
    d.set(1, t0 + milliseconds(10));
    d.set(1, t0 + milliseconds(100));  // moved later
    d.set(2, t0 + milliseconds(10));
    d.clear(2);
    d.clear(7);  // unknown: nothing happens
    EXPECT_TRUE(d.take_expired(t0 + milliseconds(50)).empty());
    EXPECT_EQ(d.take_expired(t0 + milliseconds(100)), (std::vector<int>{1}));
    EXPECT_EQ(d.size(), 0u);
}

}  // namespace
}  // namespace wsc
