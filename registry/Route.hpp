// Which node a user should connect to: rendezvous (highest random weight)
// hashing over the live nodes.
//
// Unlike "user id modulo node count", losing or adding one node only moves
// the users whose highest-scoring node changed — about 1/N of them — and
// every registry computes the same answer without coordination.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsc {

struct RouteCandidate {
    std::string node_id;
    std::string url;
};

// 64-bit FNV-1a followed by a final mix: stable across processes and builds.
std::uint64_t route_score(std::string_view node_id, std::string_view user_id);

// The candidate with the highest score for `user_id`, or nullopt if none.
std::optional<RouteCandidate> choose_route(std::string_view user_id,
                                           const std::vector<RouteCandidate>& nodes);

}  // namespace wsc
