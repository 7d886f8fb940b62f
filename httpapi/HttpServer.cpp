#include "httpapi/HttpServer.hpp"

#include <libwebsockets.h>

#include <cstring>
#include <stdexcept>

#include "common/Log.hpp"
#include "httpapi/Envelope.hpp"
#include "httpapi/LwsHeaders.hpp"
#include "httpapi/ParamTree.hpp"

namespace wsc {

namespace {

constexpr const char* kLog = "http";
constexpr std::size_t kChunk = 16 * 1024;       // body bytes written per writable callback
constexpr std::size_t kHeaderBytes = 1024;      // status line and headers of an answer
constexpr std::size_t kInlineBodyBytes = 4096;  // bodies up to this go out with the headers
constexpr std::size_t kMaxArgBytes = 8 * 1024;  // one decoded query fragment
constexpr const char* kJson = "application/json";

}  // namespace

struct HttpServer::Session {
    std::uint64_t call_id = 0;  // non-zero while the broker works on it
    std::string body;           // request body as received
    bool body_too_large = false;
    nlohmann::json query = nlohmann::json::object();
    std::string content_type;
    // Response being written: status line and headers go first, then the body in chunks.
    int status = 0;
    std::string response_type;
    std::string response;  // LWS_PRE bytes of headroom, then the body
    std::size_t sent = 0;
    bool headers_sent = false;
    bool close_after = false;
};

namespace {
struct Pss {
    HttpServer::Session* s;
};
}  // namespace

HttpServer::HttpServer(HttpServerConfig config, Dispatch dispatch, TextSource metrics,
                       TextSource health)
    : config_(std::move(config)),
      dispatch_(std::move(dispatch)),
      metrics_(std::move(metrics)),
      health_(std::move(health)) {}

HttpServer::~HttpServer() {
    stop();
}

void HttpServer::start() {
    static const lws_protocols protocols[] = {
        {"http",
         [](lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len) {
             return HttpServer::callback(wsi, static_cast<int>(reason), user, in, len);
         },
         sizeof(Pss), 0, 0, nullptr, 0},
        {nullptr, nullptr, 0, 0, 0, nullptr, 0}};
    static lws_http_mount mount;
    lws_context_creation_info info;
    std::memset(&info, 0, sizeof info);
    if (!config_.web_root.empty()) {
        mount_origin_ = config_.web_root;
        std::memset(&mount, 0, sizeof mount);
        mount.mountpoint = "/ui";
        mount.mountpoint_len = 3;
        mount.origin = mount_origin_.c_str();
        mount.def = "index.html";
        mount.origin_protocol = LWSMPRO_FILE;
        info.mounts = &mount;
    }
    info.port = config_.port;
    info.iface = config_.host.empty() ? nullptr : config_.host.c_str();
    info.protocols = protocols;
    info.user = this;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    info.timeout_secs = 30;
    context_ = lws_create_context(&info);
    if (!context_) throw std::runtime_error("cannot create HTTP server");
    lws_vhost* vh = lws_get_vhost_by_name(context_, "default");
    const int port = vh ? lws_get_vhost_listen_port(vh) : -1;
    if (port <= 0) {
        lws_context_destroy(context_);
        context_ = nullptr;
        throw std::runtime_error("cannot listen for HTTP on port " + std::to_string(config_.port) +
                                 " (in use?)");
    }
    port_ = static_cast<std::uint16_t>(port);
    thread_ = std::thread([this] {
        while (!stopping_.load(std::memory_order_relaxed))
            if (lws_service(context_, 0) < 0) break;
    });
}

void HttpServer::stop() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    lws_cancel_service(context_);
    thread_.join();
    lws_context_destroy(context_);
    context_ = nullptr;
}

void HttpServer::complete(std::uint64_t id, std::string body) {
    {
        std::lock_guard lock(mailbox_mutex_);
        mailbox_.emplace_back(id, std::move(body));
    }
    if (context_) lws_cancel_service(context_);
}

void HttpServer::drain_mailbox() {
    std::vector<std::pair<std::uint64_t, std::string>> items;
    {
        std::lock_guard lock(mailbox_mutex_);
        items.swap(mailbox_);
    }
    for (auto& [id, body] : items) {
        auto it = waiting_.find(id);
        if (it == waiting_.end()) continue;  // the client went away meanwhile
        lws* wsi = it->second;
        waiting_.erase(it);
        in_flight_ = waiting_.size();
        auto* pss = static_cast<Pss*>(lws_wsi_user(wsi));
        if (!pss || !pss->s) continue;
        pss->s->call_id = 0;
        respond(wsi, *pss->s, HTTP_STATUS_OK, kJson, std::move(body));
    }
}

void HttpServer::count_refused(const std::vector<std::string>& events,
                               ApiCallMetrics::Result result) {
    if (config_.call_metrics) config_.call_metrics->record(events, result);
}

void HttpServer::respond(lws* wsi, Session& s, int status, std::string content_type,
                         std::string body) {
    s.status = status;
    s.response_type = std::move(content_type);
    s.response.assign(LWS_PRE, '\0');
    s.response += body;
    s.sent = 0;
    s.headers_sent = false;
    lws_callback_on_writable(wsi);
}

int HttpServer::on_writeable(lws* wsi, Session& s) {
    if (s.status == 0) return 0;
    const std::size_t body_len = s.response.size() - LWS_PRE;
    if (!s.headers_sent) {
        unsigned char buf[LWS_PRE + kHeaderBytes + kInlineBodyBytes];
        unsigned char* start = &buf[LWS_PRE];
        unsigned char* p = start;
        unsigned char* end = &buf[LWS_PRE + kHeaderBytes];
        if (lws_add_http_common_headers(wsi, static_cast<unsigned>(s.status),
                                        s.response_type.c_str(), body_len, &p, end) ||
            add_cors_headers(wsi, &p, end) ||
            (s.close_after && add_http_header(wsi, "connection:", "close", &p, end)) ||
            lws_finalize_http_header(wsi, &p, end))
            return -1;
        s.headers_sent = true;
        // A small answer (almost every API result) leaves with its headers
        // in one send(): a second syscall per call was a large share of the
        // registry's time.
        if (body_len > 0 && body_len <= kInlineBodyBytes) {
            std::memcpy(p, s.response.data() + LWS_PRE, body_len);
            p += body_len;
            s.sent = body_len;
        }
        const auto n = static_cast<std::size_t>(p - start);
        if (lws_write(wsi, start, n, LWS_WRITE_HTTP_HEADERS) != static_cast<int>(n)) return -1;
        if (s.sent < body_len) {
            lws_callback_on_writable(wsi);
            return 0;
        }
    }
    if (s.sent < body_len) {
        const std::size_t n = std::min(kChunk, body_len - s.sent);
        const bool last = s.sent + n == body_len;
        // lws needs LWS_PRE writable bytes before the data: the chunk before
        // this one (or the reserved headroom) provides them.
        auto* data = reinterpret_cast<unsigned char*>(&s.response[LWS_PRE + s.sent]);
        if (lws_write(wsi, data, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) !=
            static_cast<int>(n))
            return -1;
        s.sent += n;
        if (!last) {
            lws_callback_on_writable(wsi);
            return 0;
        }
    }
    const bool close = s.close_after;
    s = Session{};
    if (close) return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

int HttpServer::on_http(lws* wsi, Session& s, const char* path) {
    s = Session{};
    char buf[kMaxArgBytes];
    char* uri = nullptr;
    int uri_len = 0;
    const int method = lws_http_get_uri_and_method(wsi, &uri, &uri_len);
    if (method == LWSHUMETH_OPTIONS) {
        respond(wsi, s, HTTP_STATUS_NO_CONTENT, "text/plain", "");
        return 0;
    }
    if (method != LWSHUMETH_GET && method != LWSHUMETH_POST) {
        s.close_after = method != LWSHUMETH_GET;
        respond(wsi, s, HTTP_STATUS_METHOD_NOT_ALLOWED, "text/plain", "method not allowed\n");
        return 0;
    }
    const std::string_view p(path ? path : "");
    if (p == "/healthz") {
        respond(wsi, s, HTTP_STATUS_OK, kJson, health_ ? health_() : "{\"status\":\"ok\"}");
        return 0;
    }
    if (p == "/metrics") {
        respond(wsi, s, HTTP_STATUS_OK, "text/plain; version=0.0.4", metrics_ ? metrics_() : "");
        return 0;
    }
    if (p.rfind("/ui", 0) == 0) {  // reserved, and not served by the mount
        respond(wsi, s, HTTP_STATUS_NOT_FOUND, "text/plain", "not found\n");
        return 0;
    }
    // Query string: lws hands it over decoded, one "key=value" per fragment.
    try {
        for (int n = 0;; ++n) {
            const int got = lws_hdr_copy_fragment(wsi, buf, sizeof buf, WSI_TOKEN_HTTP_URI_ARGS, n);
            if (got < 0) break;
            std::string_view frag(buf, static_cast<std::size_t>(got));
            const auto eq = frag.find('=');
            const std::string_view key = frag.substr(0, eq);
            if (key.empty()) continue;
            add_param(s.query, key,
                      eq == std::string_view::npos ? "" : std::string(frag.substr(eq + 1)));
        }
    } catch (const ParamError& e) {
        count_refused({}, ApiCallMetrics::Result::Refused);  // which events is unknown
        respond(wsi, s, HTTP_STATUS_OK, kJson, error_envelope(kCodeError, e.what()));
        return 0;
    }
    if (method == LWSHUMETH_POST) {
        if (lws_hdr_copy(wsi, buf, sizeof buf, WSI_TOKEN_HTTP_CONTENT_TYPE) > 0)
            s.content_type = buf;
        if (lws_hdr_copy(wsi, buf, sizeof buf, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 &&
            std::strtoull(buf, nullptr, 10) > config_.max_body_bytes) {
            s.close_after = true;  // the body will not be read
            count_refused(named_events(s.query), ApiCallMetrics::Result::TooLarge);
            respond(wsi, s, HTTP_STATUS_REQ_ENTITY_TOO_LARGE, "text/plain", "body too large\n");
            return 0;
        }
        return 0;  // wait for LWS_CALLBACK_HTTP_BODY_COMPLETION
    }
    run_api(wsi, s);
    return 0;
}

void HttpServer::run_api(lws* wsi, Session& s) {
    nlohmann::json merged = std::move(s.query);
    if (!s.body.empty()) {
        try {
            merge_params(merged, parse_body(s.content_type, s.body));
        } catch (const ParamError& e) {
            count_refused(named_events(merged), ApiCallMetrics::Result::Refused);
            respond(wsi, s, HTTP_STATUS_OK, kJson, error_envelope(kCodeError, e.what()));
            return;
        }
    }
    auto built = build_api_call(merged, config_.tokens, config_.limits);
    if (auto* err = std::get_if<ApiError>(&built)) {
        count_refused(named_events(merged), err->token ? ApiCallMetrics::Result::BadToken
                                                       : ApiCallMetrics::Result::Refused);
        respond(wsi, s, HTTP_STATUS_OK, kJson, error_envelope(err->code, err->msg));
        return;
    }
    const auto& events = std::get<ApiCall>(built).events;
    if (draining_) {
        count_refused(events, ApiCallMetrics::Result::Overloaded);
        respond(wsi, s, HTTP_STATUS_SERVICE_UNAVAILABLE, kJson,
                error_envelope(kCodeError, "shutting down, try another registry"));
        return;
    }
    if (waiting_.size() >= config_.max_pending) {
        count_refused(events, ApiCallMetrics::Result::Overloaded);
        respond(wsi, s, HTTP_STATUS_SERVICE_UNAVAILABLE, kJson,
                error_envelope(kCodeError, "overloaded, try again"));
        return;
    }
    s.call_id = next_id_++;
    waiting_[s.call_id] = wsi;
    in_flight_ = waiting_.size();
    dispatch_(s.call_id, std::move(std::get<ApiCall>(built)));
}

int HttpServer::callback(lws* wsi, int reason_int, void* user, void* in, std::size_t len) {
    auto reason = static_cast<lws_callback_reasons>(reason_int);
    auto* self = static_cast<HttpServer*>(lws_context_user(lws_get_context(wsi)));
    auto* pss = static_cast<Pss*>(user);
    try {
        switch (reason) {
            case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
                self->drain_mailbox();
                return 0;
            case LWS_CALLBACK_HTTP:
                if (!pss->s) pss->s = new Session;
                return self->on_http(wsi, *pss->s, static_cast<const char*>(in));
            case LWS_CALLBACK_HTTP_BODY:
                if (!pss || !pss->s) return -1;
                if (pss->s->body.size() + len > self->config_.max_body_bytes)
                    pss->s->body_too_large = true;
                else
                    pss->s->body.append(static_cast<const char*>(in), len);
                return 0;
            case LWS_CALLBACK_HTTP_BODY_COMPLETION:
                if (!pss || !pss->s) return -1;
                if (pss->s->body_too_large) {
                    pss->s->close_after = true;
                    if (pss->s->status == 0)  // not yet refused by its Content-Length
                        self->count_refused(named_events(pss->s->query),
                                            ApiCallMetrics::Result::TooLarge);
                    self->respond(wsi, *pss->s, HTTP_STATUS_REQ_ENTITY_TOO_LARGE, "text/plain",
                                  "body too large\n");
                } else if (pss->s->status == 0) {
                    self->run_api(wsi, *pss->s);
                }
                return 0;
            case LWS_CALLBACK_HTTP_WRITEABLE:
                if (!pss || !pss->s) return 0;
                return self->on_writeable(wsi, *pss->s);
            case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
            case LWS_CALLBACK_CLOSED_HTTP:
                if (pss && pss->s) {
                    if (pss->s->call_id) {
                        self->waiting_.erase(pss->s->call_id);
                        self->in_flight_ = self->waiting_.size();
                    }
                    delete pss->s;
                    pss->s = nullptr;
                }
                return 0;
            default:
                break;
        }
    } catch (const std::exception& e) {
        log_error(kLog, std::string("request failed: ") + e.what());
        return -1;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

}  // namespace wsc
