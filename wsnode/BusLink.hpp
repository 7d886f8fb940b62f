// The node's side of the bus: one DEALER per configured registry.
//
// It belongs to the node's one thread and is driven by its event loop: the
// loop watches each DEALER's notification descriptor (descriptors()) and
// calls service() after every turn. So a Request goes from the zmq I/O
// thread straight to the thread that owns the connections, and its Reply
// straight back: no thread of our own in between, no inproc hop.
//
// It announces the node to every registry (NodeReady), keeps each link
// alive with Heartbeats, rebuilds the DEALER of a registry that went
// silent, hands each Request to the node and sends the node's Replies back
// to the registry that asked. It also publishes the node's client events
// (to one registry) and its interest directory (to every registry).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "bus/CurveConfig.hpp"
#include "bus/Frames.hpp"
#include "bus/LinkProof.hpp"
#include "bus/Messages.hpp"
#include "wsnode/DirectoryFeed.hpp"
#include "wsnode/InterestLog.hpp"

namespace wsc {

// One Request from a registry, checked by the BusLink.
struct BusRequest {
    std::size_t registry = 0;  // index of the registry that asked; the Reply goes there
    std::uint64_t req = 0;
    std::string origin;     // registry where the call started; echoed in the Reply
    nlohmann::json events;  // array of {name, params}: see bus::event_name, bus::event_params
};

// Results of a Request's events, in the order the events were given.
using EventResults = bus::EventResults;

class BusLink {
  public:
    using Clock = std::chrono::steady_clock;

    struct Settings {
        std::string node_id;
        std::vector<std::string> registries;  // bus endpoints
        int heartbeat_ms = bus::kDefaultHeartbeatMs;
        int liveness = bus::kDefaultLiveness;
        bus::CurveConfig curve;  // CURVE client of every registry when enabled
        // Proved to a registry that sends a Challenge (bus/LinkProof.hpp).
        std::string cluster_secret;
    };

    // What the node does for the bus, called from service().
    struct Handlers {
        // Runs a well-formed Request; the node answers with reply().
        std::function<void(BusRequest&&)> request;
        // A registry wants the node's whole directory: directory_snapshot().
        std::function<void()> snapshot_wanted;
        // The node's current connection count, for NodeReady and Heartbeat.
        std::function<std::size_t()> connection_count;
        // The cluster declared this process lost (bus NodeLost): the node
        // closes every connection, then calls start_anew().
        std::function<void()> lost;
    };

    // Connects one DEALER per registry, nothing sent yet. Throws
    // std::runtime_error naming a malformed endpoint.
    BusLink(zmq::context_t& context, Settings settings, Handlers handlers);
    ~BusLink();

    BusLink(const BusLink&) = delete;
    BusLink& operator=(const BusLink&) = delete;

    // The URL advertised in NodeReady and Heartbeat; set before start().
    void set_url(std::string url) { url_ = std::move(url); }

    // Announces the node to every registry.
    void start();

    // Handles what the registries sent (a bounded batch per socket) and
    // what is due (heartbeats, retries, reconnects). Returns true when
    // messages are still waiting: call again before sleeping. Otherwise
    // every socket was last touched by a receive that found nothing, so
    // its descriptor will wake the loop when the next message comes.
    bool service();
    // When service() has timed work next.
    Clock::time_point next_due() const;

    // The descriptors to watch for reading (zmq's ZMQ_FD, edge-like: see
    // service()); they change when a registry is reconnected, and then
    // descriptors_version() does too.
    std::vector<int> descriptors() const;
    std::uint64_t descriptors_version() const { return descriptors_version_; }

    // Says NodeBye to every registry (they drop the node at once) and
    // stops: nothing more is sent or received. Idempotent.
    void leave();
    bool left() const { return left_; }

    // ---- What the node sends; each returns at once, never blocks. ----

    // Reply {req, node, results, dseq} to the registry that sent `request`;
    // `dseq` is the Directory message the request's changes made, when its
    // acknowledgement is awaited (0: none). False if it was dropped.
    bool reply(const BusRequest& request, EventResults results, std::uint64_t dseq = 0);
    // A client event (open, message, close) for the subscribers of the
    // cluster, numbered here, sent to one answering registry. False if no
    // registry took it.
    bool upstream(std::string_view event, const std::string& conn_id,
                  const std::optional<std::string>& user, nlohmann::json data, bool binary,
                  std::string_view reason = {});
    // The next delta of the node's directory, numbered here (DirectoryFeed),
    // for every registry; `ack` is the registry that must acknowledge it,
    // "" for none. Returns its seq (0 once left). A registry that misses it
    // sees our hello's dseq ahead of what it applied and asks for a snapshot.
    std::uint64_t directory(InterestChanges changes, std::string ack);
    // A snapshot of the directory: every user id, group id and connection
    // held (ConnectionIndex::everything()), as of the last delta.
    void directory_snapshot(InterestChanges all);

    // A new process as far as the cluster is concerned: a new boot, client
    // events and directory changes numbered from 1 again.
    void start_anew();

    // Bus messages dropped as malformed or unexpected (any thread).
    std::uint64_t malformed_count() const { return malformed_.load(std::memory_order_relaxed); }

  private:
    struct Registry {
        std::string endpoint;
        zmq::socket_t socket;
        Clock::time_point last_seen;
        // The link's identity at the registry, kept across reconnects so that
        // a replaced socket takes the place of the old one there (the
        // registry's ROUTER hands an identity over) instead of looking like a
        // second link claiming this node. Random: nobody else can guess it.
        std::string routing_id = bus::random_routing_id();
        bool ready_pending = true;  // NodeReady not yet accepted by zmq
        bool lost = false;          // went silent; cleared by the next message
        // A Challenge was answered and no Heartbeat has said we are
        // registered since: no client events go there meanwhile.
        bool proving = false;
        bool warned = false;  // a refusal of our proof was reported
    };

    void connect(Registry& registry);  // (re)creates its DEALER
    void send_ready(Registry& registry);
    void send_all(bus::Command command);
    void on_timers(Clock::time_point now);
    void on_heartbeat_due(Clock::time_point now);
    // Receives up to a batch from one registry; returns how many came.
    int drain_registry(std::size_t index);
    void handle(std::size_t index, const bus::Incoming& message);
    void handle_request(std::size_t index, const std::string& body);
    void handle_challenge(std::size_t index, const std::string& body);
    void handle_directory_want(std::size_t index, const std::string& body);
    void handle_node_lost(std::size_t index, const std::string& body);
    void publish_directory(std::uint64_t seq, std::string_view body);
    bus::NodeHello announce() const;

    zmq::context_t& context_;
    const Settings settings_;
    Handlers handlers_;
    std::string url_;
    std::uint64_t boot_;  // random per process (and per start_anew()): tags the numbering
    std::vector<Registry> registries_;
    std::uint64_t descriptors_version_ = 0;
    Clock::time_point next_heartbeat_;
    Clock::time_point next_ready_retry_;
    std::uint64_t upstream_seq_ = 0;
    DirectoryFeed directory_;
    std::uint64_t dseq_ = 0;  // seq of the last Directory message sent
    // Wants seen in this service() pass: one snapshot answers them all.
    bool snapshot_wanted_ = false;
    bool lost_ = false;  // a NodeLost for this boot came in this pass
    bool started_ = false;
    bool left_ = false;
    std::atomic<std::uint64_t> malformed_{0};
};

}  // namespace wsc
