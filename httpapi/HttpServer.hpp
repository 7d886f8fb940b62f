// The registry's HTTP API server: lws accepts connections and moves bytes
// (raw sockets); HttpExchange parses the requests, which are validated here,
// handed to the broker as API calls, and answered in order with the envelopes.
//
// One thread owns the lws context, and runs a LoopGuest (the broker) on the
// same loop: calls go to it and come back from it on that thread. Other
// threads only stop the server or wait for it to be idle.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/ApiCallMetrics.hpp"
#include "api/ApiRequest.hpp"
#include "httpapi/LoopGuest.hpp"
#include "net/HttpExchange.hpp"
#include "net/LwsRaw.hpp"
#include "net/TlsFiles.hpp"

struct lws;
struct lws_context;
struct lws_vhost;
struct lws_sorted_usec_list;

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
    TlsFiles tls;                     // https:// when set
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
    // clear reason. Then starts the service thread, which serves `guest`
    // (may be null) on its loop and closes it as it ends.
    void start(LoopGuest* guest);
    std::uint16_t port() const { return port_; }
    // The loop's thread (the guest's): the response body for call `id`.
    void complete(std::uint64_t id, std::string body);
    // Graceful shutdown: new API calls get 503 from now on; calls already
    // running still get their answer.
    void begin_drain() { draining_ = true; }
    // Any thread: waits until every call taken has been answered and its
    // answer written out (or its client has gone), or until `until`.
    // True when idle.
    bool wait_idle(std::chrono::steady_clock::time_point until);
    void stop();
    // Any thread: loads the TLS certificate and key files again (SIGHUP).
    void request_tls_reload();

    struct Conn;  // per-connection state, defined in the .cpp

  private:
    // The lws protocol of the guest's watched descriptors.
    static constexpr const char* kGuestProtocol = "wsc-guest";

    static int callback(lws* wsi, int reason, void* user, void* in, std::size_t len);
    // Answers what the connection has received, in order, until a request
    // waits for the broker or more bytes are needed; then schedules the write.
    void pump(Conn& c);
    void on_request(Conn& c);
    void run_api(Conn& c, const HttpRequest& req);
    HttpResponse serve_file(const HttpRequest& req) const;
    int on_writeable(Conn& c);
    // The loop: lws turns, then the guest, until stop().
    void run();
    // (Re)adopts the guest's descriptors into lws and arms its timer;
    // false when the guest's timed work is due now.
    bool watch_guest();
    void unwatch_guest();
    void reload_certificate();
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
    LoopGuest* guest_ = nullptr;
    // A vhost of its own, listening nowhere: its descriptors are not taken
    // for accepted sockets, as the default vhost's would be.
    lws_vhost* guest_vhost_ = nullptr;
    std::vector<lws*> guest_watch_;  // the guest's descriptors (dups) adopted as raw files
    std::uint64_t guest_version_ = ~std::uint64_t{0};
    // An lws timer at the guest's next_due(): its firing ends a turn too.
    std::unique_ptr<lws_sorted_usec_list> guest_timer_;

    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> draining_{false};
    std::atomic<bool> tls_reload_requested_{false};
    // waiting_.size() + unwritten_, for wait_idle() on other threads.
    std::mutex busy_mutex_;
    std::condition_variable busy_changed_;
    std::size_t busy_ = 0;
};

}  // namespace wsc
