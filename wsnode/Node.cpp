// Node: wiring of the lws server and the bus link, their threads and shutdown.
#include "wsnode/Node.hpp"

#include <atomic>
#include <stdexcept>
#include <thread>

#include <zmq.hpp>

#include "common/Ids.hpp"
#include "common/Log.hpp"
#include "wsnode/HandlerChain.hpp"
#include "wsnode/WsServer.hpp"

namespace wsc {

namespace {

constexpr std::string_view kComponent = "wsnode";

// Runs one thread's loop; an escaping error is logged and flagged so that
// the owner notices instead of the process terminating.
template <class F>
void guarded(std::string_view what, std::atomic<bool>& failed, F&& body) {
    try {
        body();
    } catch (const std::exception& e) {
        log_error(kComponent, std::string(what) + " thread failed: " + e.what());
        failed.store(true);
    } catch (...) {
        log_error(kComponent, std::string(what) + " thread failed");
        failed.store(true);
    }
}

}  // namespace

struct Node::Impl {
    NodeConfig config;
    HandlerChain handlers;  // handed to the WsServer by start()
    std::uint16_t port = 0;
    std::string public_url;
    std::atomic<bool> failed{false};
    bool started = false;
    bool stopped = false;

    // Destruction order matters: the server (and its bus sockets) goes
    // before the zmq context it uses.
    std::unique_ptr<zmq::context_t> zmq;
    std::unique_ptr<WsServer> ws;
    std::thread thread;

    void require_not_started(const char* what) const {
        if (started) throw std::logic_error(std::string(what) + " must be added before start()");
    }
};

Node::Node(NodeConfig config) : impl_(std::make_unique<Impl>()) {
    NodeConfig& c = impl_->config = std::move(config);
    if (c.node_id.empty()) c.node_id = random_hex_id();
    if (!is_hex_id(c.node_id))
        throw std::runtime_error("node id must be 32 lowercase hex characters, got '" + c.node_id +
                                 "'");
    if (c.heartbeat_ms <= 0) throw std::runtime_error("heartbeat interval must be positive");
    if (c.liveness <= 0) throw std::runtime_error("liveness must be positive");
    if (c.send_queue_bytes == 0) throw std::runtime_error("send queue cap must be positive");
    if (c.max_message_bytes == 0) throw std::runtime_error("maximum message size must be positive");
    impl_->handlers.add_message(ping_pong_handler());
}

Node::~Node() {
    stop();
}

void Node::on_open(OpenHandler handler) {
    impl_->require_not_started("open handlers");
    impl_->handlers.add_open(std::move(handler));
}

void Node::on_message(MessageHandler handler) {
    impl_->require_not_started("message handlers");
    impl_->handlers.add_message(std::move(handler));
}

void Node::on_close(CloseHandler handler) {
    impl_->require_not_started("close handlers");
    impl_->handlers.add_close(std::move(handler));
}

void Node::use(UpgradeMiddleware middleware) {
    impl_->require_not_started("upgrade middleware");
    impl_->handlers.add_middleware(std::move(middleware));
}

void Node::start() {
    Impl& d = *impl_;
    if (d.started) throw std::runtime_error("node already started");
    d.zmq = std::make_unique<zmq::context_t>();
    // A copy: a start() that throws leaves the handlers in place.
    d.ws = std::make_unique<WsServer>(d.config, *d.zmq, d.handlers);
    d.port = d.ws->port();
    d.public_url = d.config.public_url.empty()
                       ? std::string(d.config.tls.enabled() ? "wss" : "ws") +
                             "://127.0.0.1:" + std::to_string(d.port) + "/"
                       : d.config.public_url;
    d.ws->set_public_url(d.public_url);

    // Thread start is the memory fence that hands the server to its thread.
    d.started = true;
    d.thread = std::thread([&d] { guarded("node", d.failed, [&d] { d.ws->run(); }); });
    log_info(kComponent, "node " + d.config.node_id + " serving WebSocket on port " +
                             std::to_string(d.port) + ", advertised as " + d.public_url);
}

void Node::stop() {
    Impl& d = *impl_;
    if (!d.started || d.stopped) return;
    d.stopped = true;
    // The node's thread leaves the registries first, then drains its clients.
    d.ws->request_stop();
    if (d.thread.joinable()) d.thread.join();
    d.ws.reset();
    d.zmq.reset();
    log_info(kComponent, "node " + d.config.node_id + " stopped");
}

void Node::reload_tls() {
    Impl& d = *impl_;
    if (d.ws && d.started && !d.stopped) d.ws->request_tls_reload();
}

const std::string& Node::node_id() const {
    return impl_->config.node_id;
}

std::uint16_t Node::port() const {
    return impl_->port;
}

const std::string& Node::public_url() const {
    return impl_->public_url;
}

std::size_t Node::connection_count() const {
    return impl_->ws ? impl_->ws->connection_count() : 0;
}

bool Node::failed() const {
    return impl_->failed.load();
}

}  // namespace wsc
