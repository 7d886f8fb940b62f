// The node's libwebsockets server: client connections, their send queues,
// the embedding program's handlers and middleware, and the execution of bus
// requests.
//
// Everything here except post(), request_stop() and the counters belongs to
// the lws thread: the lws context, the ConnectionIndex, the CommandExecutor,
// the handlers, the sessions and their queues. The bus thread reaches the lws
// thread only through post() (a mailbox plus lws_cancel_service) and is
// answered through the BusLink::Outbox.
//
// The members are defined in three files: WsServer.cpp (lws callback,
// sessions, bus requests), WsHooks.cpp (upgrade checks and the handler
// chains) and LocalHttp.cpp (the node-local API on plain HTTP).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <libwebsockets.h>

#include "wsnode/BusLink.hpp"
#include "wsnode/CommandExecutor.hpp"
#include "wsnode/ConnectRateLimiter.hpp"
#include "wsnode/ConnectionIndex.hpp"
#include "wsnode/HandlerChain.hpp"
#include "wsnode/Handlers.hpp"
#include "wsnode/ListenAddress.hpp"
#include "wsnode/Mailbox.hpp"
#include "wsnode/NodeConfig.hpp"
#include "wsnode/Transport.hpp"

struct ev_loop;  // libev's loop (ev.h), kept out of this header

namespace wsc {

class WsServer final : public Transport {
  public:
    // Things worth counting, readable from any thread.
    struct Counters {
        std::atomic<std::uint64_t> opened{0};
        std::atomic<std::uint64_t> client_messages{0};     // not taken by a handler (ping is)
        std::atomic<std::uint64_t> upstream_dropped{0};    // client events not queued for the bus
        std::atomic<std::uint64_t> overflow_closes{0};     // send queue over the cap (1008)
        std::atomic<std::uint64_t> too_large_closes{0};    // client message over the cap (1009)
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
    std::size_t send_to_all(const ConnectionIndex& index, const Payload& text,
                            const std::unordered_set<std::string>& excluded) override;
    void close(const std::string& conn_id) override;

  private:
    struct Session {
        std::string id;
        lws* wsi = nullptr;
        // Frames waiting for a writable callback: queue[queue_head..] are
        // unsent. A vector, not a deque: an idle connection's empty vector
        // allocates nothing, a deque allocates ~600 bytes up front.
        std::vector<Payload> queue;
        std::size_t queue_head = 0;
        std::size_t queued_bytes = 0;
        bool has_queued() const { return queue_head < queue.size(); }
        int close_code = 0;  // non-zero once closing
        bool gone = false;   // the client has gone: close handlers run, sends are dropped
        std::string rx;      // a message arriving in fragments
        bool rx_active = false;
        bool rx_binary = false;
        // What the connection had when an event closed it (and removed it
        // from the index): for the close event and the handlers.
        std::optional<std::string> user_at_close;
        std::optional<nlohmann::json> query_at_close;
    };
    // lws timers hand back only their list entry, the first member here.
    struct DrainTimer {
        lws_sorted_usec_list_t sul;
        WsServer* owner;
    };

    static int dispatch(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len);
    int handle(lws* wsi, lws_callback_reasons reason, Session** slot, void* in, size_t len);
    // Creates context_ on loop_, or on lws's poll() loop when that fails.
    void create_context(const ListenAddress& listen);

    // WsHooks.cpp: the built-in token check, the middleware and handlers.
    bool token_ok(lws* wsi) const;
    int on_confirm_upgrade(lws* wsi);
    Connection view(const Session& session) const;
    void run_open_handlers(Session& session);
    void run_close_handlers(Session& session);
    // Client messages: the handler chain, then upstream publishing.
    void on_client_message(Session& session, std::string_view data, bool binary);
    void handler_failed(Session& session);

    // LocalHttp.cpp: the node-local API. A request while its body arrives:
    struct LocalHttp {
        nlohmann::json query = nlohmann::json::object();
        std::string content_type;
        std::string body;
        bool too_large = false;
    };
    int on_http(lws* wsi);
    std::string metrics_text() const;
    int on_http_body(lws* wsi, const char* data, size_t len);
    int on_http_body_done(lws* wsi);
    std::string run_local(const LocalHttp& req);
    int finish_http(lws* wsi, unsigned status, std::string_view body,
                    const char* content_type = "text/plain; charset=utf-8");

    int on_established(lws* wsi, Session** slot);
    int on_receive(lws* wsi, Session& session, const char* data, size_t len);
    int on_writeable(lws* wsi, Session& session);
    void on_closed(Session** slot);

    void drain_mailbox();
    void run_request(const BusRequest& request);
    void begin_drain();
    static void on_drain_timeout(lws_sorted_usec_list_t* sul);
    void mark_closing(Session& session, int code);
    bool queue(Session& session, const Payload& text);
    // Drops the first `frames` unsent frames after a write.
    static void release_sent(Session& session, std::size_t frames, std::size_t payload_bytes);

    // Settings used on the lws thread.
    std::vector<std::string> tokens_;
    std::size_t send_queue_bytes_;
    std::size_t max_message_bytes_;
    std::size_t max_connections_;
    ConnectRateLimiter rate_limiter_;  // lws thread

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
    std::unordered_map<lws*, LocalHttp> http_;  // lws thread: node-local API bodies in flight
    std::vector<unsigned char> scratch_;        // lws thread: LWS_PRE + frames, reused
    bool stopping_ = false;                     // lws thread
    bool drain_expired_ = false;                // lws thread
    DrainTimer drain_timer_{};                  // lws thread

    Mailbox<BusRequest> mailbox_;
    std::atomic<bool> stop_requested_{false};
    std::atomic<std::size_t> conns_{0};
    Counters counters_;
};

}  // namespace wsc
