// The scaleout scenario's answer checks: the per-node results of an API
// envelope against where the targets are, whether the registry sent the call
// to every node or only to the ones concerned; and one counter of /metrics.
#include "bench/NodeSlots.hpp"

#include <gtest/gtest.h>

#include "bench/MetricsText.hpp"

namespace wsc::bench {
namespace {

const std::string kA(32, 'a');
const std::string kB(32, 'b');
const std::string kC(32, 'c');

std::string envelope(const std::string& event, const std::string& slots) {
    return R"({"code":0,"msg":"ok","extra":[],"master_ids":[],"data":{")" + event + R"(":)" +
           slots + "}}";
}

std::string slots(std::initializer_list<std::pair<std::string, int>> values) {
    std::string out = "{";
    for (const auto& [node, n] : values)
        out += (out.size() > 1 ? "," : "") + ("\"" + node + "\":" + std::to_string(n));
    return out + "}";
}

TEST(NodeSlots, OneSlotWithOneAndTheOthersZeroOrAbsent) {
    const NodeCounts want{{kB, 1}};
    const std::string event = "sendMessageTo_Id";
    EXPECT_EQ(check_node_slots(envelope(event, slots({{kA, 0}, {kB, 1}, {kC, 0}})), event, want),
              "");
    EXPECT_EQ(check_node_slots(envelope(event, slots({{kB, 1}})), event, want), "");
}

TEST(NodeSlots, WrongNodeMissingSlotOrExtraResultFails) {
    const NodeCounts want{{kB, 1}};
    const std::string event = "sendMessageToId";
    EXPECT_NE(check_node_slots(envelope(event, slots({{kA, 1}, {kB, 0}})), event, want), "");
    EXPECT_NE(check_node_slots(envelope(event, slots({{kA, 0}})), event, want), "");
    EXPECT_NE(check_node_slots(envelope(event, slots({{kA, 1}, {kB, 1}})), event, want), "");
    EXPECT_NE(check_node_slots(envelope(event, slots({{kB, 2}})), event, want), "");
    EXPECT_NE(check_node_slots(envelope(event, R"({")" + kB + R"(":"1"})"), event, want), "");
}

TEST(NodeSlots, GroupCountsPerNode) {
    const NodeCounts want{{kA, 2}, {kB, 2}};
    const std::string event = "sendToGroup";
    EXPECT_EQ(check_node_slots(envelope(event, slots({{kA, 2}, {kB, 2}})), event, want), "");
    EXPECT_NE(check_node_slots(envelope(event, slots({{kA, 4}, {kB, 0}})), event, want), "");
    EXPECT_NE(check_node_slots(envelope(event, slots({{kA, 2}})), event, want), "");
}

TEST(NodeSlots, NotAnEnvelopeOrAnotherEventFails) {
    const NodeCounts want{{kA, 1}};
    EXPECT_NE(check_node_slots("not json", "broadcast", want), "");
    EXPECT_NE(check_node_slots(envelope("broadcast", slots({{kA, 1}})), "sendToGroup", want), "");
    EXPECT_NE(check_node_slots(envelope("broadcast", "[]"), "broadcast", want), "");
}

TEST(MetricsText, ReadsTheUnlabelledSampleOnly) {
    const std::string text =
        "# HELP wscenter_bus_requests_total Requests sent to nodes.\n"
        "# TYPE wscenter_bus_requests_total counter\n"
        "wscenter_bus_requests_total_other 5\n"
        "wscenter_bus_requests_total 1234\n"
        "wscenter_api_calls_total{event=\"broadcast\",code=\"0\"} 7\n";
    EXPECT_EQ(metric_value(text, "wscenter_bus_requests_total"), 1234.0);
    EXPECT_EQ(metric_value(text, "wscenter_api_calls_total"), std::nullopt);
    EXPECT_EQ(metric_value(text, "wscenter_nodes"), std::nullopt);
    EXPECT_EQ(metric_value("wscenter_nodes 3", "wscenter_nodes"), 3.0);
}

}  // namespace
}  // namespace wsc::bench
