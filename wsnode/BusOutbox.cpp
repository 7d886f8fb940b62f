// BusLink::Outbox: the lws thread's side of the inproc link to the bus
// thread (the message layout is wsnode/BusInproc.hpp's).
#include <utility>

#include "common/Log.hpp"
#include "wsnode/BusInproc.hpp"
#include "wsnode/BusLink.hpp"

namespace wsc {

namespace {

constexpr std::string_view kComponent = "bus";

}  // namespace

BusLink::Outbox::Outbox(zmq::context_t& context, const std::string& endpoint, std::string node_id,
                        std::uint64_t boot)
    : socket_(context, zmq::socket_type::push),
      node_id_(std::move(node_id)),
      boot_(boot),
      directory_(node_id_, boot) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::sndhwm, inproc::kOutboxHighWater);
    socket_.connect(endpoint);
}

bool BusLink::Outbox::push(std::initializer_list<std::string_view> parts, std::string_view what) {
    try {
        // The first part decides: once it is queued, zmq takes the rest of
        // the message whole.
        auto flags = zmq::send_flags::dontwait;
        std::size_t left = parts.size();
        for (const std::string_view part : parts) {
            const auto more = --left > 0 ? zmq::send_flags::sndmore : zmq::send_flags::none;
            if (!socket_.send(zmq::const_buffer(part.data(), part.size()), flags | more))
                return false;
            flags = zmq::send_flags::none;
        }
        return true;
    } catch (const zmq::error_t& e) {
        log_warn(kComponent, std::string(what) + " not queued: " + e.what());
        return false;
    }
}

bool BusLink::Outbox::reply(const BusRequest& request, EventResults results, std::uint64_t dseq) {
    const std::string body =
        bus::encode(bus::Reply{request.req, request.origin, node_id_, std::move(results), dseq});
    return push({inproc::kReplyKind, std::to_string(request.registry), body}, "reply");
}

bool BusLink::Outbox::upstream(std::string_view event, const std::string& conn_id,
                               const std::optional<std::string>& user, nlohmann::json data,
                               bool binary) {
    bus::Upstream body;
    body.event = event;
    body.node = node_id_;
    body.conn = conn_id;
    body.user = user ? nlohmann::json(*user) : nlohmann::json();
    body.data = std::move(data);
    body.binary = binary;
    body.seq = ++upstream_seq_;
    body.boot = boot_;
    return push({inproc::kUpstreamKind, bus::encode(body)}, "client event");
}

std::uint64_t BusLink::Outbox::directory(InterestChanges changes, std::string ack) {
    const bus::Directory delta = directory_.delta(std::move(changes), std::move(ack));
    const bool queued =
        push({inproc::kDirectoryKind, std::to_string(delta.seq), bus::encode(delta)}, "directory");
    return queued ? delta.seq : 0;
}

bool BusLink::Outbox::directory_snapshot(std::vector<std::string> users,
                                         std::vector<std::string> groups) {
    const bus::Directory snapshot = directory_.snapshot(std::move(users), std::move(groups));
    return push({inproc::kSnapshotKind, std::to_string(snapshot.seq), bus::encode(snapshot)},
                "directory snapshot");
}

}  // namespace wsc
