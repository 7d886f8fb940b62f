#include "registry/Federation.hpp"

#include <algorithm>

#include "bus/LinkProof.hpp"
#include "bus/Messages.hpp"
#include "common/Ids.hpp"
#include "common/Log.hpp"

namespace wsc {

namespace {
constexpr const char* kLog = "federation";
constexpr std::size_t kMaxChallenges = 1000;
constexpr auto kRefusalLogInterval = std::chrono::seconds(10);
}  // namespace

Federation::Federation(zmq::context_t& ctx, zmq::socket_t& router, std::string self_id,
                       std::vector<std::string> endpoints, bus::Liveness liveness,
                       RegistryMetrics& metrics, std::vector<std::string> tokens,
                       bus::CurveConfig curve, std::string cluster_secret)
    : ctx_(ctx),
      router_(router),
      self_(std::move(self_id)),
      liveness_(liveness),
      metrics_(metrics),
      topology_(self_, liveness.expiry()),
      // Time-based start: a state we flood after a restart always looks newer.
      seq_(static_cast<std::uint64_t>(Clock::now().time_since_epoch().count())),
      started_(Clock::now()),
      hello_body_(bus::encode(bus::PeerHello{self_, tokens.empty() ? "" : tokens.front(), {}, {}})),
      tokens_(std::move(tokens)),
      curve_(std::move(curve)),
      secret_(std::move(cluster_secret)),
      require_proof_(!secret_.empty() && !curve_.enabled()),
      challenges_(liveness.expiry(), kMaxChallenges, bus::make_nonce),
      refusal_log_(kRefusalLogInterval) {
    for (auto& e : endpoints) dialers_.push_back(Dialer{std::move(e), nullptr, {}, {}});
}

Federation::~Federation() = default;

void Federation::connect(Dialer& d) {
    d.socket = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::dealer);
    bus::configure_socket(*d.socket);
    bus::apply_curve_client(*d.socket, curve_);
    d.socket->set(zmq::sockopt::immediate, 1);  // queue nothing for a peer that is down
    d.socket->set(zmq::sockopt::routing_id, d.routing_id);
    d.socket->set(zmq::sockopt::reconnect_ivl, 100);
    d.socket->set(zmq::sockopt::reconnect_ivl_max, 2000);
    d.socket->connect(d.endpoint);
    d.peer.clear();
    d.heard = Clock::now();
    ++generation_;
    ++dialers_version_;
}

void Federation::open() {
    for (auto& d : dialers_) connect(d);
}

std::optional<std::string> Federation::peer_of(const Source& from) const {
    if (from.dialer) {
        const auto& d = dialers_.at(from.index);
        if (d.peer.empty()) return std::nullopt;
        return d.peer;
    }
    auto it = routed_.find(from.identity);
    if (it == routed_.end()) return std::nullopt;
    return it->second.peer;
}

void Federation::touch(const Source& from, Clock::time_point now) {
    if (from.dialer)
        dialers_.at(from.index).heard = now;
    else if (auto it = routed_.find(from.identity); it != routed_.end())
        it->second.heard = now;
}

void Federation::on_hello(const Source& from, const nlohmann::json& body, Clock::time_point now) {
    const auto hello = bus::PeerHello::from_json(body);
    const std::string& peer = hello.registry;
    if (peer == self_) {
        log_warn(kLog, "refused a link to ourselves");
        return;
    }
    if (!tokens_.empty()) {
        if (std::find(tokens_.begin(), tokens_.end(), hello.token) == tokens_.end()) {
            metrics_.bad_messages.fetch_add(1, std::memory_order_relaxed);
            throw bus::DecodeError("peer hello from " + peer + " without a valid token: refused");
        }
    }
    if (from.dialer) {
        auto& d = dialers_.at(from.index);
        if (d.peer != peer) {
            log_info(kLog, "linked to peer " + peer + " at " + d.endpoint);
            ++generation_;
        }
        d.peer = peer;
        d.heard = now;
        return;
    }
    if (require_proof_ && !routed_.count(from.identity)) {
        if (hello.nonce.empty()) {
            const auto challenge =
                bus::encode(bus::Challenge{challenges_.issue(from.identity, now)});
            bus::send_routed(router_, from.identity, bus::Command::Challenge, challenge);
            return;
        }
        const bool redeemed = challenges_.redeem(from.identity, hello.nonce, now);
        if (!redeemed ||
            !bus::proof_matches(secret_, bus::kRolePeer, hello.nonce, peer, hello.proof)) {
            metrics_.unauthenticated.fetch_add(1, std::memory_order_relaxed);
            if (refusal_log_.admit(now))
                log_warn(kLog, "peer hello from " + peer +
                                   " without a valid proof of the cluster secret: refused" +
                                   refusal_log_.held_back_note("refused"));
            return;
        }
    }
    auto [it, inserted] = routed_.try_emplace(from.identity, Routed{peer, now});
    if (!inserted && it->second.peer != peer) {
        // A link does not change identity: someone is impersonating.
        log_warn(kLog, "link claiming to be " + peer + " was " + it->second.peer + "; refused");
        metrics_.bad_messages.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    if (inserted) {
        log_info(kLog, "peer " + peer + " linked to us");
        ++generation_;
    }
    it->second.heard = now;
    // Answer on the same connection: the dialer learns who we are.
    bus::send_routed(router_, from.identity, bus::Command::PeerHello, hello_body_);
}

void Federation::on_challenge(const Source& from, const nlohmann::json& body) {
    if (!from.dialer) throw bus::DecodeError("challenge from a link we did not dial");
    const std::string nonce = bus::Challenge::from_json(body).nonce;
    auto& d = dialers_.at(from.index);
    if (secret_.empty()) {
        if (refusal_log_.admit(Clock::now()))
            log_warn(kLog, "peer at " + d.endpoint +
                               " asks for the cluster secret, and registry.cluster_secret is not "
                               "set: the link stays down" +
                               refusal_log_.held_back_note("requests"));
        return;
    }
    const bus::PeerHello hello{self_, tokens_.empty() ? "" : tokens_.front(), nonce,
                               bus::link_proof(secret_, bus::kRolePeer, nonce, self_)};
    bus::send_message(*d.socket, bus::Command::PeerHello, bus::encode(hello));
}

void Federation::on_state(const Source& from, const nlohmann::json& body, Clock::time_point now) {
    if (!peer_of(from)) return;  // states only from links that introduced themselves
    const auto state = bus::PeerState::from_json(body);
    if (topology_.apply_state(state, now)) {
        ++generation_;
        flood(&from, bus::Command::PeerState, bus::encode(state));
    }
}

bool Federation::send_on(const Source& to, bus::Command command, std::string_view body) {
    const bool ok = to.dialer ? bus::send_message(*dialers_.at(to.index).socket, command, body)
                              : bus::send_routed(router_, to.identity, command, body);
    if (!ok) metrics_.send_failures.fetch_add(1, std::memory_order_relaxed);
    return ok;
}

void Federation::flood(const Source* except, bus::Command command, std::string_view body) {
    std::set<std::string> done;  // one copy per peer even with two links to it
    if (except) {
        if (auto p = peer_of(*except)) done.insert(*p);
    }
    for (std::size_t i = 0; i < dialers_.size(); ++i) {
        if (dialers_[i].peer.empty() || !done.insert(dialers_[i].peer).second) continue;
        send_on(Source{true, i, {}}, command, body);
    }
    for (const auto& [identity, r] : routed_) {
        if (!done.insert(r.peer).second) continue;
        send_on(Source{false, 0, identity}, command, body);
    }
}

void Federation::expire(Clock::time_point now) {
    const auto expiry = liveness_.expiry();
    for (auto& d : dialers_) {
        if (now - d.heard <= expiry) continue;
        if (!d.peer.empty()) log_info(kLog, "peer " + d.peer + " at " + d.endpoint + " lost");
        connect(d);  // a fresh socket: reconnects even through a half-dead TCP link
        bus::send_message(*d.socket, bus::Command::PeerHello, hello_body_);
    }
    for (auto it = routed_.begin(); it != routed_.end();) {
        if (now - it->second.heard > expiry) {
            log_info(kLog, "peer " + it->second.peer + " lost");
            it = routed_.erase(it);
            ++generation_;
        } else {
            ++it;
        }
    }
    for (const auto& origin : topology_.expire(now)) {
        log_info(kLog, "registry " + origin + " expired");
        // A neighbour's state comes on its own link with its hellos: once the
        // state is stale the link is too, and routing through it would lose
        // commands while the hellos' expiry catches up.
        for (auto& d : dialers_) {
            if (d.peer != origin) continue;
            connect(d);
            bus::send_message(*d.socket, bus::Command::PeerHello, hello_body_);
        }
        std::erase_if(routed_, [&](const auto& kv) { return kv.second.peer == origin; });
        ++generation_;
    }
}

std::optional<Federation::Clock::time_point> Federation::next_expiry() const {
    const auto expiry = liveness_.expiry();
    std::optional<Clock::time_point> next = topology_.next_expiry();
    auto consider = [&](Clock::time_point t) {
        if (!next || t < *next) next = t;
    };
    for (const auto& d : dialers_) consider(d.heard + expiry);
    for (const auto& [identity, r] : routed_) consider(r.heard + expiry);
    return next;
}

bool Federation::send(const std::string& peer_id, bus::Command command, std::string_view body) {
    for (std::size_t i = 0; i < dialers_.size(); ++i)
        if (dialers_[i].peer == peer_id) return send_on(Source{true, i, {}}, command, body);
    for (const auto& [identity, r] : routed_)
        if (r.peer == peer_id) return send_on(Source{false, 0, identity}, command, body);
    metrics_.send_failures.fetch_add(1, std::memory_order_relaxed);
    return false;
}

std::set<std::string> Federation::live_peers() const {
    std::set<std::string> out;
    for (const auto& d : dialers_)
        if (!d.peer.empty()) out.insert(d.peer);
    for (const auto& [identity, r] : routed_) out.insert(r.peer);
    return out;
}

void Federation::tick(Clock::time_point now,
                      const std::map<std::string, Topology::NodeInfo>& local_nodes) {
    expire(now);
    for (auto& d : dialers_) bus::send_message(*d.socket, bus::Command::PeerHello, hello_body_);
    const auto up = std::chrono::duration_cast<std::chrono::milliseconds>(now - started_);
    advertised_up_ms_ = static_cast<std::uint64_t>(up.count());
    const auto state =
        Topology::encode_state(self_, ++seq_, local_nodes, live_peers(), advertised_up_ms_);
    flood(nullptr, bus::Command::PeerState, bus::encode(state));
}

}  // namespace wsc
