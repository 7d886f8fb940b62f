#include "registry/Route.hpp"

namespace wsc {

namespace {
constexpr std::uint64_t kFnvOffset = 14695981039346656037ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;
}  // namespace

std::uint64_t route_score(std::string_view node_id, std::string_view user_id) {
    std::uint64_t h = kFnvOffset;
    auto feed = [&h](std::string_view s) {
        for (unsigned char c : s) {
            h ^= c;
            h *= kFnvPrime;
        }
    };
    feed(node_id);
    feed(std::string_view("\0", 1));  // separator: ("ab","c") != ("a","bc")
    feed(user_id);
    // splitmix64 finaliser: FNV alone spreads similar keys poorly.
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

std::optional<RouteCandidate> choose_route(std::string_view user_id,
                                           const std::vector<RouteCandidate>& nodes) {
    const RouteCandidate* best = nullptr;
    std::uint64_t best_score = 0;
    for (const auto& n : nodes) {
        const std::uint64_t s = route_score(n.node_id, user_id);
        if (!best || s > best_score || (s == best_score && n.node_id < best->node_id)) {
            best = &n;
            best_score = s;
        }
    }
    if (!best) return std::nullopt;
    return *best;
}

}  // namespace wsc
