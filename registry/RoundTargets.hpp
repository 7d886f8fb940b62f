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

// `events`: a round, an array of {name, params} (bus::request_event);
// `live`: every live node. Returns the nodes of `live` to ask, in its order.
std::vector<std::string> round_targets(const nlohmann::json& events,
                                       const std::vector<std::string>& live,
                                       const Directory& directory);

}  // namespace wsc
