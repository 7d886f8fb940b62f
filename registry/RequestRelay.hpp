// How a round travels through the federation: split by the path to each
// target node, and relayed back by the registries on the way.
//
// Source routing: the registry a call arrived at chooses, for each target,
// exactly one place — its own link if the node is its own, else one path of
// registries to the one serving it. The target set is split, never copied,
// so no node can receive a command twice, and no registry on the way routes
// it again: it follows `hops` and remembers where the replies go back.
// Pure logic; registry's thread only.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "registry/Topology.hpp"

namespace wsc {

class RequestRelay {
  public:
    using Clock = std::chrono::steady_clock;

    // One way out of this registry for some of a round's targets.
    struct Leg {
        std::string next;               // the peer registry to send to; empty: our own nodes
        std::vector<std::string> hops;  // the registries after `next`, in order
        std::vector<std::string> nodes;
    };
    struct Plan {
        std::vector<std::string> local;  // our own nodes
        std::vector<Leg> remote;         // one leg per distinct path
    };

    static Plan split(const std::map<std::string, Topology::Route>& table);
    // The next step of a forwarded request that still has `hops` to go
    // (`next` empty when they are done: the targets are our own nodes).
    static Leg onward(std::vector<std::string> hops, std::vector<std::string> nodes);

    // A forwarded request of `origin`'s call `req` came from `upstream`:
    // replies to it go back there until `deadline`.
    void remember(const std::string& origin, std::uint64_t req, std::string upstream,
                  Clock::time_point deadline);
    // Where replies to that request go back; null when unknown or expired.
    const std::string* upstream_of(const std::string& origin, std::uint64_t req) const;
    void expire(Clock::time_point now);
    std::size_t size() const { return relays_.size(); }

  private:
    struct Relay {
        std::string upstream;
        Clock::time_point deadline;
    };
    std::map<std::pair<std::string, std::uint64_t>, Relay> relays_;  // (origin, req)
};

}  // namespace wsc
