#include "tests/integration/SoakCluster.hpp"

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "tests/support/WaitUntil.hpp"

namespace wsc::test {

namespace {

using namespace std::chrono_literals;

constexpr auto kRegistryDowntime = 2s;  // long enough for every link to notice
constexpr auto kNodeDowntime = 1s;
constexpr auto kRestartAttempts = 15s;  // the old bus port may stay busy briefly
constexpr auto kStopGrace = 10s;
constexpr int kExitOk = 0;
// ASan keeps freed memory in a quarantine of 256 MB by default: RSS would
// climb towards it for the whole run and hide a real trend. The children
// get a small one (the test process keeps the default).
constexpr const char* kChildAsanOptions =
    "quarantine_size_mb=16:thread_local_quarantine_size_kb=256";
// Lines a sanitizer writes when it finds something.
const std::vector<std::string> kSanitizerMarks = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                                  "runtime error:", "WARNING: ThreadSanitizer"};
// A soak logs a lot: one line per call at debug level.
const Flags kQuiet{{"log.level", "info"}};

}  // namespace

void SoakCluster::set_child_asan_options() {
    const char* current = std::getenv("ASAN_OPTIONS");
    const std::string opts = current && *current ? std::string(current) + ":" : "";
    ::setenv("ASAN_OPTIONS", (opts + kChildAsanOptions).c_str(), 1);
}

long SoakCluster::rss_kb(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    const std::string key = "VmRSS:";
    while (std::getline(in, line))
        if (line.rfind(key, 0) == 0) return std::stol(line.substr(key.size()));
    return -1;
}

void SoakCluster::start() {
    regs_.push_back(start_registry({}, kQuiet));
    regs_.push_back(start_registry({regs_[0].bus_port}, kQuiet));
    regs_.push_back(start_registry({regs_[0].bus_port, regs_[1].bus_port}, kQuiet));
    nodes_.push_back(start_wsnode({regs_[0].bus_port, regs_[1].bus_port}, kQuiet));
    nodes_.push_back(start_wsnode({regs_[1].bus_port, regs_[2].bus_port}, kQuiet));
    nodes_.push_back(start_wsnode(churn_node_registries(), kQuiet));
    for (std::size_t r = 0; r < kRegistries; ++r) http_[r] = regs_[r].http_port;
    for (std::size_t n = 0; n < kNodes; ++n) ws_[n] = nodes_[n].ws_port;
}

std::vector<std::uint16_t> SoakCluster::churn_node_registries() const {
    return {regs_[2].bus_port, regs_[0].bus_port};
}

bool SoakCluster::settled() const {
    IdSet live;
    for (const auto& n : nodes_) live.insert(n.node_id);
    for (const auto& r : regs_)
        if (master_ids(r.http_port) != live) return false;
    return true;
}

void SoakCluster::restart_registry(std::size_t r) {
    if (r == kSafeRegistry) throw std::logic_error("R2 is the registry that stays up");
    const auto bus_port = regs_[r].bus_port;
    http_[r] = 0;
    regs_[r].proc->signal(SIGKILL);
    if (!regs_[r].proc->wait_exit(kStopGrace)) throw std::runtime_error("SIGKILL did not kill");
    retired_.push_back(std::move(regs_[r].proc));
    std::this_thread::sleep_for(kRegistryDowntime);
    std::vector<std::uint16_t> peers;  // as at the start: R1 dials R0
    for (std::size_t p = 0; p < r; ++p) peers.push_back(regs_[p].bus_port);
    Flags flags = kQuiet;
    flags["registry.bus_port"] = std::to_string(bus_port);
    std::string error;
    const bool up = wait_until(
        [&] {
            try {
                regs_[r] = start_registry(peers, flags);
                return true;
            } catch (const std::exception& e) {
                error = e.what();
                return false;
            }
        },
        kRestartAttempts);
    if (!up) throw std::runtime_error("R" + std::to_string(r) + " did not restart: " + error);
    http_[r] = regs_[r].http_port;
    ++registry_restarts_;
}

void SoakCluster::restart_churn_node() {
    ws_[kChurnNode] = 0;
    nodes_[kChurnNode].proc->signal(SIGKILL);
    if (!nodes_[kChurnNode].proc->wait_exit(kStopGrace))
        throw std::runtime_error("SIGKILL did not kill");
    retired_.push_back(std::move(nodes_[kChurnNode].proc));
    std::this_thread::sleep_for(kNodeDowntime);
    nodes_[kChurnNode] = start_wsnode(churn_node_registries(), kQuiet);
    ws_[kChurnNode] = nodes_[kChurnNode].ws_port;
    ++node_restarts_;
}

std::vector<std::pair<std::string, pid_t>> SoakCluster::long_lived() const {
    return {{"R2", regs_[kSafeRegistry].proc->pid()},
            {"N0", nodes_[0].proc->pid()},
            {"N1", nodes_[1].proc->pid()}};
}

std::vector<std::string> SoakCluster::stop_all() {
    std::vector<std::string> problems;
    std::vector<ChildProcess*> live;
    for (auto& r : regs_) live.push_back(r.proc.get());
    for (auto& n : nodes_) live.push_back(n.proc.get());
    for (auto* p : live) {
        if (!p->running())
            problems.push_back("pid " + std::to_string(p->pid()) + " died; log " +
                               p->stderr_path());
        const int status = p->stop(kStopGrace);
        if (status != kExitOk)
            problems.push_back("pid " + std::to_string(p->pid()) + " exited " +
                               std::to_string(status) + " on SIGTERM; log " + p->stderr_path());
    }
    for (auto& r : regs_) http_[&r - regs_.data()] = 0;
    for (auto& n : nodes_) ws_[&n - nodes_.data()] = 0;
    return problems;
}

std::vector<std::string> SoakCluster::sanitizer_reports() const {
    std::vector<const ChildProcess*> all;
    for (const auto& r : regs_) all.push_back(r.proc.get());
    for (const auto& n : nodes_) all.push_back(n.proc.get());
    for (const auto& p : retired_) all.push_back(p.get());
    std::vector<std::string> reports;
    for (const auto* p : all) {
        const std::string log = p->stderr_text();
        for (const auto& mark : kSanitizerMarks)
            if (log.find(mark) != std::string::npos)
                reports.push_back(mark + " in " + p->stderr_path());
    }
    return reports;
}

}  // namespace wsc::test
