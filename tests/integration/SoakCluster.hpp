// The processes of the soak test: three registries in a triangle and three
// wsnodes, with the kills and restarts the test inflicts on them.
//
// R0, R1, R2 form a triangle (R1 dials R0, R2 dials both). N0 is joined to R0
// and R1, N1 to R1 and R2: each survives the loss of one registry. N2 (R2 and
// R0) is the node that gets killed. R0 and R1 get killed and restarted on
// their bus port; R2, N0 and N1 live the whole run.
//
// Processes are started, killed and stopped from the test's main thread
// only (a child dies with the thread that started it); the current HTTP and
// WebSocket ports are atomics that any thread may read, 0 while down.
#pragma once

#include <sys/types.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/Cluster.hpp"
#include "tests/integration/FederationSupport.hpp"

namespace wsc::test {

class SoakCluster {
  public:
    static constexpr std::size_t kRegistries = 3;
    static constexpr std::size_t kNodes = 3;
    static constexpr std::size_t kSafeRegistry = 2;  // never killed
    static constexpr std::size_t kChurnNode = 2;     // the node that gets killed

    // Adds small-quarantine ASan options to the environment the children
    // inherit; call before any thread starts (setenv is not thread-safe).
    static void set_child_asan_options();
    // VmRSS of a process in kB, -1 if unknown.
    static long rss_kb(pid_t pid);

    // Starts everything; throws when a process does not come up.
    void start();
    bool settled() const;  // every registry lists exactly the live nodes

    // SIGKILL, a pause, then a new process on the same bus port.
    void restart_registry(std::size_t r);
    // SIGKILL, a pause, then a new node (new id and port) on the same registries.
    void restart_churn_node();

    std::uint16_t http(std::size_t r) const { return http_[r]; }
    // The registry's process (main thread only; replaced on a restart).
    const RegistryProc& registry(std::size_t r) const { return regs_[r]; }
    std::uint16_t ws(std::size_t n) const { return ws_[n]; }
    const NodeProc& node(std::size_t n) const { return nodes_[n]; }
    int registry_restarts() const { return registry_restarts_; }
    int node_restarts() const { return node_restarts_; }

    // The processes that are never killed, by name.
    std::vector<std::pair<std::string, pid_t>> long_lived() const;
    // Problems of the running processes: any not running, or not exiting 0
    // on SIGTERM. Stops them all.
    std::vector<std::string> stop_all();
    // Sanitizer reports in the log of any process, killed ones included.
    std::vector<std::string> sanitizer_reports() const;

  private:
    std::vector<std::uint16_t> churn_node_registries() const;

    std::vector<RegistryProc> regs_;
    std::vector<NodeProc> nodes_;
    std::vector<std::unique_ptr<ChildProcess>> retired_;  // killed, kept for their logs
    std::array<std::atomic<std::uint16_t>, kRegistries> http_{};
    std::array<std::atomic<std::uint16_t>, kNodes> ws_{};
    int registry_restarts_ = 0;
    int node_restarts_ = 0;
};

}  // namespace wsc::test
