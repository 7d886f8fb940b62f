// The broker's part in presence and node loss: the directory's binding
// changes and lost nodes turned into events (Presence decides which this
// registry makes), those events spread down the federation's tree and to
// subscribers, and handed to the webhooks by the one registry that made them.
#include "bus/EventIds.hpp"
#include "bus/Frames.hpp"
#include "bus/Messages.hpp"
#include "common/Log.hpp"
#include "registry/Broker.hpp"

namespace wsc {

namespace {
constexpr const char* kLog = "presence";
}

void Broker::take_directory_changes() {
    Presence::Events events;
    // A node's loss (or restart) before the changes of its next process.
    for (const auto& lost : directory_.take_lost()) {
        log_info(kLog, "node " + lost.node + " lost holding " + std::to_string(lost.conns.size()) +
                           " connection(s)");
        presence_.on_lost(lost, events);
    }
    for (const auto& binding : directory_.take_bindings()) presence_.on_binding(binding, events);
    for (auto& event : events) publish_cluster_event(std::move(event));
}

void Broker::presence_tick() {
    Presence::Uptimes uptimes;
    const auto& topology = federation_->topology();
    for (const auto& registry : reachable_registries()) {
        // Its own age as last advertised, like the others': every registry
        // then judges every other from the same numbers, give or take a flood.
        uptimes[registry] = registry == registry_id_ ? federation_->advertised_up_ms()
                                                     : topology.uptime_ms(registry);
    }
    auto events = presence_.set_registries(uptimes);
    if (!events.empty())
        log_info(kLog, "took over deciding: " + std::to_string(events.size()) +
                           " presence event(s) announced again");
    for (auto& event : events) publish_cluster_event(std::move(event));
    metrics_.users_online.store(presence_.users_online(), std::memory_order_relaxed);
    metrics_.cluster_connections.store(directory_.connections(), std::memory_order_relaxed);
}

void Broker::publish_cluster_event(bus::ClusterEvent event) {
    if (event.event == bus::kEventOnline)
        metrics_.presence_online.fetch_add(1, std::memory_order_relaxed);
    else if (event.event == bus::kEventOffline)
        metrics_.presence_offline.fetch_add(1, std::memory_order_relaxed);
    else
        metrics_.node_lost_closes.fetch_add(1, std::memory_order_relaxed);
    event.root = registry_id_;
    const std::string kind = event.event;
    spread_cluster_event(event, kind);
    report(kind, event.event_line());
}

void Broker::on_cluster_event(const Federation::Source& from, const nlohmann::json& body) {
    if (!federation_->peer_of(from)) throw bus::DecodeError("Event from a link that is not a peer");
    auto event = bus::ClusterEvent::from_json(body);
    if (event.root.empty()) throw bus::DecodeError("Event without root");
    // A copy by another path, or one this registry made itself.
    if (!presence_.on_event(event)) return;
    const std::string kind = event.event;
    spread_cluster_event(event, kind);
}

void Broker::spread_cluster_event(bus::ClusterEvent& event, const std::string& kind) {
    metrics_.cluster_events.fetch_add(1, std::memory_order_relaxed);
    recent_.add(event.event_line());
    const auto children =
        federation_->topology().tree_children(event.root, federation_->live_peers());
    if (!children.empty()) {
        const std::string forwarded = bus::encode(event);
        for (const auto& child : children) federation_->send(child, bus::Command::Event, forwarded);
    }
    if (upstream_.subscribers() == 0) return;
    event.root.clear();
    const std::string out = bus::encode(event);
    upstream_.for_each_recipient(kind, [&](const std::string& identity) {
        if (!bus::send_routed(*router_, identity, bus::Command::Event, out))
            metrics_.upstream_dropped.fetch_add(1, std::memory_order_relaxed);
    });
}

void Broker::report(std::string_view kind, const nlohmann::ordered_json& line) {
    if (!sink_.wants || !sink_.wants(kind)) return;
    sink_.post(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace wsc
