// Subscribers of client events: leases, filters, and new-event checks.
#include <gtest/gtest.h>

#include "registry/UpstreamFanout.hpp"

namespace wsc {
namespace {

using namespace std::chrono_literals;
const UpstreamFanout::Clock::time_point kT0{};
const std::string kNode(32, 'a');

std::set<std::string> as_set(std::vector<std::string> v) {
    return {v.begin(), v.end()};
}

TEST(UpstreamFanout, EachSubscriberGetsTheKindsItAskedFor) {
    UpstreamFanout f;
    EXPECT_TRUE(f.subscribe("all", {}, kT0 + 3s));
    EXPECT_TRUE(f.subscribe("closes", {"close"}, kT0 + 3s));
    EXPECT_EQ(as_set(f.recipients("close")), (std::set<std::string>{"all", "closes"}));
    EXPECT_EQ(as_set(f.recipients("message")), (std::set<std::string>{"all"}));
}

TEST(UpstreamFanout, ARenewalIsNotANewSubscriberAndReplacesTheFilter) {
    UpstreamFanout f;
    EXPECT_TRUE(f.subscribe("s", {"open"}, kT0 + 3s));
    EXPECT_FALSE(f.subscribe("s", {"close"}, kT0 + 6s));
    EXPECT_EQ(f.subscribers(), 1u);
    EXPECT_TRUE(f.recipients("open").empty());
    EXPECT_EQ(f.recipients("close"), std::vector<std::string>{"s"});
}

TEST(UpstreamFanout, ALeaseNotRenewedEnds) {
    UpstreamFanout f;
    f.subscribe("s", {}, kT0 + 3s);
    f.expire(kT0 + 2999ms);
    EXPECT_EQ(f.subscribers(), 1u);
    f.expire(kT0 + 3s);
    EXPECT_EQ(f.subscribers(), 0u);
    EXPECT_TRUE(f.recipients("open").empty());
}

TEST(UpstreamFanout, EachEventOfANodeIsDeliveredOnceUntilTheNodeIsForgotten) {
    UpstreamFanout f;
    EXPECT_EQ(f.admit(kNode, 7, 1), UpstreamSeq::Verdict::Deliver);
    EXPECT_EQ(f.admit(kNode, 7, 1), UpstreamSeq::Verdict::Repeat);
    EXPECT_EQ(f.admit(kNode, 7, 2), UpstreamSeq::Verdict::Deliver);
    f.forget_node(kNode);
    EXPECT_EQ(f.admit(kNode, 7, 1), UpstreamSeq::Verdict::Deliver);
}

}  // namespace
}  // namespace wsc
