// Node: wiring of the lws server and the bus link, their threads and shutdown.
#include "wsnode/Node.hpp"

#include <stdexcept>

#include "common/Ids.hpp"
#include "common/Log.hpp"

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

Node::Node(NodeConfig config) : config_(std::move(config)) {
    if (config_.node_id.empty()) config_.node_id = random_hex_id();
    if (!is_hex_id(config_.node_id))
        throw std::runtime_error("node id must be 32 lowercase hex characters, got '" +
                                 config_.node_id + "'");
    if (config_.heartbeat_ms <= 0) throw std::runtime_error("heartbeat interval must be positive");
    if (config_.liveness <= 0) throw std::runtime_error("liveness must be positive");
    if (config_.send_queue_bytes == 0) throw std::runtime_error("send queue cap must be positive");
    if (config_.max_message_bytes == 0)
        throw std::runtime_error("maximum message size must be positive");
}

Node::~Node() {
    stop();
}

void Node::start() {
    if (started_) throw std::runtime_error("node already started");
    zmq_ = std::make_unique<zmq::context_t>();
    BusLink::Settings settings;
    settings.node_id = config_.node_id;
    settings.registries = config_.registries;
    settings.heartbeat_ms = config_.heartbeat_ms;
    settings.liveness = config_.liveness;
    // The handlers run on the bus thread, which starts only after ws_ exists.
    bus_ = std::make_unique<BusLink>(
        *zmq_, std::move(settings),
        [this](BusRequest&& request) { return ws_->post(std::move(request)); },
        [this] { return ws_->connection_count(); });
    ws_ = std::make_unique<WsServer>(config_, bus_->make_outbox());
    port_ = ws_->port();
    public_url_ = config_.public_url.empty() ? "ws://127.0.0.1:" + std::to_string(port_) + "/"
                                             : config_.public_url;
    bus_->set_url(public_url_);

    // Thread start is the memory fence that hands each socket to its thread.
    started_ = true;
    ws_thread_ = std::thread([this] { guarded("lws", failed_, [this] { ws_->run(); }); });
    bus_thread_ = std::thread([this] { guarded("bus", failed_, [this] { bus_->run(); }); });
    log_info(kComponent, "node " + config_.node_id + " serving WebSocket on port " +
                             std::to_string(port_) + ", advertised as " + public_url_);
}

void Node::stop() {
    if (!started_ || stopped_) return;
    stopped_ = true;
    // Leave the registries first so callers stop targeting this node now.
    bus_->stop();
    if (bus_thread_.joinable()) bus_thread_.join();
    ws_->request_stop();
    if (ws_thread_.joinable()) ws_thread_.join();
    ws_.reset();
    bus_.reset();
    zmq_.reset();
    log_info(kComponent, "node " + config_.node_id + " stopped");
}

std::size_t Node::connection_count() const {
    return ws_ ? ws_->connection_count() : 0;
}

}  // namespace wsc
