// Checks the per-node results of an API answer. A registry answers
// {"code":0,...,"data":{"<event>":{"<node id>":N,...}}}, one slot per node it
// sent the call to; whether that is every node or only the ones concerned is
// the registry's business, so a missing slot counts as 0.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace wsc::bench {

// Node id -> the result that node should give; nodes not listed should give 0.
using NodeCounts = std::map<std::string, long long>;

// "" when the answer's slots for `event` agree with `expected`, else why not.
std::string check_node_slots(std::string_view envelope, const std::string& event,
                             const NodeCounts& expected);

}  // namespace wsc::bench
