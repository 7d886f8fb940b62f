#include "wsnode/AckLedger.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "bus/SecureRandom.hpp"

namespace wsc {

namespace {

constexpr std::size_t kTokenBytes = 12;  // 96 random bits: not guessable by a client

}  // namespace

AckLedger::WaitId AckLedger::open(Clock::time_point deadline) {
    const WaitId id = next_id_++;
    std::string token = bus::secure_random_hex(kTokenBytes);
    while (by_token_.count(token) != 0) token = bus::secure_random_hex(kTokenBytes);
    by_token_.emplace(token, id);
    waits_.emplace(id, Wait{std::move(token), deadline, {}, {}});
    // Nothing awaited yet: a wait that reaches no opted-in connection is
    // over at once.
    settled_.push_back(id);
    return id;
}

const std::string& AckLedger::token(WaitId id) const {
    const auto it = waits_.find(id);
    if (it == waits_.end()) throw std::logic_error("AckLedger: no such wait");
    return it->second.token;
}

bool AckLedger::expect(WaitId id, const std::string& conn) {
    const auto it = waits_.find(id);
    if (it == waits_.end()) return false;
    auto& in = by_conn_[conn];
    if (in.size() >= limits_.per_conn || awaited_total_ >= limits_.per_node) {
        if (in.empty()) by_conn_.erase(conn);
        ++counters_.overflow;
        return false;
    }
    if (!it->second.awaited.insert(conn).second) return true;
    in.insert(id);
    ++awaited_total_;
    return true;
}

bool AckLedger::ack(const std::string& conn, std::string_view token) {
    const auto t = by_token_.find(std::string(token));
    if (t == by_token_.end()) {
        ++counters_.unknown;
        return false;
    }
    Wait& wait = waits_.at(t->second);
    if (wait.awaited.erase(conn) == 0) {
        ++counters_.unknown;
        return false;
    }
    --awaited_total_;
    wait.acked.insert(conn);
    auto in = by_conn_.find(conn);
    in->second.erase(t->second);
    if (in->second.empty()) by_conn_.erase(in);
    ++counters_.acked;
    settle(t->second);
    return true;
}

void AckLedger::closed(const std::string& conn) {
    const auto in = by_conn_.find(conn);
    if (in == by_conn_.end()) return;
    const std::unordered_set<WaitId> ids = std::move(in->second);
    by_conn_.erase(in);
    for (const WaitId id : ids) {
        waits_.at(id).awaited.erase(conn);
        --awaited_total_;
        settle(id);
    }
}

void AckLedger::settle(WaitId id) {
    if (waits_.at(id).awaited.empty()) settled_.push_back(id);
}

AckLedger::Done AckLedger::finish(WaitId id, Wait& wait) {
    for (const auto& conn : wait.awaited) {
        auto in = by_conn_.find(conn);
        in->second.erase(id);
        if (in->second.empty()) by_conn_.erase(in);
        --awaited_total_;
    }
    Done done{id, wait.acked.size(), {}};
    done.acked_ids.assign(wait.acked.begin(), wait.acked.end());
    std::sort(done.acked_ids.begin(), done.acked_ids.end());
    if (done.acked_ids.size() > limits_.ids_listed) done.acked_ids.resize(limits_.ids_listed);
    by_token_.erase(wait.token);
    return done;
}

std::vector<AckLedger::Done> AckLedger::take_done(Clock::time_point now) {
    std::vector<Done> out;
    for (const WaitId id : std::exchange(settled_, {})) {
        const auto it = waits_.find(id);
        // Settled twice, or already past its deadline: listed once.
        if (it == waits_.end() || !it->second.awaited.empty()) continue;
        out.push_back(finish(id, it->second));
        waits_.erase(it);
    }
    for (auto it = waits_.begin(); it != waits_.end();) {
        if (it->second.deadline > now) {
            ++it;
            continue;
        }
        out.push_back(finish(it->first, it->second));
        it = waits_.erase(it);
    }
    return out;
}

std::optional<AckLedger::Clock::time_point> AckLedger::next_deadline() const {
    std::optional<Clock::time_point> next;
    for (const auto& [id, wait] : waits_)
        if (!next || wait.deadline < *next) next = wait.deadline;
    return next;
}

}  // namespace wsc
