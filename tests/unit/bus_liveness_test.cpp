// How long a silent link, and a subscription, stay alive.
#include <gtest/gtest.h>

#include "bus/Liveness.hpp"

namespace {

using std::chrono::milliseconds;

TEST(Liveness, ALinkDiesAfterItsIntervalsOfSilence) {
    EXPECT_EQ((wsc::bus::Liveness{milliseconds(200), 3}.expiry()), milliseconds(600));
    EXPECT_EQ(wsc::bus::Liveness{}.expiry(), milliseconds(3000));
}

TEST(Liveness, ASubscriptionOutlivesItsSubscribersRenewals) {
    // Renewals come every second: a 600 ms lease would lapse between two.
    EXPECT_EQ((wsc::bus::Liveness{milliseconds(200), 3}.subscription_lease()), milliseconds(3000));
    // Slow heartbeats give the longer of the two.
    EXPECT_EQ((wsc::bus::Liveness{milliseconds(5000), 3}.subscription_lease()),
              milliseconds(15000));
}

}  // namespace
