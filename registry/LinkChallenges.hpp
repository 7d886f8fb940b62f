// The nonces a registry has handed out to links that must prove the cluster
// secret (see bus/LinkProof.hpp). Pure bookkeeping, no sockets.
//
// One nonce per connection (ROUTER identity): asked again before it is used,
// the link gets the same one back, so a flood of hellos holds one entry per
// connection at most. A nonce is good for one proof on that connection only,
// and for a limited time; the table is bounded, the oldest going first.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <unordered_map>

namespace wsc {

class LinkChallenges {
  public:
    using Clock = std::chrono::steady_clock;
    using NonceSource = std::function<std::string()>;

    LinkChallenges(std::chrono::milliseconds lifetime, std::size_t capacity, NonceSource source);

    // The nonce `route` must prove with: its pending one, or a fresh one.
    std::string issue(const std::string& route, Clock::time_point now);
    // True when `nonce` is the live nonce handed to `route`; the nonce is
    // used up either way once a proof was tried with it.
    bool redeem(const std::string& route, const std::string& nonce, Clock::time_point now);
    std::size_t size() const { return pending_.size(); }

  private:
    struct Pending {
        std::string nonce;
        Clock::time_point expires;
    };
    void evict(Clock::time_point now);

    std::chrono::milliseconds lifetime_;
    std::size_t capacity_;
    NonceSource source_;
    std::unordered_map<std::string, Pending> pending_;  // by route
};

}  // namespace wsc
