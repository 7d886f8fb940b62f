// The API callers of the soak test, and what their answers promise.
//
// A lane makes one call at a time, each with a message numbered in the
// lane's own sequence: sends to a connection, a user, a group, everyone and
// the groups of a user, a bind/unbind/send cycle on one connection, a
// join/send/leave cycle through two registries (routing churn), and
// batches of state questions. It records in the ledger which stable
// connections each answer promised the message to, and counts as a
// violation any answer showing that a node lost state (a stable connection,
// its user or its groups) — whatever was killed meanwhile.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/SoakCluster.hpp"
#include "tests/integration/SoakLedger.hpp"

namespace wsc::test {

// The stable clients: node (0 = N0, 1 = N1), user id and groups. They stay
// open the whole run and their bindings never change, except the flip
// client's, which the lanes bind to "uflip" and unbind.
struct StableSpec {
    std::size_t node;
    std::string uid;
    std::vector<std::string> groups;
};
const std::vector<StableSpec>& stable_layout();
inline constexpr std::size_t kFlipClient = 5;
inline constexpr std::size_t kStableNodes = 2;

class SoakDriver {
  public:
    // `conn_ids`: the stable clients' connection ids, in stable_layout() order;
    // `node_ids`: N0's and N1's.
    SoakDriver(const SoakCluster& cluster, SoakLedger& ledger, std::vector<std::string> conn_ids,
               std::vector<std::string> node_ids);

    // Lane 0 calls through R2, lane 1 through R0 or R1, whichever is up.
    // Returns when `stop` is set.
    void run_lane(int lane, const std::atomic<bool>& stop);

    std::size_t calls_ok() const { return calls_ok_; }
    std::size_t calls_refused() const { return calls_refused_; }
    std::size_t calls_failed() const { return calls_failed_; }
    std::size_t timeout_slots() const { return timeout_slots_; }
    std::size_t violation_count() const;
    std::vector<std::string> violations() const;  // the first few

  private:
    std::uint16_t lane_port(int lane, std::mt19937& rng) const;
    void step(std::uint16_t port, int lane, std::uint64_t k, std::uint64_t& seq);
    nlohmann::json call(std::uint16_t port, const nlohmann::json& body);
    nlohmann::json send(std::uint16_t port, const std::string& event, nlohmann::json params,
                        const std::string& msg);
    void promise_members(const std::string& msg, const nlohmann::json& env,
                         const std::string& event, const std::vector<std::size_t>& members);
    void flip(std::uint16_t port, std::size_t pick, const std::string& msg);
    void churn(std::uint16_t port, int lane, std::size_t pick, const std::string& msg);
    void probe(std::uint16_t port, std::size_t i);
    void violation(const std::string& what);

    const SoakCluster& cluster_;
    SoakLedger& ledger_;
    const std::vector<std::string> conn_ids_;
    const std::vector<std::string> node_ids_;

    mutable std::mutex mutex_;
    std::vector<std::string> violations_;  // guarded by mutex_
    std::size_t violation_count_ = 0;      // guarded by mutex_

    std::atomic<std::size_t> calls_ok_{0};
    std::atomic<std::size_t> calls_refused_{0};
    std::atomic<std::size_t> calls_failed_{0};
    std::atomic<std::size_t> timeout_slots_{0};
};

}  // namespace wsc::test
