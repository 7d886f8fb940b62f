// The registry's HTTP API server: lws accepts connections and moves bytes
// (raw sockets); HttpExchange parses the requests, which are validated here,
// handed to the broker as API calls, and answered in order with the envelopes.
//
// One thread owns the lws context. Finished calls come back from the broker
// thread through a mailbox and lws_cancel_service(); nothing else is shared.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/ApiCallMetrics.hpp"
#include "api/ApiRequest.hpp"
#include "common/Mailbox.hpp"
#include "net/HttpExchange.hpp"
#include "net/LwsRaw.hpp"

struct lws;
struct lws_context;

namespace wsc {

struct HttpServerConfig {
    std::string host;  // interface or address to listen on; empty = all
    std::uint16_t port = 8011;
    std::vector<std::string> tokens;
    ApiLimits limits;
    std::size_t max_body_bytes = 1 << 20;
    std::size_t max_pending = 10000;  // API calls in flight before answering 503
    std::string web_root;             // served at /ui/; empty = not served
    HttpTimeouts timeouts;            // busy_ms is derived from limits.max_timeout_ms
    // Counts (on the lws thread) every call refused here; may be null.
    ApiCallMetrics* call_metrics = nullptr;
};

class HttpServer {
  public:
    // Called on the lws thread with a validated call; must not block. False:
    // the call was not taken (the broker is full), is left as it was and is
    // answered 503.
    using Dispatch = std::function<bool(std::uint64_t id, ApiCall&& call)>;
    using TextSource = std::function<std::string()>;

    HttpServer(HttpServerConfig config, Dispatch dispatch, TextSource metrics, TextSource health);
    ~HttpServer();

    // Creates the lws context and listens; throws std::runtime_error with a
    // clear reason. Then starts the service thread.
    void start();
    std::uint16_t port() const { return port_; }
    // Any thread: the response body for call `id`.
    void complete(std::uint64_t id, std::string body);
    // Graceful shutdown: new API calls get 503 from now on; calls already
    // running still get their answer.
    void begin_drain() { draining_ = true; }
    // Any thread: waits until every call taken has been answered and its
    // answer written out (or its client has gone), or until `until`.
    // True when idle.
    bool wait_idle(std::chrono::steady_clock::time_point until);
    void stop();

    struct Conn;  // per-connection state, defined in the .cpp

  private:
    static int callback(lws* wsi, int reason, void* user, void* in, std::size_t len);
    // Answers what the connection has received, in order, until a request
    // waits for the broker or more bytes are needed; then schedules the write.
    void pump(Conn& c);
    void on_request(Conn& c);
    void run_api(Conn& c, const HttpRequest& req);
    HttpResponse serve_file(const HttpRequest& req) const;
    int on_writeable(Conn& c);
    void drain_mailbox();
    // lws thread: publishes how many calls are unanswered or unwritten.
    void update_busy();
    void count_refused(const std::vector<std::string>& events, ApiCallMetrics::Result result);

    HttpServerConfig config_;
    Dispatch dispatch_;
    TextSource metrics_;
    TextSource health_;
    std::uint16_t port_ = 0;

    // lws thread only.
    lws_context* context_ = nullptr;
    std::unordered_map<std::uint64_t, Conn*> waiting_;  // call id -> connection
    std::size_t unwritten_ = 0;  // connections with an API answer not yet written out
    std::uint64_t next_id_ = 1;

    // Finished calls from the broker thread (answer bodies by call id).
    Mailbox<std::pair<std::uint64_t, std::string>> completed_;

    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> draining_{false};
    // waiting_.size() + unwritten_, for wait_idle() on other threads.
    std::mutex busy_mutex_;
    std::condition_variable busy_changed_;
    std::size_t busy_ = 0;
};

}  // namespace wsc
