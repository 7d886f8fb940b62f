// The events a registry answers itself: nodes and route.
#include <gtest/gtest.h>

#include "registry/LocalEvents.hpp"

namespace wsc {
namespace {

using nlohmann::json;
const std::string kSelf(32, '5');
const std::string kN0(32, 'a'), kN1(32, 'b');

TEST(LocalEvents, NodesListsEachLiveNodeWithWhereItIsServed) {
    Topology topo(kSelf, std::chrono::seconds(3));
    const std::map<std::string, Topology::NodeInfo> local{{kN0, {"ws://a/", 3}},
                                                          {kN1, {"ws://b/", 0}}};
    const std::set<std::string> peers;
    const json out = nodes_listing({kSelf, topo, local, peers});
    EXPECT_EQ(out["registry"], kSelf);
    ASSERT_EQ(out["nodes"].size(), 2u);
    EXPECT_EQ(out["nodes"][0]["node"], kN0);
    EXPECT_EQ(out["nodes"][0]["url"], "ws://a/");
    EXPECT_EQ(out["nodes"][0]["conns"], 3);
    EXPECT_EQ(out["nodes"][0]["served_by"], kSelf);
    EXPECT_EQ(out["nodes"][0]["hops"], 0);
    EXPECT_EQ(out["nodes"][0]["registries"], json::array({kSelf}));
}

TEST(LocalEvents, RouteNamesOneLiveNodeTheSameEveryTime) {
    Topology topo(kSelf, std::chrono::seconds(3));
    const std::map<std::string, Topology::NodeInfo> local{{kN0, {"ws://a/", 0}},
                                                          {kN1, {"ws://b/", 0}}};
    const std::set<std::string> peers;
    const ClusterView view{kSelf, topo, local, peers};
    const json first = local_event(view, "route", {{"id", "user-1"}});
    ASSERT_TRUE(first.is_object());
    EXPECT_TRUE(first["node"] == kN0 || first["node"] == kN1) << first;
    EXPECT_EQ(local_event(view, "route", {{"id", "user-1"}}), first);
}

TEST(LocalEvents, NoNodeNoRouteAndOtherEventsAreNotLocal) {
    Topology topo(kSelf, std::chrono::seconds(3));
    const std::map<std::string, Topology::NodeInfo> none;
    const std::set<std::string> peers;
    const ClusterView view{kSelf, topo, none, peers};
    EXPECT_TRUE(local_event(view, "route", {{"id", "u"}}).is_null());
    EXPECT_TRUE(local_event(view, "getIds", json::object()).is_null());
}

}  // namespace
}  // namespace wsc
