// WsServer: the node's interest directory — the index's changes published
// after every request and every loop turn, and snapshots when a registry
// wants one (bus/PROTOCOL.md, "Routing").
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

void WsServer::send_snapshot() {
    // What is not sent yet goes first, so that the snapshot's seq (that of
    // the last delta) covers all it lists.
    publish_changes({});
    bus_.directory_snapshot(index_.user_ids(), index_.group_ids());
    counters_.directory_snapshots.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace wsc
