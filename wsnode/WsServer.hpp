// The node's server: client connections, their send queues, the embedding
// program's handlers and middleware, and the execution of bus requests.
//
// lws accepts the connections and moves their bytes as raw sockets; the
// HTTP requests (upgrades, the node-local API) are parsed by HttpExchange and
// the WebSocket frames by WsFrameParser, so that every rule of RFC 6455 and
// every limit is ours to enforce.
//
// Everything here except request_stop() and the counters belongs to the
// node's one thread: the libev loop and the lws context on it, the bus link
// (its sockets watched on the same loop), the ConnectionIndex, the
// CommandExecutor, the handlers, the sessions and their queues.
//
// The members are defined in six files: WsServer.cpp (lws context and
// callback, HTTP peers, deadlines), WsBus.cpp (the loop, the bus link on it
// and bus requests), WsSend.cpp (sessions opened, sent to and closed),
// WsReceive.cpp (client frames and the limits on unfinished messages),
// WsHooks.cpp (the upgrade, its checks and the handler chains) and
// WsDirectory.cpp (the interest directory). The
// per-connection state they act on is pure and lives in Session and
// SessionTable; plain HTTP requests are answered by LocalHttp.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libwebsockets.h>

#include "net/Deadlines.hpp"
#include "net/HttpExchange.hpp"
#include "net/LwsRaw.hpp"
#include "net/TlsFiles.hpp"
#include "wsnode/AckLedger.hpp"
#include "wsnode/BusLink.hpp"
#include "wsnode/CommandExecutor.hpp"
#include "wsnode/ConnectRateLimiter.hpp"
#include "wsnode/ConnectionIndex.hpp"
#include "wsnode/HandlerChain.hpp"
#include "wsnode/Handlers.hpp"
#include "wsnode/ListenAddress.hpp"
#include "wsnode/LocalHttp.hpp"
#include "wsnode/NodeConfig.hpp"
#include "wsnode/NodeCounters.hpp"
#include "wsnode/Peer.hpp"
#include "wsnode/Session.hpp"
#include "wsnode/SessionTable.hpp"
#include "wsnode/Transport.hpp"

struct ev_loop;  // libev's loop (ev.h), kept out of this header

namespace wsc {

class WsServer final : public Transport {
  public:
    // Things worth counting, readable from any thread.
    using Counters = NodeCounters;

    // Creates the lws context, binds the listening socket and connects to
    // the registries on the calling thread (nothing is sent before run()).
    // Throws std::runtime_error with one line (e.g. port in use, malformed
    // registry endpoint). `config.node_id` must be set; `handlers` run on
    // the thread that calls run().
    WsServer(const NodeConfig& config, zmq::context_t& zmq, HandlerChain handlers);
    ~WsServer() override;

    WsServer(const WsServer&) = delete;
    WsServer& operator=(const WsServer&) = delete;

    // The port actually listened on (the chosen one when configured as 0).
    std::uint16_t port() const { return port_; }
    // Connections open now (any thread).
    std::size_t connection_count() const { return conns_.load(std::memory_order_relaxed); }
    const Counters& counters() const { return counters_; }

    // The URL the registries are told; set before run().
    void set_public_url(std::string url) { bus_.set_url(std::move(url)); }

    // The node's thread: serves clients and the bus until request_stop()
    // and the drain that follows end.
    void run();

    // Any thread: leave the registries, stop accepting, close clients with
    // 1001, then run() returns.
    void request_stop();
    // Any thread: load the TLS certificate and key files again (SIGHUP).
    void request_tls_reload();

    // Transport, lws thread only.
    bool send(const std::string& conn_id, const Payload& text) override;
    std::size_t send_to_all(const Payload& text,
                            const std::unordered_set<std::string>& excluded) override;
    void close(const std::string& conn_id) override;

  private:
    static int dispatch(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len);
    int handle(lws* wsi, lws_callback_reasons reason, Peer** slot, void* in, size_t len);
    // Creates loop_ and context_ on it.
    void create_context(const ListenAddress& listen, const NodeConfig& config);

    // HTTP on a peer not yet upgraded: answers its requests in order.
    int on_http_bytes(Peer& peer, std::string_view data);
    void on_http_request(Peer& peer);
    int on_http_writeable(Peer& peer);

    // WsHooks.cpp: the upgrade, its checks, the middleware and handlers.
    // Answers the upgrade request of `peer`; true when it became a session.
    bool upgrade(Peer& peer);
    // The HTTP status refusing an upgrade (0: accepted).
    int upgrade_refusal(const HttpRequest& request, lws* wsi);
    bool token_ok(const HttpRequest& request) const;
    Connection view(const Session& session) const;
    void run_open_handlers(Session& session);
    void run_close_handlers(Session& session);
    // Client messages: the handler chain, then upstream publishing.
    void on_client_message(Session& session, std::string_view data, bool binary);
    void handler_failed(Session& session);

    // WsReceive.cpp: client frames and the limits on unfinished messages.
    int on_frames(Session& session, std::string_view data);
    // Counts the session's unfinished bytes in the node-wide budget and arms
    // or disarms its deadline; false when the budget is exceeded.
    bool account_partial(Session& session);
    void release_partial(Session& session);
    // Ends the session (a protocol error, the client's close): what was
    // queued leaves, then the close frame with `code`, then the TCP
    // connection ends. Nothing more is read or queued.
    void end_session(Session& session, int code, std::string reason);

    // Turns an upgraded peer into a session; `handshake` (the 101 answer)
    // is its first write.
    Session& open_session(Peer& peer, nlohmann::json query, std::string handshake);
    int on_writeable(Session& session);
    void on_closed(Peer* peer);
    // The session leaves the node: close event, close handlers, index. Its
    // connection may still be open, ending; sends to it are dropped.
    void retire(Session& session);

    // WsBus.cpp: the bus link on the loop, and its requests.
    static BusLink::Settings bus_settings(const NodeConfig& config);
    // (Re)registers the bus sockets' descriptors and its timer on the loop.
    void watch_bus();
    void unwatch_bus();
    void on_bus_request(const BusRequest& request);
    void run_request(const BusRequest& request);

    // WsDirectory.cpp: the index's interest changes, published. Sends what
    // changed since the last call as one Directory delta, acknowledged by
    // `origin` when it adds an interest; returns the delta's seq when an
    // acknowledgement was asked (for the Reply), else 0. Changes made outside
    // requests are published with no origin before the loop sleeps.
    std::uint64_t publish_changes(const std::string& origin);
    // A snapshot of everything held, after what is pending.
    void send_snapshot();
    // Draining: one last delta that lets go of everything held.
    void publish_farewell();
    // The cluster declared this process lost and reported its connections
    // closed: they are closed without a word and the node starts anew.
    void start_anew();
    void begin_drain();
    // Receipts (WsAcks.cpp). A client's ack, taken when it is one (true).
    bool take_ack(Session& session, std::string_view data);
    // Completes the results of the waits that are over; answers each
    // Request whose waits are all over.
    void settle_acks();
    // A Request whose results wait for receipts.
    struct AckedReply {
        BusRequest request;  // its events dropped: only the return path is kept
        EventResults results;
        std::uint64_t dseq = 0;
        std::size_t waits = 0;  // not over yet
    };
    std::uint64_t next_acked_reply_ = 1;
    std::unordered_map<std::uint64_t, AckedReply> acked_replies_;  // lws thread
    // wait -> (its reply, the index of its event's result)
    std::unordered_map<AckLedger::WaitId, std::pair<std::uint64_t, std::size_t>> ack_slots_;
    // Loads tls_'s files again (see request_tls_reload()).
    void reload_certificate();
    // Deadlines: set for one peer, cleared, and acted on when they pass.
    void set_deadline(Peer& peer, Peer::Timer timer, int ms);
    void clear_deadline(Peer& peer) { deadlines_.clear(&peer); }
    void http_deadline(Peer& peer);  // the one of its HTTP phase, when that changed
    void sweep();
    // Ends a connection now, without a word (its deadline passed).
    static void kill(lws* wsi);
    // Session::mark_closing() and what it asks of lws (close_flush()).
    void mark_closing(Session& session, int code);
    // A session that became closing: its close deadline, then a write.
    void close_flush(Session& session);
    // Session::enqueue() and what it asks of lws: a write at the end of the
    // loop turn, or the overflow close.
    bool queue(Session& session, const Payload& text);
    // The sessions whose queue became non-empty this loop turn, written by
    // flush_corked() when the turn's work is done (uncork(): one closed
    // before that).
    void cork(Session& session);
    void flush_corked();
    void uncork(Session& session);
    // One write of what is queued (Session::take_write); false when the
    // socket failed.
    bool write_queued(Session& session);

    // A closing connection's queue, then its close handshake, get this long.
    static constexpr int kCloseFlushMs = 5000;

    // Settings used on the lws thread.
    std::vector<std::string> tokens_;
    std::size_t send_queue_bytes_;
    std::size_t max_message_bytes_;
    std::size_t max_connections_;
    std::size_t partial_budget_bytes_;
    int partial_timeout_ms_;
    ConnectRateLimiter rate_limiter_;  // lws thread
    HttpTimeouts http_timeouts_;

    lws_protocols protocols_[2]{};
    // The node's event loop: libev on epoll, so that a wake-up costs the
    // same with 50 connections or 50 000 (lws's default poll() loop walks
    // every descriptor on every wake-up), and so that the bus sockets can
    // be watched beside the clients.
    struct ev_loop* loop_ = nullptr;
    lws_context* context_ = nullptr;
    std::uint16_t port_ = 0;

    const std::string conn_tag_;   // this node's part of every connection id
    ConnectionIndex index_;        // lws thread
    AckLedger acks_;               // lws thread: receipts awaited from clients
    CommandExecutor executor_;     // lws thread
    const HandlerChain handlers_;  // lws thread
    Context handler_context_;      // lws thread: what the handlers call events through
    LocalHttp local_http_;         // lws thread: plain HTTP requests, not upgrades
    BusLink bus_;                  // lws thread
    struct BusWatch;               // its watchers on the loop
    std::unique_ptr<BusWatch> bus_watch_;
    SessionTable sessions_;               // lws thread
    std::vector<unsigned char> scratch_;  // lws thread: the frames of one write, reused
    std::vector<Session*> corked_;        // lws thread: see cork()
    bool stopping_ = false;               // lws thread
    Deadlines<Peer*> deadlines_;          // lws thread
    std::chrono::steady_clock::time_point drain_until_;  // lws thread, once stopping_
    struct SweepTimer;                                   // a libev timer that calls sweep()
    std::unique_ptr<SweepTimer> sweep_timer_;

    const TlsFiles tls_;
    std::atomic<bool> stop_requested_{false};
    std::atomic<bool> tls_reload_requested_{false};
    std::atomic<std::size_t> conns_{0};
    Counters counters_;
};

}  // namespace wsc
