// Per-address limit on new WebSocket connections: a token bucket per client
// IP, so one address cannot flood a node with upgrades while others connect
// normally. Pure logic; the lws thread owns the one instance.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace wsc {

class ConnectRateLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    // `per_second` connections per address on average, with bursts of the
    // same size; 0 disables the limit.
    explicit ConnectRateLimiter(double per_second) : rate_(per_second) {}

    bool allow(const std::string& address, Clock::time_point now);
    std::size_t tracked() const { return buckets_.size(); }

  private:
    struct Bucket {
        double tokens;
        Clock::time_point updated;
    };
    // Addresses idle long enough to have a full bucket carry no state.
    void prune(Clock::time_point now);

    double rate_;
    std::unordered_map<std::string, Bucket> buckets_;
    Clock::time_point next_prune_{};
};

}  // namespace wsc
