// One WebSocket node as an embeddable object: the lws server for clients and
// the DEALER links to the registries, each on its own thread.
//
// start() creates and binds everything on the calling thread, so every
// configuration or start-up error is thrown there as one line; only then are
// the lws thread and the bus thread started. stop() is graceful: NodeBye to
// every registry first (the node leaves master_ids at once), then clients
// are closed with 1001 and both threads are joined.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <zmq.hpp>

#include "wsnode/BusLink.hpp"
#include "wsnode/NodeConfig.hpp"
#include "wsnode/WsServer.hpp"

namespace wsc {

class Node {
  public:
    // Checks the configuration; throws std::runtime_error with one line.
    explicit Node(NodeConfig config);
    ~Node();  // stops if still running

    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    // Binds the WebSocket port, connects to the registries and starts the
    // threads. Throws std::runtime_error with one clear line (e.g. port in
    // use, malformed registry endpoint). Call once.
    void start();
    // Idempotent; returns when both threads have ended.
    void stop();

    const std::string& node_id() const { return config_.node_id; }
    // The WebSocket port listened on (valid after start()).
    std::uint16_t port() const { return port_; }
    // The URL advertised to the registries (valid after start()).
    const std::string& public_url() const { return public_url_; }
    // Connections open now (any thread).
    std::size_t connection_count() const;
    // True once a thread has ended on an unexpected error (the node is
    // then not serving; its owner should stop it and report).
    bool failed() const { return failed_.load(); }

  private:
    NodeConfig config_;
    std::uint16_t port_ = 0;
    std::string public_url_;
    std::atomic<bool> failed_{false};
    bool started_ = false;
    bool stopped_ = false;

    // Destruction order matters: the lws server (and its Outbox socket) and
    // the bus link go before the zmq context they use.
    std::unique_ptr<zmq::context_t> zmq_;
    std::unique_ptr<BusLink> bus_;
    std::unique_ptr<WsServer> ws_;
    std::thread bus_thread_;
    std::thread ws_thread_;
};

}  // namespace wsc
