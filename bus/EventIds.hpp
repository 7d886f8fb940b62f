// Event ids (`eid`): a cluster-unique key on every event a subscriber or a
// webhook receives, so that a receiver can drop an event it got twice.
//
// An id is derived from what the event *is*, never drawn at random: two
// registries that make the same event (a presence transition re-announced
// by a new deciding registry after the old one died) give it the same id.
// 24 hex characters: the first 96 bits of SHA-1 over the event's cause.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wsc::bus {

// A node's client event: its number `seq` in the node's process `boot`.
std::string node_event_id(std::string_view node, std::uint64_t boot, std::uint64_t seq);

// What made a connection's state change, as every registry sees it: the
// node's directory message (`boot`, `seq`) that said so, or the node's loss
// (`seq` 0 with lost = true).
struct ChangeCause {
    std::string node;
    std::uint64_t boot = 0;
    std::uint64_t seq = 0;
    bool lost = false;
    std::string conn;

    bool empty() const { return node.empty(); }
};

// The close of a connection whose node was declared lost.
std::string lost_close_id(const ChangeCause& cause);
// A presence transition (`online` / `offline`) of a user, by its cause.
std::string presence_id(std::string_view kind, std::string_view user, const ChangeCause& cause);

}  // namespace wsc::bus
