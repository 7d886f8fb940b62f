// Which nodes a round of events must reach: the owner of an `_id` (by its
// tag), the nodes the directory says may hold a user or a group, or every
// node for cluster-wide events. A round of several events goes to the union.
// Pure logic.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry/Directory.hpp"

namespace wsc {

// Every live node with its tag (bus/ConnIds.hpp), computed once per change
// of the set rather than once per round.
struct LiveNodes {
    LiveNodes() = default;
    explicit LiveNodes(std::vector<std::string> node_ids);
    std::vector<std::string> ids;
    std::vector<std::string> tags;  // tags[i] is ids[i]'s
};

// `events`: a round, an array of {name, params} (bus::request_event).
// Returns the nodes of `live` to ask, in its order.
std::vector<std::string> round_targets(const nlohmann::json& events, const LiveNodes& live,
                                       const Directory& directory);

}  // namespace wsc
