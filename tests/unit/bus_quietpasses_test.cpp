#include "bus/QuietPasses.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace {

using wsc::bus::PassCount;
using wsc::bus::serve_until_quiet;

// Replays the given passes, counting how many ran.
struct Script {
    std::vector<PassCount> passes;
    std::size_t ran = 0;
    PassCount operator()() { return ran < passes.size() ? passes[ran++] : (++ran, PassCount{}); }
};

TEST(QuietPasses, StopsAtTheFirstPassThatReceivesNothing) {
    Script script{{{3, false}, {1, false}, {0, false}, {5, false}}};
    EXPECT_FALSE(serve_until_quiet(std::ref(script)));
    EXPECT_EQ(script.ran, 3u);
}

TEST(QuietPasses, AFullSocketLeavesWorkAndGivesTheLoopATurn) {
    Script script{{{2, false}, {256, true}, {0, false}}};
    EXPECT_TRUE(serve_until_quiet(std::ref(script)));
    EXPECT_EQ(script.ran, 2u);
}

TEST(QuietPasses, PassesAreBoundedAndWorkIsLeftWhenTheyRunOut) {
    Script script{std::vector<PassCount>(10, PassCount{1, false})};
    EXPECT_TRUE(serve_until_quiet(std::ref(script)));
    EXPECT_EQ(script.ran, static_cast<std::size_t>(wsc::bus::kMaxQuietPasses));
}

TEST(QuietPasses, AddCountsMessagesAndABurstReached) {
    PassCount pass;
    pass.add(3, 256);
    EXPECT_EQ(pass.received, 3);
    EXPECT_FALSE(pass.full);
    pass.add(256, 256);
    EXPECT_EQ(pass.received, 259);
    EXPECT_TRUE(pass.full);
    pass.add(0, 256);
    EXPECT_TRUE(pass.full);
}

}  // namespace
