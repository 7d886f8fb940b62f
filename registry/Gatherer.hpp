// Pending requests on the bus: which nodes still owe a reply, and until when.
//
// A request finishes as soon as every node it was sent to has answered, or
// at its deadline with the silent nodes listed as missing. Pure logic: the
// broker feeds replies and time, and sends what the outcomes say.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace wsc {

class Gatherer {
  public:
    using Clock = std::chrono::steady_clock;

    struct Outcome {
        std::uint64_t req = 0;
        std::map<std::string, nlohmann::json> replies;  // node id -> results
        std::vector<std::string> missing;               // nodes that did not answer
    };

    // Starts waiting for `nodes`. With no node to wait for, the outcome is
    // returned at once.
    std::optional<Outcome> start(std::uint64_t req, const std::vector<std::string>& nodes,
                                 Clock::time_point deadline);
    // Records one node's reply; returns the outcome when it was the last one
    // awaited. Replies for unknown requests, from nodes not asked, or
    // duplicates are ignored and counted as strays.
    std::optional<Outcome> on_reply(std::uint64_t req, const std::string& node,
                                    nlohmann::json results);
    // A node known to be gone will not answer: stop waiting for it.
    std::vector<Outcome> drop_node(const std::string& node);
    // Stops waiting for one node in one request (its Request could not be
    // sent); returns the outcome if that was the last node awaited.
    std::optional<Outcome> give_up(std::uint64_t req, const std::string& node);
    // Finishes every request whose deadline has passed.
    std::vector<Outcome> expire(Clock::time_point now);

    std::optional<Clock::time_point> next_deadline() const;
    std::size_t pending() const { return pending_.size(); }
    std::uint64_t stray_replies() const { return strays_; }

  private:
    struct Pending {
        std::set<std::string> waiting;
        Outcome outcome;
        Clock::time_point deadline;
    };
    static Outcome finish(Pending& p);

    std::unordered_map<std::uint64_t, Pending> pending_;
    std::uint64_t strays_ = 0;
};

}  // namespace wsc
