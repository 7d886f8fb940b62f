// BusLink: the bus thread's loop, liveness, the inproc link from the lws
// thread and the publishing of the node's directory.
#include "wsnode/BusLink.hpp"

#include <algorithm>
#include <random>
#include <stdexcept>
#include <zmq_addon.hpp>

#include "bus/LinkProof.hpp"
#include "bus/Liveness.hpp"
#include "bus/MsgpackJson.hpp"
#include "common/Log.hpp"
#include "wsnode/BusInproc.hpp"

namespace wsc {

namespace {

constexpr std::string_view kComponent = "bus";

// A DEALER whose registry has not completed its TCP handshake refuses sends
// (immediate=1), so NodeReady is retried this often until it is accepted.
constexpr auto kReadyRetry = std::chrono::milliseconds(50);
// Messages handled per socket per loop turn, so one busy socket cannot
// starve the others.
constexpr int kBatch = 256;

std::atomic<unsigned> g_inbox_serial{0};

}  // namespace

// ---- BusLink ----

BusLink::BusLink(zmq::context_t& context, Settings settings, RequestHandler on_request,
                 ConnCount conn_count)
    : context_(context),
      settings_(std::move(settings)),
      inbox_endpoint_("inproc://wsc-wsnode-bus-" + std::to_string(g_inbox_serial++)),
      boot_((static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}()),
      on_request_(std::move(on_request)),
      conn_count_(std::move(conn_count)),
      inbox_(context, zmq::socket_type::pull) {
    inbox_.set(zmq::sockopt::linger, 0);
    inbox_.bind(inbox_endpoint_);
    for (const auto& endpoint : settings_.registries) {
        registries_.push_back(Registry{endpoint, zmq::socket_t(), Clock::now()});
        try {
            connect(registries_.back());
        } catch (const zmq::error_t& e) {
            throw std::runtime_error("bad registry endpoint '" + endpoint + "': " + e.what());
        }
    }
    if (registries_.empty())
        log_warn(kComponent, "no registry configured: the node is unreachable");
}

BusLink::Outbox BusLink::make_outbox() {
    return Outbox(context_, inbox_endpoint_, settings_.node_id, boot_);
}

void BusLink::connect(Registry& registry) {
    registry.socket = zmq::socket_t(context_, zmq::socket_type::dealer);
    bus::configure_socket(registry.socket);
    bus::apply_curve_client(registry.socket, settings_.curve);
    // Nothing queues for a registry that is down: a reconnecting registry
    // gets a fresh NodeReady, not a burst of stale heartbeats and replies.
    registry.socket.set(zmq::sockopt::immediate, 1);
    registry.socket.set(zmq::sockopt::routing_id, registry.routing_id);
    registry.socket.connect(registry.endpoint);
    registry.last_seen = Clock::now();
    registry.ready_pending = true;
    registry.proving = false;
}

bus::NodeHello BusLink::announce() const {
    // boot and dseq let a registry see that it missed a directory change.
    return bus::NodeHello{
        settings_.node_id, url_, static_cast<std::int64_t>(conn_count_()), {}, {}, boot_, dseq_};
}

void BusLink::send_ready(Registry& registry) {
    registry.ready_pending =
        !bus::send_message(registry.socket, bus::Command::NodeReady, bus::encode(announce()));
}

void BusLink::send_all(bus::Command command) {
    const std::string body = command == bus::Command::NodeBye
                                 ? bus::encode(bus::NodeBye{settings_.node_id})
                                 : bus::encode(bus::Heartbeat{announce()});
    for (auto& registry : registries_) bus::send_message(registry.socket, command, body);
}

void BusLink::stop() {
    try {
        zmq::socket_t signal(context_, zmq::socket_type::push);
        signal.set(zmq::sockopt::linger, 0);
        signal.connect(inbox_endpoint_);
        (void)signal.send(zmq::buffer(inproc::kStopKind), zmq::send_flags::dontwait);
    } catch (const zmq::error_t& e) {
        log_error(kComponent, std::string("cannot signal the bus thread: ") + e.what());
    }
}

long BusLink::poll_timeout_ms(Clock::time_point now) const {
    auto deadline = next_heartbeat_;
    const bool pending = std::any_of(registries_.begin(), registries_.end(),
                                     [](const Registry& r) { return r.ready_pending; });
    if (pending) deadline = std::min(deadline, next_ready_retry_);
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    return std::max<long>(0, static_cast<long>(wait.count()));
}

void BusLink::run() {
    const auto interval = std::chrono::milliseconds(settings_.heartbeat_ms);
    for (auto& registry : registries_) send_ready(registry);
    next_heartbeat_ = Clock::now() + interval;
    next_ready_retry_ = Clock::now() + kReadyRetry;

    std::vector<zmq::pollitem_t> items;
    bool running = true;
    while (running) {
        items.clear();
        items.push_back({inbox_.handle(), 0, ZMQ_POLLIN, 0});
        for (auto& registry : registries_)
            items.push_back({registry.socket.handle(), 0, ZMQ_POLLIN, 0});
        try {
            zmq::poll(items, std::chrono::milliseconds(poll_timeout_ms(Clock::now())));
        } catch (const zmq::error_t& e) {
            if (e.num() != EINTR) throw;
        }
        if (items[0].revents & ZMQ_POLLIN) running = drain_inbox();
        for (std::size_t i = 0; i < registries_.size(); ++i)
            if (items[i + 1].revents & ZMQ_POLLIN) drain_registry(i);

        const auto now = Clock::now();
        if (now >= next_heartbeat_) {
            on_heartbeat_due(now);
            next_heartbeat_ = now + interval;
        }
        if (now >= next_ready_retry_) {
            for (auto& registry : registries_)
                if (registry.ready_pending) send_ready(registry);
            next_ready_retry_ = now + kReadyRetry;
        }
    }
    // Leave at once, so registries drop the node now instead of at expiry.
    send_all(bus::Command::NodeBye);
    for (auto& registry : registries_) registry.socket.close();
    inbox_.close();
}

void BusLink::on_heartbeat_due(Clock::time_point now) {
    const auto silence =
        bus::Liveness{std::chrono::milliseconds(settings_.heartbeat_ms), settings_.liveness}
            .expiry();
    for (auto& registry : registries_) {
        if (now - registry.last_seen <= silence) continue;
        // Only the first loss is worth a warning; retries while the registry
        // stays down would repeat it every few seconds.
        if (!registry.lost) {
            // With CURVE, a registry refusing our key looks exactly like a dead one.
            log_warn(kComponent,
                     "registry " + registry.endpoint + " silent for " +
                         std::to_string(silence.count()) + " ms" +
                         (settings_.curve.enabled() ? " (down, or refusing our CURVE keys)" : "") +
                         ": reconnecting");
        } else {
            log_debug(kComponent, "registry " + registry.endpoint + " still silent: reconnecting");
        }
        registry.lost = true;
        connect(registry);
        send_ready(registry);
    }
    send_all(bus::Command::Heartbeat);
}

bool BusLink::drain_inbox() {
    for (int n = 0; n < kBatch; ++n) {
        std::vector<zmq::message_t> parts;
        if (!zmq::recv_multipart(inbox_, std::back_inserter(parts), zmq::recv_flags::dontwait))
            return true;
        if (parts.empty()) return true;
        const auto kind = parts[0].to_string_view();
        if (kind == inproc::kStopKind) return false;
        if (kind == inproc::kUpstreamKind && parts.size() == 2) {
            publish_upstream(parts[1].to_string_view());
        } else if (kind == inproc::kReplyKind && parts.size() == 3) {
            forward_reply(parts[1].to_string_view(), parts[2].to_string_view());
        } else if (kind == inproc::kDirectoryKind && parts.size() == 3) {
            publish_directory(parts[1].to_string_view(), parts[2].to_string_view());
        } else if (kind == inproc::kSnapshotKind && parts.size() == 3) {
            snapshot_asked_.reset();  // the one asked for (or a later one) is here
            publish_directory(parts[1].to_string_view(), parts[2].to_string_view());
        } else {
            log_error(kComponent, "internal: malformed inproc message");
        }
    }
    return true;
}

void BusLink::forward_reply(std::string_view index_text, std::string_view body) {
    std::size_t index = 0;
    if (!inproc::parse_number(index_text, index) || index >= registries_.size()) {
        log_error(kComponent, "internal: reply for an unknown registry");
        return;
    }
    // The registry may have been reconnected meanwhile: the reply still
    // goes to it, on its current socket.
    if (!bus::send_message(registries_[index].socket, bus::Command::Reply, body))
        log_warn(kComponent, "reply to " + registries_[index].endpoint + " dropped");
}

void BusLink::publish_upstream(std::string_view body) {
    // One registry only, so the federation sees each event once: the first
    // configured registry that is answering.
    for (auto& registry : registries_) {
        if (registry.lost || registry.ready_pending || registry.proving) continue;
        if (bus::send_message(registry.socket, bus::Command::Upstream, body)) return;
    }
    upstream_dropped_.fetch_add(1, std::memory_order_relaxed);
}

void BusLink::publish_directory(std::string_view seq_text, std::string_view body) {
    std::uint64_t seq = 0;
    if (!inproc::parse_number(seq_text, seq)) {
        log_error(kComponent, "internal: directory message without a seq");
        return;
    }
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

void BusLink::drain_registry(std::size_t index) {
    for (int n = 0; n < kBatch; ++n) {
        Registry& registry = registries_[index];
        std::optional<bus::Incoming> message;
        try {
            message = bus::receive(registry.socket, false);
        } catch (const bus::DecodeError& e) {
            malformed_.fetch_add(1, std::memory_order_relaxed);
            log_warn(kComponent, "malformed message from " + registry.endpoint + ": " + e.what());
            continue;
        }
        if (!message) return;
        registry.last_seen = Clock::now();
        if (registry.lost) {
            registry.lost = false;
            log_info(kComponent, "registry " + registry.endpoint + " is back");
        }
        handle(index, *message);
    }
}

void BusLink::handle(std::size_t index, const bus::Incoming& message) {
    switch (message.command) {
        case bus::Command::Heartbeat: {
            // Sent only to registered nodes: a proof we gave was accepted.
            Registry& registry = registries_[index];
            if (registry.proving) log_info(kComponent, "registered at " + registry.endpoint);
            registry.proving = false;
            registry.warned = false;
            return;
        }
        case bus::Command::Challenge:
            handle_challenge(index, message.body);
            return;
        case bus::Command::Request:
            handle_request(index, message.body);
            return;
        case bus::Command::DirectoryWant:
            handle_directory_want(index, message.body);
            return;
        default:
            malformed_.fetch_add(1, std::memory_order_relaxed);
            log_warn(kComponent, "unexpected " + std::string(bus::to_string(message.command)) +
                                     " from " + registries_[index].endpoint);
    }
}

void BusLink::handle_challenge(std::size_t index, const std::string& body) {
    Registry& registry = registries_[index];
    std::string nonce;
    try {
        nonce = bus::decode<bus::Challenge>(body).nonce;
    } catch (const bus::DecodeError& e) {
        malformed_.fetch_add(1, std::memory_order_relaxed);
        log_warn(kComponent, "malformed Challenge from " + registry.endpoint + ": " + e.what());
        return;
    }
    if (settings_.cluster_secret.empty()) {
        if (!registry.warned)
            log_warn(kComponent, "registry " + registry.endpoint +
                                     " asks for the cluster secret and wsnode.cluster_secret is "
                                     "not set: not registered there");
        registry.warned = true;
        return;
    }
    // Asked again before a Heartbeat said we are in: our last proof failed,
    // or our node id is alive on another link there.
    if (registry.proving && !registry.warned) {
        log_warn(kComponent, "registry " + registry.endpoint +
                                 " did not accept our proof: wrong wsnode.cluster_secret, or "
                                 "node id " +
                                 settings_.node_id + " in use there; retrying");
        registry.warned = true;
    }
    bus::NodeHello hello = announce();
    hello.proof =
        bus::link_proof(settings_.cluster_secret, bus::kRoleNode, nonce, settings_.node_id);
    hello.nonce = std::move(nonce);
    registry.proving = true;
    registry.ready_pending =
        !bus::send_message(registry.socket, bus::Command::NodeReady, bus::encode(hello));
}

void BusLink::handle_request(std::size_t index, const std::string& body) {
    BusRequest request;
    request.registry = index;
    try {
        auto decoded = bus::decode<bus::Request>(body);
        request.req = decoded.req;
        request.origin = std::move(decoded.origin);
        request.events = std::move(decoded.events);
    } catch (const std::exception& e) {
        malformed_.fetch_add(1, std::memory_order_relaxed);
        log_warn(kComponent,
                 "malformed Request from " + registries_[index].endpoint + ": " + e.what());
        return;
    }
    const std::uint64_t req = request.req;
    if (!on_request_(std::move(request))) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        log_warn(kComponent, "Request " + std::to_string(req) + " dropped: node busy or stopping");
    }
}

void BusLink::handle_directory_want(std::size_t index, const std::string& body) {
    const std::string& endpoint = registries_[index].endpoint;
    std::string node;
    try {
        node = bus::decode<bus::DirectoryWant>(body).node;
    } catch (const bus::DecodeError& e) {
        malformed_.fetch_add(1, std::memory_order_relaxed);
        log_warn(kComponent, "malformed DirectoryWant from " + endpoint + ": " + e.what());
        return;
    }
    if (node != settings_.node_id) {
        malformed_.fetch_add(1, std::memory_order_relaxed);
        log_warn(kComponent, "DirectoryWant for another node (" + node + ") from " + endpoint);
        return;
    }
    // One snapshot on its way serves every want that arrives before it is
    // sent; one lost on the way (the lws thread stopping) is asked again
    // once a registry could have given up on it.
    const auto now = Clock::now();
    const auto patience =
        bus::Liveness{std::chrono::milliseconds(settings_.heartbeat_ms), settings_.liveness}
            .expiry();
    if (snapshot_asked_ && now - *snapshot_asked_ < patience) return;
    BusRequest request;
    request.registry = index;
    request.snapshot = true;
    if (!on_request_(std::move(request))) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        log_warn(kComponent, "directory snapshot for " + endpoint + " not asked: node busy");
        return;
    }
    snapshot_asked_ = now;
}

}  // namespace wsc
