// How long a silent bus link stays alive: `intervals` heartbeat intervals.
//
// Every link of the bus — node to registry, registry to registry, a
// subscriber's lease, a challenge's nonce — expires after the same silence,
// computed here once.
#pragma once

#include <algorithm>
#include <chrono>

#include "bus/Protocol.hpp"

namespace wsc::bus {

struct Liveness {
    std::chrono::milliseconds interval{kDefaultHeartbeatMs};
    int intervals = kDefaultLiveness;

    // The silence after which a link is dead.
    std::chrono::milliseconds expiry() const { return interval * intervals; }
    // How long a subscription lasts unless renewed. Subscribers renew every
    // kSubscriptionRenewalMs whatever the registry's heartbeat, so a lease
    // never ends before `intervals` of their renewals could have come.
    std::chrono::milliseconds subscription_lease() const {
        return std::max(expiry(), std::chrono::milliseconds(kSubscriptionRenewalMs) * intervals);
    }
};

}  // namespace wsc::bus
