#include "registry/Broker.hpp"

#include <algorithm>
#include <random>

#include "api/Envelope.hpp"
#include "bus/LinkProof.hpp"
#include "common/Ids.hpp"
#include "common/Log.hpp"
#include "registry/Route.hpp"

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

using Clock = Gatherer::Clock;

std::uint64_t random_u64() {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

std::string str_field(const nlohmann::json& body, const char* key) {
    auto it = body.find(key);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Broker::Broker(zmq::context_t& ctx, BrokerConfig config, Deliver deliver, RegistryMetrics& metrics)
    : ctx_(ctx),
      config_(std::move(config)),
      deliver_(std::move(deliver)),
      metrics_(metrics),
      submitted_(config_.max_pending),
      registry_id_(random_hex_id()),
      nodes_(std::chrono::milliseconds(config_.heartbeat_ms) * config_.liveness),
      next_req_(random_u64() >> 1),
      heartbeat_body_(bus::to_msgpack(nlohmann::json::object())),
      require_proof_(!config_.cluster_secret.empty() && !config_.curve.enabled()),
      challenges_(std::chrono::milliseconds(config_.heartbeat_ms) * config_.liveness,
                  kMaxChallenges, bus::make_nonce),
      refusal_log_(kRefusalLogInterval) {
    monitor_address_ = "inproc://wsc-handshakes-" + random_hex_id().substr(0, 12);
}

Broker::~Broker() {
    stop();
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
                                               std::chrono::milliseconds(config_.heartbeat_ms),
                                               config_.liveness, metrics_, config_.tokens,
                                               config_.curve, config_.cluster_secret);
}

std::uint16_t Broker::bound_port() const {
    const auto colon = bound_endpoint_.rfind(':');
    return static_cast<std::uint16_t>(std::stoi(bound_endpoint_.substr(colon + 1)));
}

void Broker::start() {
    running_ = true;
    federation_->open();
    thread_ = std::thread([this] { loop(); });
}

void Broker::stop() {
    if (!thread_.joinable()) return;
    stop_requested_ = true;
    wake_.notify();
    thread_.join();
}

bool Broker::submit(std::uint64_t http_id, ApiCall&& call) {
    Submitted s{http_id, std::move(call)};
    if (!submitted_.push(std::move(s))) {
        call = std::move(s.call);
        return false;
    }
    wake_.notify();
    return true;
}

void Broker::loop() {
    const auto interval = std::chrono::milliseconds(config_.heartbeat_ms);
    auto next_heartbeat = Clock::now();
    while (!stop_requested_.load()) {
        auto now = Clock::now();
        auto wake = next_heartbeat;
        if (auto d = gatherer_.next_deadline()) wake = std::min(wake, *d);
        if (auto e = nodes_.next_expiry()) wake = std::min(wake, *e);
        if (auto e = federation_->next_expiry()) wake = std::min(wake, *e);
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now);
        wait = std::clamp(wait, std::chrono::milliseconds(0), interval);
        std::vector<zmq::pollitem_t> items = {{router_->handle(), 0, ZMQ_POLLIN, 0},
                                              {nullptr, wake_.fd(), ZMQ_POLLIN, 0}};
        for (std::size_t i = 0; i < federation_->dialer_count(); ++i)
            items.push_back({federation_->dialer(i).handle(), 0, ZMQ_POLLIN, 0});
        // CURVE only, both or neither: the ZAP handler, then the handshake monitor.
        if (zap_) {
            items.push_back({zap_->socket().handle(), 0, ZMQ_POLLIN, 0});
            items.push_back({handshakes_->socket().handle(), 0, ZMQ_POLLIN, 0});
        }
        // +1 ms: poll rounds down, and waking just before a deadline would spin.
        zmq::poll(items, wait + std::chrono::milliseconds(wait.count() > 0 ? 1 : 0));

        auto drain = [this](zmq::socket_t& socket, const Federation::Source& from) {
            for (int i = 0; i < kBurst; ++i) {
                Federation::Source src = from;
                try {
                    auto in = bus::receive(socket, !from.dialer);
                    if (!in) break;
                    src.identity = in->identity;
                    on_bus(*in, src);
                } catch (const std::exception& e) {
                    metrics_.bad_messages.fetch_add(1, std::memory_order_relaxed);
                    log_warn(kLog, std::string("dropped bus message: ") + e.what());
                }
            }
        };
        if (items[0].revents & ZMQ_POLLIN) drain(*router_, Federation::Source{});
        for (std::size_t i = 0; i < federation_->dialer_count(); ++i)
            if (items[2 + i].revents & ZMQ_POLLIN)
                drain(federation_->dialer(i), Federation::Source{true, i, {}});
        if (items[1].revents & ZMQ_POLLIN) take_submitted();
        if (zap_) {
            if (items[items.size() - 2].revents & ZMQ_POLLIN) zap_->drain();
            if (items.back().revents & ZMQ_POLLIN) handshakes_->drain();
        }

        now = Clock::now();
        for (const auto& id : nodes_.expire(now)) node_forgotten(id, "expired (no heartbeat)");
        federation_->expire(now);
        if (now >= next_heartbeat) {
            send_heartbeats();
            federation_->tick(now, local_nodes());
            publish_gauges();
            next_heartbeat = now + interval;
        }
        std::erase_if(relays_, [now](const auto& r) { return r.second.deadline <= now; });
        std::erase_if(subscribers_, [now](const auto& s) { return s.second.expires <= now; });
        for (auto& outcome : gatherer_.expire(now)) on_outcome(outcome);
    }
    // Close on the owning thread.
    federation_.reset();
    router_.reset();
    zap_.reset();  // last: the ROUTER must never be without it
    handshakes_.reset();
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
        default:
            throw bus::DecodeError("unexpected command " + std::string(bus::to_string(in.command)));
    }
}

std::map<std::string, Topology::NodeInfo> Broker::local_nodes() const {
    std::map<std::string, Topology::NodeInfo> out;
    nodes_.for_each([&](const NodeTable::Entry& e) { out[e.node_id] = {e.url, e.conns}; });
    return out;
}

std::map<std::string, Topology::Route> Broker::routes() const {
    return federation_->topology().routes(local_nodes(), federation_->live_peers());
}

void Broker::on_node_hello(const bus::Incoming& in, const nlohmann::json& body, bool ready) {
    const std::string node = str_field(body, "node");
    if (node.empty() && !ready) return;  // a client's or peer's keep-alive
    if (!is_hex_id(node)) throw bus::DecodeError("node id must be 32 lowercase hex characters");
    const auto now = Clock::now();
    const auto conns_it = body.find("conns");
    const std::int64_t conns =
        conns_it != body.end() && conns_it->is_number_integer() ? conns_it->get<std::int64_t>() : 0;
    const std::string url = str_field(body, "url");
    const bool proven = nodes_.node_of_route(in.identity) == node;
    if (require_proof_ && !proven) {
        const std::string nonce = str_field(body, "nonce");
        if (nonce.empty()) {
            // A new link, or we restarted and forgot it: ask for proof. Only
            // a hello without one is answered, so a wrong proof never loops.
            send_challenge(in.identity);
            return;
        }
        const bool redeemed = challenges_.redeem(in.identity, nonce, now);
        if (!redeemed || !bus::proof_matches(config_.cluster_secret, bus::kRoleNode, nonce, node,
                                             str_field(body, "proof"))) {
            ignore_unproven(in, std::string("node ") + node + ": " +
                                    (redeemed ? "wrong proof of the cluster secret"
                                              : "proof for a nonce not handed to this link"));
            return;
        }
    }
    switch (nodes_.upsert(node, in.identity, url, conns, now)) {
        case NodeTable::Upsert::Refused:
            metrics_.claims_refused.fetch_add(1, std::memory_order_relaxed);
            if (refusal_log_.admit(now))
                log_warn(kLog, "node " + node + " claimed by a second link while alive; refused" +
                                   refusal_log_.held_back_note("refusals"));
            return;
        case NodeTable::Upsert::Joined:
        case NodeTable::Upsert::Moved:
            log_info(kLog, "node " + node + " joined (" + url + ")");
            publish_gauges();
            break;
        case NodeTable::Upsert::Refreshed:
            break;
    }
    // A node that just proved itself learns at once that it is registered.
    if (require_proof_ && !proven)
        bus::send_routed(*router_, in.identity, bus::Command::Heartbeat, heartbeat_body_);
}

void Broker::send_challenge(const std::string& route) {
    const auto nonce = challenges_.issue(route, Clock::now());
    bus::send_routed(*router_, route, bus::Command::Challenge,
                     bus::to_msgpack(nlohmann::json{{"nonce", nonce}}));
}

void Broker::ignore_unproven(const bus::Incoming& in, const std::string& why) {
    metrics_.unauthenticated.fetch_add(1, std::memory_order_relaxed);
    if (!refusal_log_.admit(Clock::now())) return;
    log_warn(kLog, "ignored " + std::string(bus::to_string(in.command)) + ": " + why +
                       refusal_log_.held_back_note("ignored"));
}

void Broker::on_reply(const bus::Incoming& in, const Federation::Source& from,
                      const nlohmann::json& body) {
    metrics_.replies.fetch_add(1, std::memory_order_relaxed);
    const auto req = body.find("req");
    const std::string node = str_field(body, "node");
    if (req == body.end() || !req->is_number_unsigned())
        throw bus::DecodeError("reply without a valid req");
    const bool from_peer = federation_->peer_of(from).has_value();
    // A node may only answer for itself, on its own link.
    if (!from_peer && nodes_.node_of_route(in.identity) != node) {
        ignore_unproven(in, "reply for node '" + node + "' from a link that does not speak for it");
        return;
    }
    const std::string origin = str_field(body, "origin");
    if (!origin.empty() && origin != registry_id_) {
        // Someone else's call: pass the reply back the way the request came.
        auto relay = relays_.find({origin, req->get<std::uint64_t>()});
        if (relay != relays_.end())
            federation_->send(relay->second.upstream, bus::Command::Reply, in.body);
        return;
    }
    auto results = body.find("results");
    auto outcome = gatherer_.on_reply(req->get<std::uint64_t>(), node,
                                      results != body.end() ? *results : nlohmann::json());
    if (outcome) on_outcome(*outcome);
}

void Broker::on_subscribe(const bus::Incoming& in, const nlohmann::json& body) {
    if (!config_.tokens.empty()) {
        const std::string token = str_field(body, "token");
        if (std::find(config_.tokens.begin(), config_.tokens.end(), token) ==
            config_.tokens.end()) {
            const auto reply = bus::to_msgpack(
                nlohmann::json{{"req", body.value("req", nlohmann::json())},
                               {"envelope", error_envelope(kCodeError, "token error")}});
            bus::send_routed(*router_, in.identity, bus::Command::ClientResult, reply);
            return;
        }
    }
    Subscriber sub;
    if (auto ev = body.find("events"); ev != body.end() && ev->is_array())
        for (const auto& e : *ev)
            if (e.is_string()) sub.events.insert(e.get<std::string>());
    // A subscriber renews every interval; one silent for the expiry is gone.
    sub.expires = Clock::now() + std::chrono::milliseconds(config_.heartbeat_ms) * config_.liveness;
    if (subscribers_.insert_or_assign(in.identity, std::move(sub)).second)
        log_info(kLog, "subscriber joined");
}

void Broker::on_upstream(const bus::Incoming& in, const Federation::Source& from,
                         const nlohmann::json& body) {
    const std::string node = str_field(body, "node");
    const auto seq = body.find("seq");
    if (!is_hex_id(node) || seq == body.end() || !seq->is_number_unsigned())
        throw bus::DecodeError("upstream event without node or seq");
    const bool from_peer = federation_->peer_of(from).has_value();
    if (!from_peer && nodes_.node_of_route(in.identity) != node) {
        ignore_unproven(in, "event of node '" + node + "' from a link that does not speak for it");
        return;
    }
    // Each node numbers its events: a copy already seen (a route that
    // changed under our feet) is never delivered twice, and a number no
    // node could have reached is refused without moving the mark.
    const auto boot = body.find("boot");
    const std::uint64_t boot_id =
        boot != body.end() && boot->is_number_unsigned() ? boot->get<std::uint64_t>() : 0;
    switch (upstream_seq_.check(node, boot_id, seq->get<std::uint64_t>())) {
        case UpstreamSeq::Verdict::Repeat:
            return;
        case UpstreamSeq::Verdict::Refused:
            metrics_.upstream_refused.fetch_add(1, std::memory_order_relaxed);
            if (refusal_log_.admit(Clock::now()))
                log_warn(kLog, "event of node " + node + " with an impossible seq " +
                                   std::to_string(seq->get<std::uint64_t>()) + " refused" +
                                   refusal_log_.held_back_note("refusals"));
            return;
        case UpstreamSeq::Verdict::Deliver:
            break;
    }
    metrics_.upstream_events.fetch_add(1, std::memory_order_relaxed);

    const std::string root = from_peer ? str_field(body, "root") : registry_id_;
    std::string forwarded;
    const auto children = federation_->topology().tree_children(root, federation_->live_peers());
    if (!children.empty()) {
        nlohmann::json copy = body;
        copy["root"] = root;
        forwarded = bus::to_msgpack(copy);
        for (const auto& child : children)
            federation_->send(child, bus::Command::Upstream, forwarded);
    }
    if (subscribers_.empty()) return;
    const std::string kind = str_field(body, "event");
    nlohmann::json out{{"event", kind},
                       {"node", node},
                       {"_id", body.value("_id", nlohmann::json())},
                       {"id", body.value("id", nlohmann::json())},
                       {"data", body.value("data", nlohmann::json())},
                       {"seq", *seq}};
    if (boot != body.end()) out["boot"] = *boot;
    if (body.value("binary", false)) out["binary"] = true;
    const auto event = bus::to_msgpack(out);
    for (const auto& [identity, sub] : subscribers_) {
        if (!sub.events.empty() && !sub.events.count(kind)) continue;
        if (!bus::send_routed(*router_, identity, bus::Command::Upstream, event))
            metrics_.upstream_dropped.fetch_add(1, std::memory_order_relaxed);
    }
}

void Broker::on_forward(const Federation::Source& from, const nlohmann::json& body) {
    const auto upstream = federation_->peer_of(from);
    if (!upstream) throw bus::DecodeError("request from a link that is not a peer");
    const std::string origin = str_field(body, "origin");
    const auto req = body.find("req");
    const auto targets = body.find("targets");
    if (!is_hex_id(origin) || req == body.end() || !req->is_number_unsigned() ||
        targets == body.end() || !targets->is_array())
        throw bus::DecodeError("malformed forwarded request");
    // A peer cannot make us hold state longer than any caller may wait.
    const std::int64_t ttl_ms =
        std::min<std::int64_t>(body.value("ttl", std::int64_t{0}), config_.limits.max_timeout_ms);
    if (ttl_ms <= 0) return;  // the caller has given up already
    relays_[{origin, req->get<std::uint64_t>()}] =
        Relay{*upstream, Clock::now() + std::chrono::milliseconds(ttl_ms)};
    std::vector<std::string> list;
    for (const auto& t : *targets)
        if (t.is_string()) list.push_back(t.get<std::string>());
    std::vector<std::string> hops;
    if (auto h = body.find("hops"); h != body.end() && h->is_array())
        for (const auto& r : *h)
            if (r.is_string()) hops.push_back(r.get<std::string>());
    const auto events = body.value("events", nlohmann::json::array());
    if (hops.empty()) {
        // We serve these targets: they must be our own nodes.
        send_direct(origin, req->get<std::uint64_t>(), events, list);
        return;
    }
    // Follow the path the origin chose; never decide anew here.
    const std::string next = hops.front();
    hops.erase(hops.begin());
    forward_to(next, origin, req->get<std::uint64_t>(), events, list, hops, ttl_ms);
}

std::vector<std::string> Broker::send_direct(const std::string& origin, std::uint64_t req,
                                             const nlohmann::json& events,
                                             const std::vector<std::string>& nodes) {
    std::vector<std::string> failed;
    if (nodes.empty()) return failed;
    zmq::message_t body(
        bus::to_msgpack(nlohmann::json{{"req", req}, {"origin", origin}, {"events", events}}));
    for (const auto& node : nodes) {
        const auto* entry = nodes_.find(node);
        metrics_.requests_sent.fetch_add(1, std::memory_order_relaxed);
        if (!entry || !bus::send_routed(*router_, entry->route, bus::Command::Request, body)) {
            metrics_.send_failures.fetch_add(1, std::memory_order_relaxed);
            failed.push_back(node);
        }
    }
    return failed;
}

void Broker::forward_to(const std::string& next, const std::string& origin, std::uint64_t req,
                        const nlohmann::json& events, const std::vector<std::string>& nodes,
                        const std::vector<std::string>& hops, std::int64_t ttl_ms) {
    const auto body = bus::to_msgpack(nlohmann::json{{"req", req},
                                                     {"origin", origin},
                                                     {"events", events},
                                                     {"targets", nodes},
                                                     {"hops", hops},
                                                     {"ttl", ttl_ms}});
    federation_->send(next, bus::Command::Request, body);
}

std::vector<std::string> Broker::route_request(std::uint64_t req, const nlohmann::json& events,
                                               const std::map<std::string, Topology::Route>& table,
                                               std::int64_t ttl_ms) {
    // Source routing: each target goes to exactly one place — its node if it
    // is ours, else along the one path to the registry serving it, chosen
    // here. The target set is split, never copied, so no node can receive
    // the command twice, and no registry on the way routes it again.
    std::vector<std::string> local;
    std::map<std::vector<std::string>, std::vector<std::string>> remote;  // path -> targets
    for (const auto& [node, route] : table) {
        if (route.hops.empty())
            local.push_back(node);
        else
            remote[route.hops].push_back(node);
    }
    for (const auto& [path, nodes] : remote) {
        const std::vector<std::string> rest(path.begin() + 1, path.end());
        forward_to(path.front(), registry_id_, req, events, nodes, rest, ttl_ms);
    }
    return send_direct(registry_id_, req, events, local);
}

void Broker::on_client_call(const bus::Incoming& in, const nlohmann::json& body) {
    ClientTarget target{in.identity, body.contains("req") ? body["req"] : nlohmann::json()};
    const auto params = body.find("params");
    if (params == body.end() || !params->is_object()) {
        metrics_.api.record(ApiCallMetrics::kOtherEvent, ApiCallMetrics::Result::Refused);
        answer(target, error_envelope(kCodeError, "params must be a map"));
        return;
    }
    auto built = build_api_call(*params, config_.tokens, config_.limits);
    if (auto* err = std::get_if<ApiError>(&built)) {
        metrics_.api.record(named_events(*params), err->token ? ApiCallMetrics::Result::BadToken
                                                              : ApiCallMetrics::Result::Refused);
        answer(target, error_envelope(err->code, err->msg));
        return;
    }
    // Every call waiting on nodes holds memory until its deadline: past the
    // bound a caller is told at once, exactly as an HTTP caller is.
    if (runs_.size() >= config_.max_pending) {
        metrics_.api.record(std::get<ApiCall>(built).events, ApiCallMetrics::Result::Overloaded);
        answer(target, error_envelope(kCodeError, "overloaded, try again"));
        return;
    }
    begin(std::move(std::get<ApiCall>(built)), std::move(target));
}

void Broker::take_submitted() {
    // Clear first: a call submitted after this wakes the next turn.
    wake_.clear();
    for (auto& s : submitted_.take_all()) begin(std::move(s.call), HttpTarget{s.http_id});
}

void Broker::begin(ApiCall call, Target target) {
    Run run;
    run.started = Clock::now();
    run.deadline = run.started + std::chrono::milliseconds(call.timeout_ms);
    std::vector<std::string> master_ids;
    for (const auto& [node, route] : routes()) master_ids.push_back(node);
    run.run = std::make_unique<CallRun>(
        std::move(call), std::move(master_ids),
        [this](const std::string& ev, const nlohmann::json& p) { return local_event(ev, p); });
    run.target = std::move(target);
    advance(std::move(run));
}

void Broker::advance(Run run) {
    while (auto round = run.run->next_round()) {
        const std::uint64_t req = next_req_++;
        // One route table per round: every routed node is a target.
        const auto table = routes();
        std::vector<std::string> targets;
        for (const auto& [node, route] : table) targets.push_back(node);
        const auto ttl =
            std::chrono::duration_cast<std::chrono::milliseconds>(run.deadline - Clock::now());
        const auto failed =
            route_request(req, *round, table, std::max<std::int64_t>(ttl.count(), 1));
        auto done = gatherer_.start(req, targets, run.deadline);
        // A node whose link refused the Request will not answer: its slot
        // says so now instead of at the deadline.
        for (const auto& node : failed)
            if (!done) done = gatherer_.give_up(req, node);
        if (done) {
            run.run->finish_round(*done);
            continue;
        }
        runs_.emplace(req, std::move(run));
        return;
    }
    finish(run);
}

void Broker::on_outcome(const Gatherer::Outcome& outcome) {
    auto it = runs_.find(outcome.req);
    if (it == runs_.end()) return;
    Run run = std::move(it->second);
    runs_.erase(it);
    metrics_.node_timeouts.fetch_add(outcome.missing.size(), std::memory_order_relaxed);
    run.run->finish_round(outcome);
    advance(std::move(run));
}

void Broker::finish(Run& run) {
    const auto us = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - run.started).count());
    metrics_.observe_latency_us(us);
    for (const auto& event : run.run->call().events) {
        metrics_.api.record(event, run.run->timed_out(event) ? ApiCallMetrics::Result::NodeTimeout
                                                             : ApiCallMetrics::Result::Ok);
        metrics_.api.observe_latency_us(event, us);
    }
    answer(run.target, run.run->envelope());
}

void Broker::answer(const Target& target, const std::string& envelope) {
    if (const auto* http = std::get_if<HttpTarget>(&target)) {
        deliver_(http->http_id, envelope);
        return;
    }
    const auto& client = std::get<ClientTarget>(target);
    const auto body = bus::to_msgpack(nlohmann::json{{"req", client.req}, {"envelope", envelope}});
    if (!bus::send_routed(*router_, client.identity, bus::Command::ClientResult, body))
        metrics_.send_failures.fetch_add(1, std::memory_order_relaxed);
}

void Broker::node_gone(const std::string& node_id, const char* why) {
    if (nodes_.remove(node_id)) node_forgotten(node_id, why);
}

void Broker::node_forgotten(const std::string& node_id, const char* why) {
    log_info(kLog, "node " + node_id + " left: " + why);
    upstream_seq_.forget(node_id);
    publish_gauges();
    // Calls waiting on it finish now rather than at their deadline.
    for (auto& outcome : gatherer_.drop_node(node_id)) on_outcome(outcome);
}

void Broker::send_heartbeats() {
    nodes_.for_each([this](const NodeTable::Entry& e) {
        bus::send_routed(*router_, e.route, bus::Command::Heartbeat, heartbeat_body_);
    });
}

nlohmann::json Broker::local_event(const std::string& event, const nlohmann::json& params) const {
    if (event == "nodes") return nodes_listing();
    if (event != "route") return nullptr;
    std::vector<RouteCandidate> candidates;
    const auto info = federation_->topology().node_infos(local_nodes(), federation_->live_peers());
    for (const auto& [node, i] : info) candidates.push_back({node, i.url});
    auto chosen = choose_route(params.value("id", ""), candidates);
    if (!chosen) return nullptr;
    return nlohmann::json{{"node", chosen->node_id}, {"url", chosen->url}};
}

nlohmann::json Broker::nodes_listing() const {
    const auto local = local_nodes();
    const auto peers = federation_->live_peers();
    const auto& topo = federation_->topology();
    const auto where = topo.node_registries(local, peers);
    const auto table = topo.routes(local, peers);
    auto out = nlohmann::json::array();
    for (const auto& [node, info] : topo.node_infos(local, peers)) {
        const auto w = where.find(node);
        out.push_back({{"node", node},
                       {"url", info.url},
                       {"conns", info.conns},
                       {"registries", w != where.end() ? w->second : std::set<std::string>{}},
                       {"served_by", table.at(node).registry},
                       {"hops", table.at(node).distance}});
    }
    return {{"registry", registry_id_}, {"nodes", std::move(out)}};
}

void Broker::publish_gauges() {
    std::uint64_t conns = 0;
    const auto info = federation_->topology().node_infos(local_nodes(), federation_->live_peers());
    for (const auto& [node, i] : info)
        conns += static_cast<std::uint64_t>(std::max<std::int64_t>(i.conns, 0));
    metrics_.nodes.store(info.size(), std::memory_order_relaxed);
    metrics_.subscribers.store(subscribers_.size(), std::memory_order_relaxed);
    metrics_.connections.store(conns, std::memory_order_relaxed);
}

}  // namespace wsc
