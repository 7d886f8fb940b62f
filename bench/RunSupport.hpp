// What the scenarios share: building the client pool from the options,
// choosing the caller (HTTP or bus), running calls on a thread while the
// pool reads, and reporting connection and delivery figures.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bench/BenchArgs.hpp"
#include "bench/CallPlan.hpp"
#include "bench/CallStats.hpp"
#include "bench/ClientPool.hpp"
#include "bench/Report.hpp"

namespace wsc::bench {

PoolConfig pool_config(const BenchArgs& args, std::vector<HostPort> nodes);
// --http: the one registry HTTP API endpoint.
HostPort http_endpoint(const BenchArgs& args);
std::vector<pid_t> node_pids(const BenchArgs& args);
std::vector<pid_t> registry_pids(const BenchArgs& args);

// --protocol: what the clients speak and how calls are written.
ClientProtocol client_protocol(const BenchArgs& args);
// --ack: ms a send waits for delivery receipts, 0 = off; a UsageError with
// the peers, which have none.
int ack_ms(const BenchArgs& args);

// Opens the pool's clients and adds the connect figures to the report, then
// waits --warmup_ms.
ConnectStats open_clients(ClientPool& pool, const BenchArgs& args, Report& report);
// Connection ids of the open clients, "" for the others.
std::vector<std::string> conn_ids(const ClientPool& pool);

using Caller = std::function<CallStats(CallSource&, const Pacing&)>;
// --via=http (with --http, --method) or --via=bus (with --bus).
Caller make_caller(const BenchArgs& args);
// Concurrent senders the CallPlan needs: HTTP connections, or 1 on the bus.
std::size_t plan_lanes(const BenchArgs& args);
Pacing pacing(const BenchArgs& args);
// A plan of `kind` with plan_lanes(), --size, --ack and --duration (from
// now: make it after any setup calls) or else --calls.
PlanSpec plan_spec(const BenchArgs& args, PlanKind kind);

// Sends setup calls as fast as allowed; throws if any fails.
void run_setup(const BenchArgs& args, CallSource& calls, const std::string& what);

struct Measured {
    CallStats calls;
    double wall_seconds = 0;        // first call to the end of settling
    double bench_cpu_seconds = 0;   // this process, all threads
    double reader_cpu_seconds = 0;  // the thread reading the WebSocket clients
    std::optional<double> node_cpu_seconds;
    std::optional<double> registry_cpu_seconds;
    bool all_delivered = false;
};

// The processes whose CPU a run reads: the servers holding the clients (the
// wsnodes, or the bench's own trivial server) and the registries.
struct Watched {
    std::vector<pid_t> nodes;
    std::vector<pid_t> registries;
};

// --settle_ms in ns.
std::int64_t settle_time_ns(const BenchArgs& args);

// Runs `send` on a thread while the pool serves reads, then keeps serving
// until expected_total() deliveries arrived or none came for settle_ns.
Measured run_calls(ClientPool& pool, const std::function<CallStats()>& send,
                   const std::function<std::uint64_t()>& expected_total, std::int64_t settle_ns,
                   const Watched& watched);

// Calls, receipts (when the plan asks for them), deliveries, latency, CPU and
// the order/once verification. Returns whether every open client got every
// message once, in order, and every call was acked where receipts were asked.
bool report_run(Report& report, const ClientPool& pool, const CallPlan& plan, const Measured& m);

// report_run() without the calls: deliveries since m.calls.first_send_ns,
// latency, CPU (node CPU per delivery where m has it) and the check that
// each client got expected_for(client) messages once, in order (and
// calls_ok: the caller's own checks of the calls passed).
bool report_deliveries(Report& report, const ClientPool& pool, std::uint64_t expected,
                       const std::function<std::uint64_t(std::size_t)>& expected_for,
                       const Measured& m, bool calls_ok = true);

// The timed part every call scenario shares: fresh measurements, the plan's
// calls sent by `caller` at `pace` (run_calls, settling for --settle_ms),
// then report_run().
bool run_plan(const BenchArgs& args, Report& report, ClientPool& pool, CallPlan& plan,
              const Caller& caller, const Pacing& pace);

}  // namespace wsc::bench
