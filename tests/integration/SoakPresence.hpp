// The soak test's presence check: a subscriber at the registry that is never
// killed takes every online/offline event of the run; at the end, for every
// user, the events (copies with the same eid dropped) must alternate —
// online, offline, online… — and end in the state the cluster reports.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/Cluster.hpp"

namespace wsc::test {

class SoakPresence {
  public:
    // Subscribes at `registry`; waits until a probe user's online event,
    // made by binding a connection on `probe_port`, comes through. Throws
    // when it does not within a few seconds.
    void start(const RegistryProc& registry, std::uint16_t probe_port);

    struct Report {
        std::size_t users = 0;
        std::size_t events = 0;
        std::size_t repeats = 0;  // copies with an eid seen already (dropped)
        std::size_t checked = 0;  // users whose final state was asked of the cluster
        std::vector<std::string> problems;
    };
    // Checks what came against the cluster's answers through `http_port`.
    Report check(std::uint16_t http_port);

    void stop();

  private:
    std::unique_ptr<ChildProcess> subscriber_;
    std::unique_ptr<class WsClient> probe_;
};

}  // namespace wsc::test
