// The node's server: client connections, their send queues, the embedding
// program's handlers and middleware, and the execution of bus requests.
//
// lws accepts the connections and moves their bytes as raw sockets; the
// HTTP requests (upgrades, the node-local API) are parsed by HttpExchange and
// the WebSocket frames by WsFrameParser, so that every rule of RFC 6455 and
// every limit is ours to enforce.
//
// Everything here except post(), request_stop() and the counters belongs to
// the lws thread: the lws context, the ConnectionIndex, the CommandExecutor,
// the handlers, the sessions and their queues. The bus thread reaches the lws
// thread only through post() (a mailbox plus lws_cancel_service) and is
// answered through the BusLink::Outbox.
//
// The members are defined in four files: WsServer.cpp (lws callback,
// sessions, sending, bus requests), WsReceive.cpp (client frames and the
// limits on unfinished messages), WsHooks.cpp (the upgrade, its checks and
// the handler chains) and LocalHttp.cpp (the node-local API on plain HTTP).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <libwebsockets.h>

#include "common/Mailbox.hpp"
#include "net/Deadlines.hpp"
#include "net/HttpExchange.hpp"
#include "net/LwsRaw.hpp"
#include "wsnode/BusLink.hpp"
#include "wsnode/CommandExecutor.hpp"
#include "wsnode/ConnectRateLimiter.hpp"
#include "wsnode/ConnectionIndex.hpp"
#include "wsnode/HandlerChain.hpp"
#include "wsnode/Handlers.hpp"
#include "wsnode/ListenAddress.hpp"
#include "wsnode/NodeConfig.hpp"
#include "wsnode/Transport.hpp"
#include "wsnode/WsFrameParser.hpp"

struct ev_loop;  // libev's loop (ev.h), kept out of this header

namespace wsc {

class WsServer final : public Transport {
  public:
    // Things worth counting, readable from any thread.
    struct Counters {
        std::atomic<std::uint64_t> opened{0};
        std::atomic<std::uint64_t> client_messages{0};   // not taken by a handler (ping is)
        std::atomic<std::uint64_t> upstream_dropped{0};  // client events not queued for the bus
        std::atomic<std::uint64_t> overflow_closes{0};   // send queue over the cap (1008)
        std::atomic<std::uint64_t> too_large_closes{0};  // client message over the cap (1009)
        std::atomic<std::uint64_t> protocol_closes{0};   // RFC 6455 violations (1002, 1007)
        std::atomic<std::uint64_t> partial_closes{0};  // unfinished message too slow or over budget
        std::atomic<std::uint64_t> http_refused{0};    // malformed HTTP requests and upgrades
        std::atomic<std::uint64_t> api_refused{
            0};  // node-local API calls from whom it is closed to
        std::atomic<std::uint64_t> token_rejects{0};       // upgrades refused with 401
        std::atomic<std::uint64_t> middleware_rejects{0};  // upgrades refused by middleware
        std::atomic<std::uint64_t> limit_rejects{0};       // upgrades refused: node full (503)
        std::atomic<std::uint64_t> rate_rejects{0};      // upgrades refused: address too fast (429)
        std::atomic<std::uint64_t> handler_failures{0};  // handlers that threw (1011)
        std::atomic<std::uint64_t> http_requests{0};     // plain HTTP, not an upgrade
        std::atomic<std::uint64_t> requests{0};          // bus requests run
    };

    // Creates the lws context and binds the listening socket on the calling
    // thread. Throws std::runtime_error with one line (e.g. port in use).
    // `config.node_id` must be set; `handlers` run on the lws thread.
    WsServer(const NodeConfig& config, BusLink::Outbox outbox, HandlerChain handlers);
    ~WsServer() override;

    WsServer(const WsServer&) = delete;
    WsServer& operator=(const WsServer&) = delete;

    // The port actually listened on (the chosen one when configured as 0).
    std::uint16_t port() const { return port_; }
    // Connections open now (any thread).
    std::size_t connection_count() const { return conns_.load(std::memory_order_relaxed); }
    const Counters& counters() const { return counters_; }

    // lws thread: serves until request_stop() and the drain that follows end.
    void run();

    // Any thread: hands a bus request to the lws thread. False if dropped
    // (too many waiting).
    bool post(BusRequest request);
    // Any thread: stop accepting, close clients with 1001, then run() returns.
    void request_stop();

    // Transport, lws thread only.
    bool send(const std::string& conn_id, const Payload& text) override;
    std::size_t send_to_all(const Payload& text,
                            const std::unordered_set<std::string>& excluded) override;
    void close(const std::string& conn_id) override;

  private:
    struct Session;
    // One accepted connection: HTTP until it upgrades, then a Session.
    struct Peer {
        lws* wsi = nullptr;
        std::unique_ptr<HttpExchange> http;                                // null once upgraded
        HttpExchange::Phase timeout_phase = HttpExchange::Phase::Closing;  // none applied yet
        Session* session = nullptr;                                        // owned by sessions_
        // What its deadline in deadlines_ (if any) is for.
        enum class Timer { Http, Partial, Retire, Close } timer = Timer::Http;
    };
    struct Session {
        std::string id;
        lws* wsi = nullptr;
        WsFrameParser parser;
        std::size_t partial_held = 0;  // parser.partial_bytes() as counted in partial_total_
        Peer* peer = nullptr;
        bool partial_armed = false;  // its deadline is the unfinished message's
        std::string handshake;       // the 101 answer, written before any frame
        std::string pong;            // payload of the ping to answer (the latest one)
        bool pong_due = false;
        bool close_sent = false;        // our close frame is written
        bool drop_after_close = false;  // close the TCP connection once the close frame is out
        std::string close_reason;
        // Frames waiting for a writable callback: queue[queue_head..] are
        // unsent. A vector, not a deque: an idle connection's empty vector
        // allocates nothing, a deque allocates ~600 bytes up front.
        std::vector<Payload> queue;
        std::size_t queue_head = 0;
        std::size_t queued_bytes = 0;
        bool has_queued() const { return queue_head < queue.size(); }
        int close_code = 0;  // non-zero once closing
        bool gone = false;   // the client has gone: close handlers run, sends are dropped
        // What the connection had when an event closed it (and removed it
        // from the index): for the close event and the handlers.
        std::optional<std::string> user_at_close;
        std::optional<nlohmann::json> query_at_close;

        Session(std::string conn_id, lws* w, std::size_t max_message_bytes)
            : id(std::move(conn_id)), wsi(w), parser(max_message_bytes) {}
    };

    static int dispatch(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len);
    int handle(lws* wsi, lws_callback_reasons reason, Peer** slot, void* in, size_t len);
    // Creates context_ on loop_, or on lws's poll() loop when that fails.
    void create_context(const ListenAddress& listen);

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

    // LocalHttp.cpp: plain HTTP requests, the node-local API and /metrics.
    HttpResponse local_http(const HttpRequest& request, lws* wsi);
    std::string metrics_text() const;

    // WsReceive.cpp: client frames and the limits on unfinished messages.
    int on_frames(Session& session, std::string_view data);
    // Counts the session's unfinished bytes in the node-wide budget and arms
    // or disarms its timer; false when the budget is exceeded.
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

    void drain_mailbox();
    void run_request(const BusRequest& request);
    void begin_drain();
    // Deadlines: set for one peer, cleared, and acted on when they pass.
    void set_deadline(Peer& peer, Peer::Timer timer, int ms);
    void clear_deadline(Peer& peer) { deadlines_.clear(&peer); }
    void http_deadline(Peer& peer);  // the one of its HTTP phase, when that changed
    void sweep();
    // Ends a connection now, without a word (its deadline passed).
    static void kill(lws* wsi);
    static void on_sweep_sul(lws_sorted_usec_list_t* sul);
    void mark_closing(Session& session, int code);
    bool queue(Session& session, const Payload& text);
    // Drops the first `frames` unsent frames after a write.
    static void release_sent(Session& session, std::size_t frames, std::size_t payload_bytes);

    // Settings used on the lws thread.
    std::vector<std::string> tokens_;
    std::size_t send_queue_bytes_;
    std::size_t max_message_bytes_;
    std::size_t max_connections_;
    std::size_t partial_budget_bytes_;
    int partial_timeout_ms_;
    std::vector<std::string> api_tokens_;
    ConnectRateLimiter rate_limiter_;  // lws thread
    HttpTimeouts http_timeouts_;
    std::size_t partial_total_ = 0;  // lws thread: bytes held for unfinished messages

    lws_protocols protocols_[2]{};
    // The node's event loop: libev on epoll, so that a wake-up costs the
    // same with 50 connections or 50 000 (lws's default poll() loop walks
    // every descriptor on every wake-up). Null when libev cannot be used:
    // lws's own poll() loop serves instead.
    struct ev_loop* loop_ = nullptr;
    lws_context* context_ = nullptr;
    std::uint16_t port_ = 0;

    ConnectionIndex index_;        // lws thread
    CommandExecutor executor_;     // lws thread
    const HandlerChain handlers_;  // lws thread
    Context handler_context_;      // lws thread: what the handlers call events through
    BusLink::Outbox outbox_;       // lws thread
    std::unordered_map<std::string, std::unique_ptr<Session>> sessions_;  // lws thread
    std::vector<unsigned char> scratch_;                 // lws thread: LWS_PRE + frames, reused
    bool stopping_ = false;                              // lws thread
    Deadlines<Peer*> deadlines_;                         // lws thread
    std::chrono::steady_clock::time_point drain_until_;  // lws thread, once stopping_
    struct SweepTimer;                                   // a libev timer that calls sweep()
    std::unique_ptr<SweepTimer> sweep_timer_;

    Mailbox<BusRequest> mailbox_;
    std::atomic<bool> stop_requested_{false};
    std::atomic<std::size_t> conns_{0};
    Counters counters_;
};

}  // namespace wsc
