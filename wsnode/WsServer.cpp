// WsServer: the lws callback, client sessions, send queues and bus requests.
#include "wsnode/WsServer.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <ev.h>

#include "common/Ids.hpp"
#include "common/Log.hpp"
#include "wsnode/ListenAddress.hpp"
#include "wsnode/LwsRequest.hpp"
#include "wsnode/TextFrames.hpp"

namespace wsc {

namespace {

constexpr std::string_view kComponent = "wsnode";
constexpr const char* kProtocolName = "wscenter";
// lws allocates this per connection, so it is most of an idle connection's
// memory; bigger messages arrive in pieces that on_receive() joins.
constexpr std::size_t kRxBufferBytes = 512;
constexpr unsigned short kMaxHeaderBytes = 8192;   // request line + headers of an upgrade
constexpr std::size_t kMailboxCapacity = 100'000;  // bus requests waiting for the lws thread
// Bytes of frames one writable callback sends at most (one send()): large
// enough to carry a burst of broadcasts in one syscall, small enough to be
// fair between clients. A single larger message still goes out whole.
constexpr std::size_t kCoalesceBytes = 64 * 1024;
// A drained queue that grew past this many slots gives its memory back.
constexpr std::size_t kQueueKeepSlots = 64;
constexpr std::size_t kScratchKeepBytes = 1 << 20;  // larger scratch buffers are released
constexpr lws_usec_t kDrainUs = 1'000'000;          // how long stop() waits for clients to close
constexpr int kCloseFlushSeconds = 5;  // a closing connection's queue gets this long to drain

// The ordering of the keys is part of the client protocol, so the frame is
// written as text rather than through nlohmann::json (which sorts keys).
std::string client_frame(std::string_view cmd, const std::string& conn_id) {
    return R"({"cmd":")" + std::string(cmd) + R"(","_id":")" + conn_id + R"("})";
}

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

WsServer::WsServer(const NodeConfig& config, BusLink::Outbox outbox, HandlerChain handlers)
    : tokens_(config.tokens),
      send_queue_bytes_(config.send_queue_bytes),
      max_message_bytes_(config.max_message_bytes),
      max_connections_(config.max_connections),
      rate_limiter_(config.connect_rate_per_ip),
      executor_(index_, *this),
      handlers_(std::move(handlers)),
      handler_context_(executor_, *this, config.node_id),
      outbox_(std::move(outbox)),
      mailbox_(kMailboxCapacity) {
    const QuietLwsLogs quiet;
    // One protocol serves both plain HTTP and every WebSocket upgrade.
    protocols_[0].name = kProtocolName;
    protocols_[0].callback = &WsServer::dispatch;
    protocols_[0].per_session_data_size = sizeof(Session*);
    protocols_[0].rx_buffer_size = kRxBufferBytes;

    const ListenAddress listen = resolve_listen_host(config.host);
    create_context(listen);
    lws_context_creation_info vhost_info{};
    vhost_info.vhost_name = "wsnode";
    vhost_info.port = config.port;
    vhost_info.iface = listen.iface.empty() ? nullptr : listen.iface.c_str();
    vhost_info.protocols = protocols_;
    lws_vhost* vhost = lws_create_vhost(context_, &vhost_info);
    // An address lws cannot bind yet gives a vhost without a listener (lws
    // would retry later; resolve_listen_host() refuses most such addresses
    // up front); the node must fail now instead.
    const int bound = vhost ? lws_get_vhost_listen_port(vhost) : 0;
    if (bound <= 0) {
        lws_context_destroy(context_);
        context_ = nullptr;
        if (loop_) ev_loop_destroy(loop_);
        loop_ = nullptr;
        throw std::runtime_error(listen_error(listen.iface, config.port));
    }
    port_ = static_cast<std::uint16_t>(bound);
}

WsServer::~WsServer() {
    // Closes what is left; CLOSED callbacks still find every member alive.
    if (context_) lws_context_destroy(context_);
    if (loop_) ev_loop_destroy(loop_);
}

void WsServer::create_context(const ListenAddress& listen) {
    lws_context_creation_info info{};
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    if (listen.ipv4_only) info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    info.user = this;
    info.max_http_header_data = kMaxHeaderBytes;
    loop_ =
        ev_loop_new(static_cast<unsigned>(EVBACKEND_EPOLL) | static_cast<unsigned>(EVFLAG_NOENV));
    if (loop_) {
        lws_context_creation_info on_ev = info;
        on_ev.options |= LWS_SERVER_OPTION_LIBEV;
        on_ev.foreign_loops = reinterpret_cast<void**>(&loop_);
        context_ = lws_create_context(&on_ev);
        if (context_) return;
        ev_loop_destroy(loop_);
        loop_ = nullptr;
    }
    log_warn(kComponent, "libev with epoll is not available: serving with poll()");
    context_ = lws_create_context(&info);
    if (!context_) throw std::runtime_error("cannot create the libwebsockets context");
}

bool WsServer::post(BusRequest request) {
    if (!mailbox_.push(std::move(request))) return false;
    lws_cancel_service(context_);
    return true;
}

void WsServer::request_stop() {
    stop_requested_.store(true);
    lws_cancel_service(context_);
}

void WsServer::run() {
    while (!(stopping_ && (sessions_.empty() || drain_expired_))) {
        if (loop_) {
            // One round of waiting and dispatching; lws's callbacks run inside.
            ev_run(loop_, EVRUN_ONCE);
        } else if (lws_service(context_, 0) < 0) {
            log_error(kComponent, "lws_service failed: the WebSocket server stops");
            break;
        }
    }
    lws_sul_cancel(&drain_timer_.sul);
}

int WsServer::dispatch(lws* wsi, lws_callback_reasons reason, void* user, void* in, size_t len) {
    if (!wsi) return 0;
    auto* self = static_cast<WsServer*>(lws_context_user(lws_get_context(wsi)));
    if (!self) return lws_callback_http_dummy(wsi, reason, user, in, len);
    try {
        return self->handle(wsi, reason, static_cast<Session**>(user), in, len);
    } catch (const std::exception& e) {
        log_error(kComponent, "callback " + std::to_string(reason) + " failed: " + e.what());
    } catch (...) {
        log_error(kComponent, "callback " + std::to_string(reason) + " failed");
    }
    // Closing the connection the failure happened on keeps the rest serving.
    return reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED ? 0 : -1;
}

int WsServer::handle(lws* wsi, lws_callback_reasons reason, Session** slot, void* in, size_t len) {
    Session* session = slot ? *slot : nullptr;
    switch (reason) {
        case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
            return stopping_ ? -1 : 0;
        case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
            return on_confirm_upgrade(wsi);
        case LWS_CALLBACK_HTTP:
            return on_http(wsi);
        case LWS_CALLBACK_HTTP_BODY:
            return on_http_body(wsi, static_cast<const char*>(in), len);
        case LWS_CALLBACK_HTTP_BODY_COMPLETION:
            return on_http_body_done(wsi);
        case LWS_CALLBACK_CLOSED_HTTP:
            http_.erase(wsi);
            return 0;
        case LWS_CALLBACK_ESTABLISHED:
            return on_established(wsi, slot);
        case LWS_CALLBACK_RECEIVE:
            return session ? on_receive(wsi, *session, static_cast<const char*>(in), len) : -1;
        case LWS_CALLBACK_SERVER_WRITEABLE:
            return session ? on_writeable(wsi, *session) : 0;
        case LWS_CALLBACK_CLOSED:
            on_closed(slot);
            return 0;
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            drain_mailbox();
            if (stop_requested_.load()) begin_drain();
            return 0;
        default:
            return lws_callback_http_dummy(wsi, reason, slot, in, len);
    }
}

int WsServer::on_established(lws* wsi, Session** slot) {
    if (!slot) return -1;
    nlohmann::json query = lenient_query(wsi);
    query.erase("token");  // a secret, not connection data

    auto session = std::make_unique<Session>();
    session->id = random_hex_id();
    session->wsi = wsi;
    if (!index_.add(session->id, std::move(query))) return -1;  // a 128-bit id collided
    Session& ref = *session;
    *slot = session.get();
    sessions_.emplace(ref.id, std::move(session));
    conns_.store(index_.connection_count(), std::memory_order_relaxed);
    counters_.opened.fetch_add(1, std::memory_order_relaxed);
    queue(ref, std::make_shared<const std::string>(client_frame("open", ref.id)));
    const nlohmann::json* data = index_.query_data(ref.id);
    outbox_.upstream("open", ref.id, std::nullopt, data ? *data : nlohmann::json::object(), false);
    run_open_handlers(ref);
    return 0;
}

int WsServer::on_receive(lws* wsi, Session& session, const char* data, size_t len) {
    if (!session.rx_active) {
        session.rx_active = true;
        session.rx_binary = lws_frame_is_binary(wsi) != 0;
        session.rx.clear();
    }
    if (session.rx.size() + len > max_message_bytes_) {
        counters_.too_large_closes.fetch_add(1, std::memory_order_relaxed);
        log_info(kComponent, "closing " + session.id + ": message over " +
                                 std::to_string(max_message_bytes_) + " bytes");
        session.rx.clear();
        session.rx.shrink_to_fit();
        static unsigned char reason[] = "message too large";
        lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, reason, sizeof reason - 1);
        return -1;
    }
    session.rx.append(data, len);
    if (!lws_is_final_fragment(wsi)) return 0;
    session.rx_active = false;
    std::string message;
    message.swap(session.rx);
    // "ping" is answered by the built-in handler, first in the chain.
    on_client_message(session, message, session.rx_binary);
    return 0;
}

bool WsServer::queue(Session& session, const Payload& text) {
    if (session.queued_bytes + text->size() > send_queue_bytes_) {
        counters_.overflow_closes.fetch_add(1, std::memory_order_relaxed);
        log_info(kComponent, "closing " + session.id + ": send queue over " +
                                 std::to_string(send_queue_bytes_) + " bytes (slow client)");
        session.queue.clear();
        session.queue_head = 0;
        session.queued_bytes = 0;
        mark_closing(session, LWS_CLOSE_STATUS_POLICY_VIOLATION);
        return false;
    }
    const bool was_idle = !session.has_queued();
    session.queued_bytes += text->size();
    session.queue.push_back(text);
    // One request per idle-to-busy change: on_writeable() asks again itself
    // while frames remain.
    if (was_idle) lws_callback_on_writable(session.wsi);
    return true;
}

void WsServer::mark_closing(Session& session, int code) {
    if (session.close_code != 0) return;
    session.close_code = code;
    // A client that stops reading would keep the queue from flushing forever.
    lws_set_timeout(session.wsi, PENDING_TIMEOUT_CLOSE_SEND, kCloseFlushSeconds);
    lws_callback_on_writable(session.wsi);
}

bool WsServer::send(const std::string& conn_id, const Payload& text) {
    const auto it = sessions_.find(conn_id);
    if (it == sessions_.end() || it->second->close_code != 0 || it->second->gone || !text)
        return false;
    return queue(*it->second, text);
}

std::size_t WsServer::send_to_all(const ConnectionIndex& /*index*/, const Payload& text,
                                  const std::unordered_set<std::string>& excluded) {
    if (!text) return 0;
    std::size_t sent = 0;
    // The sessions are the index's connections plus closing ones (which
    // send() refuses too), so walking them reaches the same set as the
    // index, without a lookup per connection.
    for (auto& [id, session] : sessions_) {
        if (session->close_code != 0 || session->gone) continue;
        if (!excluded.empty() && excluded.count(id) != 0) continue;
        if (queue(*session, text)) ++sent;
    }
    return sent;
}

void WsServer::close(const std::string& conn_id) {
    const auto it = sessions_.find(conn_id);
    if (it == sessions_.end()) return;
    Session& session = *it->second;
    // The executor removes it from the index right after: keep what the
    // close event and the handlers report.
    if (index_.has(conn_id)) {
        session.user_at_close = index_.user_of(conn_id);
        if (const nlohmann::json* query = index_.query_data(conn_id))
            session.query_at_close = *query;
    }
    // A close handler's connection is already closing inside lws.
    if (!session.gone) mark_closing(session, LWS_CLOSE_STATUS_NORMAL);
}

int WsServer::on_writeable(lws* wsi, Session& session) {
    // A normal close first flushes what was queued before it; an overflow
    // close drops the queue (it was cleared) and closes at once.
    if (session.close_code != 0 && !session.has_queued()) {
        lws_close_reason(wsi, static_cast<lws_close_status>(session.close_code), nullptr, 0);
        return -1;
    }
    // Everything queued (up to kCoalesceBytes) leaves as back-to-back frames
    // in one raw write: one send() per connection per burst, not per frame.
    // The node negotiates no extensions, so its frames are plain RFC 6455
    // frames that lws itself would write the same way. One scratch buffer
    // serves every connection: a broadcast is copied into it per write,
    // never duplicated per connection.
    scratch_.resize(LWS_PRE);
    std::size_t taken = 0;
    std::size_t payload_bytes = 0;
    for (std::size_t i = session.queue_head; i < session.queue.size(); ++i) {
        const std::string& text = *session.queue[i];
        const std::size_t framed = scratch_.size() - LWS_PRE;
        if (taken > 0 && framed + text_frame_size(text.size()) > kCoalesceBytes) break;
        append_text_frame(scratch_, text);
        payload_bytes += text.size();
        ++taken;
    }
    const std::size_t wire_bytes = scratch_.size() - LWS_PRE;
    if (lws_write(wsi, scratch_.data() + LWS_PRE, wire_bytes, LWS_WRITE_RAW) <
        static_cast<int>(wire_bytes)) {
        log_debug(kComponent, "write to " + session.id + " failed");
        return -1;
    }
    release_sent(session, taken, payload_bytes);
    if (scratch_.capacity() > kScratchKeepBytes) {
        scratch_.clear();
        scratch_.shrink_to_fit();
    }
    if (session.has_queued() || session.close_code != 0) lws_callback_on_writable(wsi);
    return 0;
}

void WsServer::release_sent(Session& session, std::size_t frames, std::size_t payload_bytes) {
    for (std::size_t i = 0; i < frames; ++i) session.queue[session.queue_head + i].reset();
    session.queue_head += frames;
    session.queued_bytes -= payload_bytes;
    if (!session.has_queued()) {
        session.queue.clear();
        session.queue_head = 0;
        if (session.queue.capacity() > kQueueKeepSlots) session.queue.shrink_to_fit();
    } else if (session.queue_head * 2 >= session.queue.size()) {
        // Moving the unsent half down keeps a busy queue from growing forever.
        session.queue.erase(session.queue.begin(),
                            session.queue.begin() + static_cast<long>(session.queue_head));
        session.queue_head = 0;
    }
}

void WsServer::on_closed(Session** slot) {
    if (!slot || !*slot) return;
    Session& session = **slot;
    const std::string id = session.id;
    auto user = index_.has(id) ? index_.user_of(id) : session.user_at_close;
    *slot = nullptr;
    session.gone = true;
    outbox_.upstream("close", id, user, nullptr, false);
    run_close_handlers(session);
    index_.remove(id);  // may already be gone (closeBy_Id)
    sessions_.erase(id);
    conns_.store(index_.connection_count(), std::memory_order_relaxed);
}

void WsServer::drain_mailbox() {
    for (const BusRequest& request : mailbox_.take_all()) {
        try {
            run_request(request);
        } catch (const std::exception& e) {
            log_error(kComponent,
                      "request " + std::to_string(request.req) + " failed: " + e.what());
        }
    }
}

void WsServer::run_request(const BusRequest& request) {
    counters_.requests.fetch_add(1, std::memory_order_relaxed);
    EventResults results;
    results.reserve(request.events.size());
    for (const auto& event : request.events) {
        const auto& name = event.at("name").get_ref<const std::string&>();
        nlohmann::json result = executor_.run(name, event.at("params"));
        // A batch naming one event twice has one slot for it: the last result.
        const auto same = std::find_if(results.begin(), results.end(),
                                       [&](const auto& entry) { return entry.first == name; });
        if (same != results.end()) {
            same->second = std::move(result);
        } else {
            results.emplace_back(name, std::move(result));
        }
    }
    conns_.store(index_.connection_count(), std::memory_order_relaxed);
    if (!outbox_.reply(request, results))
        log_warn(kComponent, "reply to request " + std::to_string(request.req) + " dropped");
}

void WsServer::begin_drain() {
    if (stopping_) return;
    stopping_ = true;
    for (auto& entry : sessions_) mark_closing(*entry.second, LWS_CLOSE_STATUS_GOINGAWAY);
    drain_timer_.owner = this;
    lws_sul_schedule(context_, 0, &drain_timer_.sul, &WsServer::on_drain_timeout, kDrainUs);
}

void WsServer::on_drain_timeout(lws_sorted_usec_list_t* sul) {
    auto* timer = reinterpret_cast<DrainTimer*>(sul);
    timer->owner->drain_expired_ = true;
}

}  // namespace wsc
