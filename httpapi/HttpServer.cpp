#include "httpapi/HttpServer.hpp"

#include <libwebsockets.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "api/Envelope.hpp"
#include "api/ParamTree.hpp"
#include "common/Log.hpp"

namespace wsc {

namespace {

constexpr const char* kLog = "http";
constexpr const char* kProtocol = "wsc-http";
constexpr const char* kJson = "application/json";
constexpr const char* kText = "text/plain; charset=utf-8";
constexpr std::size_t kMaxFileBytes = 8u << 20;  // a file of the demo served at /ui/
// A call answers by its timeout; the connection gets this much more before
// it is given up (the broker always answers, this only guards against a bug).
constexpr int kBusyMarginMs = 10'000;

HttpResponse text(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

HttpResponse json(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.content_type = kJson;
    r.body = std::move(body);
    return r;
}

std::string content_type_of(const std::filesystem::path& file) {
    const std::string ext = file.extension().string();
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".json") return kJson;
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".ico") return "image/x-icon";
    return "application/octet-stream";
}

}  // namespace

struct HttpServer::Conn {
    explicit Conn(lws* w, const HttpLimits& limits) : wsi(w), exchange(limits) {}
    lws* wsi;
    HttpExchange exchange;
    HttpExchange::Phase timeout_phase = HttpExchange::Phase::Closing;  // none applied yet
    std::uint64_t call_id = 0;      // non-zero while the broker works on its request
    bool paused = false;            // reading stopped: a large pipeline waits for its turn
    bool answer_unwritten = false;  // an API answer is still on its way out (counted in unwritten_)
};

HttpServer::HttpServer(HttpServerConfig config, Dispatch dispatch, TextSource metrics,
                       TextSource health)
    : config_(std::move(config)),
      dispatch_(std::move(dispatch)),
      metrics_(std::move(metrics)),
      health_(std::move(health)) {
    config_.timeouts.busy_ms = config_.limits.max_timeout_ms + kBusyMarginMs;
}

HttpServer::~HttpServer() {
    stop();
}

void HttpServer::start(LoopGuest* guest) {
    static const lws_protocols protocols[] = {
        {kProtocol,
         [](lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len) {
             return HttpServer::callback(wsi, static_cast<int>(reason), user, in, len);
         },
         sizeof(Conn*), 0, 0, nullptr, kWholeWriteBytes},
        // The guest's descriptors: watched only, their readiness ends the
        // loop's turn and run() serves the guest.
        {kGuestProtocol, [](lws*, lws_callback_reasons, void*, void*, std::size_t) { return 0; }, 0,
         0, 0, nullptr, 0},
        {nullptr, nullptr, 0, 0, 0, nullptr, 0}};
    lws_context_creation_info info;
    std::memset(&info, 0, sizeof info);
    info.port = config_.port;
    info.iface = config_.host.empty() ? nullptr : config_.host.c_str();
    info.protocols = protocols;
    info.user = this;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    accept_raw(info, kProtocol);
    apply_tls(info, config_.tls);
    // lws bounds a TLS handshake by this, as a request's head is bounded.
    info.timeout_secs = static_cast<unsigned>((config_.timeouts.request_ms + 999) / 1000);
    context_ = lws_create_context(&info);
    if (!context_)
        throw std::runtime_error(config_.tls.enabled()
                                     ? "cannot create the HTTPS server (see the TLS errors above)"
                                     : "cannot create HTTP server");
    lws_vhost* vh = lws_get_vhost_by_name(context_, "default");
    const int port = vh ? lws_get_vhost_listen_port(vh) : -1;
    if (port <= 0) {
        lws_context_destroy(context_);
        context_ = nullptr;
        throw std::runtime_error("cannot listen for HTTP on port " + std::to_string(config_.port) +
                                 " (in use?)");
    }
    port_ = static_cast<std::uint16_t>(port);
    if (guest) {
        lws_context_creation_info watch{};
        watch.port = CONTEXT_PORT_NO_LISTEN;
        watch.vhost_name = "guest";
        watch.protocols = protocols + 1;
        guest_vhost_ = lws_create_vhost(context_, &watch);
        if (!guest_vhost_) {
            lws_context_destroy(context_);
            context_ = nullptr;
            throw std::runtime_error("cannot create the HTTP server's bus watch");
        }
    }
    guest_ = guest;
    thread_ = std::thread([this] { run(); });
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
    auto it = waiting_.find(id);
    if (it == waiting_.end()) return;  // the client went away meanwhile
    Conn& c = *it->second;
    waiting_.erase(it);
    if (!c.answer_unwritten) {
        c.answer_unwritten = true;
        ++unwritten_;
    }
    c.call_id = 0;
    c.exchange.answer(json(HTTP_STATUS_OK, std::move(body)));
    pump(c);
    update_busy();
}

bool HttpServer::wait_idle(std::chrono::steady_clock::time_point until) {
    std::unique_lock lock(busy_mutex_);
    return busy_changed_.wait_until(lock, until, [this] { return busy_ == 0; });
}

void HttpServer::update_busy() {
    {
        std::lock_guard lock(busy_mutex_);
        busy_ = waiting_.size() + unwritten_;
    }
    busy_changed_.notify_all();
}

void HttpServer::count_refused(const std::vector<std::string>& events,
                               ApiCallMetrics::Result result) {
    if (config_.call_metrics) config_.call_metrics->record(events, result);
}

void HttpServer::pump(Conn& c) {
    c.exchange.serve([&] { on_request(c); },
                     [&] {
                         // The events it named, when its request line could be read.
                         count_refused(
                             named_events(parse_query_lenient(c.exchange.request().query)),
                             c.exchange.refusal().status == 413 ? ApiCallMetrics::Result::TooLarge
                                                                : ApiCallMetrics::Result::Refused);
                     });
    // A client pipelining more than one request's worth waits for its turn.
    const bool backlog =
        c.exchange.buffered() > config_.max_body_bytes + HttpLimits{}.max_head_bytes;
    if (backlog != c.paused) {
        c.paused = backlog;
        lws_rx_flow_control(c.wsi, backlog ? 0 : 1);
    }
    apply_phase_timeout(c.wsi, c.exchange, c.timeout_phase, config_.timeouts);
    if (!c.exchange.output().empty() || c.exchange.closing()) lws_callback_on_writable(c.wsi);
}

int HttpServer::on_writeable(Conn& c) {
    const int rc = write_answers(c.wsi, c.exchange, [&] {
        pump(c);
        return 0;
    });
    if (c.answer_unwritten && c.exchange.output().empty()) {
        // What the socket did not take, lws sends before the next callback.
        if (lws_partial_buffered(c.wsi)) {
            lws_callback_on_writable(c.wsi);
        } else {
            c.answer_unwritten = false;
            --unwritten_;
            update_busy();
        }
    }
    return rc;
}

void HttpServer::on_request(Conn& c) {
    const HttpRequest& req = c.exchange.request();
    if (req.method == "OPTIONS") return c.exchange.answer(text(HTTP_STATUS_NO_CONTENT, ""));
    const bool get = req.method == "GET" || req.method == "HEAD";
    if (!get && req.method != "POST")
        return c.exchange.answer(text(HTTP_STATUS_METHOD_NOT_ALLOWED, "method not allowed\n"));
    if (req.path == "/healthz")
        return c.exchange.answer(json(HTTP_STATUS_OK, health_ ? health_() : "{\"status\":\"ok\"}"));
    if (req.path == "/metrics") {
        HttpResponse r = text(HTTP_STATUS_OK, metrics_ ? metrics_() : "");
        r.content_type = "text/plain; version=0.0.4";
        return c.exchange.answer(std::move(r));
    }
    if (req.path == "/ui" || req.path.rfind("/ui/", 0) == 0) {
        if (config_.web_root.empty() || !get)
            return c.exchange.answer(text(HTTP_STATUS_NOT_FOUND, "not found\n"));
        return c.exchange.answer(serve_file(req));
    }
    if (req.method == "HEAD")  // an API call is not run for its headers alone
        return c.exchange.answer(text(HTTP_STATUS_METHOD_NOT_ALLOWED, "method not allowed\n"));
    run_api(c, req);
}

HttpResponse HttpServer::serve_file(const HttpRequest& req) const {
    if (req.path == "/ui") {
        HttpResponse r = text(301, "moved\n");
        r.headers.emplace_back("location", "/ui/");
        return r;
    }
    const std::string rel = url_decode(req.path.substr(4), false);
    // Only plain names below the root: no "..", no absolute or hidden parts.
    std::filesystem::path file = config_.web_root;
    for (const auto& part : std::filesystem::path(rel)) {
        const std::string name = part.string();
        if (name.empty() || name == "/") continue;
        if (name[0] == '.' || name.find('\0') != std::string::npos ||
            name.find('\\') != std::string::npos)
            return text(HTTP_STATUS_NOT_FOUND, "not found\n");
        file /= part;
    }
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) file /= "index.html";
    if (!std::filesystem::is_regular_file(file, ec) ||
        std::filesystem::file_size(file, ec) > kMaxFileBytes)
        return text(HTTP_STATUS_NOT_FOUND, "not found\n");
    std::ifstream in(file, std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in) return text(HTTP_STATUS_NOT_FOUND, "not found\n");
    HttpResponse r = text(HTTP_STATUS_OK, body.str());
    r.content_type = content_type_of(file);
    return r;
}

void HttpServer::run_api(Conn& c, const HttpRequest& req) {
    nlohmann::json merged;
    // The query, then the body over it: for a GET as for a POST, so that a
    // request with both runs once, with both.
    try {
        merged = parse_query_string(req.query);
        if (!req.body.empty())
            merge_params(merged, parse_body(std::string(req.header("content-type")), req.body));
    } catch (const ParamError& e) {
        count_refused(named_events(merged), ApiCallMetrics::Result::Refused);
        return c.exchange.answer(json(HTTP_STATUS_OK, error_envelope(kCodeError, e.what())));
    }
    auto built = build_api_call(merged, config_.tokens, config_.limits);
    if (auto* err = std::get_if<ApiError>(&built)) {
        count_refused(named_events(merged), err->token ? ApiCallMetrics::Result::BadToken
                                                       : ApiCallMetrics::Result::Refused);
        return c.exchange.answer(json(HTTP_STATUS_OK, error_envelope(err->code, err->msg)));
    }
    const auto& events = std::get<ApiCall>(built).events;
    if (draining_) {
        count_refused(events, ApiCallMetrics::Result::Overloaded);
        return c.exchange.answer(
            json(HTTP_STATUS_SERVICE_UNAVAILABLE,
                 error_envelope(kCodeError, "shutting down, try another registry")));
    }
    if (waiting_.size() >= config_.max_pending) {
        count_refused(events, ApiCallMetrics::Result::Overloaded);
        return c.exchange.answer(json(HTTP_STATUS_SERVICE_UNAVAILABLE,
                                      error_envelope(kCodeError, "overloaded, try again")));
    }
    if (!dispatch_(next_id_, std::move(std::get<ApiCall>(built)))) {
        count_refused(events, ApiCallMetrics::Result::Overloaded);
        return c.exchange.answer(json(HTTP_STATUS_SERVICE_UNAVAILABLE,
                                      error_envelope(kCodeError, "overloaded, try again")));
    }
    c.call_id = next_id_++;
    waiting_[c.call_id] = &c;
    update_busy();
}

int HttpServer::callback(lws* wsi, int reason_int, void* user, void* in, std::size_t len) {
    auto reason = static_cast<lws_callback_reasons>(reason_int);
    auto* self = static_cast<HttpServer*>(lws_context_user(lws_get_context(wsi)));
    auto** slot = static_cast<Conn**>(user);
    try {
        switch (reason) {
            case LWS_CALLBACK_RAW_ADOPT:
                if (!slot) return -1;
                *slot = new Conn(wsi, HttpLimits{.max_body_bytes = self->config_.max_body_bytes});
                apply_phase_timeout(wsi, (*slot)->exchange, (*slot)->timeout_phase,
                                    self->config_.timeouts);
                // Ours replaces lws's handshake timer: a TLS handshake gets
                // the time a request head gets.
                if (self->config_.tls.enabled())
                    lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK,
                                    (self->config_.timeouts.request_ms + 999) / 1000);
                return 0;
            case LWS_CALLBACK_RAW_RX:
                if (!slot || !*slot) return -1;
                (*slot)->exchange.feed(std::string_view(static_cast<const char*>(in), len));
                self->pump(**slot);
                return 0;
            case LWS_CALLBACK_RAW_WRITEABLE:
                if (!slot || !*slot) return 0;
                return self->on_writeable(**slot);
            case LWS_CALLBACK_RAW_CLOSE:
                if (slot && *slot) {
                    if ((*slot)->call_id) self->waiting_.erase((*slot)->call_id);
                    if ((*slot)->answer_unwritten) --self->unwritten_;
                    self->update_busy();
                    delete *slot;
                    *slot = nullptr;
                }
                return 0;
            default:
                break;
        }
    } catch (const std::exception& e) {
        log_error(kLog, std::string("request failed: ") + e.what());
        return -1;
    }
    return 0;
}

}  // namespace wsc
