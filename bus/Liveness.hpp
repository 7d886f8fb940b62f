// How long a silent bus link stays alive: `intervals` heartbeat intervals.
//
// Every link of the bus — node to registry, registry to registry, a
// subscriber's lease, a challenge's nonce — expires after the same silence,
// computed here once.
#pragma once

#include <chrono>

#include "bus/Protocol.hpp"

namespace wsc::bus {

struct Liveness {
    std::chrono::milliseconds interval{kDefaultHeartbeatMs};
    int intervals = kDefaultLiveness;

    // The silence after which a link (or lease) is dead.
    std::chrono::milliseconds expiry() const { return interval * intervals; }
};

}  // namespace wsc::bus
