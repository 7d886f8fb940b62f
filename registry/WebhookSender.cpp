// The mailbox and the thread of the webhooks; see WebhookSender.hpp.
#include "registry/WebhookSender.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <utility>

#include "common/Log.hpp"
#include "registry/WebhookTransfers.hpp"

namespace wsc {

namespace {

std::string describe(const WebhookConfig& config) {
    std::string events;
    for (const auto& kind : config.events) events += (events.empty() ? "" : ",") + kind;
    std::string urls;
    for (const auto& url : config.urls) urls += (urls.empty() ? "" : ", ") + redact_url(url);
    return "POSTing " + events + " events to " + urls +
           (config.secret.empty() ? " (unsigned)" : " (signed)");
}

}  // namespace

WebhookSender::WebhookSender(WebhookConfig config, std::string registry_id,
                             RegistryMetrics& metrics)
    : config_(std::move(config)), registry_id_(std::move(registry_id)), metrics_(metrics) {
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0)
        throw std::runtime_error(std::string("webhooks: eventfd: ") + std::strerror(errno));
}

WebhookSender::~WebhookSender() {
    stop();
    ::close(wake_fd_);
}

void WebhookSender::start() {
    if (thread_.joinable() || !config_.enabled()) return;
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
    }
    auto transfers = std::make_unique<WebhookTransfers>(config_, registry_id_, metrics_);
    thread_ = std::thread([this, t = std::move(transfers)]() mutable { run(std::move(t)); });
    log_info("webhook", describe(config_));
}

void WebhookSender::stop(std::chrono::milliseconds grace) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            stopping_ = true;
            stop_by_ = Clock::now() + grace;
        }
    }
    wake();
    if (thread_.joinable()) thread_.join();
}

bool WebhookSender::wants(std::string_view kind) const {
    return config_.enabled() && config_.events.count(std::string(kind)) != 0;
}

void WebhookSender::post(std::string event_json) {
    if (!config_.enabled()) return;
    bool was_empty = false;
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || mailbox_.size() >= config_.max_queue) {
            // Lost for every URL; the thread logs the drops (none after stop).
            ++mailbox_dropped_;
            metrics_.webhook_dropped.fetch_add(config_.urls.size(), std::memory_order_relaxed);
            return;
        }
        was_empty = mailbox_.empty();
        mailbox_.push_back(std::move(event_json));
    }
    // One wake-up per batch of hand-offs: the thread reads the eventfd
    // before it swaps the mailbox, so none is missed.
    if (was_empty) wake();
}

void WebhookSender::wake() {
    const std::uint64_t one = 1;
    if (::write(wake_fd_, &one, sizeof(one)) < 0) {
        // EAGAIN: the counter is full, so the thread is woken anyway.
    }
}

void WebhookSender::run(std::unique_ptr<WebhookTransfers> transfers) {
    std::vector<std::string> events;
    for (;;) {
        std::uint64_t wakes = 0;
        if (::read(wake_fd_, &wakes, sizeof(wakes)) < 0) {
            // EAGAIN: nobody woke us; the clock or a transfer did.
        }
        std::uint64_t dropped = 0;
        bool stopping = false;
        Clock::time_point stop_by{};
        {
            std::lock_guard lock(mutex_);
            events.swap(mailbox_);
            dropped = std::exchange(mailbox_dropped_, 0);
            stopping = stopping_;
            stop_by = stop_by_;
        }
        const auto now = Clock::now();
        if (!events.empty() || dropped > 0) transfers->add(std::move(events), dropped, now);
        events.clear();
        if (stopping && (now >= stop_by || transfers->idle())) break;
        if (transfers->step(now)) continue;  // some finished: the next batches may go at once
        transfers->wait(wake_fd_, stopping ? std::optional(stop_by) : std::nullopt);
    }
    transfers->report_abandoned();
}

}  // namespace wsc
