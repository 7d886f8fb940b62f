// BusLink: the links to the registries, their liveness, and what comes in
// from them (what goes out is BusPublish.cpp's).
#include "wsnode/BusLink.hpp"

#include <algorithm>
#include <random>
#include <stdexcept>

#include "bus/LinkProof.hpp"
#include "bus/Liveness.hpp"
#include "bus/QuietPasses.hpp"
#include "common/Log.hpp"

namespace wsc {

namespace {

constexpr std::string_view kComponent = "bus";

// A DEALER whose registry has not completed its TCP handshake refuses sends
// (immediate=1), so NodeReady is retried this often until it is accepted.
constexpr auto kReadyRetry = std::chrono::milliseconds(50);
// Messages handled per socket per service() call, so that one busy
// registry can neither starve the others nor the node's clients.
constexpr int kBatch = 256;
// How long a NodeBye may wait to leave when the node's sockets close.
constexpr int kByeLingerMs = 200;

std::uint64_t random_boot() {
    return (static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
}

}  // namespace

BusLink::BusLink(zmq::context_t& context, Settings settings, Handlers handlers)
    : context_(context),
      settings_(std::move(settings)),
      handlers_(std::move(handlers)),
      boot_(random_boot()),
      directory_(settings_.node_id, boot_) {
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

BusLink::~BusLink() {
    leave();
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
    ++descriptors_version_;
}

std::vector<int> BusLink::descriptors() const {
    std::vector<int> out;
    if (left_) return out;
    for (const auto& registry : registries_)
        out.push_back(static_cast<int>(registry.socket.get(zmq::sockopt::fd)));
    return out;
}

bus::NodeHello BusLink::announce() const {
    // boot and dseq let a registry see that it missed a directory change.
    return bus::NodeHello{settings_.node_id,
                          url_,
                          static_cast<std::int64_t>(handlers_.connection_count()),
                          {},
                          {},
                          boot_,
                          dseq_};
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

void BusLink::start() {
    if (started_ || left_) return;
    started_ = true;
    for (auto& registry : registries_) send_ready(registry);
    next_heartbeat_ = Clock::now() + std::chrono::milliseconds(settings_.heartbeat_ms);
    next_ready_retry_ = Clock::now() + kReadyRetry;
}

void BusLink::leave() {
    if (left_) return;
    left_ = true;
    if (!started_) return;
    // Leave at once, so registries drop the node now instead of at expiry.
    send_all(bus::Command::NodeBye);
    for (auto& registry : registries_) {
        registry.socket.set(zmq::sockopt::linger, kByeLingerMs);
        registry.socket.close();
    }
    ++descriptors_version_;
}

BusLink::Clock::time_point BusLink::next_due() const {
    auto due = next_heartbeat_;
    const bool pending = std::any_of(registries_.begin(), registries_.end(),
                                     [](const Registry& r) { return r.ready_pending; });
    if (pending) due = std::min(due, next_ready_retry_);
    return due;
}

bool BusLink::service() {
    if (!started_ || left_) return false;
    on_timers(Clock::now());
    return bus::serve_until_quiet([this] {
        bus::PassCount pass;
        for (std::size_t i = 0; i < registries_.size() && !left_; ++i)
            pass.add(drain_registry(i), kBatch);
        if (lost_ && !left_) {
            lost_ = false;
            snapshot_wanted_ = false;  // of the old process: the new one starts empty
            handlers_.lost();
        }
        if (snapshot_wanted_ && !left_) {
            snapshot_wanted_ = false;
            handlers_.snapshot_wanted();
        }
        return left_ ? bus::PassCount{} : pass;  // once left, nothing is served
    });
}

void BusLink::on_timers(Clock::time_point now) {
    if (now >= next_heartbeat_) {
        on_heartbeat_due(now);
        next_heartbeat_ = now + std::chrono::milliseconds(settings_.heartbeat_ms);
    }
    if (now >= next_ready_retry_) {
        for (auto& registry : registries_)
            if (registry.ready_pending) send_ready(registry);
        next_ready_retry_ = now + kReadyRetry;
    }
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

int BusLink::drain_registry(std::size_t index) {
    int n = 0;
    while (n < kBatch && !left_) {  // a handler may stop the node
        Registry& registry = registries_[index];
        std::optional<bus::Incoming> message;
        try {
            message = bus::receive(registry.socket, false);
        } catch (const bus::DecodeError& e) {
            ++n;
            malformed_.fetch_add(1, std::memory_order_relaxed);
            log_warn(kComponent, "malformed message from " + registry.endpoint + ": " + e.what());
            continue;
        }
        if (!message) break;
        ++n;
        registry.last_seen = Clock::now();
        if (registry.lost) {
            registry.lost = false;
            log_info(kComponent, "registry " + registry.endpoint + " is back");
        }
        handle(index, *message);
    }
    return n;
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
        case bus::Command::NodeLost:
            handle_node_lost(index, message.body);
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
    handlers_.request(std::move(request));
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
    // Answered once the pass is over: registries that want one together
    // (a restart of the node's peers) share one snapshot.
    snapshot_wanted_ = true;
}

void BusLink::handle_node_lost(std::size_t index, const std::string& body) {
    bus::NodeLost lost;
    try {
        lost = bus::decode<bus::NodeLost>(body);
    } catch (const bus::DecodeError& e) {
        malformed_.fetch_add(1, std::memory_order_relaxed);
        log_warn(kComponent,
                 "malformed NodeLost from " + registries_[index].endpoint + ": " + e.what());
        return;
    }
    // Asked again at each hello until the new boot is heard: only this
    // process's loss counts.
    if (lost.node == settings_.node_id && lost.boot == boot_) lost_ = true;
}

void BusLink::start_anew() {
    boot_ = random_boot();
    upstream_seq_ = 0;
    directory_ = DirectoryFeed(settings_.node_id, boot_);
    dseq_ = 0;
    // The registries hear the new boot at once.
    next_heartbeat_ = Clock::now();
}

}  // namespace wsc
