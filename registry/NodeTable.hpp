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

    // Registers or refreshes a node; true when it was not known before.
    // A node that reconnects on a new link simply moves to the new route.
    bool upsert(const std::string& node_id, const std::string& route, const std::string& url,
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

  private:
    std::chrono::milliseconds expiry_;
    std::map<std::string, Entry> nodes_;                   // by node id, sorted
    std::unordered_map<std::string, std::string> routes_;  // route -> node id
};

}  // namespace wsc
