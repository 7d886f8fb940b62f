// Client events (open, message, close) on their way out of a registry: which
// are new, and which subscribers take them.
//
// Pure bookkeeping; the broker decodes, forwards down the federation tree and
// sends. Broker thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>

#include "registry/UpstreamSeq.hpp"

namespace wsc {

class UpstreamFanout {
  public:
    using Clock = std::chrono::steady_clock;

    // Starts or renews the lease of the subscriber at `identity` (its
    // ROUTER identity) for the event kinds `events` (empty: every kind).
    // True when it is new.
    bool subscribe(const std::string& identity, std::set<std::string> events,
                   Clock::time_point expires);
    // Subscribers that did not renew by their lease's end are gone.
    void expire(Clock::time_point now);
    std::size_t subscribers() const { return subscribers_.size(); }
    // Calls fn(identity) for each subscriber that takes an event of `kind`
    // (on the path of every client event: nothing is allocated).
    template <class Fn>
    void for_each_recipient(const std::string& kind, Fn&& fn) const {
        for (const auto& [identity, sub] : subscribers_)
            if (sub.events.empty() || sub.events.count(kind)) fn(identity);
    }

    // Whether event `seq` of `node` (in its process `boot`) is new.
    UpstreamSeq::Verdict admit(const std::string& node, std::uint64_t boot, std::uint64_t seq) {
        return seq_.check(node, boot, seq);
    }
    // The node has left: a restart starts its numbering anew.
    void forget_node(const std::string& node) { seq_.forget(node); }

  private:
    struct Subscriber {
        std::set<std::string> events;  // empty: every kind
        Clock::time_point expires;
    };
    std::unordered_map<std::string, Subscriber> subscribers_;  // by ROUTER identity
    UpstreamSeq seq_;                                          // last seq delivered per node
};

}  // namespace wsc
