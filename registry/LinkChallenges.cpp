#include "registry/LinkChallenges.hpp"

#include <algorithm>

namespace wsc {

LinkChallenges::LinkChallenges(std::chrono::milliseconds lifetime, std::size_t capacity,
                               NonceSource source)
    : lifetime_(lifetime),
      capacity_(std::max<std::size_t>(capacity, 1)),
      source_(std::move(source)) {}

std::string LinkChallenges::issue(const std::string& route, Clock::time_point now) {
    if (auto it = pending_.find(route); it != pending_.end() && it->second.expires > now)
        return it->second.nonce;
    if (!pending_.count(route) && pending_.size() >= capacity_) evict(now);
    auto& p = pending_[route];
    p.nonce = source_();
    p.expires = now + lifetime_;
    return p.nonce;
}

bool LinkChallenges::redeem(const std::string& route, const std::string& nonce,
                            Clock::time_point now) {
    auto it = pending_.find(route);
    if (it == pending_.end()) return false;
    const bool ok = !nonce.empty() && it->second.nonce == nonce && it->second.expires > now;
    pending_.erase(it);
    return ok;
}

void LinkChallenges::evict(Clock::time_point now) {
    std::erase_if(pending_, [now](const auto& kv) { return kv.second.expires <= now; });
    if (pending_.size() < capacity_) return;
    auto oldest = std::min_element(
        pending_.begin(), pending_.end(),
        [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; });
    pending_.erase(oldest);
}

}  // namespace wsc
