// The node's /metrics page: its counters in the Prometheus text format
// (version 0.0.4). Pure text, so that the names and help lines dashboards
// depend on are unit tested.
#pragma once

#include <cstddef>
#include <string>

#include "wsnode/NodeCounters.hpp"

namespace wsc {

// `connections`: the connections open now (the ConnectionIndex's count).
std::string metrics_text(const NodeCounters& counters, std::size_t connections);

}  // namespace wsc
