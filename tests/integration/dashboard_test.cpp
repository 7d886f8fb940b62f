// The Grafana dashboard (docs/grafana/wscenter.json) against the metrics a
// real registry and a real wsnode serve: every metric a panel queries
// exists, and every metric family they serve has a panel, so that neither
// can drift from the other unnoticed.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/integration/Cluster.hpp"
#include "tests/support/HttpClient.hpp"

namespace wsc::test {
namespace {

using nlohmann::json;

json load_dashboard() {
    std::ifstream in(std::string(WSC_SOURCE_DIR) + "/docs/grafana/wscenter.json");
    EXPECT_TRUE(in.good()) << "docs/grafana/wscenter.json is missing";
    std::stringstream text;
    text << in.rdbuf();
    return json::parse(text.str());
}

// The metric families a /metrics page declares (its "# TYPE name kind" lines).
std::set<std::string> families(const std::string& page) {
    std::set<std::string> out;
    static const std::regex type_line(R"(# TYPE (wscenter_[a-z0-9_]+) )");
    for (std::sregex_iterator it(page.begin(), page.end(), type_line), end; it != end; ++it)
        out.insert((*it)[1]);
    return out;
}

// A histogram's series name its family with a suffix.
std::string family_of(std::string name) {
    for (const std::string suffix : {"_bucket", "_sum", "_count"})
        if (name.size() > suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            return name.substr(0, name.size() - suffix.size());
    return name;
}

TEST(Dashboard, EveryPanelQueriesServedMetricsAndEveryMetricHasAPanel) {
    auto registry = start_registry();
    auto node = start_wsnode({registry.bus_port});
    ASSERT_TRUE(wait_for_nodes(registry.http_port, 1));
    std::set<std::string> served = families(http_get(registry.http_port, "/metrics").body);
    for (const auto& name : families(http_get(node.ws_port, "/metrics").body)) served.insert(name);
    ASSERT_GT(served.size(), 40u);

    const json dashboard = load_dashboard();
    ASSERT_TRUE(dashboard.contains("panels"));
    std::set<std::string> queried;
    static const std::regex metric(R"(wscenter_[a-z0-9_]+)");
    std::size_t graphs = 0;
    for (const auto& panel : dashboard["panels"]) {
        if (panel.value("type", "") == "row") continue;
        ++graphs;
        ASSERT_TRUE(panel.contains("targets")) << panel.value("title", "");
        EXPECT_FALSE(panel["targets"].empty()) << panel.value("title", "");
        for (const auto& target : panel["targets"]) {
            const std::string expr = target.value("expr", "");
            EXPECT_FALSE(expr.empty()) << panel.value("title", "");
            for (std::sregex_iterator it(expr.begin(), expr.end(), metric), end; it != end; ++it) {
                const std::string family = family_of(it->str());
                EXPECT_TRUE(served.count(family)) << panel.value("title", "") << " queries "
                                                  << it->str() << ", which no program serves";
                queried.insert(family);
            }
        }
    }
    EXPECT_GE(graphs, 10u);
    for (const auto& name : served)
        EXPECT_TRUE(queried.count(name)) << name << " is served but on no panel of the dashboard";
}

}  // namespace
}  // namespace wsc::test
