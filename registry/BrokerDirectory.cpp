// The broker's part in the routing directory: directory changes from nodes
// and peers, snapshots asked when changes are missing, and the
// acknowledgements an API call that added interests waits for.
#include <optional>

#include "bus/Frames.hpp"
#include "bus/Messages.hpp"
#include "common/Log.hpp"
#include "registry/Broker.hpp"
#include "registry/RoundTargets.hpp"

namespace wsc {

std::vector<std::string> Broker::targets(const nlohmann::json& events, const RouteTable& table) {
    // `table` is routes()'s, whose node list is cached beside it.
    std::optional<LiveNodes> other;
    if (&table != &route_cache_.table) {
        std::vector<std::string> ids;
        for (const auto& [node, route] : table) ids.push_back(node);
        other.emplace(std::move(ids));
    }
    const LiveNodes& live = other ? *other : *route_cache_.live;
    auto chosen = round_targets(events, live, directory_);
    for (const auto& event : events)
        metrics_.api.record_routing(bus::event_name(event), chosen.size(),
                                    table.size() - chosen.size());
    return chosen;
}

bool Broker::directory_settled(const std::string& node, std::uint64_t dseq) {
    return directory_acks_.settled(node, dseq, reachable_registries());
}

const std::set<std::string>& Broker::reachable_registries() {
    const auto generation = federation_->generation();
    if (reachable_cache_.generation != generation) {
        reachable_cache_.registries = federation_->topology().reachable(federation_->live_peers());
        reachable_cache_.generation = generation;
    }
    return reachable_cache_.registries;
}

void Broker::directory_unsettled() {
    metrics_.directory_unsettled.fetch_add(1, std::memory_order_relaxed);
}

void Broker::on_directory(const bus::Incoming& in, const Federation::Source& from,
                          const nlohmann::json& body) {
    const auto message = bus::Directory::from_json(body);
    if (!speaks_for(in, from, message.node)) {
        ignore_unproven(
            in, "directory of node '" + message.node + "' from a link that does not speak for it");
        return;
    }
    metrics_.directory_messages.fetch_add(1, std::memory_order_relaxed);
    const auto applied = directory_.apply(message, Clock::now());
    if (applied.fresh) {
        // On to every other registry, unchanged: each applies it itself.
        federation_->flood(&from, bus::Command::Directory, in.body);
        if (!message.ack.empty()) {
            // Seen here (applied, or kept until a snapshot, when routing
            // sends this node everything anyway): the waiting call may go on
            // as far as this registry is concerned.
            const bus::DirectoryAck ack{registry_id_, message.node, message.boot, message.seq};
            directory_acks_.record(ack);
            if (message.ack != registry_id_)
                federation_->flood(nullptr, bus::Command::DirectoryAck, bus::encode(ack));
        }
    }
    if (applied.want) want_snapshot(message.node);
    take_directory_changes();
    dispatch_.directory_progress();
}

void Broker::on_directory_want(const Federation::Source& from, const nlohmann::json& body) {
    if (!federation_->peer_of(from))
        throw bus::DecodeError("DirectoryWant from a link that is not a peer");
    const auto want = bus::DirectoryWant::from_json(body);
    auto& seen = wants_seen_[want.origin];
    if (want.seq <= seen) return;  // came by another path already
    seen = want.seq;
    federation_->flood(&from, bus::Command::DirectoryWant, bus::encode(want));
    if (const auto* entry = nodes_.find(want.node))
        bus::send_routed(*router_, entry->route, bus::Command::DirectoryWant, bus::encode(want));
}

void Broker::on_directory_ack(const Federation::Source& from, const nlohmann::json& body) {
    if (!federation_->peer_of(from))
        throw bus::DecodeError("DirectoryAck from a link that is not a peer");
    const auto ack = bus::DirectoryAck::from_json(body);
    if (!directory_acks_.record(ack)) return;
    federation_->flood(&from, bus::Command::DirectoryAck, bus::encode(ack));
    dispatch_.directory_progress();
}

void Broker::check_directory(const std::string& route, const bus::NodeHello& hello) {
    if (directory_.was_lost(hello.node, hello.boot)) {
        // Its connections were reported closed: it closes them and starts
        // anew (asked again at each hello until it has).
        log_info("directory", "node " + hello.node + " was reported lost: told to start anew");
        bus::send_routed(*router_, route, bus::Command::NodeLost,
                         bus::encode(bus::NodeLost{hello.node, hello.boot}));
    }
    const bool want = directory_.check_exact(hello.node, hello.boot, hello.dseq, Clock::now());
    take_directory_changes();  // a new boot: what the old process held is lost
    if (!want) return;
    metrics_.directory_wants.fetch_add(1, std::memory_order_relaxed);
    bus::send_routed(*router_, route, bus::Command::DirectoryWant,
                     bus::encode(bus::DirectoryWant{hello.node, registry_id_, ++want_seq_}));
}

void Broker::want_snapshot(const std::string& node) {
    metrics_.directory_wants.fetch_add(1, std::memory_order_relaxed);
    const std::string want = bus::encode(bus::DirectoryWant{node, registry_id_, ++want_seq_});
    if (const auto* entry = nodes_.find(node)) {
        bus::send_routed(*router_, entry->route, bus::Command::DirectoryWant, want);
        return;
    }
    federation_->flood(nullptr, bus::Command::DirectoryWant, want);
}

void Broker::directory_tick(Clock::time_point now) {
    const auto local = local_nodes();
    const auto infos = federation_->topology().node_infos(local, federation_->live_peers());
    std::set<std::string> live;
    for (const auto& [node, info] : infos) {
        live.insert(node);
        // Our own nodes are checked exactly at each of their heartbeats.
        if (local.count(node) == 0 && directory_.check_lagging(node, info.boot, info.dseq, now))
            want_snapshot(node);
    }
    directory_.retain(live, now);
    directory_acks_.retain(live);
    take_directory_changes();
    presence_tick();
    // Registry ids are drawn per process: forget the wants of those gone.
    const auto& registries = reachable_registries();
    std::erase_if(wants_seen_, [&](const auto& item) { return registries.count(item.first) == 0; });
    metrics_.directory_nodes.store(directory_.size(), std::memory_order_relaxed);
    metrics_.directory_synced.store(directory_.synced_nodes(), std::memory_order_relaxed);
}

}  // namespace wsc
