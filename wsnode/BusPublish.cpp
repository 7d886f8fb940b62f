// BusLink: what the node sends on the bus — Replies, client events and its
// interest directory. Each goes straight onto a registry's DEALER: zmq's
// I/O thread takes it from there.
#include <algorithm>
#include <utility>

#include "common/Log.hpp"
#include "wsnode/BusLink.hpp"

namespace wsc {

namespace {

constexpr std::string_view kComponent = "bus";

}  // namespace

bool BusLink::reply(const BusRequest& request, EventResults results, std::uint64_t dseq) {
    if (left_ || request.registry >= registries_.size()) return false;
    Registry& registry = registries_[request.registry];
    const std::string body = bus::encode(
        bus::Reply{request.req, request.origin, settings_.node_id, std::move(results), dseq});
    // The registry may have been reconnected meanwhile: the reply still
    // goes to it, on its current socket.
    if (bus::send_message(registry.socket, bus::Command::Reply, body)) return true;
    log_warn(kComponent,
             "reply " + std::to_string(request.req) + " to " + registry.endpoint + " dropped");
    return false;
}

bool BusLink::upstream(std::string_view event, const std::string& conn_id,
                       const std::optional<std::string>& user, nlohmann::json data, bool binary,
                       std::string_view reason) {
    if (left_) return false;
    bus::Upstream message;
    message.event = event;
    message.node = settings_.node_id;
    message.conn = conn_id;
    message.user = user ? nlohmann::json(*user) : nlohmann::json();
    message.data = std::move(data);
    message.binary = binary;
    message.reason = reason;
    message.seq = ++upstream_seq_;
    message.boot = boot_;
    const std::string body = bus::encode(message);
    // One registry only, so the federation sees each event once: the first
    // configured registry that is answering.
    for (auto& registry : registries_) {
        if (registry.lost || registry.ready_pending || registry.proving) continue;
        if (bus::send_message(registry.socket, bus::Command::Upstream, body)) return true;
    }
    return false;
}

std::uint64_t BusLink::directory(InterestChanges changes, std::string ack) {
    if (left_) return 0;
    const bus::Directory delta = directory_.delta(std::move(changes), std::move(ack));
    publish_directory(delta.seq, bus::encode(delta));
    return delta.seq;
}

void BusLink::directory_snapshot(InterestChanges all) {
    if (left_) return;
    const bus::Directory snapshot = directory_.snapshot(std::move(all));
    publish_directory(snapshot.seq, bus::encode(snapshot));
}

void BusLink::publish_directory(std::uint64_t seq, std::string_view body) {
    // Every registry, unlike client events: each routes by it. A delta
    // that does not get through is repaired by a snapshot, which the
    // registry asks for once our hello's dseq is ahead of what it applied.
    dseq_ = std::max(dseq_, seq);
    for (auto& registry : registries_) {
        // A link not yet accepted, or still proving itself, would see it
        // refused; its registry learns the dseq from our hello instead.
        if (registry.ready_pending || registry.proving) continue;
        if (!bus::send_message(registry.socket, bus::Command::Directory, body))
            log_debug(kComponent,
                      "directory " + std::to_string(seq) + " to " + registry.endpoint + " dropped");
    }
}

}  // namespace wsc
