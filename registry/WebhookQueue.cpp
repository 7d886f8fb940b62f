// Batching, order and backoff of one webhook endpoint; see WebhookQueue.hpp.
#include "registry/WebhookQueue.hpp"

#include <algorithm>
#include <memory>
#include <random>

namespace wsc {

namespace {

WebhookQueue::Random default_random() {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

}  // namespace

WebhookQueue::WebhookQueue(std::string id_prefix, std::size_t max_batch, std::size_t max_queue,
                           Random random)
    : id_prefix_(std::move(id_prefix)),
      max_batch_(std::max<std::size_t>(max_batch, 1)),
      max_queue_(std::max<std::size_t>(max_queue, 1)),
      random_(random ? std::move(random) : default_random()) {}

bool WebhookQueue::push(std::string event) {
    if (events_.size() >= max_queue_) {
        ++dropped_;
        return false;
    }
    events_.push_back(std::move(event));
    return true;
}

const WebhookQueue::Batch* WebhookQueue::next_batch(Clock::time_point now) {
    if (in_flight_ || events_.empty()) return nullptr;
    if (batch_) {
        if (now < retry_at_) return nullptr;
        in_flight_ = true;
        return &*batch_;
    }
    Batch batch;
    batch.id = id_prefix_ + "-" + std::to_string(next_id_++);
    batch.events = std::min(max_batch_, events_.size());
    std::size_t size = 12;
    for (std::size_t i = 0; i < batch.events; ++i) size += events_[i].size() + 1;
    batch.body.reserve(size);
    batch.body += "{\"events\":[";
    for (std::size_t i = 0; i < batch.events; ++i) {
        if (i != 0) batch.body += ',';
        batch.body += events_[i];
    }
    batch.body += "]}";
    batch_ = std::move(batch);
    in_flight_ = true;
    return &*batch_;
}

void WebhookQueue::done(bool ok, Clock::time_point now) {
    if (!in_flight_ || !batch_) return;
    in_flight_ = false;
    if (ok) {
        events_.erase(events_.begin(),
                      events_.begin() + static_cast<std::ptrdiff_t>(batch_->events));
        delivered_ += batch_->events;
        batch_.reset();
        failures_in_row_ = 0;
        last_backoff_ = {};
        retry_at_ = {};
        return;
    }
    ++failed_attempts_;
    ++failures_in_row_;
    last_backoff_ = backoff(failures_in_row_);
    retry_at_ = now + last_backoff_;
}

std::optional<WebhookQueue::Clock::time_point> WebhookQueue::next_due() const {
    if (in_flight_ || events_.empty()) return std::nullopt;
    return batch_ ? retry_at_ : Clock::time_point{};
}

WebhookQueue::Clock::duration WebhookQueue::backoff(std::uint64_t failures) {
    Clock::duration ceiling = kFirstBackoff;
    for (std::uint64_t i = 1; i < failures && ceiling < kMaxBackoff; ++i) ceiling *= 2;
    ceiling = std::min<Clock::duration>(ceiling, kMaxBackoff);
    // Equal jitter: half fixed, so retries never bunch up at zero; half
    // random, so registries retrying one receiver spread out.
    const double r = std::clamp(random_(), 0.0, 1.0);
    const auto half = ceiling / 2;
    return half + std::chrono::duration_cast<Clock::duration>(half * r);
}

}  // namespace wsc
