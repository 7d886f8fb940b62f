// The node's /metrics page: its counters in the Prometheus text format
// (version 0.0.4). Pure text, so that the names and help lines dashboards
// depend on are unit tested.
#pragma once

#include <cstddef>
#include <string>

#include "wsnode/NodeCounters.hpp"

namespace wsc {

// What the node's ConnectionIndex holds now.
struct IndexSizes {
    std::size_t connections = 0;
    std::size_t users = 0;   // bound user ids
    std::size_t groups = 0;  // non-empty groups
};

std::string metrics_text(const NodeCounters& counters, const IndexSizes& sizes);

}  // namespace wsc
