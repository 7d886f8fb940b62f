#include "registry/CallDispatch.hpp"

#include <algorithm>

namespace wsc {

namespace {

std::vector<std::string> nodes_of(const CallDispatch::RouteTable& table) {
    std::vector<std::string> out;
    out.reserve(table.size());
    for (const auto& [node, route] : table) out.push_back(node);
    return out;
}

}  // namespace

CallRun::NodeIds CallDispatch::Port::node_ids() {
    return std::make_shared<const std::vector<std::string>>(nodes_of(routes()));
}

std::vector<std::string> CallDispatch::Port::targets(const nlohmann::json&,
                                                     const RouteTable& table) {
    return nodes_of(table);
}

bool CallDispatch::Port::directory_settled(const std::string&, std::uint64_t) {
    return true;
}

void CallDispatch::begin(ApiCall call, Caller caller) {
    Run run;
    run.started = Clock::now();
    run.deadline = run.started + std::chrono::milliseconds(call.timeout_ms);
    run.run = std::make_unique<CallRun>(std::move(call), port_.node_ids(),
                                        [this](const std::string& ev, const nlohmann::json& p) {
                                            return port_.local_event(ev, p);
                                        });
    run.caller = std::move(caller);
    advance(std::move(run));
}

void CallDispatch::advance(Run run) {
    while (auto round = run.run->next_round()) {
        const std::uint64_t req = next_req_++;
        // One route table per round; only the nodes the round concerns are
        // asked, the others' slots get zero results (CallRun).
        const auto& table = port_.routes();
        const std::vector<std::string> targets = port_.targets(*round, table);
        RouteTable asked;
        for (const auto& node : targets) asked.emplace(node, table.at(node));
        const auto ttl =
            std::chrono::duration_cast<std::chrono::milliseconds>(run.deadline - Clock::now());
        const auto failed =
            port_.send_round(req, *round, asked, std::max<std::int64_t>(ttl.count(), 1));
        auto done = gatherer_.start(req, targets, run.deadline);
        // A node whose link refused the Request will not answer: its slot
        // says so now instead of at the deadline.
        for (const auto& node : failed)
            if (!done) done = gatherer_.give_up(req, node);
        if (done) {
            // Nobody asked has answered: no directory change to wait for.
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
    if (!settled(run)) {
        fenced_.push_back(Fenced{std::move(run), outcome});
        return;
    }
    go_on(std::move(run), outcome);
}

bool CallDispatch::settled(const Run& run) {
    for (const auto& [node, dseq] : run.fences)
        if (!port_.directory_settled(node, dseq)) return false;
    return true;
}

void CallDispatch::go_on(Run run, const Gatherer::Outcome& outcome) {
    run.fences.clear();
    run.run->finish_round(outcome);
    advance(std::move(run));
}

void CallDispatch::directory_progress() {
    if (fenced_.empty()) return;
    std::vector<Fenced> ready;
    std::erase_if(fenced_, [&](Fenced& f) {
        if (!settled(f.run)) return false;
        ready.push_back(std::move(f));
        return true;
    });
    for (auto& f : ready) go_on(std::move(f.run), f.outcome);
}

std::optional<CallDispatch::Clock::time_point> CallDispatch::next_deadline() const {
    auto next = gatherer_.next_deadline();
    for (const auto& f : fenced_)
        if (!next || f.run.deadline < *next) next = f.run.deadline;
    return next;
}

void CallDispatch::on_reply(std::uint64_t req, const std::string& node, nlohmann::json results,
                            std::uint64_t dseq) {
    if (dseq != 0) {
        if (auto it = runs_.find(req); it != runs_.end())
            it->second.fences.emplace_back(node, dseq);
    }
    if (auto outcome = gatherer_.on_reply(req, node, std::move(results))) on_outcome(*outcome);
}

void CallDispatch::node_gone(const std::string& node) {
    for (auto& outcome : gatherer_.drop_node(node)) on_outcome(outcome);
}

void CallDispatch::expire(Clock::time_point now) {
    for (auto& outcome : gatherer_.expire(now)) on_outcome(outcome);
    // A registry that never acknowledges (its link died unnoticed) cannot
    // hold a call past its deadline: it answers, and the wait is counted.
    std::vector<Fenced> late;
    std::erase_if(fenced_, [&](Fenced& f) {
        if (f.run.deadline > now) return false;
        late.push_back(std::move(f));
        return true;
    });
    for (auto& f : late) {
        port_.directory_unsettled();
        go_on(std::move(f.run), f.outcome);
    }
}

}  // namespace wsc
