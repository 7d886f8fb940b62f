// WsServer: the lws context and callback, peers and their HTTP, bus requests
// and deadlines.
#include "wsnode/WsServer.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <ev.h>
#include <sys/socket.h>

#include "bus/ConnIds.hpp"
#include "common/Log.hpp"
#include "net/Loopback.hpp"
#include "net/WsHandshake.hpp"
#include "wsnode/BusWatch.hpp"
#include "wsnode/ListenAddress.hpp"

namespace wsc {

namespace {

constexpr std::string_view kComponent = "wsnode";
constexpr const char* kProtocolName = "wscenter";
constexpr std::size_t kMaxHeaderBytes = 8192;         // request line + headers of a request
constexpr auto kDrainTime = std::chrono::seconds(1);  // how long stop() waits for clients to close
// How often deadlines are checked: the resolution of every node timeout.
constexpr double kSweepSeconds = 0.1;

void emit_lws_log(int level, const char* line) {
    std::string_view text(line ? line : "");
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (level & LLL_ERR) {
        log_error("lws", text);
    } else {
        log_warn("lws", text);
    }
}

// Silences lws while it binds, so that a failure becomes one clear line of
// ours instead of lws's errno numbers; then routes its warnings and errors
// into our log.
struct QuietLwsLogs {
    QuietLwsLogs() { lws_set_log_level(0, emit_lws_log); }
    ~QuietLwsLogs() { lws_set_log_level(LLL_ERR | LLL_WARN, emit_lws_log); }
    QuietLwsLogs(const QuietLwsLogs&) = delete;
    QuietLwsLogs& operator=(const QuietLwsLogs&) = delete;
};

}  // namespace

// The node's clock for deadlines: a libev timer on the node's loop.
struct WsServer::SweepTimer {
    ev_timer timer;
    WsServer* owner = nullptr;
};

WsServer::WsServer(const NodeConfig& config, zmq::context_t& zmq, HandlerChain handlers)
    : tokens_(config.tokens),
      send_queue_bytes_(config.send_queue_bytes),
      max_message_bytes_(config.max_message_bytes),
      max_connections_(config.max_connections),
      partial_budget_bytes_(config.partial_budget_bytes),
      partial_timeout_ms_(config.partial_timeout_ms),
      rate_limiter_(config.connect_rate_per_ip),
      http_timeouts_{.request_ms = config.http_request_timeout_ms},
      conn_tag_(bus::node_tag(config.node_id)),
      acks_(AckLedger::Limits{.per_conn = config.max_pending_acks}),
      executor_(index_, *this, &acks_),
      handlers_(std::move(handlers)),
      handler_context_(executor_, *this, config.node_id),
      local_http_(config.tokens, config.api_tokens, executor_, index_, counters_),
      bus_(zmq, bus_settings(config),
           BusLink::Handlers{.request = [this](BusRequest&& request) { on_bus_request(request); },
                             .snapshot_wanted = [this] { send_snapshot(); },
                             .connection_count = [this] { return index_.connection_count(); },
                             .lost = [this] { start_anew(); }}),
      bus_watch_(std::make_unique<BusWatch>()),
      tls_(config.tls) {
    const QuietLwsLogs quiet;
    // One protocol serves every accepted connection, as a raw socket.
    protocols_[0].name = kProtocolName;
    protocols_[0].callback = &WsServer::dispatch;
    protocols_[0].per_session_data_size = sizeof(Peer*);
    // A coalesced write goes to the kernel whole.
    protocols_[0].tx_packet_size = kWholeWriteBytes;

    const ListenAddress listen = resolve_listen_host(config.host);
    create_context(listen, config);
    lws_context_creation_info vhost_info{};
    vhost_info.vhost_name = "wsnode";
    vhost_info.port = config.port;
    vhost_info.iface = listen.iface.empty() ? nullptr : listen.iface.c_str();
    vhost_info.protocols = protocols_;
    accept_raw(vhost_info, kProtocolName);
    apply_tls(vhost_info, tls_);
    lws_vhost* vhost = lws_create_vhost(context_, &vhost_info);
    // An address lws cannot bind yet gives a vhost without a listener (lws
    // would retry later; resolve_listen_host() refuses most such addresses
    // up front); the node must fail now instead.
    const int bound = vhost ? lws_get_vhost_listen_port(vhost) : 0;
    if (bound <= 0) {
        lws_context_destroy(context_);
        context_ = nullptr;
        ev_loop_destroy(loop_);
        loop_ = nullptr;
        throw std::runtime_error(listen_error(listen.iface, config.port));
    }
    port_ = static_cast<std::uint16_t>(bound);
    sweep_timer_ = std::make_unique<SweepTimer>();
    sweep_timer_->owner = this;
    ev_timer_init(
        &sweep_timer_->timer,
        [](struct ev_loop*, ev_timer* timer, int) {
            static_cast<SweepTimer*>(timer->data)->owner->sweep();
        },
        kSweepSeconds, kSweepSeconds);
    sweep_timer_->timer.data = sweep_timer_.get();
    ev_timer_start(loop_, &sweep_timer_->timer);
}

WsServer::~WsServer() {
    if (sweep_timer_) ev_timer_stop(loop_, &sweep_timer_->timer);
    unwatch_bus();
    // Closes what is left; CLOSED callbacks still find every member alive.
    if (context_) lws_context_destroy(context_);
    if (loop_) ev_loop_destroy(loop_);
}

void WsServer::create_context(const ListenAddress& listen, const NodeConfig& config) {
    loop_ =
        ev_loop_new(static_cast<unsigned>(EVBACKEND_EPOLL) | static_cast<unsigned>(EVFLAG_NOENV));
    if (!loop_) throw std::runtime_error("cannot create the node's libev epoll loop");
    lws_context_creation_info info{};
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_LIBEV;
    if (listen.ipv4_only) info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    info.options |= tls_context_options(config.tls);
    // lws bounds a TLS handshake by this: a client that stalls in it goes as
    // soon as one that stalls in its upgrade request would.
    info.timeout_secs = static_cast<unsigned>((config.http_request_timeout_ms + 999) / 1000);
    info.user = this;
    info.foreign_loops = reinterpret_cast<void**>(&loop_);
    context_ = lws_create_context(&info);
    if (context_) return;
    ev_loop_destroy(loop_);
    loop_ = nullptr;
    throw std::runtime_error(
        "cannot create the libwebsockets context on libev (is libwebsockets built with libev?)");
}

void WsServer::request_stop() {
    stop_requested_.store(true);
    lws_cancel_service(context_);
}

void WsServer::request_tls_reload() {
    tls_reload_requested_.store(true);
    lws_cancel_service(context_);
}

void WsServer::reload_certificate() {
    if (!tls_.enabled()) {
        log_info(kComponent, "SIGHUP: no TLS certificate to reload");
        return;
    }
    if (const std::string why = reload_tls(context_, tls_); !why.empty())
        log_error(kComponent, "TLS certificate not reloaded, the old one stays: " + why);
    else
        log_info(kComponent, "TLS certificate reloaded from " + tls_.cert);
}

int WsServer::dispatch(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
    if (!wsi) return 0;
    // `user` is OpenSSL's store here, not a connection's slot.
    if (reason == LWS_CALLBACK_OPENSSL_PERFORM_CLIENT_CERT_VERIFICATION)
        return client_cert_verdict(len);
    auto* self = static_cast<WsServer*>(lws_context_user(lws_get_context(wsi)));
    if (!self) return 0;
    try {
        return self->handle(wsi, reason, static_cast<Peer**>(user), in, len);
    } catch (const std::exception& e) {
        log_error(kComponent, "callback " + std::to_string(reason) + " failed: " + e.what());
    } catch (...) {
        log_error(kComponent, "callback " + std::to_string(reason) + " failed");
    }
    // Closing the connection the failure happened on keeps the rest serving.
    return reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED ? 0 : -1;
}

int WsServer::handle(lws* wsi, lws_callback_reasons reason, Peer** slot, void* in, size_t len) {
    Peer* peer = slot ? *slot : nullptr;
    switch (reason) {
        case LWS_CALLBACK_RAW_ADOPT: {
            if (!slot || stopping_) return -1;
            auto fresh = std::make_unique<Peer>();
            fresh->wsi = wsi;
            fresh->http = std::make_unique<HttpExchange>(HttpLimits{
                .max_head_bytes = kMaxHeaderBytes, .max_body_bytes = max_message_bytes_});
            *slot = fresh.release();
            http_deadline(**slot);
            // A TLS handshake gets the time a request head gets (lws's own
            // handshake timer does not run on this loop).
            if (tls_.enabled()) set_deadline(**slot, Peer::Timer::Http, http_timeouts_.request_ms);
            return 0;
        }
        case LWS_CALLBACK_RAW_RX: {
            if (!peer) return -1;
            const std::string_view data(static_cast<const char*>(in), len);
            if (peer->session) return on_frames(*peer->session, data);
            return on_http_bytes(*peer, data);
        }
        case LWS_CALLBACK_RAW_WRITEABLE:
            if (!peer) return 0;
            if (peer->session) return on_writeable(*peer->session);
            return on_http_writeable(*peer);
        case LWS_CALLBACK_RAW_CLOSE:
            if (slot) {
                on_closed(peer);
                *slot = nullptr;
            }
            return 0;
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            if (tls_reload_requested_.exchange(false)) reload_certificate();
            if (stop_requested_.load()) begin_drain();
            return 0;
        default:
            return 0;
    }
}

int WsServer::on_http_bytes(Peer& peer, std::string_view data) {
    HttpExchange& http = *peer.http;
    http.feed(data);
    http.serve([&] { on_http_request(peer); },
               [&] { counters_.http_refused.fetch_add(1, std::memory_order_relaxed); });
    if (peer.session) {
        // Bytes after the upgrade request are the client's first frames.
        std::string early = http.take_buffered();
        peer.http.reset();
        return early.empty() ? 0 : on_frames(*peer.session, early);
    }
    http_deadline(peer);
    if (!http.output().empty() || http.closing()) lws_callback_on_writable(peer.wsi);
    return 0;
}

void WsServer::on_http_request(Peer& peer) {
    HttpExchange& http = *peer.http;
    const HttpRequest& request = http.request();
    if (wants_websocket(request)) {
        upgrade(peer);
        return;
    }
    counters_.http_requests.fetch_add(1, std::memory_order_relaxed);
    http.answer(local_http_.answer(request, is_loopback_address(peer_address(peer.wsi))));
}

int WsServer::on_http_writeable(Peer& peer) {
    return write_answers(peer.wsi, *peer.http, [&] { return on_http_bytes(peer, {}); });
}

void WsServer::begin_drain() {
    if (stopping_) return;
    stopping_ = true;
    // Subscribers learn why the connections end while the bus is still
    // there (leave() lingers for what is queued, the close events before
    // its NodeBye); then leave the registries so that callers stop
    // targeting this node now; the watchers go before the sockets they watch.
    sessions_.for_each([&](Session& session) {
        if (session.gone) return;
        session.blame(bus::kCloseDrain);
        const auto user = index_.has(session.id) ? index_.user_of(session.id) : std::nullopt;
        session.close_published =
            bus_.upstream("close", session.id, user, nullptr, false, session.ended_by);
    });
    publish_farewell();
    unwatch_bus();
    bus_.leave();
    drain_until_ = std::chrono::steady_clock::now() + kDrainTime;
    sessions_.for_each(
        [&](Session& session) { mark_closing(session, LWS_CLOSE_STATUS_GOINGAWAY); });
}

void WsServer::set_deadline(Peer& peer, Peer::Timer timer, int ms) {
    peer.timer = timer;
    deadlines_.set(&peer, std::chrono::steady_clock::now() + std::chrono::milliseconds(ms));
}

void WsServer::http_deadline(Peer& peer) {
    const HttpExchange::Phase phase = peer.http->phase();
    if (phase == peer.timeout_phase) return;  // set once per phase: trickling does not extend it
    peer.timeout_phase = phase;
    set_deadline(peer, Peer::Timer::Http, phase_timeout_ms(phase, http_timeouts_));
}

void WsServer::kill(lws* wsi) {
    // lws would first flush what it holds for a client that does not read
    // (and its own timers do not run on the node's loop): shutting the
    // socket down makes lws see the end of it and close at once.
    ::shutdown(lws_get_socket_fd(wsi), SHUT_RDWR);
}

void WsServer::sweep() {
    if (acks_.open_waits() != 0) settle_acks();
    // Closing one connection never closes another at once (close handlers
    // only mark connections closing), so every peer taken here is alive
    // when its turn comes.
    for (Peer* peer : deadlines_.take_expired(std::chrono::steady_clock::now())) {
        switch (peer->timer) {
            case Peer::Timer::Partial: {
                Session& session = *peer->session;
                session.partial_armed = false;
                session.blame(bus::kCloseClient);
                counters_.partial_closes.fetch_add(1, std::memory_order_relaxed);
                log_info(kComponent, "closing " + session.id + ": a message unfinished after " +
                                         std::to_string(partial_timeout_ms_) + " ms");
                end_session(session, LWS_CLOSE_STATUS_POLICY_VIOLATION, "message too slow");
                break;
            }
            case Peer::Timer::Retire:  // a slow consumer: gone from the node now
                retire(*peer->session);
                set_deadline(*peer, Peer::Timer::Close, kCloseFlushMs);
                break;
            case Peer::Timer::Http:   // a request too slow, or an idle HTTP connection
            case Peer::Timer::Close:  // a close that the client does not complete
                kill(peer->wsi);
                break;
        }
    }
}

}  // namespace wsc
