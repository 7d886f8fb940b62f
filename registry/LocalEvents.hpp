// The events a registry answers itself, from what it knows of the cluster:
// `nodes` (every live node, where it is served, how far) and `route` (the
// node a user should connect to). Pure: computed from the topology, this
// registry's own nodes and its live peers.
#pragma once

#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "registry/Directory.hpp"
#include "registry/RecentEvents.hpp"
#include "registry/Topology.hpp"

namespace wsc {

struct ClusterView {
    const std::string& registry_id;
    const Topology& topology;
    const std::map<std::string, Topology::NodeInfo>& local_nodes;
    const std::set<std::string>& live_peers;
    // This registry's routing directory, when it has one to show.
    const Directory* directory = nullptr;
    // The last events delivered here, for `recentEvents`.
    const RecentEvents* recent = nullptr;
};

// The result of a registry-scope event; null for an event that is not one.
nlohmann::json local_event(const ClusterView& view, const std::string& event,
                           const nlohmann::json& params);

// {"registry": id, "nodes": [{node, url, conns, registries, served_by, hops,
//   directory: {synced, seq, users, groups}}…]} (directory: with view.directory)
nlohmann::json nodes_listing(const ClusterView& view);

}  // namespace wsc
