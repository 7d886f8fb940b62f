#include "registry/Broker.hpp"

#include <algorithm>
#include <random>

#include "api/Envelope.hpp"
#include "bus/EventIds.hpp"
#include "bus/LinkProof.hpp"
#include "bus/Messages.hpp"
#include "common/Ids.hpp"
#include "common/Log.hpp"

namespace wsc {

namespace {

constexpr const char* kLog = "broker";
// Messages handled per socket per loop turn, so one busy socket cannot
// starve the others or the timers.
constexpr int kBurst = 256;
// Nonces pending at once (one per unproven connection), and how often a
// refused link is reported in the log.
constexpr std::size_t kMaxChallenges = 10000;
constexpr auto kRefusalLogInterval = std::chrono::seconds(10);

std::uint64_t random_u64() {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace

Broker::Broker(zmq::context_t& ctx, BrokerConfig config, Deliver deliver, RegistryMetrics& metrics)
    : ctx_(ctx),
      config_(std::move(config)),
      deliver_(std::move(deliver)),
      metrics_(metrics),
      registry_id_(random_hex_id()),
      nodes_(config_.link_liveness().expiry()),
      challenges_(config_.link_liveness().expiry(), kMaxChallenges, bus::make_nonce),
      // Proof of the cluster secret is asked of node links (not with CURVE).
      admission_(nodes_,
                 config_.cluster_secret.empty() || config_.curve.enabled()
                     ? NodeAdmission::Verify()
                     : [secret = config_.cluster_secret](const std::string& nonce,
                                                         const std::string& node,
                                                         const std::string& proof) {
                           return bus::proof_matches(secret, bus::kRoleNode, nonce, node, proof);
                       },
                 challenges_),
      dispatch_(*this, random_u64() >> 1),
      directory_(Directory::Settings{config_.link_liveness().interval,
                                     std::chrono::milliseconds(500), 1024}),
      // A registry younger than a link's expiry may not know every node yet.
      presence_(registry_id_, config_.link_liveness().expiry()),
      heartbeat_body_(bus::encode(bus::Heartbeat{})),
      refusal_log_(kRefusalLogInterval) {
    monitor_address_ = "inproc://wsc-handshakes-" + random_hex_id().substr(0, 12);
}

Broker::~Broker() {
    close();
}

void Broker::bind() {
    // Before the ROUTER exists: without a ZAP handler libzmq lets any CURVE client in.
    if (config_.curve.enabled())
        zap_ = std::make_unique<ZapHandler>(ctx_, config_.curve.authorized_keys, metrics_);
    router_ = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::router);
    bus::configure_socket(*router_);
    bus::apply_curve_server(*router_, config_.curve);
    if (config_.curve.enabled())
        handshakes_ =
            std::make_unique<HandshakeMonitor>(ctx_, *router_, monitor_address_, metrics_);
    // A restarted node reconnecting with a fresh identity is fine; a stale
    // one must never block a send.
    router_->set(zmq::sockopt::sndhwm, 100000);
    // A wsnode or peer that replaces its socket reconnects under the same
    // (random, unguessable) identity: the new connection takes it over, so
    // the registry keeps one link per node instead of refusing the new one
    // as a second claim while the dead one has not expired yet.
    router_->set(zmq::sockopt::router_handover, 1);
    try {
        router_->bind(config_.bus_endpoint);
    } catch (const zmq::error_t& e) {
        throw std::runtime_error("cannot bind bus endpoint " + config_.bus_endpoint + ": " +
                                 e.what());
    }
    bound_endpoint_ = router_->get(zmq::sockopt::last_endpoint);
    federation_ = std::make_unique<Federation>(ctx_, *router_, registry_id_, config_.peers,
                                               config_.link_liveness(), metrics_, config_.tokens,
                                               config_.curve, config_.cluster_secret);
}

std::uint16_t Broker::bound_port() const {
    const auto colon = bound_endpoint_.rfind(':');
    return static_cast<std::uint16_t>(std::stoi(bound_endpoint_.substr(colon + 1)));
}

void Broker::start() {
    running_ = true;
    federation_->open();
    next_heartbeat_ = Clock::now();
}

bool Broker::submit(std::uint64_t http_id, ApiCall&& call) {
    if (submitted_.size() >= config_.max_pending) return false;
    submitted_.push_back(Submitted{http_id, std::move(call)});
    return true;
}

std::vector<int> Broker::descriptors() {
    std::vector<int> fds;
    if (!running_) return fds;
    fds.push_back(static_cast<int>(router_->get(zmq::sockopt::fd)));
    for (std::size_t i = 0; i < federation_->dialer_count(); ++i)
        fds.push_back(static_cast<int>(federation_->dialer(i).get(zmq::sockopt::fd)));
    // CURVE only, both or neither: the ZAP handler, then the handshake monitor.
    if (zap_) {
        fds.push_back(static_cast<int>(zap_->socket().get(zmq::sockopt::fd)));
        fds.push_back(static_cast<int>(handshakes_->socket().get(zmq::sockopt::fd)));
    }
    return fds;
}

std::uint64_t Broker::descriptors_version() const {
    // The ROUTER, the ZAP handler and the monitor live as long as the
    // broker runs; only dialers are replaced.
    return running_ ? federation_->dialers_version() + 1 : 0;
}

Broker::Clock::time_point Broker::next_due() const {
    auto due = next_heartbeat_;
    if (auto d = dispatch_.next_deadline()) due = std::min(due, *d);
    if (auto e = nodes_.next_expiry()) due = std::min(due, *e);
    if (auto e = federation_->next_expiry()) due = std::min(due, *e);
    return due;
}

bool Broker::service() {
    if (!running_) return false;
    take_submitted();
    on_timers(Clock::now());
    const bool busy = bus::serve_until_quiet([this] { return drain_all(); });
    // Calls a pass answered at once may have let their connections submit more.
    return busy || !submitted_.empty();
}

bus::PassCount Broker::drain_all() {
    bus::PassCount pass;
    pass.add(drain_bus(*router_, Federation::Source{}), kBurst);
    for (std::size_t i = 0; i < federation_->dialer_count(); ++i)
        pass.add(drain_bus(federation_->dialer(i), Federation::Source{true, i, {}}), kBurst);
    if (zap_) {
        // Their answers go out on their own sockets, which they drain to
        // the end: nothing of theirs can hide a message of the others.
        pass.full = zap_->drain() || pass.full;
        pass.full = handshakes_->drain() || pass.full;
    }
    return pass;
}

void Broker::close() {
    if (!running_ && !router_) return;
    running_ = false;
    // On the owning thread.
    federation_.reset();
    router_.reset();
    zap_.reset();  // last: the ROUTER must never be without it
    handshakes_.reset();
}

int Broker::drain_bus(zmq::socket_t& socket, const Federation::Source& from) {
    int n = 0;
    while (n < kBurst) {
        Federation::Source src = from;
        try {
            auto in = bus::receive(socket, !from.dialer);
            if (!in) break;
            ++n;
            src.identity = in->identity;
            on_bus(*in, src);
        } catch (const std::exception& e) {
            ++n;
            metrics_.bad_messages.fetch_add(1, std::memory_order_relaxed);
            log_warn(kLog, std::string("dropped bus message: ") + e.what());
        }
    }
    return n;
}

void Broker::on_timers(Clock::time_point now) {
    for (const auto& id : nodes_.expire(now)) node_forgotten(id, "expired (no heartbeat)");
    federation_->expire(now);
    if (now >= next_heartbeat_) {
        send_heartbeats();
        federation_->tick(now, local_nodes());
        directory_tick(now);
        publish_gauges();
        next_heartbeat_ = now + config_.link_liveness().interval;
    }
    relay_.expire(now);
    upstream_.expire(now);
    dispatch_.expire(now);
}

void Broker::on_bus(bus::Incoming& in, const Federation::Source& from) {
    const nlohmann::json body = bus::from_msgpack(in.body);
    if (!body.is_object()) throw bus::DecodeError("body is not a map");
    const auto now = Clock::now();
    const bool peer = from.dialer || federation_->is_peer_route(in.identity);
    if (peer)
        federation_->touch(from, now);
    else
        nodes_.touch_route(in.identity, now);
    switch (in.command) {
        case bus::Command::NodeReady:
            on_node_hello(in, body, true);
            break;
        case bus::Command::Heartbeat:
            on_node_hello(in, body, false);
            break;
        case bus::Command::NodeBye: {
            auto node = nodes_.node_of_route(in.identity);
            if (node)
                node_gone(*node, "said goodbye");
            else if (!peer)
                ignore_unproven(in, "goodbye from a link that registered no node");
            break;
        }
        case bus::Command::Reply:
            on_reply(in, from, body);
            break;
        case bus::Command::ClientCall:
            on_client_call(in, body);
            break;
        case bus::Command::PeerHello:
            federation_->on_hello(from, body, now);
            break;
        case bus::Command::Challenge:
            federation_->on_challenge(from, body);
            break;
        case bus::Command::PeerState:
            federation_->on_state(from, body, now);
            // A registry's age changes who decides: learnt now, as it said it.
            presence_tick();
            break;
        case bus::Command::Request:
            on_forward(from, body);
            break;
        case bus::Command::Subscribe:
            on_subscribe(in, body);
            break;
        case bus::Command::Upstream:
            on_upstream(in, from, body);
            break;
        case bus::Command::Directory:
            on_directory(in, from, body);
            break;
        case bus::Command::DirectoryWant:
            on_directory_want(from, body);
            break;
        case bus::Command::DirectoryAck:
            on_directory_ack(from, body);
            break;
        case bus::Command::Event:
            on_cluster_event(from, body);
            break;
        default:
            throw bus::DecodeError("unexpected command " + std::string(bus::to_string(in.command)));
    }
}

std::map<std::string, Topology::NodeInfo> Broker::local_nodes() const {
    std::map<std::string, Topology::NodeInfo> out;
    nodes_.for_each([&](const NodeTable::Entry& e) {
        // With how far this registry has the node's directory, for the peers.
        const auto dir = directory_.stat(e.node_id);
        out[e.node_id] = {e.url, e.conns, dir.synced ? dir.boot : 0, dir.seq};
    });
    return out;
}

void Broker::on_node_hello(const bus::Incoming& in, const nlohmann::json& body, bool ready) {
    bus::NodeHello msg;
    if (ready) {
        msg = bus::NodeHello::from_json(body);
    } else {
        auto heartbeat = bus::Heartbeat::from_json(body);
        if (!heartbeat.hello) return;  // a client's or peer's keep-alive
        msg = std::move(*heartbeat.hello);
    }
    const NodeAdmission::Hello hello{msg.node, msg.url, msg.conns, msg.nonce, msg.proof};
    const auto now = Clock::now();
    const auto decision = admission_.hello(in.identity, hello, now);
    switch (decision.verdict) {
        case NodeAdmission::Verdict::Challenge:
            bus::send_routed(*router_, in.identity, bus::Command::Challenge,
                             bus::encode(bus::Challenge{decision.nonce}));
            return;
        case NodeAdmission::Verdict::Unproven:
            ignore_unproven(in, decision.why);
            return;
        case NodeAdmission::Verdict::Refused:
            metrics_.claims_refused.fetch_add(1, std::memory_order_relaxed);
            if (refusal_log_.admit(now))
                log_warn(kLog, "node " + hello.node +
                                   " claimed by a second link while alive; refused" +
                                   refusal_log_.held_back_note("refusals"));
            return;
        case NodeAdmission::Verdict::Joined:
            log_info(kLog, "node " + hello.node + " joined (" + hello.url + ")");
            publish_gauges();
            break;
        case NodeAdmission::Verdict::Refreshed:
            break;
    }
    check_directory(in.identity, msg);
    // A node that just proved itself learns at once that it is registered.
    if (decision.confirm)
        bus::send_routed(*router_, in.identity, bus::Command::Heartbeat, heartbeat_body_);
}

void Broker::ignore_unproven(const bus::Incoming& in, const std::string& why) {
    metrics_.unauthenticated.fetch_add(1, std::memory_order_relaxed);
    if (!refusal_log_.admit(Clock::now())) return;
    log_warn(kLog, "ignored " + std::string(bus::to_string(in.command)) + ": " + why +
                       refusal_log_.held_back_note("ignored"));
}

bool Broker::speaks_for(const bus::Incoming& in, const Federation::Source& from,
                        const std::string& node) const {
    return federation_->peer_of(from).has_value() || nodes_.node_of_route(in.identity) == node;
}

void Broker::on_subscribe(const bus::Incoming& in, const nlohmann::json& body) {
    auto sub = bus::Subscribe::from_json(body);
    if (!config_.tokens.empty() && std::find(config_.tokens.begin(), config_.tokens.end(),
                                             sub.token) == config_.tokens.end()) {
        answer(BusCaller{in.identity, sub.req}, error_envelope(kCodeError, "token error"));
        return;
    }
    // A subscriber renews every interval; one silent for the expiry is gone.
    if (upstream_.subscribe(in.identity, {sub.events.begin(), sub.events.end()},
                            Clock::now() + config_.link_liveness().subscription_lease()))
        log_info(kLog, "subscriber joined");
}

void Broker::on_upstream(const bus::Incoming& in, const Federation::Source& from,
                         const nlohmann::json& body) {
    auto event = bus::Upstream::from_json(body);
    if (!speaks_for(in, from, event.node)) {
        ignore_unproven(
            in, "event of node '" + event.node + "' from a link that does not speak for it");
        return;
    }
    // Each node numbers its events: a copy already seen (a route that
    // changed under our feet) is never delivered twice, and a number no
    // node could have reached is refused without moving the mark.
    switch (upstream_.admit(event.node, event.boot.value_or(0), event.seq)) {
        case UpstreamSeq::Verdict::Repeat:
            return;
        case UpstreamSeq::Verdict::Refused:
            metrics_.upstream_refused.fetch_add(1, std::memory_order_relaxed);
            if (refusal_log_.admit(Clock::now()))
                log_warn(kLog, "event of node " + event.node + " with an impossible seq " +
                                   std::to_string(event.seq) + " refused" +
                                   refusal_log_.held_back_note("refusals"));
            return;
        case UpstreamSeq::Verdict::Deliver:
            break;
    }
    metrics_.upstream_events.fetch_add(1, std::memory_order_relaxed);

    // Down the federation's tree rooted where the event entered it, with
    // the id it is known by from there on; that registry reports it.
    const bool entered_here = !federation_->peer_of(from).has_value();
    if (entered_here) {
        event.root = registry_id_;
        event.eid = bus::node_event_id(event.node, event.boot.value_or(0), event.seq);
    }
    const auto children =
        federation_->topology().tree_children(event.root, federation_->live_peers());
    if (!children.empty()) {
        const std::string forwarded = bus::encode(event);
        for (const auto& child : children)
            federation_->send(child, bus::Command::Upstream, forwarded);
    }
    if (entered_here) report(event.event, event.event_line());
    if (RecentEvents::keeps(event.event)) recent_.add(event.event_line());
    // To subscribers: the same event, without the federation's `root`.
    if (upstream_.subscribers() == 0) return;
    event.root.clear();
    const auto out = bus::encode(event);
    upstream_.for_each_recipient(event.event, [&](const std::string& identity) {
        if (!bus::send_routed(*router_, identity, bus::Command::Upstream, out))
            metrics_.upstream_dropped.fetch_add(1, std::memory_order_relaxed);
    });
}

void Broker::node_gone(const std::string& node_id, const char* why) {
    if (nodes_.remove(node_id)) node_forgotten(node_id, why);
}

void Broker::node_forgotten(const std::string& node_id, const char* why) {
    log_info(kLog, "node " + node_id + " left: " + why);
    upstream_.forget_node(node_id);
    publish_gauges();
    // Calls waiting on it finish now rather than at their deadline.
    dispatch_.node_gone(node_id);
}

void Broker::send_heartbeats() {
    nodes_.for_each([this](const NodeTable::Entry& e) {
        bus::send_routed(*router_, e.route, bus::Command::Heartbeat, heartbeat_body_);
    });
}

void Broker::publish_gauges() {
    std::uint64_t conns = 0;
    const auto info = federation_->topology().node_infos(local_nodes(), federation_->live_peers());
    for (const auto& [node, i] : info)
        conns += static_cast<std::uint64_t>(std::max<std::int64_t>(i.conns, 0));
    metrics_.nodes.store(info.size(), std::memory_order_relaxed);
    metrics_.subscribers.store(upstream_.subscribers(), std::memory_order_relaxed);
    metrics_.connections.store(conns, std::memory_order_relaxed);
}

}  // namespace wsc
