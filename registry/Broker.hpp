// The registry's bus broker: one ROUTER that wsnodes and clients connect to.
//
// Runs on its own thread, which owns every zmq socket it uses. It tracks the
// nodes' liveness, fans each API call out as Requests, gathers Replies and
// hands finished envelopes back to the HTTP server (or to the bus client
// that asked) — never blocking on a slow peer.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>
#include <zmq.hpp>

#include "api/ApiRequest.hpp"
#include "bus/CurveConfig.hpp"
#include "bus/Frames.hpp"
#include "common/LogThrottle.hpp"
#include "common/Mailbox.hpp"
#include "common/WakeFd.hpp"
#include "registry/CallRun.hpp"
#include "registry/Federation.hpp"
#include "registry/Gatherer.hpp"
#include "registry/HandshakeMonitor.hpp"
#include "registry/LinkChallenges.hpp"
#include "registry/NodeTable.hpp"
#include "registry/RegistryMetrics.hpp"
#include "registry/UpstreamSeq.hpp"
#include "registry/ZapHandler.hpp"

namespace wsc {

struct BrokerConfig {
    std::string bus_endpoint = "tcp://0.0.0.0:8010";
    std::vector<std::string> tokens;
    int heartbeat_ms = 1000;
    int liveness = 3;
    ApiLimits limits;
    // Calls in flight (HTTP and bus together) past which a bus ClientCall is
    // answered "overloaded" at once; the HTTP side applies the same number
    // to its own calls.
    std::size_t max_pending = 10000;
    std::vector<std::string> peers;  // bus endpoints of peer registries to dial
    bus::CurveConfig curve;          // CURVE on the ROUTER and the dialers; off when empty
    // Node and peer links must prove it (bus/LinkProof.hpp) unless CURVE is
    // on, whose keys are then the credential; empty: links are not checked.
    std::string cluster_secret;
};

class Broker {
  public:
    // Called on the broker thread with a finished HTTP call's response body.
    using Deliver = std::function<void(std::uint64_t http_id, std::string body)>;

    Broker(zmq::context_t& ctx, BrokerConfig config, Deliver deliver, RegistryMetrics& metrics);
    ~Broker();

    // Binds the bus socket on the calling thread; throws
    // std::runtime_error with a clear reason (e.g. port in use).
    void bind();
    // The endpoint actually bound (the port is resolved when 0 was asked).
    const std::string& bound_endpoint() const { return bound_endpoint_; }
    std::uint16_t bound_port() const;
    const std::string& registry_id() const { return registry_id_; }

    void start();
    // Any thread: the loop ends and the thread is joined. Deliver is never
    // called again once this returns.
    void stop();

    // Any thread (the HTTP server's): hands over an HTTP call, whose answer
    // comes back through Deliver. Never blocks: false when `max_pending`
    // calls are already waiting to be taken; `call` is then left as it was.
    bool submit(std::uint64_t http_id, ApiCall&& call);

  private:
    struct HttpTarget {
        std::uint64_t http_id;
    };
    struct ClientTarget {
        std::string identity;
        nlohmann::json req;
    };
    using Target = std::variant<HttpTarget, ClientTarget>;
    struct Run {
        std::unique_ptr<CallRun> run;
        Target target;
        Gatherer::Clock::time_point started;
        Gatherer::Clock::time_point deadline;
    };

    struct Relay {
        std::string upstream;  // peer registry the Request came from
        Gatherer::Clock::time_point deadline;
    };

    struct Subscriber {
        std::set<std::string> events;  // empty: every kind
        Gatherer::Clock::time_point expires;
    };

    void loop();
    void on_subscribe(const bus::Incoming& in, const nlohmann::json& body);
    void on_upstream(const bus::Incoming& in, const Federation::Source& from,
                     const nlohmann::json& body);
    void on_bus(bus::Incoming& in, const Federation::Source& from);
    void on_forward(const Federation::Source& from, const nlohmann::json& body);
    // Sends a call's Request to every node of `table`; returns the directly
    // connected targets whose link refused it.
    std::vector<std::string> route_request(std::uint64_t req, const nlohmann::json& events,
                                           const std::map<std::string, Topology::Route>& table,
                                           std::int64_t ttl_ms);
    std::vector<std::string> send_direct(const std::string& origin, std::uint64_t req,
                                         const nlohmann::json& events,
                                         const std::vector<std::string>& nodes);
    void forward_to(const std::string& next, const std::string& origin, std::uint64_t req,
                    const nlohmann::json& events, const std::vector<std::string>& nodes,
                    const std::vector<std::string>& hops, std::int64_t ttl_ms);
    std::map<std::string, Topology::NodeInfo> local_nodes() const;
    std::map<std::string, Topology::Route> routes() const;
    void take_submitted();
    void on_node_hello(const bus::Incoming& in, const nlohmann::json& body, bool ready);
    // A node message from a link that does not speak for that node: counted,
    // logged at a throttled rate, otherwise ignored.
    void ignore_unproven(const bus::Incoming& in, const std::string& why);
    void send_challenge(const std::string& route);
    void on_reply(const bus::Incoming& in, const Federation::Source& from,
                  const nlohmann::json& body);
    void on_client_call(const bus::Incoming& in, const nlohmann::json& body);
    void begin(ApiCall call, Target target);
    void advance(Run run);
    void finish(Run& run);
    void answer(const Target& target, const std::string& envelope);
    void on_outcome(const Gatherer::Outcome& outcome);
    void node_gone(const std::string& node_id, const char* why);       // remove, then forget
    void node_forgotten(const std::string& node_id, const char* why);  // already removed
    void send_heartbeats();
    nlohmann::json local_event(const std::string& event, const nlohmann::json& params) const;
    nlohmann::json nodes_listing() const;
    void publish_gauges();

    zmq::context_t& ctx_;
    BrokerConfig config_;
    Deliver deliver_;
    RegistryMetrics& metrics_;
    std::string bound_endpoint_;
    std::string monitor_address_;

    // The bridge from the HTTP thread: no socket, no encoding on the way.
    struct Submitted {
        std::uint64_t http_id;
        ApiCall call;
    };
    Mailbox<Submitted> submitted_;
    WakeFd wake_;  // made readable by submit() and stop()
    std::atomic<bool> stop_requested_{false};

    // Broker thread only (created in bind(), handed over at start()).
    // With CURVE only; declared first so that they outlive the ROUTER.
    std::unique_ptr<ZapHandler> zap_;
    std::unique_ptr<HandshakeMonitor> handshakes_;
    std::unique_ptr<zmq::socket_t> router_;
    std::string registry_id_;
    std::unique_ptr<Federation> federation_;
    std::map<std::pair<std::string, std::uint64_t>, Relay> relays_;  // (origin, req)
    std::unordered_map<std::string, Subscriber> subscribers_;        // by ROUTER identity
    UpstreamSeq upstream_seq_;                                       // last seq delivered per node
    NodeTable nodes_;
    Gatherer gatherer_;
    std::unordered_map<std::uint64_t, Run> runs_;  // by the req of their round in flight
    std::uint64_t next_req_;
    std::string heartbeat_body_;
    // Proof of the cluster secret is asked of node links (not with CURVE).
    bool require_proof_ = false;
    LinkChallenges challenges_;
    LogThrottle refusal_log_;

    std::thread thread_;
    std::atomic<bool> running_{false};
};

}  // namespace wsc
