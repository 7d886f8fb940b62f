// The numbering of a node's interest directory: turns the ConnectionIndex's
// transitions into the Directory messages of bus/PROTOCOL.md ("Routing").
//
// Deltas are numbered `seq` 1, 2, … per boot, so that a registry sees a gap
// (and the heartbeat's dseq tells it how far the node is). A snapshot lists
// everything the node holds as of the current seq, without taking a number
// of its own; snapshots are counted apart (`snap` 1, 2, …). Pure: the lws
// thread's Outbox owns one and sends what it makes.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "bus/Messages.hpp"
#include "wsnode/InterestLog.hpp"

namespace wsc {

class DirectoryFeed {
  public:
    DirectoryFeed(std::string node_id, std::uint64_t boot)
        : node_id_(std::move(node_id)), boot_(boot) {}

    // The next delta; `ack` is the registry to acknowledge it ("" for none).
    bus::Directory delta(InterestChanges changes, std::string ack);
    // Everything held (the additions of `all`) as of the last delta.
    bus::Directory snapshot(InterestChanges all);

    // The seq of the last delta made (0 before the first).
    std::uint64_t seq() const { return seq_; }

  private:
    std::string node_id_;
    std::uint64_t boot_;
    std::uint64_t seq_ = 0;
    std::uint64_t snap_ = 0;
};

}  // namespace wsc
