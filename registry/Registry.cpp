#include "registry/Registry.hpp"

namespace wsc {

namespace {

// At shutdown, the time the webhooks get to deliver what is still queued.
constexpr auto kWebhookStopGrace = std::chrono::seconds(1);

}  // namespace

Registry::Registry(RegistryConfig config) : config_(std::move(config)), ctx_(1) {}

Registry::~Registry() {
    stop();
}

void Registry::start() {
    broker_ = std::make_unique<Broker>(
        ctx_, config_.broker,
        [this](std::uint64_t id, std::string body) { http_->complete(id, std::move(body)); },
        metrics_);
    broker_->bind();
    if (config_.webhook.enabled()) {
        webhooks_ =
            std::make_unique<WebhookSender>(config_.webhook, broker_->registry_id(), metrics_);
        webhooks_->start();
        // The events this registry is the one to report (Broker's EventSink).
        broker_->set_event_sink(
            {[w = webhooks_.get()](std::string_view kind) { return w->wants(kind); },
             [w = webhooks_.get()](std::string event) { w->post(std::move(event)); }});
    }

    config_.http.call_metrics = &metrics_.api;
    http_ = std::make_unique<HttpServer>(
        config_.http,
        [broker = broker_.get()](std::uint64_t id, ApiCall&& call) {
            return broker->submit(id, std::move(call));
        },
        [this] { return metrics_.render(); },
        [this] {
            return "{\"status\":\"ok\",\"nodes\":" + std::to_string(metrics_.nodes.load()) + "}";
        });
    broker_->start();
    http_->start(broker_.get());
}

void Registry::drain(std::chrono::milliseconds grace) {
    if (!http_) return;
    http_->begin_drain();
    // The broker answers every call by its deadline, so this ends.
    http_->wait_idle(std::chrono::steady_clock::now() + grace);
}

void Registry::stop() {
    // The loop's thread closes the broker's sockets as it ends; calls still
    // waiting end with their connections.
    if (http_) http_->stop();
    http_.reset();
    broker_.reset();
    // Nothing posts any more: what is queued gets a last chance.
    if (webhooks_) webhooks_->stop(kWebhookStopGrace);
    webhooks_.reset();
}

}  // namespace wsc
