#include "registry/NodeTable.hpp"

namespace wsc {

NodeTable::Upsert NodeTable::upsert(const std::string& node_id, const std::string& route,
                                    const std::string& url, std::int64_t conns,
                                    Clock::time_point now) {
    if (auto known = nodes_.find(node_id);
        known != nodes_.end() && known->second.route != route && known->second.expires > now)
        return Upsert::Refused;
    // One link speaks for one node: a link now naming another node replaced it.
    if (auto owner = routes_.find(route); owner != routes_.end() && owner->second != node_id) {
        nodes_.erase(owner->second);
        ++generation_;
    }
    auto [it, inserted] = nodes_.try_emplace(node_id);
    Entry& e = it->second;
    const bool moved = !inserted && e.route != route;
    if (moved) routes_.erase(e.route);
    e.node_id = node_id;
    e.route = route;
    e.url = url;
    e.conns = conns;
    e.expires = now + expiry_;
    routes_[route] = node_id;
    if (inserted || moved) ++generation_;
    return inserted ? Upsert::Joined : moved ? Upsert::Moved : Upsert::Refreshed;
}

bool NodeTable::touch_route(const std::string& route, Clock::time_point now) {
    auto r = routes_.find(route);
    if (r == routes_.end()) return false;
    nodes_.at(r->second).expires = now + expiry_;
    return true;
}

std::optional<std::string> NodeTable::node_of_route(const std::string& route) const {
    auto r = routes_.find(route);
    if (r == routes_.end()) return std::nullopt;
    return r->second;
}

bool NodeTable::remove(const std::string& node_id) {
    auto it = nodes_.find(node_id);
    if (it == nodes_.end()) return false;
    if (auto r = routes_.find(it->second.route); r != routes_.end() && r->second == node_id)
        routes_.erase(r);
    nodes_.erase(it);
    ++generation_;
    return true;
}

std::vector<std::string> NodeTable::expire(Clock::time_point now) {
    std::vector<std::string> gone;
    for (const auto& [id, e] : nodes_)
        if (e.expires <= now) gone.push_back(id);
    for (const auto& id : gone) remove(id);
    return gone;
}

const NodeTable::Entry* NodeTable::find(const std::string& node_id) const {
    auto it = nodes_.find(node_id);
    return it == nodes_.end() ? nullptr : &it->second;
}

std::vector<std::string> NodeTable::node_ids() const {
    std::vector<std::string> ids;
    ids.reserve(nodes_.size());
    for (const auto& [id, e] : nodes_) ids.push_back(id);
    return ids;
}

std::optional<NodeTable::Clock::time_point> NodeTable::next_expiry() const {
    std::optional<Clock::time_point> next;
    for (const auto& [id, e] : nodes_)
        if (!next || e.expires < *next) next = e.expires;
    return next;
}

}  // namespace wsc
