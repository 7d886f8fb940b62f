// ceiling: the bench against its own trivial server (a forked process that
// writes pre-framed messages as fast as the sockets take them). The rate the
// reader reaches here, and its CPU use, bound what the other scenarios can
// measure: a node's figure well below this ceiling is the node's, not ours.
#include <unistd.h>

#include "bench/ClientPool.hpp"
#include "bench/Clock.hpp"
#include "bench/ProcStats.hpp"
#include "bench/RunSupport.hpp"
#include "bench/Scenarios.hpp"
#include "bench/TrivialServer.hpp"

namespace wsc::bench {

namespace {

constexpr double kPercent = 100.0;
constexpr std::int64_t kMaxBlastNs = 120 * kNsPerSecond;

}  // namespace

bool run_ceiling(const BenchArgs& args, Report& report) {
    TrivialSpec spec;
    spec.clients = static_cast<std::size_t>(args.integer("clients", 1, 10'000'000));
    spec.messages = static_cast<std::uint64_t>(args.integer("messages", 1, 1'000'000'000));
    spec.size = static_cast<std::size_t>(args.integer("size", 1, 1 << 20));
    spec.batch = static_cast<std::size_t>(args.integer("batch", 1, 4096));
    // Fork before any thread exists.
    TrivialServer server(spec);
    report.add("label", args.text("label"));
    report.add("size", static_cast<double>(spec.size), "B");
    report.add("messages_per_client", static_cast<double>(spec.messages));
    report.add("server_batch", static_cast<double>(spec.batch));

    ClientPool pool(pool_config(args, {HostPort{"127.0.0.1", server.port()}}));
    pool.reset_measurements(1);
    const double cpu0 = self_cpu_seconds();
    const auto server_cpu0 = cpu_seconds(server.pid());
    const std::int64_t t0 = now_ns();
    const ConnectStats c = open_clients(pool, args, report);
    const std::int64_t t1 = now_ns();
    const double cpu1 = self_cpu_seconds();
    const std::uint64_t expected = c.opened * spec.messages;
    const bool all = pool.serve_until([&] { return pool.ledger().totals().delivered >= expected; },
                                      now_ns() + kMaxBlastNs);
    const double cpu2 = self_cpu_seconds();
    const auto server_cpu1 = cpu_seconds(server.pid());
    const double blast = seconds_between(t1, pool.last_delivery_ns());

    report.add("bench_cpu_pct_connecting", kPercent * (cpu1 - cpu0) / seconds_between(t0, t1), "%",
               1);
    const LedgerTotals& t = pool.ledger().totals();
    report.add("deliveries_expected", static_cast<double>(expected));
    report.add("deliveries", static_cast<double>(t.delivered));
    report.add("delivery_seconds", blast, "s", 3);
    report.add("deliveries_per_s", blast > 0 ? static_cast<double>(t.delivered) / blast : 0, "/s");
    report.add("mbytes_per_s",
               blast > 0 ? static_cast<double>(pool.counters().bytes) / blast / 1e6 : 0, "MB/s", 1);
    report.add("frames_per_read",
               pool.counters().reads > 0 ? static_cast<double>(pool.counters().frames) /
                                               static_cast<double>(pool.counters().reads)
                                         : 0,
               "", 1);
    report.add("bench_cpu_pct", blast > 0 ? kPercent * (cpu2 - cpu1) / blast : 0, "%", 1);
    report.add("deliveries_per_bench_cpu_s",
               cpu2 > cpu1 ? static_cast<double>(t.delivered) / (cpu2 - cpu1) : 0, "/s");
    if (server_cpu0 && server_cpu1)
        report.add("server_cpu_pct_total",
                   kPercent * (*server_cpu1 - *server_cpu0) / seconds_between(t0, now_ns()), "%",
                   1);
    report.add_latency("e2e", pool.latency());
    std::size_t complete = 0;
    for (std::size_t i = 0; i < pool.size(); ++i)
        if (pool.is_open(i) && pool.ledger().received_by(i) == spec.messages) ++complete;
    report.add("clients_complete", static_cast<double>(complete));
    report.add("out_of_order_or_dup", static_cast<double>(t.behind));
    report.add("skipped", static_cast<double>(t.skipped));
    report.add("loadavg", load_average());
    const bool ok = all && complete == pool.size() && t.behind == 0 && t.skipped == 0;
    report.add("verified", ok ? "yes" : "NO");
    return ok;
}

}  // namespace wsc::bench
