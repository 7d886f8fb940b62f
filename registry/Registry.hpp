// A registry: the bus broker and its HTTP API in one process, wired together.
//
// Embeddable: wscenter-registry's main() is a thin shell over this class.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "httpapi/HttpServer.hpp"
#include "registry/Broker.hpp"
#include "registry/RegistryMetrics.hpp"
#include "registry/WebhookSender.hpp"

namespace wsc {

struct RegistryConfig {
    BrokerConfig broker;
    HttpServerConfig http;
    WebhookConfig webhook;  // off without URLs
};

class Registry {
  public:
    explicit Registry(RegistryConfig config);
    ~Registry();

    // Binds the bus and HTTP ports and starts the threads; throws
    // std::runtime_error with a clear reason.
    void start();
    // Graceful: refuses new API calls (503), lets the running ones finish
    // (at most `grace`), then stops.
    void drain(std::chrono::milliseconds grace);
    void stop();
    // Any thread: the HTTP server loads its TLS certificate again.
    void reload_tls() { http_->request_tls_reload(); }

    std::uint16_t bus_port() const { return broker_->bound_port(); }
    std::uint16_t http_port() const { return http_->port(); }
    // The webhook sender, running from start() (made once the broker, whose
    // id names its batches, exists) until after the broker has stopped;
    // nullptr when webhooks are off or before start().
    WebhookSender* webhooks() { return webhooks_.get(); }

  private:
    RegistryConfig config_;
    zmq::context_t ctx_;
    RegistryMetrics metrics_;
    // Before broker_: the broker may post to it until it is gone.
    std::unique_ptr<WebhookSender> webhooks_;
    std::unique_ptr<Broker> broker_;
    std::unique_ptr<HttpServer> http_;
};

}  // namespace wsc
