// Rendezvous routing of users to nodes: determinism, balance, stability.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "registry/Route.hpp"

namespace wsc {
namespace {

constexpr int kUsers = 10000;
constexpr double kFairShareTolerance = 0.10;  // each node within 10% of users/N

std::vector<RouteCandidate> make_nodes(int count) {
    std::vector<RouteCandidate> nodes;
    for (int i = 0; i < count; ++i) {
        // Realistic 32-hex ids that differ in several places.
        std::string id = "0123456789abcdef0123456789abcdef";
        id[0] = "0123456789abcdef"[i % 16];
        id[17] = "fedcba9876543210"[(i * 7) % 16];
        id[31] = "0123456789abcdef"[(i * 3 + 1) % 16];
        nodes.push_back({id, "ws://node" + std::to_string(i) + ":9000/"});
    }
    return nodes;
}

std::string user(int i) {
    return "user-" + std::to_string(i);
}

std::map<std::string, std::string> assign(const std::vector<RouteCandidate>& nodes) {
    std::map<std::string, std::string> out;
    for (int i = 0; i < kUsers; ++i) out[user(i)] = choose_route(user(i), nodes)->node_id;
    return out;
}

TEST(Route, EmptyNodeListHasNoRoute) {
    EXPECT_EQ(choose_route("u1", {}), std::nullopt);
}

TEST(Route, SingleNodeTakesEveryone) {
    const auto nodes = make_nodes(1);
    for (int i = 0; i < 100; ++i) {
        auto r = choose_route(user(i), nodes);
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->node_id, nodes[0].node_id);
        EXPECT_EQ(r->url, nodes[0].url);
    }
}

TEST(Route, ScoreIsStableAndSeparatesFields) {
    // Fixed across runs and builds: the same inputs always give the same score.
    EXPECT_EQ(route_score("n1", "u1"), route_score("n1", "u1"));
    EXPECT_NE(route_score("n1", "u1"), route_score("n1", "u2"));
    EXPECT_NE(route_score("n1", "u1"), route_score("n2", "u1"));
    // The separator keeps ("ab","c") and ("a","bc") apart.
    EXPECT_NE(route_score("ab", "c"), route_score("a", "bc"));
}

TEST(Route, ChoiceIsDeterministicAndIndependentOfOrder) {
    auto nodes = make_nodes(5);
    auto reversed = nodes;
    std::reverse(reversed.begin(), reversed.end());
    for (int i = 0; i < 500; ++i) {
        auto a = choose_route(user(i), nodes);
        auto b = choose_route(user(i), nodes);
        auto c = choose_route(user(i), reversed);
        ASSERT_TRUE(a && b && c);
        EXPECT_EQ(a->node_id, b->node_id);
        EXPECT_EQ(a->node_id, c->node_id);
        // The winner's url comes with it.
        for (const auto& n : nodes) {
            if (n.node_id == a->node_id) {
                EXPECT_EQ(a->url, n.url);
            }
        }
    }
}

TEST(Route, LoadIsSpreadFairly) {
    const auto nodes = make_nodes(5);
    std::map<std::string, int> load;
    for (const auto& [u, node] : assign(nodes)) ++load[node];
    ASSERT_EQ(load.size(), nodes.size());
    const double fair = static_cast<double>(kUsers) / static_cast<double>(nodes.size());
    for (const auto& [node, count] : load)
        EXPECT_LE(std::abs(count - fair), fair * kFairShareTolerance)
            << node << " has " << count << " users, fair share " << fair;
}

TEST(Route, RemovingANodeMovesOnlyItsUsers) {
    const auto nodes = make_nodes(5);
    const auto before = assign(nodes);
    auto fewer = nodes;
    const std::string gone = fewer[2].node_id;
    fewer.erase(fewer.begin() + 2);
    const auto after = assign(fewer);
    int moved = 0;
    for (const auto& [u, node] : before) {
        if (node == gone) {
            EXPECT_NE(after.at(u), gone);
            ++moved;
        } else {
            EXPECT_EQ(after.at(u), node) << u << " moved although its node stayed";
        }
    }
    EXPECT_GT(moved, 0);
}

TEST(Route, AddingANodeMovesAboutOneNth) {
    const auto nodes = make_nodes(6);
    const std::vector<RouteCandidate> five(nodes.begin(), nodes.begin() + 5);
    const std::string added = nodes[5].node_id;
    const auto before = assign(five);
    const auto after = assign(nodes);
    int moved = 0;
    for (const auto& [u, node] : before) {
        if (after.at(u) == node) continue;
        // Whoever moves, moves to the new node, never between old nodes.
        EXPECT_EQ(after.at(u), added);
        ++moved;
    }
    const double expected = static_cast<double>(kUsers) / static_cast<double>(nodes.size());
    EXPECT_LE(std::abs(moved - expected), expected * kFairShareTolerance)
        << moved << " users moved, expected about " << expected;
}

}  // namespace
}  // namespace wsc
