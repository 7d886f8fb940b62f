// Delivery receipts on the node's thread: acks from clients, and the bus
// answers of the sends that waited for them (see AckLedger).
#include <nlohmann/json.hpp>

#include "wsnode/WsServer.hpp"

namespace wsc {

bool WsServer::take_ack(Session& session, std::string_view data) {
    // Only a connection that opted in sends acks; its other messages, and
    // everything from other connections, go on as client messages.
    if (data.empty() || data.front() != '{' || !index_.wants_acks(session.id)) return false;
    const nlohmann::json message = nlohmann::json::parse(data, nullptr, false);
    if (!message.is_object()) return false;
    const auto cmd = message.find("cmd");
    if (cmd == message.end() || *cmd != "ack") return false;
    const auto token = message.find("ack");
    if (token != message.end() && token->is_string())
        acks_.ack(session.id, token->get_ref<const std::string&>());
    else
        acks_.ack(session.id, {});  // no token: counted as one that matches nothing
    settle_acks();
    return true;
}

void WsServer::settle_acks() {
    for (AckLedger::Done& done : acks_.take_done(AckLedger::Clock::now())) {
        const auto slot = ack_slots_.find(done.id);
        if (slot == ack_slots_.end()) continue;
        const auto [reply_id, index] = slot->second;
        ack_slots_.erase(slot);
        const auto reply = acked_replies_.find(reply_id);
        if (reply == acked_replies_.end()) continue;
        AckedReply& pending = reply->second;
        nlohmann::json& result = pending.results[index].second;
        if (result.is_object() && result.contains("sent")) {
            result["acked"] = done.acked;
            result["_ids"] = std::move(done.acked_ids);
        }
        if (--pending.waits != 0) continue;
        bus_.reply(pending.request, std::move(pending.results), pending.dseq);
        acked_replies_.erase(reply);
    }
    const AckLedger::Counters& c = acks_.counters();
    counters_.acks_counted.store(c.acked, std::memory_order_relaxed);
    counters_.acks_ignored.store(c.unknown, std::memory_order_relaxed);
    counters_.ack_overflow.store(c.overflow, std::memory_order_relaxed);
    counters_.ack_waits.store(acks_.open_waits(), std::memory_order_relaxed);
}

}  // namespace wsc
