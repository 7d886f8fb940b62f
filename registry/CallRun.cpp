#include "registry/CallRun.hpp"

#include "api/Envelope.hpp"
#include "api/EventCatalog.hpp"
#include "bus/Messages.hpp"

namespace wsc {

namespace {

nlohmann::json round_item(std::string_view name, nlohmann::json params) {
    return bus::request_event(name, std::move(params));
}

// What a node that holds nothing the event concerns answers.
nlohmann::ordered_json zero_result(const std::string& event, const nlohmann::json& params) {
    if (params.contains("ack"))
        // The keys in the order a node's result has them (sorted).
        return {{"_ids", nlohmann::ordered_json::array()}, {"acked", 0}, {"sent", 0}};
    const EventSpec* spec = find_event(event);
    switch (spec ? spec->zero : ZeroValue::Count) {
        case ZeroValue::False:
            return false;
        case ZeroValue::List:
            return nlohmann::ordered_json::array();
        case ZeroValue::Null:
            return nullptr;
        case ZeroValue::Count:
            break;
    }
    return 0;
}

}  // namespace

CallRun::CallRun(ApiCall call, NodeIds master_ids, LocalEvent local)
    : call_(std::move(call)),
      master_ids_(master_ids ? std::move(master_ids)
                             : std::make_shared<const std::vector<std::string>>()),
      local_(std::move(local)) {}

CallRun::CallRun(ApiCall call, std::vector<std::string> master_ids, LocalEvent local)
    : CallRun(std::move(call),
              std::make_shared<const std::vector<std::string>>(std::move(master_ids)),
              std::move(local)) {}

std::optional<nlohmann::json> CallRun::next_round() {
    round_.clear();
    while (pos_ < call_.events.size()) {
        const std::string& name = call_.events[pos_];
        const EventSpec* spec = find_event(name);
        const nlohmann::json& params = call_.params[name];
        if (!spec || spec->scope == EventScope::Internal) {
            // Validation refuses these; never loop on one that slipped through.
            data_[name] = node_error(kCodeError, "unknown event '" + name + "'");
            ++pos_;
            continue;
        }
        if (spec->scope == EventScope::Registry) {
            data_[name] = local_ ? to_ordered(local_(name, params)) : nlohmann::ordered_json();
            ++pos_;
            continue;
        }
        if (spec->scope == EventScope::GroupsOfUser) {
            const bool by_user = params.contains("id");
            if (group_phase_ == 0) {
                group_phase_ = 1;
                gathered_groups_.clear();
                nlohmann::json p = by_user ? nlohmann::json{{"id", params["id"]}}
                                           : nlohmann::json{{"_id", params.value("_id", "")}};
                return nlohmann::json::array(
                    {round_item(by_user ? "getGroupIdsById" : "getGroupIdsBy_Id", std::move(p))});
            }
            nlohmann::json p{{"groupIds", gathered_groups_}, {"msg", params.value("msg", "")}};
            if (params.contains("exclude_Ids")) p["exclude_Ids"] = params["exclude_Ids"];
            if (params.contains("ack")) p["ack"] = params["ack"];
            group_phase_ = 2;
            return nlohmann::json::array({round_item(kSendToGroupsEvent, std::move(p))});
        }
        // A run of consecutive node events goes out as one round.
        auto items = nlohmann::json::array();
        while (pos_ + round_.size() < call_.events.size()) {
            const std::string& n = call_.events[pos_ + round_.size()];
            const EventSpec* s = find_event(n);
            if (!s || s->scope != EventScope::Node) break;
            items.push_back(round_item(n, call_.params[n]));
            round_.push_back(n);
        }
        return items;
    }
    return std::nullopt;
}

void CallRun::record(const std::string& event, const std::string& result_key,
                     const Gatherer::Outcome& outcome) {
    // Sorted by node id, replies and timeouts together.
    std::map<std::string, nlohmann::ordered_json> slots;
    for (const auto& [node, results] : outcome.replies) {
        if (results.is_object() && results.contains(result_key))
            slots[node] = to_ordered(results[result_key]);
        else
            slots[node] = node_error(kCodeError, "no result from node");
    }
    for (const auto& node : outcome.missing) slots[node] = node_error(kCodeTimeout, "timeout");
    if (!outcome.missing.empty()) timed_out_.insert(event);
    // Nodes the round did not ask (routing knew they hold nothing of it)
    // still have their slot, with the answer they would have given.
    for (const auto& node : *master_ids_)
        if (slots.find(node) == slots.end())
            slots.emplace(node, zero_result(event, call_.params[event]));
    auto& out = data_[event];
    out = nlohmann::ordered_json::object();
    for (auto& [node, value] : slots) out[node] = std::move(value);
}

void CallRun::finish_round(const Gatherer::Outcome& outcome) {
    if (group_phase_ == 1) {
        const std::string& name = call_.events[pos_];
        const bool by_user = call_.params[name].contains("id");
        const std::string key = by_user ? "getGroupIdsById" : "getGroupIdsBy_Id";
        // Groups of a node that did not answer are missing from the send.
        if (!outcome.missing.empty()) timed_out_.insert(name);
        for (const auto& [node, results] : outcome.replies) {
            if (!results.is_object() || !results.contains(key) || !results[key].is_array())
                continue;
            for (const auto& g : results[key])
                if (g.is_string()) gathered_groups_.insert(g.get<std::string>());
        }
        return;  // phase 2 is produced by the next next_round()
    }
    if (group_phase_ == 2) {
        record(call_.events[pos_], std::string(kSendToGroupsEvent), outcome);
        group_phase_ = 0;
        ++pos_;
        return;
    }
    for (const auto& name : round_) record(name, name, outcome);
    pos_ += round_.size();
    round_.clear();
}

std::string CallRun::envelope() const {
    return ok_envelope(*master_ids_, data_);
}

}  // namespace wsc
