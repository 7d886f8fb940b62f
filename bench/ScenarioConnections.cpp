// connections: open N idle clients and read what they cost the nodes.
//
// The nodes' resident memory is read before the first connect and again
// after the clients have been idle for --idle_ms; the difference per open
// connection is the figure. Kernel socket buffers are not in RSS.
#include <unistd.h>

#include <optional>

#include "bench/ClientPool.hpp"
#include "bench/Clock.hpp"
#include "bench/ProcStats.hpp"
#include "bench/RunSupport.hpp"
#include "bench/Scenarios.hpp"

namespace wsc::bench {

namespace {

std::optional<long long> total_rss(const std::vector<pid_t>& pids) {
    if (pids.empty()) return std::nullopt;
    long long total = 0;
    for (const pid_t pid : pids) {
        const auto rss = resident_bytes(pid);
        if (!rss) return std::nullopt;
        total += *rss;
    }
    return total;
}

constexpr double kBytesPerMib = 1024.0 * 1024.0;
constexpr double kPercent = 100.0;

}  // namespace

bool run_connections(const BenchArgs& args, Report& report) {
    const auto nodes = args.endpoints("ws");
    const auto pids = node_pids(args);
    report.add("label", args.text("label"));
    report.add("nodes", static_cast<double>(nodes.size()));
    const auto rss0 = total_rss(pids);
    const auto bench_rss0 = resident_bytes(::getpid());
    const auto node_cpu0 = total_cpu_seconds(pids);
    const double cpu0 = self_cpu_seconds();

    ClientPool pool(pool_config(args, nodes));
    const ConnectStats c = open_clients(pool, args, report);
    const double cpu1 = self_cpu_seconds();
    const auto node_cpu1 = total_cpu_seconds(pids);
    report.add("bench_cpu_pct_connecting", c.seconds > 0 ? kPercent * (cpu1 - cpu0) / c.seconds : 0,
               "%", 1);
    if (node_cpu0 && node_cpu1 && !pids.empty() && c.seconds > 0)
        report.add("nodes_cpu_pct_connecting", kPercent * (*node_cpu1 - *node_cpu0) / c.seconds,
                   "%", 1);

    const std::int64_t idle_until = now_ns() + args.integer("idle_ms", 0, 3'600'000) * kNsPerMs;
    pool.serve_until([] { return false; }, idle_until);
    report.add("clients_open_after_idle", static_cast<double>(pool.open_clients()));

    const auto rss1 = total_rss(pids);
    if (rss0 && rss1) {
        report.add("node_rss_before_mib", static_cast<double>(*rss0) / kBytesPerMib, "MiB", 1);
        report.add("node_rss_after_mib", static_cast<double>(*rss1) / kBytesPerMib, "MiB", 1);
        if (c.opened > 0)
            report.add("node_bytes_per_conn",
                       static_cast<double>(*rss1 - *rss0) / static_cast<double>(c.opened), "B");
    } else if (!pids.empty()) {
        report.add("node_rss", "unreadable (check --pids)");
    }
    const auto bench_rss1 = resident_bytes(::getpid());
    if (bench_rss0 && bench_rss1 && c.opened > 0)
        report.add("bench_bytes_per_conn",
                   static_cast<double>(*bench_rss1 - *bench_rss0) / static_cast<double>(c.opened),
                   "B");
    report.add("loadavg", load_average());
    const bool ok = c.opened == pool.size() && pool.open_clients() == pool.size();
    report.add("verified", ok ? "yes" : "NO");
    return ok;
}

}  // namespace wsc::bench
