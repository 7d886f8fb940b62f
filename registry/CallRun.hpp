// One API call being carried out: the rounds it sends to the nodes and the
// data it assembles from their replies into the response envelope.
//
// Consecutive node events share one round (one Request on the bus). The
// cluster-wide "send to the groups of a user/connection" events take two
// rounds: gather the groups from every node, then send to their union.
// Registry-scope events (route) are answered locally, in order.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/ApiRequest.hpp"
#include "registry/Gatherer.hpp"

namespace wsc {

class CallRun {
  public:
    using LocalEvent =
        std::function<nlohmann::json(const std::string& event, const nlohmann::json& params)>;
    // A list of node ids that nobody changes: calls begun while the nodes
    // stay the same share one.
    using NodeIds = std::shared_ptr<const std::vector<std::string>>;

    CallRun(ApiCall call, NodeIds master_ids, LocalEvent local = {});  // null: no nodes
    CallRun(ApiCall call, std::vector<std::string> master_ids, LocalEvent local = {});

    // The events of the next round as a JSON array of {name, params}, or
    // nullopt when every event has its result.
    std::optional<nlohmann::json> next_round();
    // Takes the outcome of the round last returned by next_round().
    void finish_round(const Gatherer::Outcome& outcome);

    std::string envelope() const;
    int timeout_ms() const { return call_.timeout_ms; }
    const ApiCall& call() const { return call_; }
    // Whether a node did not answer in time for `event` (in any of its rounds).
    bool timed_out(const std::string& event) const { return timed_out_.count(event) > 0; }

  private:
    void record(const std::string& event, const std::string& result_key,
                const Gatherer::Outcome& outcome);

    ApiCall call_;
    NodeIds master_ids_;  // never null
    LocalEvent local_;
    nlohmann::ordered_json data_ = nlohmann::ordered_json::object();
    std::size_t pos_ = 0;             // next event without a result
    std::vector<std::string> round_;  // node events of the round in flight
    int group_phase_ = 0;             // 0 idle, 1 gathering groups, 2 sending
    std::set<std::string> gathered_groups_;
    std::set<std::string> timed_out_;  // events with a node missing from a round
};

}  // namespace wsc
