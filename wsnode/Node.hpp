// One WebSocket node as an embeddable object: the public header of the
// wsnode library (wscenter-wsnode's main() is a thin shell over it).
//
// A program makes a Node from a NodeConfig, registers its handlers and
// upgrade middleware (see wsnode/Handlers.hpp), then start()s it: the node
// serves its clients and its links to the registries on one thread of its
// own, one event loop for both. Handlers run on that thread.
//
// start() creates and binds everything on the calling thread, so every
// configuration or start-up error is thrown there as one line; only then is
// the node's thread started. stop() is graceful: NodeBye to every registry
// first (the node leaves master_ids at once), then clients are closed with
// 1001 and the thread is joined.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "wsnode/Handlers.hpp"
#include "wsnode/NodeConfig.hpp"

namespace wsc {

class Node {
  public:
    // Checks the configuration; throws std::runtime_error with one line.
    // The built-in ping -> pong message handler is registered here, first.
    explicit Node(NodeConfig config);
    ~Node();  // stops if still running

    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    // Handlers and middleware run in the order they were added. Register
    // them before start(): afterwards these throw std::logic_error. An
    // empty function throws std::invalid_argument.
    void on_open(OpenHandler handler);
    void on_message(MessageHandler handler);
    void on_close(CloseHandler handler);
    void use(UpgradeMiddleware middleware);

    // Binds the WebSocket port, connects to the registries and starts the
    // threads. Throws std::runtime_error with one clear line (e.g. port in
    // use, malformed registry endpoint). Call once.
    void start();
    // Idempotent; returns when the node's thread has ended.
    void stop();
    // Any thread: loads the TLS certificate and key again (new connections
    // get them, open ones keep theirs); bad files are logged and the old
    // ones kept. Nothing to do without TLS.
    void reload_tls();

    const std::string& node_id() const;
    // The WebSocket port listened on (valid after start()).
    std::uint16_t port() const;
    // The URL advertised to the registries (valid after start()).
    const std::string& public_url() const;
    // Connections open now (any thread).
    std::size_t connection_count() const;
    // True once the node's thread has ended on an unexpected error (the node is
    // then not serving; its owner should stop it and report).
    bool failed() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace wsc
