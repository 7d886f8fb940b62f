// WsServer: the node's loop, and the bus link on it — the registries'
// sockets watched by libev beside the clients' and served on this thread,
// so that a Request meets the connections it acts on without a thread hop.
#include <algorithm>

#include "common/Log.hpp"
#include "wsnode/BusWatch.hpp"
#include "wsnode/WsServer.hpp"

namespace wsc {

namespace {

constexpr std::string_view kComponent = "wsnode";

// A wake-up only: the loop's turn ends and run() serves the bus.
void wake(struct ev_loop*, ev_io*, int) {}
void wake_timer(struct ev_loop*, ev_timer*, int) {}

}  // namespace

BusLink::Settings WsServer::bus_settings(const NodeConfig& config) {
    BusLink::Settings settings;
    settings.node_id = config.node_id;
    settings.registries = config.registries;
    settings.heartbeat_ms = config.heartbeat_ms;
    settings.liveness = config.liveness;
    settings.curve = config.curve;
    settings.cluster_secret = config.cluster_secret;
    return settings;
}

void WsServer::run() {
    bus_.start();
    ev_timer_init(&bus_watch_->due, &wake_timer, 0., 0.);
    bool bus_busy = false;
    while (
        !(stopping_ && (sessions_.empty() || std::chrono::steady_clock::now() >= drain_until_))) {
        watch_bus();
        // One round of waiting and dispatching; lws's callbacks run inside.
        // While the bus still has messages waiting, the round only polls.
        ev_run(loop_, bus_busy ? EVRUN_NOWAIT : EVRUN_ONCE);
        // Whatever that round changed (clients gone, handlers, the local
        // API) reaches the registries before the requests that follow.
        publish_changes({});
        bus_busy = bus_.service();
        // What the turn and the requests queued leaves now, in one write
        // per connection.
        flush_corked();
    }
    bus_.leave();
    unwatch_bus();
}

void WsServer::watch_bus() {
    BusWatch& watch = *bus_watch_;
    if (watch.version != bus_.descriptors_version()) {
        unwatch_bus();
        const std::vector<int> fds = bus_.descriptors();
        watch.sockets.resize(fds.size());
        for (std::size_t i = 0; i < fds.size(); ++i) {
            ev_io_init(&watch.sockets[i], &wake, fds[i], EV_READ);
            ev_io_start(loop_, &watch.sockets[i]);
        }
        watch.version = bus_.descriptors_version();
    }
    ev_timer_stop(loop_, &watch.due);
    if (bus_.left()) return;
    const auto wait = bus_.next_due() - BusLink::Clock::now();
    ev_timer_set(&watch.due, std::max(0.0, std::chrono::duration<double>(wait).count()), 0.);
    ev_timer_start(loop_, &watch.due);
}

void WsServer::unwatch_bus() {
    if (!bus_watch_ || !loop_) return;
    for (ev_io& io : bus_watch_->sockets) ev_io_stop(loop_, &io);
    bus_watch_->sockets.clear();
    ev_timer_stop(loop_, &bus_watch_->due);
    bus_watch_->version = ~std::uint64_t{0};
}

void WsServer::on_bus_request(const BusRequest& request) {
    if (stopping_) return;  // the registries were told we left
    try {
        run_request(request);
    } catch (const std::exception& e) {
        log_error(kComponent, "request " + std::to_string(request.req) + " failed: " + e.what());
    }
}

void WsServer::run_request(const BusRequest& request) {
    // Changes made before this request are not its to have acknowledged.
    publish_changes({});
    counters_.requests.fetch_add(1, std::memory_order_relaxed);
    EventResults results;
    results.reserve(request.events.size());
    // Receipt waits opened by the events: (wait, index of its result).
    std::vector<std::pair<AckLedger::WaitId, std::size_t>> waits;
    for (const auto& event : request.events) {
        const auto& name = bus::event_name(event);
        std::optional<AckLedger::WaitId> wait;
        nlohmann::json result = executor_.run(name, bus::event_params(event), &wait);
        // A batch naming one event twice has one slot for it: the last result.
        const auto same = std::find_if(results.begin(), results.end(),
                                       [&](const auto& entry) { return entry.first == name; });
        const std::size_t slot = static_cast<std::size_t>(same - results.begin());
        if (same != results.end()) {
            same->second = std::move(result);
        } else {
            results.emplace_back(name, std::move(result));
        }
        if (wait) waits.emplace_back(*wait, slot);
    }
    conns_.store(index_.connection_count(), std::memory_order_relaxed);
    // The Directory message goes first: both reach the asking registry on
    // one ordered link, so it knows the seq to wait for when the reply comes.
    const std::uint64_t dseq = publish_changes(request.origin);
    if (waits.empty()) {
        bus_.reply(request, std::move(results), dseq);
        return;
    }
    // Answered when its receipts are in (settle_acks()), maybe at once.
    const std::uint64_t id = next_acked_reply_++;
    AckedReply& pending = acked_replies_[id];
    pending.request = BusRequest{request.registry, request.req, request.origin, nullptr};
    pending.results = std::move(results);
    pending.dseq = dseq;
    pending.waits = waits.size();
    for (const auto& [wait, slot] : waits) ack_slots_[wait] = {id, slot};
    settle_acks();
}

}  // namespace wsc
