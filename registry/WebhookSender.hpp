// POSTs cluster events (presence online/offline, close, and optionally
// open/message) as JSON to the webhook URLs of the registry's config.
//
// Any thread hands an event over with post(): it goes into a mailbox (a
// mutex and a vector, swapped out whole) and an eventfd wakes the sender's
// own thread, which owns libcurl (WebhookTransfers) and nothing else: it
// sends each endpoint's events in order, in batches, and retries a failed
// batch until it gets through (WebhookQueue). Nothing else is shared.
//
// Each POST: Content-Type: application/json, X-Wscenter-Delivery: <batch
// id> (the same for every try of a batch), X-Wscenter-Signature:
// sha256=<HMAC-SHA256 of the body> when a secret is set, and a body
// {"events":[...]}. A 2xx answer delivers the batch; anything else, a
// timeout or a refused connection is retried. Redirects are not followed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "registry/RegistryMetrics.hpp"
#include "registry/WebhookConfig.hpp"

namespace wsc {

class WebhookTransfers;

class WebhookSender {
  public:
    // Throws std::runtime_error when the wake-up descriptor cannot be made.
    WebhookSender(WebhookConfig config, std::string registry_id, RegistryMetrics& metrics);
    ~WebhookSender();  // stops
    WebhookSender(const WebhookSender&) = delete;
    WebhookSender& operator=(const WebhookSender&) = delete;

    // Starts the sender's thread; throws std::runtime_error when libcurl
    // cannot be set up. Events posted before are sent once it runs.
    void start();
    // Stops the thread; with `grace` > 0 first tries for at most that long
    // to deliver what is queued. What is left is logged and dropped.
    void stop(std::chrono::milliseconds grace = {});
    // Whether events of this kind ("online", "close", ...) are to be POSTed.
    bool wants(std::string_view kind) const;
    // Any thread: queues one event (a complete JSON object text) for every
    // URL. Never blocks beyond a short mutex hand-off; wakes the sender's
    // thread. Dropped (and counted) when the mailbox is full or after stop().
    void post(std::string event_json);

  private:
    using Clock = std::chrono::steady_clock;

    void run(std::unique_ptr<WebhookTransfers> transfers);
    void wake();

    const WebhookConfig config_;
    const std::string registry_id_;
    RegistryMetrics& metrics_;
    int wake_fd_ = -1;  // eventfd: written by post() and stop(), read by the thread

    std::mutex mutex_;
    std::vector<std::string> mailbox_;   // guarded by mutex_
    std::uint64_t mailbox_dropped_ = 0;  // guarded by mutex_: not taken, the mailbox was full
    bool stopping_ = false;              // guarded by mutex_
    Clock::time_point stop_by_{};        // guarded by mutex_: when stopping_, the grace's end
    std::thread thread_;                 // started and joined by start() and stop()
};

}  // namespace wsc
