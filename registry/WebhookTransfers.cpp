// libcurl side of the webhooks; see WebhookTransfers.hpp.
#include "registry/WebhookTransfers.hpp"

#include <curl/curl.h>
#include <poll.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <stdexcept>

#include "common/Log.hpp"
#include "registry/WebhookSignature.hpp"

namespace wsc {

namespace {

constexpr const char* kLog = "webhook";
constexpr auto kLogInterval = std::chrono::seconds(10);
// The longest wait without looking at the clock again.
constexpr auto kMaxWait = std::chrono::milliseconds(1000);
constexpr long kHttpOkFirst = 200;
constexpr long kHttpOkLast = 299;

// The receiver's answer is not used: read and thrown away.
std::size_t discard(char*, std::size_t size, std::size_t count, void*) {
    return size * count;
}

// The header keeps libcurl's types out; CURLM is void or a struct, per build.
CURLM* as_multi(void* multi) {
    return static_cast<CURLM*>(multi);
}

void init_curl_once() {
    static std::once_flag once;
    static CURLcode result = CURLE_OK;
    std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (result != CURLE_OK)
        throw std::runtime_error(std::string("webhooks: libcurl: ") + curl_easy_strerror(result));
}

template <typename T>
void set(CURL* easy, CURLoption option, T value) {
    if (const CURLcode rc = curl_easy_setopt(easy, option, value); rc != CURLE_OK)
        throw std::runtime_error(std::string("webhooks: libcurl option: ") +
                                 curl_easy_strerror(rc));
}

std::string ms_text(std::chrono::steady_clock::duration d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

}  // namespace

struct WebhookTransfers::Endpoint {
    Endpoint(const std::string& url_, WebhookQueue queue_)
        : url(url_), shown(redact_url(url_)), queue(std::move(queue_)) {}

    std::string url;
    std::string shown;  // for logs
    WebhookQueue queue;
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;  // of the POST in flight
    std::size_t events_in_flight = 0;
    char error[CURL_ERROR_SIZE] = {};
    LogThrottle fail_log{kLogInterval};
    LogThrottle drop_log{kLogInterval};
    std::uint64_t drops_unlogged = 0;
};

WebhookTransfers::WebhookTransfers(const WebhookConfig& config, const std::string& registry_id,
                                   RegistryMetrics& metrics)
    : config_(config), metrics_(metrics) {
    try {
        setup(registry_id);
    } catch (...) {
        release();
        throw;
    }
}

WebhookTransfers::~WebhookTransfers() {
    release();
}

void WebhookTransfers::setup(const std::string& registry_id) {
    init_curl_once();
    multi_ = curl_multi_init();
    if (!multi_) throw std::runtime_error("webhooks: libcurl: cannot make a multi handle");
    for (std::size_t i = 0; i < config_.urls.size(); ++i) {
        // Batch ids: this registry's id, the endpoint's index, a counter.
        auto e = std::make_unique<Endpoint>(
            config_.urls[i], WebhookQueue(registry_id + "-" + std::to_string(i), config_.max_batch,
                                          config_.max_queue));
        e->easy = curl_easy_init();
        if (!e->easy) throw std::runtime_error("webhooks: libcurl: cannot make an easy handle");
        CURL* easy = e->easy;
        endpoints_.push_back(std::move(e));  // release() cleans it up from here
        Endpoint& ep = *endpoints_.back();
        set(easy, CURLOPT_URL, ep.url.c_str());
        set(easy, CURLOPT_PROTOCOLS_STR, "http,https");
        set(easy, CURLOPT_NOSIGNAL, 1L);
        set(easy, CURLOPT_FOLLOWLOCATION, 0L);
        set(easy, CURLOPT_POST, 1L);
        set(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout_ms));
        set(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.timeout_ms));
        set(easy, CURLOPT_WRITEFUNCTION, &discard);
        set(easy, CURLOPT_ERRORBUFFER, ep.error);
        set(easy, CURLOPT_PRIVATE, static_cast<void*>(&ep));
        set(easy, CURLOPT_USERAGENT, "wscenter/" WSC_VERSION);
    }
}

void WebhookTransfers::release() {
    for (auto& e : endpoints_) {
        if (e->queue.in_flight()) curl_multi_remove_handle(as_multi(multi_), e->easy);
        if (e->easy) curl_easy_cleanup(e->easy);
        curl_slist_free_all(e->headers);
    }
    endpoints_.clear();
    if (multi_) curl_multi_cleanup(as_multi(multi_));
    multi_ = nullptr;
}

void WebhookTransfers::add(std::vector<std::string>&& events, std::uint64_t dropped_before,
                           Clock::time_point now) {
    for (auto& e : endpoints_) {
        const std::uint64_t before = e->queue.dropped();
        for (std::size_t i = 0; i < events.size(); ++i) {
            if (e.get() == endpoints_.back().get())
                e->queue.push(std::move(events[i]));
            else
                e->queue.push(events[i]);
        }
        const std::uint64_t dropped = e->queue.dropped() - before;
        // Those of the mailbox were counted by whoever dropped them.
        metrics_.webhook_dropped.fetch_add(dropped, std::memory_order_relaxed);
        note_drops(*e, dropped + dropped_before, now);
    }
    publish_depth();
}

bool WebhookTransfers::step(Clock::time_point now) {
    for (auto& e : endpoints_)
        if (const auto* batch = e->queue.next_batch(now)) start_post(*e, *batch, now);
    int running = 0;
    curl_multi_perform(as_multi(multi_), &running);
    bool finished = false;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(as_multi(multi_), &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        void* priv = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        const CURLcode code = msg->data.result;
        finish(*static_cast<Endpoint*>(priv), code, Clock::now());
        finished = true;
    }
    if (finished) publish_depth();
    return finished;
}

void WebhookTransfers::start_post(Endpoint& e, const WebhookQueue::Batch& batch,
                                  Clock::time_point now) {
    // The batch stays where it is, in the queue, until done().
    curl_slist_free_all(e.headers);
    e.headers = nullptr;
    std::vector<std::string> lines = {"Content-Type: application/json",
                                      "X-Wscenter-Delivery: " + batch.id,
                                      // No "100-continue" round trip before the body.
                                      "Expect:"};
    if (!config_.secret.empty())
        lines.push_back("X-Wscenter-Signature: sha256=" +
                        hmac_sha256_hex(config_.secret, batch.body));
    for (const auto& line : lines) {
        curl_slist* grown = curl_slist_append(e.headers, line.c_str());
        if (!grown) {
            finish(e, CURLE_OUT_OF_MEMORY, now);
            return;
        }
        e.headers = grown;
    }
    e.error[0] = '\0';
    e.events_in_flight = batch.events;
    curl_easy_setopt(e.easy, CURLOPT_HTTPHEADER, e.headers);
    curl_easy_setopt(e.easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(batch.body.size()));
    curl_easy_setopt(e.easy, CURLOPT_POSTFIELDS, batch.body.c_str());
    if (const CURLMcode rc = curl_multi_add_handle(as_multi(multi_), e.easy); rc != CURLM_OK) {
        std::snprintf(e.error, sizeof(e.error), "%s", curl_multi_strerror(rc));
        finish(e, CURLE_FAILED_INIT, now);
    }
}

void WebhookTransfers::finish(Endpoint& e, int curl_code, Clock::time_point now) {
    const auto code = static_cast<CURLcode>(curl_code);
    long status = 0;
    if (code == CURLE_OK) curl_easy_getinfo(e.easy, CURLINFO_RESPONSE_CODE, &status);
    curl_multi_remove_handle(as_multi(multi_), e.easy);
    const bool ok = code == CURLE_OK && status >= kHttpOkFirst && status <= kHttpOkLast;
    const std::uint64_t failures_before = e.queue.failures_in_row();
    e.queue.done(ok, now);
    if (ok) {
        metrics_.webhook_ok.fetch_add(1, std::memory_order_relaxed);
        metrics_.webhook_events.fetch_add(e.events_in_flight, std::memory_order_relaxed);
        if (failures_before > 0)
            log_info(kLog, "POST to " + e.shown + " delivered again after " +
                               std::to_string(failures_before) + " failed attempts");
        return;
    }
    std::string reason;
    if (code == CURLE_OK) {
        metrics_.webhook_http_errors.fetch_add(1, std::memory_order_relaxed);
        reason = "HTTP status " + std::to_string(status);
    } else {
        metrics_.webhook_failed.fetch_add(1, std::memory_order_relaxed);
        reason = e.error[0] != '\0' ? std::string(e.error) : curl_easy_strerror(code);
    }
    if (!e.fail_log.admit(now)) return;
    log_warn(kLog, "POST to " + e.shown + " failed: " + reason + "; " +
                       std::to_string(e.queue.depth()) + " events queued, retry in " +
                       ms_text(e.queue.last_backoff()) + e.fail_log.held_back_note("failures"));
}

void WebhookTransfers::note_drops(Endpoint& e, std::uint64_t dropped, Clock::time_point now) {
    e.drops_unlogged += dropped;
    if (e.drops_unlogged == 0 || !e.drop_log.admit(now)) return;
    log_warn(kLog, std::to_string(e.drops_unlogged) + " events dropped for " + e.shown +
                       ": its queue is full (" + std::to_string(config_.max_queue) +
                       " events, registry.webhook_queue)");
    e.drops_unlogged = 0;
}

void WebhookTransfers::wait(int wake_fd, std::optional<Clock::time_point> until) {
    const auto now = Clock::now();
    auto deadline = now + kMaxWait;
    if (until) deadline = std::min(deadline, *until);
    for (const auto& e : endpoints_) {
        if (const auto due = e->queue.next_due()) deadline = std::min(deadline, *due);
        // Drops held back by the log throttle are reported when it opens.
        if (e->drops_unlogged > 0) deadline = std::min(deadline, now + kLogInterval);
    }
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
    curl_waitfd wake{wake_fd, CURL_WAIT_POLLIN, 0};
    curl_multi_poll(as_multi(multi_), &wake, 1, static_cast<int>(std::max<long long>(ms, 0)),
                    nullptr);
    for (auto& e : endpoints_) note_drops(*e, 0, Clock::now());
}

bool WebhookTransfers::idle() const {
    return std::all_of(endpoints_.begin(), endpoints_.end(),
                       [](const auto& e) { return e->queue.depth() == 0; });
}

void WebhookTransfers::report_abandoned() const {
    for (const auto& e : endpoints_)
        if (e->queue.depth() > 0)
            log_warn(kLog, "stopping: " + std::to_string(e->queue.depth()) +
                               " events not delivered to " + e->shown);
}

void WebhookTransfers::publish_depth() {
    std::uint64_t depth = 0;
    for (const auto& e : endpoints_) depth += e->queue.depth();
    metrics_.webhook_queue_depth.store(depth, std::memory_order_relaxed);
}

}  // namespace wsc
