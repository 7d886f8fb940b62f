// Subscribers of client events: leases, filters, and new-event checks.
#include <gtest/gtest.h>

#include "registry/UpstreamFanout.hpp"

namespace wsc {
namespace {

using namespace std::chrono_literals;
const UpstreamFanout::Clock::time_point kT0{};
const std::string kNode(32, 'a');

std::set<std::string> recipients(const UpstreamFanout& f, const std::string& kind) {
    std::set<std::string> out;
    f.for_each_recipient(kind, [&](const std::string& identity) { out.insert(identity); });
    return out;
}

TEST(UpstreamFanout, EachSubscriberGetsTheKindsItAskedFor) {
    UpstreamFanout f;
    EXPECT_TRUE(f.subscribe("all", {}, kT0 + 3s));
    EXPECT_TRUE(f.subscribe("closes", {"close"}, kT0 + 3s));
    EXPECT_EQ(recipients(f, "close"), (std::set<std::string>{"all", "closes"}));
    EXPECT_EQ(recipients(f, "message"), (std::set<std::string>{"all"}));
}

TEST(UpstreamFanout, ARenewalIsNotANewSubscriberAndReplacesTheFilter) {
    UpstreamFanout f;
    EXPECT_TRUE(f.subscribe("s", {"open"}, kT0 + 3s));
    EXPECT_FALSE(f.subscribe("s", {"close"}, kT0 + 6s));
    EXPECT_EQ(f.subscribers(), 1u);
    EXPECT_TRUE(recipients(f, "open").empty());
    EXPECT_EQ(recipients(f, "close"), std::set<std::string>{"s"});
}

TEST(UpstreamFanout, ALeaseNotRenewedEnds) {
    UpstreamFanout f;
    f.subscribe("s", {}, kT0 + 3s);
    f.expire(kT0 + 2999ms);
    EXPECT_EQ(f.subscribers(), 1u);
    f.expire(kT0 + 3s);
    EXPECT_EQ(f.subscribers(), 0u);
    EXPECT_TRUE(recipients(f, "open").empty());
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
