#include "registry/LocalEvents.hpp"

#include <algorithm>
#include <vector>

#include "registry/Route.hpp"

namespace wsc {

nlohmann::json local_event(const ClusterView& view, const std::string& event,
                           const nlohmann::json& params) {
    if (event == "nodes") return nodes_listing(view);
    if (event == "recentEvents") {
        if (!view.recent) return nullptr;
        // A cursor that is not a number starts from the oldest kept.
        std::uint64_t since = 0;
        const std::string text = params.value("since", "");
        if (!text.empty() && text.size() < 20 &&
            std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
            since = std::stoull(text);
        auto page = view.recent->since(since);
        page["registry"] = view.registry_id;
        return nlohmann::json(page);
    }
    if (event != "route") return nullptr;
    std::vector<RouteCandidate> candidates;
    for (const auto& [node, i] : view.topology.node_infos(view.local_nodes, view.live_peers))
        candidates.push_back({node, i.url});
    auto chosen = choose_route(params.value("id", ""), candidates);
    if (!chosen) return nullptr;
    return nlohmann::json{{"node", chosen->node_id}, {"url", chosen->url}};
}

nlohmann::json nodes_listing(const ClusterView& view) {
    const auto& topo = view.topology;
    const auto where = topo.node_registries(view.local_nodes, view.live_peers);
    const auto table = topo.routes(view.local_nodes, view.live_peers);
    auto out = nlohmann::json::array();
    for (const auto& [node, info] : topo.node_infos(view.local_nodes, view.live_peers)) {
        const auto w = where.find(node);
        nlohmann::json entry{{"node", node},
                             {"url", info.url},
                             {"conns", info.conns},
                             {"registries", w != where.end() ? w->second : std::set<std::string>{}},
                             {"served_by", table.at(node).registry},
                             {"hops", table.at(node).distance}};
        if (view.directory) {
            const auto stat = view.directory->stat(node);
            entry["directory"] = {{"synced", stat.synced},
                                  {"seq", stat.seq},
                                  {"users", stat.users},
                                  {"groups", stat.groups}};
        }
        out.push_back(std::move(entry));
    }
    return {{"registry", view.registry_id}, {"nodes", std::move(out)}};
}

}  // namespace wsc
