// The registry's links to its peers, and what flows on them: hellos
// (liveness and identity) and flooded link-state advertisements.
//
// Owned by the registry's thread. A link is either a DEALER this registry dialed
// (configured peer) or a peer that dialed our ROUTER; one configured side is
// enough, since the hello is answered on the same connection.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>
#include <zmq.hpp>

#include "bus/CurveConfig.hpp"
#include "bus/Frames.hpp"
#include "bus/LinkProof.hpp"
#include "bus/Liveness.hpp"
#include "common/LogThrottle.hpp"
#include "registry/LinkChallenges.hpp"
#include "registry/RegistryMetrics.hpp"
#include "registry/Topology.hpp"

namespace wsc {

class Federation {
  public:
    using Clock = std::chrono::steady_clock;

    // Where a message came from: our ROUTER (identity) or one of our dialers.
    struct Source {
        bool dialer = false;
        std::size_t index = 0;  // dialer index
        std::string identity;   // ROUTER identity
    };

    Federation(zmq::context_t& ctx, zmq::socket_t& router, std::string self_id,
               std::vector<std::string> endpoints, bus::Liveness liveness, RegistryMetrics& metrics,
               std::vector<std::string> tokens = {}, bus::CurveConfig curve = {},
               std::string cluster_secret = {});
    ~Federation();

    void open();  // creates and connects the dialers (registry's thread)
    std::size_t dialer_count() const { return dialers_.size(); }
    zmq::socket_t& dialer(std::size_t i) { return *dialers_[i].socket; }
    // Changes whenever a dialer is (re)created: its descriptor changed.
    std::uint64_t dialers_version() const { return dialers_version_; }

    // The peer registry behind a source, if the link said hello.
    std::optional<std::string> peer_of(const Source& from) const;
    bool is_peer_route(const std::string& identity) const { return routed_.count(identity) != 0; }

    void on_hello(const Source& from, const nlohmann::json& body, Clock::time_point now);
    // A peer we dialed asks us to prove the cluster secret.
    void on_challenge(const Source& from, const nlohmann::json& body);
    void on_state(const Source& from, const nlohmann::json& body, Clock::time_point now);
    void touch(const Source& from, Clock::time_point now);

    // Once per heartbeat: hellos on every link, our state to every peer,
    // expiry of silent links and stale states.
    void tick(Clock::time_point now, const std::map<std::string, Topology::NodeInfo>& local_nodes);

    // Drops silent links and stale states as soon as they expire (called on
    // every loop turn, so a dead registry goes within liveness × interval).
    void expire(Clock::time_point now);
    std::optional<Clock::time_point> next_expiry() const;

    bool send(const std::string& peer_id, bus::Command command, std::string_view body);
    // Sends to every live peer once, except the one `except` came from.
    void flood(const Source* except, bus::Command command, std::string_view body);
    std::set<std::string> live_peers() const;
    const Topology& topology() const { return topology_; }
    // How long this registry had run at its last PeerState: what the peers
    // know of it, so that all judge its age from the same number.
    std::uint64_t advertised_up_ms() const { return advertised_up_ms_; }
    // Rises whenever the peer links or the topology may have changed: routes
    // derived from them may be kept until then.
    std::uint64_t generation() const { return generation_; }
    const std::string& self() const { return self_; }

  private:
    struct Dialer {
        std::string endpoint;
        std::unique_ptr<zmq::socket_t> socket;
        std::string peer;  // registry id learned from its hello
        Clock::time_point heard;
        // Our identity at that peer, kept across reconnects (see BusLink).
        std::string routing_id = bus::random_routing_id();
    };
    struct Routed {
        std::string peer;
        Clock::time_point heard;
    };
    void connect(Dialer& d);
    bool send_on(const Source& to, bus::Command command, std::string_view body);

    zmq::context_t& ctx_;
    zmq::socket_t& router_;
    std::string self_;
    bus::Liveness liveness_;
    RegistryMetrics& metrics_;
    std::vector<Dialer> dialers_;
    std::uint64_t dialers_version_ = 0;
    std::unordered_map<std::string, Routed> routed_;  // ROUTER identity -> peer
    Topology topology_;
    std::uint64_t generation_ = 0;
    std::uint64_t seq_;
    Clock::time_point started_;
    std::uint64_t advertised_up_ms_ = 0;
    std::string hello_body_;
    // With tokens configured, a peer must present one in its hello: a peer
    // link can run commands, so it needs the same right as an API caller.
    std::vector<std::string> tokens_;
    // Dialers are CURVE clients of the peers' ROUTERs when this is enabled.
    bus::CurveConfig curve_;
    // With a cluster secret (and no CURVE), a peer dialing us must prove it
    // before its link counts; we prove it to the peers we dial when asked.
    std::string secret_;
    bool require_proof_ = false;
    LinkChallenges challenges_;
    LogThrottle refusal_log_;
};

}  // namespace wsc
