// CallPlan: targets, sequence numbers and expected deliveries.
#include "bench/CallPlan.hpp"

#include "bench/Payload.hpp"

namespace wsc::bench {

namespace {

bool is_unicast(PlanKind kind) {
    return kind == PlanKind::conn_id || kind == PlanKind::user_id;
}

}  // namespace

CallPlan::CallPlan(PlanSpec spec, std::vector<std::string> conn_ids)
    : spec_(spec), conn_ids_(std::move(conn_ids)) {
    if (spec_.groups == 0) spec_.groups = 1;
    if (spec_.lanes == 0) spec_.lanes = 1;
    group_members_.assign(spec_.groups, 0);
    for (std::size_t i = 0; i < conn_ids_.size(); ++i) {
        if (conn_ids_[i].empty()) continue;
        ++open_clients_;
        ++group_members_[i % spec_.groups];
    }
    const std::size_t slots = is_unicast(spec_.kind) ? conn_ids_.size() : streams();
    seq_.assign(slots, 0);
    ok_.assign(slots, 0);
    // Lane c starts with target c (unicast) or group 0.
    lane_cursor_.resize(spec_.lanes);
    for (std::size_t lane = 0; lane < spec_.lanes; ++lane)
        lane_cursor_[lane] = is_unicast(spec_.kind) ? lane : 0;
}

std::size_t CallPlan::streams() const {
    return spec_.kind == PlanKind::group ? spec_.lanes * spec_.groups : spec_.lanes;
}

std::string CallPlan::group_name(std::size_t group) {
    return "bench-g" + std::to_string(group);
}
std::string CallPlan::user_name(std::size_t client) {
    return "bench-u" + std::to_string(client);
}

bool CallPlan::pick_target(std::size_t lane, std::size_t& target) {
    // Lane c owns clients c, c + lanes, c + 2 lanes, ...: one sender per target.
    std::size_t& cursor = lane_cursor_[lane];
    for (std::size_t tries = 0; tries <= conn_ids_.size() / spec_.lanes + 1; ++tries) {
        if (cursor >= conn_ids_.size()) cursor = lane;
        if (cursor >= conn_ids_.size()) return false;
        const std::size_t candidate = cursor;
        cursor += spec_.lanes;
        if (!conn_ids_[candidate].empty()) {
            target = candidate;
            return true;
        }
    }
    return false;
}

bool CallPlan::next(std::size_t lane, std::int64_t intended_ns, ApiCall& out) {
    if (lane >= spec_.lanes) return false;
    if (spec_.max_calls != 0 && issued_ >= spec_.max_calls) return false;
    if (spec_.stop_ns != 0 && intended_ns >= spec_.stop_ns) return false;
    out = ApiCall{};
    out.intended_ns = intended_ns;
    std::size_t slot = 0;
    switch (spec_.kind) {
        case PlanKind::broadcast:
            out.event = "broadcast";
            out.stream = slot = lane;
            break;
        case PlanKind::group: {
            const std::size_t group = lane_cursor_[lane]++ % spec_.groups;
            out.event = "sendToGroup";
            out.args.emplace_back("groupId", group_name(group));
            out.stream = slot = lane * spec_.groups + group;
            out.target = group;
            break;
        }
        case PlanKind::conn_id:
        case PlanKind::user_id: {
            if (!pick_target(lane, slot)) return false;
            const bool by_conn = spec_.kind == PlanKind::conn_id;
            out.event = by_conn ? "sendMessageTo_Id" : "sendMessageToId";
            out.args.emplace_back(by_conn ? "_id" : "id",
                                  by_conn ? conn_ids_[slot] : user_name(slot));
            out.stream = lane;
            out.target = slot;
            break;
        }
    }
    PayloadHeader header;
    header.stream = static_cast<std::uint32_t>(out.stream);
    header.seq = seq_[slot]++;
    header.send_ns = intended_ns;
    out.args.emplace_back("msg", make_payload(header, spec_.size));
    out.ack_ms = spec_.ack_ms;
    ++issued_;
    return true;
}

void CallPlan::done(const ApiCall& call, bool ok) {
    if (!ok) return;
    ++succeeded_;
    ++ok_[is_unicast(spec_.kind) ? call.target : call.stream];
}

std::string CallPlan::check(const ApiCall& call, std::string_view envelope) {
    // A call that was not acked everywhere still delivered: it stays a
    // success (its message is expected) and is counted apart.
    if (spec_.ack_ms > 0) receipts_.add(envelope, targets_of(call));
    return spec_.check ? spec_.check(call, envelope) : std::string();
}

std::uint64_t CallPlan::targets_of(const ApiCall& call) const {
    switch (spec_.kind) {
        case PlanKind::broadcast:
            return open_clients_;
        case PlanKind::group:
            return group_members_[call.target];
        default:
            return 1;
    }
}

std::uint64_t CallPlan::expected_for(std::size_t client) const {
    if (client >= conn_ids_.size() || conn_ids_[client].empty()) return 0;
    switch (spec_.kind) {
        case PlanKind::broadcast: {
            std::uint64_t total = 0;
            for (const auto n : ok_) total += n;
            return total;
        }
        case PlanKind::group: {
            std::uint64_t total = 0;
            const std::size_t group = client % spec_.groups;
            for (std::size_t lane = 0; lane < spec_.lanes; ++lane)
                total += ok_[lane * spec_.groups + group];
            return total;
        }
        case PlanKind::conn_id:
        case PlanKind::user_id:
            return ok_[client];
    }
    return 0;
}

std::uint64_t CallPlan::expected_total() const {
    std::uint64_t total = 0;
    switch (spec_.kind) {
        case PlanKind::broadcast:
            for (const auto n : ok_) total += n * open_clients_;
            break;
        case PlanKind::group:
            for (std::size_t stream = 0; stream < ok_.size(); ++stream)
                total += ok_[stream] * group_members_[stream % spec_.groups];
            break;
        case PlanKind::conn_id:
        case PlanKind::user_id:
            for (const auto n : ok_) total += n;
            break;
    }
    return total;
}

double CallPlan::targets_per_call() const {
    switch (spec_.kind) {
        case PlanKind::broadcast:
            return static_cast<double>(open_clients_);
        case PlanKind::group:
            return static_cast<double>(open_clients_) / static_cast<double>(spec_.groups);
        default:
            return 1.0;
    }
}

}  // namespace wsc::bench
