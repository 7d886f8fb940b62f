#include "common/WakeFd.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <thread>

namespace {

bool readable(const wsc::WakeFd& w, int timeout_ms) {
    pollfd p{w.fd(), POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

TEST(WakeFd, QuietUntilNotified) {
    wsc::WakeFd w;
    EXPECT_FALSE(readable(w, 0));
    w.notify();
    EXPECT_TRUE(readable(w, 0));
}

TEST(WakeFd, ManyNotificationsAreOneWakeUp) {
    wsc::WakeFd w;
    for (int i = 0; i < 1000; ++i) w.notify();
    EXPECT_TRUE(readable(w, 0));
    w.clear();
    EXPECT_FALSE(readable(w, 0));
}

TEST(WakeFd, WakesAPollerOnAnotherThread) {
    wsc::WakeFd w;
    std::thread t([&] { w.notify(); });
    EXPECT_TRUE(readable(w, 5000));
    t.join();
}

}  // namespace
