#include "wsnode/ConnectRateLimiter.hpp"

#include <algorithm>

namespace wsc {

namespace {
constexpr auto kPruneEvery = std::chrono::seconds(10);
}

bool ConnectRateLimiter::allow(const std::string& address, Clock::time_point now) {
    if (rate_ <= 0) return true;
    if (now >= next_prune_) prune(now);
    auto [it, inserted] = buckets_.try_emplace(address, Bucket{rate_, now});
    Bucket& b = it->second;
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(rate_, b.tokens + elapsed * rate_);
    b.updated = now;
    if (b.tokens < 1.0) return false;
    b.tokens -= 1.0;
    return true;
}

void ConnectRateLimiter::prune(Clock::time_point now) {
    // A bucket idle for one second is full again: forgetting it changes nothing.
    std::erase_if(buckets_, [&](const auto& kv) {
        return now - kv.second.updated > std::chrono::seconds(1);
    });
    next_prune_ = now + kPruneEvery;
}

}  // namespace wsc
