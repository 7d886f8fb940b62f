// The webhook POSTs in progress: one libcurl multi handle, one easy handle
// and one WebhookQueue per endpoint URL.
//
// Everything here belongs to WebhookSender's thread (it is built before
// that thread starts and handed to it). Each endpoint has at most one POST
// in flight and the multi handle drives them all at once, so a slow or dead
// receiver holds up only its own queue. The outcome of every POST goes to
// the metrics; failures and drops are logged at a throttled rate.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/LogThrottle.hpp"
#include "registry/RegistryMetrics.hpp"
#include "registry/WebhookConfig.hpp"
#include "registry/WebhookQueue.hpp"

namespace wsc {

class WebhookTransfers {
  public:
    using Clock = std::chrono::steady_clock;

    // Throws std::runtime_error when libcurl cannot be set up.
    WebhookTransfers(const WebhookConfig& config, const std::string& registry_id,
                     RegistryMetrics& metrics);
    ~WebhookTransfers();
    WebhookTransfers(const WebhookTransfers&) = delete;
    WebhookTransfers& operator=(const WebhookTransfers&) = delete;

    // Queues each event for every endpoint; `dropped_before` events were
    // already dropped on the way (the mailbox was full): logged, not counted.
    void add(std::vector<std::string>&& events, std::uint64_t dropped_before,
             Clock::time_point now);
    // Starts the POSTs that are due, moves the transfers on, and takes the
    // finished ones; true when some finished (new batches may be due).
    bool step(Clock::time_point now);
    // Waits until a socket of a transfer is ready, `wake_fd` is readable,
    // a transfer or a queue is due, or `until` (at most about a second).
    void wait(int wake_fd, std::optional<Clock::time_point> until);
    // Nothing queued nor in flight.
    bool idle() const;
    // Logs what is left undelivered, per endpoint (at stop).
    void report_abandoned() const;

  private:
    struct Endpoint;

    void setup(const std::string& registry_id);
    void release();
    void start_post(Endpoint& e, const WebhookQueue::Batch& batch, Clock::time_point now);
    void finish(Endpoint& e, int curl_code, Clock::time_point now);
    void note_drops(Endpoint& e, std::uint64_t dropped, Clock::time_point now);
    void publish_depth();

    const WebhookConfig config_;
    RegistryMetrics& metrics_;
    void* multi_ = nullptr;  // CURLM*
    std::vector<std::unique_ptr<Endpoint>> endpoints_;
};

}  // namespace wsc
