// Signals: a blocked SIGTERM sent to ourselves is returned by the wait, and
// stop_requested ends the wait with 0.
#include "common/Signals.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <thread>

namespace wsc {
namespace {

TEST(Signals, WaitReturnsBlockedSigterm) {
    block_termination_signals();
    ASSERT_EQ(::raise(SIGTERM), 0);  // stays pending: it is blocked
    EXPECT_EQ(wait_for_termination(), SIGTERM);
}

TEST(Signals, WaitReturnsSigintAfterIgnoringSighup) {
    block_termination_signals();
    ASSERT_EQ(::raise(SIGHUP), 0);
    ASSERT_EQ(::raise(SIGINT), 0);
    EXPECT_EQ(wait_for_termination(), SIGINT);
}

TEST(Signals, StopRequestedEndsTheWait) {
    block_termination_signals();
    EXPECT_EQ(wait_for_termination([] { return true; }), 0);

    std::atomic<bool> stop{false};
    std::thread stopper([&stop] { stop = true; });
    EXPECT_EQ(wait_for_termination([&stop] { return stop.load(); }), 0);
    stopper.join();
}

TEST(Signals, SigpipeIsIgnored) {
    block_termination_signals();
    ASSERT_EQ(::raise(SIGPIPE), 0);  // would kill the test process if not ignored
    struct sigaction action {};
    ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &action), 0);
    EXPECT_EQ(action.sa_handler, SIG_IGN);
}

}  // namespace
}  // namespace wsc
