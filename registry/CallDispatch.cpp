#include "registry/CallDispatch.hpp"

#include <algorithm>

namespace wsc {

void CallDispatch::begin(ApiCall call, Caller caller) {
    Run run;
    run.started = Clock::now();
    run.deadline = run.started + std::chrono::milliseconds(call.timeout_ms);
    std::vector<std::string> master_ids;
    for (const auto& [node, route] : port_.routes()) master_ids.push_back(node);
    run.run = std::make_unique<CallRun>(std::move(call), std::move(master_ids),
                                        [this](const std::string& ev, const nlohmann::json& p) {
                                            return port_.local_event(ev, p);
                                        });
    run.caller = std::move(caller);
    advance(std::move(run));
}

void CallDispatch::advance(Run run) {
    while (auto round = run.run->next_round()) {
        const std::uint64_t req = next_req_++;
        // One route table per round: every routed node is a target.
        const auto table = port_.routes();
        std::vector<std::string> targets;
        for (const auto& [node, route] : table) targets.push_back(node);
        const auto ttl =
            std::chrono::duration_cast<std::chrono::milliseconds>(run.deadline - Clock::now());
        const auto failed =
            port_.send_round(req, *round, table, std::max<std::int64_t>(ttl.count(), 1));
        auto done = gatherer_.start(req, targets, run.deadline);
        // A node whose link refused the Request will not answer: its slot
        // says so now instead of at the deadline.
        for (const auto& node : failed)
            if (!done) done = gatherer_.give_up(req, node);
        if (done) {
            run.run->finish_round(*done);
            continue;
        }
        runs_.emplace(req, std::move(run));
        return;
    }
    port_.finished(
        run.caller, *run.run,
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - run.started));
}

void CallDispatch::on_outcome(const Gatherer::Outcome& outcome) {
    auto it = runs_.find(outcome.req);
    if (it == runs_.end()) return;
    Run run = std::move(it->second);
    runs_.erase(it);
    if (!outcome.missing.empty()) port_.nodes_missed(outcome.missing.size());
    run.run->finish_round(outcome);
    advance(std::move(run));
}

void CallDispatch::on_reply(std::uint64_t req, const std::string& node, nlohmann::json results) {
    if (auto outcome = gatherer_.on_reply(req, node, std::move(results))) on_outcome(*outcome);
}

void CallDispatch::node_gone(const std::string& node) {
    for (auto& outcome : gatherer_.drop_node(node)) on_outcome(outcome);
}

void CallDispatch::expire(Clock::time_point now) {
    for (auto& outcome : gatherer_.expire(now)) on_outcome(outcome);
}

}  // namespace wsc
