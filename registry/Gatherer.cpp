#include "registry/Gatherer.hpp"

#include <algorithm>

namespace wsc {

Gatherer::Outcome Gatherer::finish(Pending& p) {
    Outcome out = std::move(p.outcome);
    out.missing.insert(out.missing.end(), p.waiting.begin(), p.waiting.end());
    std::sort(out.missing.begin(), out.missing.end());
    return out;
}

std::optional<Gatherer::Outcome> Gatherer::start(std::uint64_t req,
                                                 const std::vector<std::string>& nodes,
                                                 Clock::time_point deadline) {
    if (nodes.empty()) {
        Outcome out;
        out.req = req;
        return out;
    }
    Pending p;
    p.waiting.insert(nodes.begin(), nodes.end());
    p.outcome.req = req;
    p.deadline = deadline;
    pending_[req] = std::move(p);
    return std::nullopt;
}

std::optional<Gatherer::Outcome> Gatherer::on_reply(std::uint64_t req, const std::string& node,
                                                    nlohmann::json results) {
    auto it = pending_.find(req);
    if (it == pending_.end() || it->second.waiting.erase(node) == 0) {
        ++strays_;
        return std::nullopt;
    }
    it->second.outcome.replies.emplace(node, std::move(results));
    if (!it->second.waiting.empty()) return std::nullopt;
    Outcome out = finish(it->second);
    pending_.erase(it);
    return out;
}

std::vector<Gatherer::Outcome> Gatherer::drop_node(const std::string& node) {
    std::vector<Outcome> done;
    for (auto it = pending_.begin(); it != pending_.end();) {
        auto& p = it->second;
        if (p.waiting.count(node) == 0) {
            ++it;
            continue;
        }
        // Keep it listed as missing: its slot reports a timeout.
        if (p.waiting.size() == 1) {
            done.push_back(finish(p));
            it = pending_.erase(it);
        } else {
            p.waiting.erase(node);
            p.outcome.missing.push_back(node);
            ++it;
        }
    }
    return done;
}

std::optional<Gatherer::Outcome> Gatherer::give_up(std::uint64_t req, const std::string& node) {
    auto it = pending_.find(req);
    if (it == pending_.end() || it->second.waiting.erase(node) == 0) return std::nullopt;
    it->second.outcome.missing.push_back(node);
    if (!it->second.waiting.empty()) return std::nullopt;
    Outcome out = finish(it->second);
    pending_.erase(it);
    return out;
}

std::vector<Gatherer::Outcome> Gatherer::expire(Clock::time_point now) {
    std::vector<Outcome> done;
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->second.deadline <= now) {
            done.push_back(finish(it->second));
            it = pending_.erase(it);
        } else {
            ++it;
        }
    }
    return done;
}

std::optional<Gatherer::Clock::time_point> Gatherer::next_deadline() const {
    std::optional<Clock::time_point> next;
    for (const auto& [req, p] : pending_)
        if (!next || p.deadline < *next) next = p.deadline;
    return next;
}

}  // namespace wsc
