#include "registry/RequestRelay.hpp"

namespace wsc {

RequestRelay::Plan RequestRelay::split(const std::map<std::string, Topology::Route>& table) {
    Plan plan;
    std::map<std::vector<std::string>, std::vector<std::string>> by_path;  // path -> targets
    for (const auto& [node, route] : table) {
        if (route.hops.empty())
            plan.local.push_back(node);
        else
            by_path[route.hops].push_back(node);
    }
    for (auto& [path, nodes] : by_path)
        plan.remote.push_back(Leg{path.front(),
                                  std::vector<std::string>(path.begin() + 1, path.end()),
                                  std::move(nodes)});
    return plan;
}

RequestRelay::Leg RequestRelay::onward(std::vector<std::string> hops,
                                       std::vector<std::string> nodes) {
    Leg leg;
    leg.nodes = std::move(nodes);
    if (hops.empty()) return leg;
    leg.next = std::move(hops.front());
    hops.erase(hops.begin());
    leg.hops = std::move(hops);
    return leg;
}

void RequestRelay::remember(const std::string& origin, std::uint64_t req, std::string upstream,
                            Clock::time_point deadline) {
    relays_[{origin, req}] = Relay{std::move(upstream), deadline};
}

const std::string* RequestRelay::upstream_of(const std::string& origin, std::uint64_t req) const {
    const auto it = relays_.find({origin, req});
    return it != relays_.end() ? &it->second.upstream : nullptr;
}

void RequestRelay::expire(Clock::time_point now) {
    std::erase_if(relays_, [now](const auto& r) { return r.second.deadline <= now; });
}

}  // namespace wsc
