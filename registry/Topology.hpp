// What a registry knows of the federation: each other registry's last
// advertised state (its direct nodes and its live peer links), and the
// routes derived from it.
//
// Link-state routing: every registry floods its own state with a rising
// sequence number; states that stop being refreshed expire. Each registry
// then computes shortest paths over the registry graph. A node is served by
// the nearest registry it is directly connected to (ties: smallest registry
// id), so one command reaches each node along exactly one path.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bus/Messages.hpp"

namespace wsc {

class Topology {
  public:
    using Clock = std::chrono::steady_clock;

    struct NodeInfo {
        std::string url;
        std::int64_t conns = 0;
        // The node's directory as that registry has applied it (Directory).
        std::uint64_t boot = 0;
        std::uint64_t dseq = 0;
    };
    struct State {
        std::uint64_t seq = 0;
        std::map<std::string, NodeInfo> nodes;  // direct nodes of that registry
        std::set<std::string> peers;            // its live peer links
        std::uint64_t up_ms = 0;                // how long it had run when it said so
        Clock::time_point expires;
    };
    struct Route {
        std::string registry;  // the registry serving the node directly
        std::string next_hop;  // peer to send to; empty when served here
        int distance = 0;      // registry hops
        // The registries after this one, up to and including `registry`:
        // a forwarded command follows exactly this path (source routing).
        std::vector<std::string> hops;
    };

    Topology(std::string self_id, std::chrono::milliseconds expiry)
        : self_(std::move(self_id)), expiry_(expiry) {}

    const std::string& self() const { return self_; }

    // Takes another registry's advertised state; true when it is newer than
    // what was known (the caller then floods it on).
    bool apply(const std::string& origin, State state, Clock::time_point now);
    // Applies a decoded PeerState (bus/Messages.hpp checked its ids).
    bool apply_state(const bus::PeerState& message, Clock::time_point now);
    // Forgets states not refreshed in time; returns their origins.
    std::vector<std::string> expire(Clock::time_point now);
    std::optional<Clock::time_point> next_expiry() const;

    // Routes to every reachable node, given this registry's own direct nodes
    // and live peer links.
    std::map<std::string, Route> routes(const std::map<std::string, NodeInfo>& local_nodes,
                                        const std::set<std::string>& live_peers) const;

    // What is known of every reachable node, from the registry serving it.
    std::map<std::string, NodeInfo> node_infos(const std::map<std::string, NodeInfo>& local_nodes,
                                               const std::set<std::string>& live_peers) const;

    // Every registry (this one included) a node is directly connected to.
    std::map<std::string, std::set<std::string>> node_registries(
        const std::map<std::string, NodeInfo>& local_nodes,
        const std::set<std::string>& live_peers) const;

    // The PeerState this registry advertises.
    static bus::PeerState encode_state(const std::string& origin, std::uint64_t seq,
                                       const std::map<std::string, NodeInfo>& nodes,
                                       const std::set<std::string>& peers, std::uint64_t up_ms);
    // How long `registry` had run at its last state (0 when unknown).
    std::uint64_t uptime_ms(const std::string& registry) const;

    // Our children in the breadth-first tree rooted at `root` (neighbours
    // visited in id order, so every registry derives the same tree): where an
    // upstream event that entered the federation at `root` goes next.
    std::set<std::string> tree_children(const std::string& root,
                                        const std::set<std::string>& live_peers) const;

    std::size_t known_registries() const { return states_.size(); }
    // Every registry reachable from here, this one included.
    std::set<std::string> reachable(const std::set<std::string>& live_peers) const;

  private:
    // The registry graph: an edge counts when either end advertises it,
    // except our own edges, where only links live here count.
    std::map<std::string, std::set<std::string>> graph(
        const std::set<std::string>& live_peers) const;
    // Registries reachable from here, each with the path to it (the
    // registries after this one; empty for this one).
    std::map<std::string, std::vector<std::string>> paths(
        const std::set<std::string>& live_peers) const;

    std::string self_;
    std::chrono::milliseconds expiry_;
    std::map<std::string, State> states_;  // by origin registry id
};

}  // namespace wsc
