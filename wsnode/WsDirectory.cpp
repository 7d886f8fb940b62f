// WsServer: the node's interest directory — the index's changes published
// after every request and every loop turn, and snapshots when a registry
// wants one (bus/PROTOCOL.md, "Routing").
#include "common/Log.hpp"
#include "wsnode/WsServer.hpp"

namespace wsc {

std::uint64_t WsServer::publish_changes(const std::string& origin) {
    if (!index_.has_changes()) return 0;
    InterestChanges changes = index_.take_changes();
    // Only an add is worth waiting for: until a registry knows it, that
    // registry could route a call past the new member. A del late at worst
    // sends an event here in vain.
    std::string ack = changes.has_adds() ? origin : std::string();
    const bool acked = !ack.empty();
    const std::uint64_t seq = bus_.directory(std::move(changes), std::move(ack));
    counters_.directory_deltas.fetch_add(1, std::memory_order_relaxed);
    return acked ? seq : 0;
}

void WsServer::publish_farewell() {
    // Everything held is let go before the node leaves: registries then
    // know its connections ended here (drained), not with a lost node.
    publish_changes({});
    InterestChanges all = index_.everything();
    InterestChanges gone;
    gone.users_del = std::move(all.users_add);
    gone.groups_del = std::move(all.groups_add);
    gone.conns_del = std::move(all.conns_add);
    if (gone.empty()) return;
    bus_.directory(std::move(gone), {});
    counters_.directory_deltas.fetch_add(1, std::memory_order_relaxed);
}

void WsServer::start_anew() {
    std::size_t closed = 0;
    sessions_.for_each([&](Session& session) {
        if (session.gone) return;
        session.blame(bus::kCloseNodeLost);
        session.close_published = true;  // their node_lost close was the last word
        mark_closing(session, LWS_CLOSE_STATUS_GOINGAWAY);
        ++closed;
    });
    // Under the new boot they never existed.
    for (const auto& id : index_.conn_ids()) index_.remove(id);
    index_.take_changes();
    bus_.start_anew();
    log_warn("wsnode", "the cluster declared this node lost: closed " + std::to_string(closed) +
                           " connection(s), starting anew");
}

void WsServer::send_snapshot() {
    // What is not sent yet goes first, so that the snapshot's seq (that of
    // the last delta) covers all it lists.
    publish_changes({});
    bus_.directory_snapshot(index_.everything());
    counters_.directory_snapshots.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace wsc
