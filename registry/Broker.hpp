// The registry's bus broker: one ROUTER that wsnodes and clients connect to.
//
// Runs on the HTTP server's thread, as the guest of its loop (LoopGuest):
// that thread owns every zmq socket the broker uses, and an API call goes
// from its HTTP connection to the bus without a thread hop. The broker is
// the service of its sockets and the command switch; what to do with each command is
// decided by classes of pure logic it owns: NodeAdmission (node hellos),
// CallDispatch (API calls, their rounds and replies), RequestRelay (rounds
// crossing the federation), UpstreamFanout (client events to subscribers),
// Federation (peer links and topology). It never blocks on a slow peer.
//
// Defined in Broker.cpp (sockets, loop, switch, node links, client events),
// BrokerCalls.cpp (API calls and the rounds it relays) and
// BrokerDirectory.cpp (the routing directory: changes, snapshots, acks).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>
#include <zmq.hpp>

#include "api/ApiRequest.hpp"
#include "bus/CurveConfig.hpp"
#include "bus/Frames.hpp"
#include "bus/Liveness.hpp"
#include "bus/QuietPasses.hpp"
#include "common/LogThrottle.hpp"
#include "httpapi/LoopGuest.hpp"
#include "registry/CallDispatch.hpp"
#include "registry/Directory.hpp"
#include "registry/DirectoryAcks.hpp"
#include "registry/Federation.hpp"
#include "registry/HandshakeMonitor.hpp"
#include "registry/LinkChallenges.hpp"
#include "registry/NodeAdmission.hpp"
#include "registry/NodeTable.hpp"
#include "registry/Presence.hpp"
#include "registry/RecentEvents.hpp"
#include "registry/RegistryMetrics.hpp"
#include "registry/RequestRelay.hpp"
#include "registry/RoundTargets.hpp"
#include "registry/UpstreamFanout.hpp"
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

    bus::Liveness link_liveness() const {
        return {std::chrono::milliseconds(heartbeat_ms), liveness};
    }
};

// Where the events this registry is the one to report go besides the bus
// (the webhooks): `wants` says whether a kind is taken at all, so that an
// event nobody takes is never encoded; `post` takes one event's JSON text.
struct EventSink {
    std::function<bool(std::string_view kind)> wants;
    std::function<void(std::string event_json)> post;
};

class Broker : public LoopGuest, private CallDispatch::Port {
  public:
    using Clock = std::chrono::steady_clock;
    using RouteTable = CallDispatch::RouteTable;
    // Called on the loop's thread with a finished HTTP call's response body.
    using Deliver = std::function<void(std::uint64_t http_id, std::string body)>;

    Broker(zmq::context_t& ctx, BrokerConfig config, Deliver deliver, RegistryMetrics& metrics);
    ~Broker() override;

    // Binds the bus socket on the calling thread; throws
    // std::runtime_error with a clear reason (e.g. port in use).
    void bind();
    // The endpoint actually bound (the port is resolved when 0 was asked).
    const std::string& bound_endpoint() const { return bound_endpoint_; }
    std::uint16_t bound_port() const;
    const std::string& registry_id() const { return registry_id_; }

    // Before start(): where the events this registry reports also go.
    void set_event_sink(EventSink sink) { sink_ = std::move(sink); }

    // Opens the federation's links; then the loop's thread serves it.
    void start();

    // The loop's thread (the HTTP server's): hands over an HTTP call, taken
    // at the next service() (never inside the HTTP server's own callback),
    // whose answer comes back through Deliver. False when `max_pending`
    // calls are already waiting to be taken; `call` is then left as it was.
    bool submit(std::uint64_t http_id, ApiCall&& call);

    // LoopGuest: the sockets watched, served, and closed.
    std::vector<int> descriptors() override;
    std::uint64_t descriptors_version() const override;
    bool service() override;
    Clock::time_point next_due() const override;
    void close() override;

  private:
    // CallDispatch::Port: what a call in progress needs of the broker.
    const RouteTable& routes() override;
    CallRun::NodeIds node_ids() override;
    std::vector<std::string> send_round(std::uint64_t req, const nlohmann::json& events,
                                        const RouteTable& table, std::int64_t ttl_ms) override;
    nlohmann::json local_event(const std::string& event, const nlohmann::json& params) override;
    void nodes_missed(std::size_t nodes) override;
    void finished(const Caller& caller, const CallRun& run,
                  std::chrono::microseconds took) override;
    std::vector<std::string> targets(const nlohmann::json& events,
                                     const RouteTable& table) override;
    bool directory_settled(const std::string& node, std::uint64_t dseq) override;
    void directory_unsettled() override;

    // The routing directory (BrokerDirectory.cpp).
    void on_directory(const bus::Incoming& in, const Federation::Source& from,
                      const nlohmann::json& body);
    void on_directory_want(const Federation::Source& from, const nlohmann::json& body);
    void on_directory_ack(const Federation::Source& from, const nlohmann::json& body);
    // A direct node said where its directory changes are (its hello).
    void check_directory(const std::string& route, const bus::NodeHello& hello);
    // Once per heartbeat: remote nodes whose changes we lack, and cleanup.
    void directory_tick(Clock::time_point now);
    // Asks `node` for a snapshot: directly when it is ours, else through the peers.
    void want_snapshot(const std::string& node);
    // Every registry reachable from here, this one included (cached).
    const std::set<std::string>& reachable_registries();

    // Presence and node loss (BrokerEvents.cpp): what the directory's last
    // changes mean, the events this registry makes, and those of others.
    void take_directory_changes();
    void presence_tick();
    void publish_cluster_event(bus::ClusterEvent event);
    void on_cluster_event(const Federation::Source& from, const nlohmann::json& body);
    // Down the federation's tree rooted at event.root, and to subscribers.
    void spread_cluster_event(bus::ClusterEvent& event, const std::string& kind);
    // An event this registry is the one to report: to the webhooks.
    void report(std::string_view kind, const nlohmann::ordered_json& line);

    // Takes what a socket has, a burst at most; returns how many came.
    int drain_bus(zmq::socket_t& socket, const Federation::Source& from);
    // One pass over every socket.
    bus::PassCount drain_all();
    void take_submitted();
    void on_timers(Clock::time_point now);
    // The command switch.
    void on_bus(bus::Incoming& in, const Federation::Source& from);

    void on_node_hello(const bus::Incoming& in, const nlohmann::json& body, bool ready);
    // A node message from a link that does not speak for that node: counted,
    // logged at a throttled rate, otherwise ignored.
    void ignore_unproven(const bus::Incoming& in, const std::string& why);
    // True when a node message about `node` came on that node's own link (or
    // from a peer registry, which vouches for its own links).
    bool speaks_for(const bus::Incoming& in, const Federation::Source& from,
                    const std::string& node) const;
    void on_reply(const bus::Incoming& in, const Federation::Source& from,
                  const nlohmann::json& body);
    void on_client_call(const bus::Incoming& in, const nlohmann::json& body);
    void on_forward(const Federation::Source& from, const nlohmann::json& body);
    void on_subscribe(const bus::Incoming& in, const nlohmann::json& body);
    void on_upstream(const bus::Incoming& in, const Federation::Source& from,
                     const nlohmann::json& body);

    // Sends a round's Request to `nodes`, our own; returns those whose link
    // refused it.
    std::vector<std::string> send_direct(const std::string& origin, std::uint64_t req,
                                         const nlohmann::json& events,
                                         const std::vector<std::string>& nodes);
    void forward(const RequestRelay::Leg& leg, const std::string& origin, std::uint64_t req,
                 const nlohmann::json& events, std::int64_t ttl_ms);
    void answer(const Caller& caller, const std::string& envelope);

    std::map<std::string, Topology::NodeInfo> local_nodes() const;
    void node_gone(const std::string& node_id, const char* why);       // remove, then forget
    void node_forgotten(const std::string& node_id, const char* why);  // already removed
    void send_heartbeats();
    void publish_gauges();

    zmq::context_t& ctx_;
    BrokerConfig config_;
    Deliver deliver_;
    RegistryMetrics& metrics_;
    std::string bound_endpoint_;
    std::string monitor_address_;

    // HTTP calls handed over and not yet taken: no socket, no encoding.
    struct Submitted {
        std::uint64_t http_id;
        ApiCall call;
    };
    std::vector<Submitted> submitted_;

    // The loop's thread only (created in bind(), handed over at start()).
    // With CURVE only; declared first so that they outlive the ROUTER.
    std::unique_ptr<ZapHandler> zap_;
    std::unique_ptr<HandshakeMonitor> handshakes_;
    std::unique_ptr<zmq::socket_t> router_;
    std::string registry_id_;
    std::unique_ptr<Federation> federation_;
    RequestRelay relay_;
    UpstreamFanout upstream_;
    NodeTable nodes_;
    LinkChallenges challenges_;
    NodeAdmission admission_;
    CallDispatch dispatch_;
    // The route table and its node list, kept while nothing they derive
    // from changed (NodeTable and Federation generations): a call looks
    // them up twice, and they cost O(nodes) to build. Calls keep the node
    // list as their master_ids: a change makes a new one.
    struct RouteCache {
        std::pair<std::uint64_t, std::uint64_t> generations{~0ull, ~0ull};
        RouteTable table;
        std::shared_ptr<const LiveNodes> live = std::make_shared<const LiveNodes>();
    };
    RouteCache route_cache_;
    // Every registry reachable from here, kept while the Federation
    // generation (its links and topology, all the set derives from) holds:
    // each directory check of a call asks for it.
    struct ReachableCache {
        std::uint64_t generation = ~0ull;
        std::set<std::string> registries;
    };
    ReachableCache reachable_cache_;
    Directory directory_;
    DirectoryAcks directory_acks_;
    Presence presence_;
    RecentEvents recent_;
    EventSink sink_;
    std::uint64_t want_seq_ = 0;
    std::unordered_map<std::string, std::uint64_t> wants_seen_;  // by origin registry
    std::string heartbeat_body_;
    LogThrottle refusal_log_;

    Clock::time_point next_heartbeat_;
    bool running_ = false;  // between start() and close()
};

}  // namespace wsc
