// Source routing of a round: one way out per target, and the relays that
// bring replies back.
#include <gtest/gtest.h>

#include "registry/RequestRelay.hpp"

namespace wsc {
namespace {

using namespace std::chrono_literals;
using Clock = RequestRelay::Clock;

const std::string kB(32, '1'), kC(32, '2'), kD(32, '3');
const std::string kN0(32, 'a'), kN1(32, 'b'), kN2(32, 'c'), kN3(32, 'd');

Topology::Route via(std::vector<std::string> hops) {
    Topology::Route r;
    if (!hops.empty()) {
        r.registry = hops.back();
        r.next_hop = hops.front();
    }
    r.distance = static_cast<int>(hops.size());
    r.hops = std::move(hops);
    return r;
}

TEST(RequestRelay, SplitSendsEachTargetOneWayOnly) {
    const auto plan = RequestRelay::split(
        {{kN0, via({})}, {kN1, via({kB})}, {kN2, via({kB, kC})}, {kN3, via({kB, kC})}});
    EXPECT_EQ(plan.local, std::vector<std::string>{kN0});
    ASSERT_EQ(plan.remote.size(), 2u);
    std::map<std::vector<std::string>, std::vector<std::string>> legs;
    for (const auto& leg : plan.remote) {
        EXPECT_EQ(leg.next, kB);
        legs[leg.hops] = leg.nodes;
    }
    EXPECT_EQ(legs[{}], std::vector<std::string>{kN1});
    EXPECT_EQ(legs[{kC}], (std::vector<std::string>{kN2, kN3}));
}

TEST(RequestRelay, AnEmptyTableMeansNothingToSend) {
    const auto plan = RequestRelay::split({});
    EXPECT_TRUE(plan.local.empty());
    EXPECT_TRUE(plan.remote.empty());
}

TEST(RequestRelay, OnwardFollowsTheChosenPathToTheEnd) {
    auto leg = RequestRelay::onward({kC, kD}, {kN2});
    EXPECT_EQ(leg.next, kC);
    EXPECT_EQ(leg.hops, std::vector<std::string>{kD});
    EXPECT_EQ(leg.nodes, std::vector<std::string>{kN2});
    leg = RequestRelay::onward({}, {kN2});
    EXPECT_TRUE(leg.next.empty()) << "no hops left: the targets are ours";
    EXPECT_EQ(leg.nodes, std::vector<std::string>{kN2});
}

TEST(RequestRelay, RepliesGoBackUntilTheRelayExpires) {
    RequestRelay relay;
    const Clock::time_point t0{};
    relay.remember(kD, 42, kB, t0 + 100ms);
    ASSERT_NE(relay.upstream_of(kD, 42), nullptr);
    EXPECT_EQ(*relay.upstream_of(kD, 42), kB);
    EXPECT_EQ(relay.upstream_of(kD, 43), nullptr);
    EXPECT_EQ(relay.upstream_of(kC, 42), nullptr) << "the same req of another origin";
    relay.expire(t0 + 99ms);
    EXPECT_EQ(relay.size(), 1u);
    relay.expire(t0 + 100ms);
    EXPECT_EQ(relay.size(), 0u);
    EXPECT_EQ(relay.upstream_of(kD, 42), nullptr);
}

}  // namespace
}  // namespace wsc
