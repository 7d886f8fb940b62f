// The live wsnodes a registry knows, with their route and liveness.
//
// Pure bookkeeping, no sockets: the broker feeds it what arrives on the bus
// and asks it who is alive and who has expired.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace wsc {

class NodeTable {
  public:
    using Clock = std::chrono::steady_clock;

    struct Entry {
        std::string node_id;
        std::string route;  // ROUTER identity of the link the node speaks on
        std::string url;    // public WebSocket URL it advertises
        std::int64_t conns = 0;
        Clock::time_point expires;
    };

    explicit NodeTable(std::chrono::milliseconds expiry) : expiry_(expiry) {}

    enum class Upsert {
        Joined,     // not known before
        Refreshed,  // known on this route
        Moved,      // known on another route that had expired: now on this one
        Refused,    // alive on another route: the first link keeps it
    };
    // Registers or refreshes a node. A live node id belongs to the link it
    // first registered on until it leaves or expires: a second link naming
    // it is refused, so a stranger cannot take a node's commands over. A
    // node that reconnects after its old link went silent moves to the new
    // route once the old one has expired.
    Upsert upsert(const std::string& node_id, const std::string& route, const std::string& url,
                  std::int64_t conns, Clock::time_point now);
    // Any message on a known route keeps its node alive; false if unknown.
    bool touch_route(const std::string& route, Clock::time_point now);
    std::optional<std::string> node_of_route(const std::string& route) const;
    bool remove(const std::string& node_id);
    // Forgets every node silent past its expiry; returns their ids.
    std::vector<std::string> expire(Clock::time_point now);

    const Entry* find(const std::string& node_id) const;
    std::vector<std::string> node_ids() const;  // sorted
    std::size_t size() const { return nodes_.size(); }
    std::optional<Clock::time_point> next_expiry() const;
    template <class F>
    void for_each(F&& f) const {
        for (const auto& [id, e] : nodes_) f(e);
    }

    // Rises whenever the set of nodes or their links changes (not on a
    // mere refresh): what is derived from the set may be kept until then.
    std::uint64_t generation() const { return generation_; }

  private:
    std::chrono::milliseconds expiry_;
    std::map<std::string, Entry> nodes_;                   // by node id, sorted
    std::unordered_map<std::string, std::string> routes_;  // route -> node id
    std::uint64_t generation_ = 0;
};

}  // namespace wsc
