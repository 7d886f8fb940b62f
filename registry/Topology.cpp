#include "registry/Topology.hpp"

#include <deque>

namespace wsc {

bool Topology::apply(const std::string& origin, State state, Clock::time_point now) {
    if (origin == self_) return false;  // our own state, flooded back to us
    auto it = states_.find(origin);
    if (it != states_.end() && it->second.seq >= state.seq) return false;
    state.expires = now + expiry_;
    states_[origin] = std::move(state);
    return true;
}

bool Topology::apply_state(const bus::PeerState& message, Clock::time_point now) {
    State s;
    s.seq = message.seq;
    for (const auto& n : message.nodes) s.nodes[n.node] = NodeInfo{n.url, n.conns, n.boot, n.dseq};
    s.peers.insert(message.peers.begin(), message.peers.end());
    s.up_ms = message.up;
    return apply(message.origin, std::move(s), now);
}

std::vector<std::string> Topology::expire(Clock::time_point now) {
    std::vector<std::string> gone;
    for (auto it = states_.begin(); it != states_.end();) {
        if (it->second.expires <= now) {
            gone.push_back(it->first);
            it = states_.erase(it);
        } else {
            ++it;
        }
    }
    return gone;
}

std::optional<Topology::Clock::time_point> Topology::next_expiry() const {
    std::optional<Clock::time_point> next;
    for (const auto& [origin, st] : states_)
        if (!next || st.expires < *next) next = st.expires;
    return next;
}

std::map<std::string, std::vector<std::string>> Topology::paths(
    const std::set<std::string>& live_peers) const {
    // Breadth-first over graph() (neighbours in id order). Only the origin of
    // a command decides its path, so a stale edge elsewhere cannot bounce it
    // around.
    const auto g = graph(live_peers);
    std::map<std::string, std::vector<std::string>> seen{{self_, {}}};
    std::deque<std::string> queue{self_};
    while (!queue.empty()) {
        const std::string r = queue.front();
        queue.pop_front();
        const auto path = seen[r];
        const auto it = g.find(r);
        if (it == g.end()) continue;
        for (const auto& n : it->second) {
            if (seen.count(n)) continue;
            if (n != self_ && !states_.count(n) && !live_peers.count(n)) continue;
            auto longer = path;
            longer.push_back(n);
            seen[n] = std::move(longer);
            queue.push_back(n);
        }
    }
    return seen;
}

std::map<std::string, Topology::Route> Topology::routes(
    const std::map<std::string, NodeInfo>& local_nodes,
    const std::set<std::string>& live_peers) const {
    std::map<std::string, Route> out;
    for (const auto& [id, info] : local_nodes) out[id] = Route{self_, "", 0, {}};
    for (const auto& [reg, path] : paths(live_peers)) {
        auto st = states_.find(reg);
        if (reg == self_ || st == states_.end()) continue;
        const int distance = static_cast<int>(path.size());
        for (const auto& [id, info] : st->second.nodes) {
            auto it = out.find(id);
            const bool better = it == out.end() || distance < it->second.distance ||
                                (distance == it->second.distance && reg < it->second.registry);
            if (better) out[id] = Route{reg, path.front(), distance, path};
        }
    }
    return out;
}

std::map<std::string, Topology::NodeInfo> Topology::node_infos(
    const std::map<std::string, NodeInfo>& local_nodes,
    const std::set<std::string>& live_peers) const {
    std::map<std::string, NodeInfo> out;
    for (const auto& [id, route] : routes(local_nodes, live_peers)) {
        if (route.registry == self_) {
            out[id] = local_nodes.at(id);
        } else if (auto st = states_.find(route.registry); st != states_.end()) {
            out[id] = st->second.nodes.at(id);
        }
    }
    return out;
}

std::map<std::string, std::set<std::string>> Topology::node_registries(
    const std::map<std::string, NodeInfo>& local_nodes,
    const std::set<std::string>& live_peers) const {
    std::map<std::string, std::set<std::string>> out;
    for (const auto& [id, info] : local_nodes) out[id].insert(self_);
    for (const auto& [reg, path] : paths(live_peers)) {
        auto st = states_.find(reg);
        if (st == states_.end()) continue;
        for (const auto& [id, info] : st->second.nodes) out[id].insert(reg);
    }
    return out;
}

std::map<std::string, std::set<std::string>> Topology::graph(
    const std::set<std::string>& live_peers) const {
    std::map<std::string, std::set<std::string>> g;
    g[self_] = live_peers;
    for (const auto& p : live_peers) g[p].insert(self_);
    for (const auto& [origin, st] : states_) {
        for (const auto& p : st.peers) {
            if (p == self_ || origin == self_) continue;  // our own edges: live links only
            g[origin].insert(p);
            g[p].insert(origin);
        }
    }
    return g;
}

std::set<std::string> Topology::tree_children(const std::string& root,
                                              const std::set<std::string>& live_peers) const {
    const auto g = graph(live_peers);
    std::map<std::string, std::string> parent{{root, ""}};
    std::deque<std::string> queue{root};
    while (!queue.empty()) {
        const std::string r = queue.front();
        queue.pop_front();
        auto it = g.find(r);
        if (it == g.end()) continue;
        for (const auto& n : it->second) {
            if (parent.count(n)) continue;
            parent[n] = r;
            queue.push_back(n);
        }
    }
    std::set<std::string> children;
    for (const auto& p : live_peers) {
        auto it = parent.find(p);
        if (it != parent.end() && it->second == self_) children.insert(p);
    }
    return children;
}

bus::PeerState Topology::encode_state(const std::string& origin, std::uint64_t seq,
                                      const std::map<std::string, NodeInfo>& nodes,
                                      const std::set<std::string>& peers, std::uint64_t up_ms) {
    bus::PeerState state{origin, seq, {}, {peers.begin(), peers.end()}, up_ms};
    for (const auto& [id, info] : nodes)
        state.nodes.push_back({id, info.url, info.conns, info.boot, info.dseq});
    return state;
}

std::uint64_t Topology::uptime_ms(const std::string& registry) const {
    const auto it = states_.find(registry);
    return it == states_.end() ? 0 : it->second.up_ms;
}

std::set<std::string> Topology::reachable(const std::set<std::string>& live_peers) const {
    std::set<std::string> out;
    for (const auto& [registry, path] : paths(live_peers)) out.insert(registry);
    return out;
}

}  // namespace wsc
