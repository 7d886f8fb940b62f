#include "registry/Registry.hpp"

#include <thread>

namespace wsc {

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

    // Created here, used only on the lws thread from now on.
    to_broker_ = std::make_shared<zmq::socket_t>(ctx_, zmq::socket_type::push);
    to_broker_->set(zmq::sockopt::linger, 0);
    to_broker_->connect(broker_->inbox_address());
    auto push = to_broker_;
    config_.http.call_metrics = &metrics_.api;
    http_ = std::make_unique<HttpServer>(
        config_.http,
        [push](std::uint64_t id, ApiCall call) {
            const std::string msg = Broker::encode_inbox_call(id, call);
            push->send(zmq::buffer(msg), zmq::send_flags::none);
        },
        [this] { return metrics_.render(); },
        [this] {
            return "{\"status\":\"ok\",\"nodes\":" + std::to_string(metrics_.nodes.load()) + "}";
        });
    http_->start();
    broker_->start();
}

void Registry::drain(std::chrono::milliseconds grace) {
    if (!http_) return;
    http_->begin_drain();
    const auto until = std::chrono::steady_clock::now() + grace;
    // The broker answers every call by its deadline, so this ends.
    while (http_->in_flight() > 0 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    // Let the lws thread write the last answers out.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

void Registry::stop() {
    if (http_) http_->stop();
    if (broker_) broker_->stop();
    to_broker_.reset();
    http_.reset();
    broker_.reset();
}

}  // namespace wsc
