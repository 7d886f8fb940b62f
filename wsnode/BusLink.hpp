// The node's side of the bus: one DEALER per configured registry.
//
// Runs on its own thread (the bus thread). It announces the node to every
// registry (NodeReady), keeps each link alive with Heartbeats, rebuilds the
// DEALER of a registry that went silent, hands Requests to the lws thread
// and sends the lws thread's Replies back to the registry that asked. It
// also publishes the node's interest directory (which users and groups
// have connections here) to every registry, and asks the lws thread for a
// snapshot of it when a registry wants one. The lws thread talks back
// through an Outbox (an inproc PUSH socket, defined in BusOutbox.cpp); the
// layout of those inproc messages is known only to wsnode/BusInproc.hpp.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
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

// One Request from a registry, checked on the bus thread; or, with
// `snapshot`, a registry's want of the node's directory (no events, no Reply:
// the lws thread answers with Outbox::directory_snapshot()).
struct BusRequest {
    std::size_t registry = 0;  // index of the registry that asked; the Reply goes there
    std::uint64_t req = 0;
    std::string origin;     // registry where the call started; echoed in the Reply
    nlohmann::json events;  // array of {name, params}: see bus::event_name, bus::event_params
    bool snapshot = false;
};

// Results of a Request's events, in the order the events were given.
using EventResults = bus::EventResults;

class BusLink {
  public:
    struct Settings {
        std::string node_id;
        std::vector<std::string> registries;  // bus endpoints
        int heartbeat_ms = bus::kDefaultHeartbeatMs;
        int liveness = bus::kDefaultLiveness;
        bus::CurveConfig curve;  // CURVE client of every registry when enabled
        // Proved to a registry that sends a Challenge (bus/LinkProof.hpp).
        std::string cluster_secret;
    };

    // Called on the bus thread for each well-formed Request; false means it
    // was dropped (the receiver is full or stopping).
    using RequestHandler = std::function<bool(BusRequest&&)>;
    // The node's current connection count, for NodeReady and Heartbeat.
    using ConnCount = std::function<std::size_t()>;

    // The lws thread's way back to the bus. Made by make_outbox() before the
    // threads start and used by one thread only afterwards.
    class Outbox {
      public:
        // Queues Reply {req, node, results, dseq} for the registry that sent
        // the request; `dseq` is the Directory message the request's changes
        // made, when its acknowledgement is awaited (0: none). Never blocks;
        // false if the bus thread is gone or swamped.
        bool reply(const BusRequest& request, EventResults results, std::uint64_t dseq = 0);
        // Queues a client event (open, message, close) for the subscribers of
        // the cluster. Numbered here: the lws thread is its only producer.
        bool upstream(std::string_view event, const std::string& conn_id,
                      const std::optional<std::string>& user, nlohmann::json data, bool binary);
        // Queues the next delta of the node's directory for every registry,
        // numbered here (DirectoryFeed); `ack` is the registry that must
        // acknowledge it, "" for none. Returns its seq, or 0 if it could not
        // be queued: its number is spent all the same, so only a snapshot
        // repairs what registries missed.
        std::uint64_t directory(InterestChanges changes, std::string ack);
        // Queues a snapshot of the directory: every user id and group id held
        // (sorted), as of the last delta. False if it could not be queued.
        bool directory_snapshot(std::vector<std::string> users, std::vector<std::string> groups);

      private:
        friend class BusLink;
        Outbox(zmq::context_t& context, const std::string& endpoint, std::string node_id,
               std::uint64_t boot);
        // Queues the parts as one inproc message without blocking.
        bool push(std::initializer_list<std::string_view> parts, std::string_view what);

        zmq::socket_t socket_;
        std::string node_id_;
        std::uint64_t boot_;  // this process's sequence of events
        std::uint64_t upstream_seq_ = 0;
        DirectoryFeed directory_;
    };

    // Binds the inproc inbox and connects one DEALER per registry, on the
    // calling thread. Throws std::runtime_error naming a malformed endpoint.
    BusLink(zmq::context_t& context, Settings settings, RequestHandler on_request,
            ConnCount conn_count);

    BusLink(const BusLink&) = delete;
    BusLink& operator=(const BusLink&) = delete;

    Outbox make_outbox();

    // The URL advertised in NodeReady and Heartbeat, known once the
    // WebSocket port is bound. Call before run().
    void set_url(std::string url) { url_ = std::move(url); }

    // Bus thread: announces the node and serves until stop(); then sends
    // NodeBye to every registry and closes every socket before returning.
    void run();

    // Any thread except the bus thread: makes run() return soon.
    void stop();

    // Bus messages dropped as malformed or unexpected (any thread).
    std::uint64_t malformed_count() const { return malformed_.load(std::memory_order_relaxed); }
    // Client events not published: no registry reachable (any thread).
    std::uint64_t upstream_dropped_count() const {
        return upstream_dropped_.load(std::memory_order_relaxed);
    }
    // Requests the lws thread could not take (any thread).
    std::uint64_t dropped_count() const { return dropped_.load(std::memory_order_relaxed); }

  private:
    using Clock = std::chrono::steady_clock;

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
    bool drain_inbox();  // false once the stop message arrived
    void forward_reply(std::string_view index_text, std::string_view body);
    void publish_upstream(std::string_view body);
    void publish_directory(std::string_view seq_text, std::string_view body);
    void handle_directory_want(std::size_t index, const std::string& body);
    void drain_registry(std::size_t index);
    void handle(std::size_t index, const bus::Incoming& message);
    void handle_request(std::size_t index, const std::string& body);
    void handle_challenge(std::size_t index, const std::string& body);
    void on_heartbeat_due(Clock::time_point now);
    bus::NodeHello announce() const;
    long poll_timeout_ms(Clock::time_point now) const;

    zmq::context_t& context_;
    const Settings settings_;
    std::string url_;  // set before run(), then read by the bus thread only
    const std::string inbox_endpoint_;
    const std::uint64_t boot_;  // random per process: tags the numbering of client events
    RequestHandler on_request_;
    ConnCount conn_count_;
    zmq::socket_t inbox_;               // bus thread: PULL from the Outbox and stop()
    std::vector<Registry> registries_;  // bus thread
    Clock::time_point next_heartbeat_;  // bus thread
    Clock::time_point next_ready_retry_;
    std::uint64_t dseq_ = 0;  // bus thread: seq of the last Directory message passed on
    // Bus thread: when the lws thread was last asked for a snapshot that has
    // not come yet. Wants meanwhile are covered by the one on its way.
    std::optional<Clock::time_point> snapshot_asked_;
    std::atomic<std::uint64_t> malformed_{0};
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> upstream_dropped_{0};
};

}  // namespace wsc
