// RunSupport: the plumbing every scenario shares.
#include "bench/RunSupport.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <stdexcept>
#include <thread>

#include "bench/BusCaller.hpp"
#include "bench/Clock.hpp"
#include "bench/HttpCaller.hpp"
#include "bench/ProcStats.hpp"

namespace wsc::bench {

namespace {

constexpr std::size_t kSetupHttpConns = 8;
constexpr std::size_t kSetupBusWindow = 256;
constexpr double kPercent = 100.0;
constexpr double kUsPerSecond = 1e6;
constexpr std::int64_t kNoDeadline = std::int64_t{1} << 62;

std::string bus_endpoint(const BenchArgs& args) {
    const auto items = args.list("bus");
    if (items.size() != 1) throw UsageError("--bus: give one registry bus endpoint");
    const HostPort hp = parse_host_port(items[0]);
    return "tcp://" + hp.host + ":" + std::to_string(hp.port);
}

std::vector<pid_t> pid_list(const BenchArgs& args, const std::string& key) {
    std::vector<pid_t> out;
    for (const auto& item : args.list(key)) {
        std::size_t end = 0;
        long value = 0;
        try {
            value = std::stol(item, &end);
        } catch (const std::exception&) {
            end = 0;
        }
        if (end != item.size() || value <= 0)
            throw UsageError("--" + key + ": '" + item + "' is not a process id");
        out.push_back(static_cast<pid_t>(value));
    }
    return out;
}

// The CPU seconds of some processes between two readings.
std::optional<double> cpu_delta(const std::vector<pid_t>& pids,
                                const std::optional<double>& before) {
    const auto after = total_cpu_seconds(pids);
    if (pids.empty() || !before || !after) return std::nullopt;
    return *after - *before;
}

// With receipts asked, a call is answered when its target acked: the call
// latency is the ack round trip. True when every accepted call was acked.
bool report_receipts(Report& report, const ClientPool& pool, const CallPlan& plan,
                     const CallStats& c) {
    if (plan.ack_ms() == 0) return true;
    const ReceiptTally& r = plan.receipts();
    const auto count = [](std::uint64_t n) { return static_cast<double>(n); };
    report.add("ack_ms", plan.ack_ms(), "ms");
    report.add("calls_acked", count(r.calls_acked));
    report.add("calls_not_acked", count(r.calls_not_acked));
    if (!r.first_not_acked.empty()) report.add("first_not_acked", r.first_not_acked);
    report.add("acks", count(r.acks));
    report.add("acks_sent_by_clients", count(pool.counters().acks_sent));
    report.add("acked_sends_per_s", c.seconds() > 0 ? count(r.calls_acked) / c.seconds() : 0, "/s");
    report.add_latency("ack_latency", c.latency);
    return r.calls_not_acked == 0;
}

}  // namespace

PoolConfig pool_config(const BenchArgs& args, std::vector<HostPort> nodes) {
    PoolConfig config;
    config.nodes = std::move(nodes);
    config.clients = static_cast<std::size_t>(args.integer("clients", 1, 10'000'000));
    config.sources = static_cast<int>(args.integer("sources", 1, 250));
    config.connect_window = static_cast<std::size_t>(args.integer("connect_window", 1, 100'000));
    config.protocol = client_protocol(args);
    config.acks = ack_ms(args) > 0;
    return config;
}

HostPort http_endpoint(const BenchArgs& args) {
    const auto eps = args.endpoints("http");
    if (eps.size() != 1) throw UsageError("--http: give one registry HTTP API endpoint");
    return eps[0];
}

std::vector<pid_t> node_pids(const BenchArgs& args) {
    return pid_list(args, "pids");
}
std::vector<pid_t> registry_pids(const BenchArgs& args) {
    return pid_list(args, "registry_pids");
}

ClientProtocol client_protocol(const BenchArgs& args) {
    return parse_client_protocol(args.text("protocol"));
}

int ack_ms(const BenchArgs& args) {
    const auto ms = static_cast<int>(args.integer("ack", 0, 3'600'000));
    if (ms > 0 && client_protocol(args) != ClientProtocol::wscenter)
        throw UsageError("--ack: the peers have no delivery receipts (wscenter only)");
    return ms;
}

ConnectStats open_clients(ClientPool& pool, const BenchArgs& args, Report& report) {
    const auto timeout = args.integer("connect_timeout_ms", 1, 3'600'000) * kNsPerMs;
    report.add("protocol", to_string(client_protocol(args)));
    const ConnectStats c = pool.connect_all(now_ns() + timeout);
    report.add("clients", static_cast<double>(pool.size()));
    report.add("clients_open", static_cast<double>(c.opened));
    report.add("clients_failed", static_cast<double>(c.failed));
    if (!c.first_error.empty()) report.add("connect_first_error", c.first_error);
    report.add("connect_seconds", c.seconds, "s", 3);
    report.add("connects_per_s", c.seconds > 0 ? static_cast<double>(c.opened) / c.seconds : 0,
               "/s");
    report.add_latency("connect", c.latency);
    if (c.opened == 0) throw std::runtime_error("no client could connect: " + c.first_error);
    // Servers that subscribe a connection asynchronously may need a moment.
    const std::int64_t warmup_until = now_ns() + args.integer("warmup_ms", 0, 3'600'000) * kNsPerMs;
    pool.serve_until([] { return false; }, warmup_until);
    return c;
}

std::vector<std::string> conn_ids(const ClientPool& pool) {
    std::vector<std::string> out(pool.size());
    for (std::size_t i = 0; i < pool.size(); ++i) out[i] = pool.conn_id(i);
    return out;
}

Caller make_caller(const BenchArgs& args) {
    const ClientProtocol protocol = client_protocol(args);
    if (args.choice("via", {"http", "bus"}) == "bus") {
        if (protocol != ClientProtocol::wscenter)
            throw UsageError("--via=bus: only wscenter has the bus; peers are called over HTTP");
        BusCaller caller(bus_endpoint(args));
        return [caller](CallSource& s, const Pacing& p) mutable { return caller.run(s, p); };
    }
    HttpDialect dialect = args.choice("method", {"get", "post"}) == "post" ? HttpDialect::api_post
                                                                           : HttpDialect::api_get;
    if (protocol == ClientProtocol::pushpin) dialect = HttpDialect::pushpin_publish;
    HttpCaller caller(http_endpoint(args), dialect);
    return [caller](CallSource& s, const Pacing& p) mutable { return caller.run(s, p); };
}

std::size_t plan_lanes(const BenchArgs& args) {
    return args.text("via") == "bus" ? 1 : static_cast<std::size_t>(args.integer("conns", 1, 4096));
}

Pacing pacing(const BenchArgs& args) {
    Pacing p;
    p.concurrency = static_cast<std::size_t>(args.integer("conns", 1, 100'000));
    p.rate = args.number("rate", 0, 1e9);
    return p;
}

PlanSpec plan_spec(const BenchArgs& args, PlanKind kind) {
    PlanSpec spec;
    spec.kind = kind;
    spec.lanes = plan_lanes(args);
    spec.size = static_cast<std::size_t>(args.integer("size", 1, 1 << 20));
    spec.ack_ms = ack_ms(args);
    const double duration = args.number("duration", 0, 3600);
    spec.max_calls = duration > 0 ? 0 : static_cast<std::uint64_t>(args.integer("calls", 1, 1e9));
    spec.stop_ns = duration > 0 ? now_ns() + static_cast<std::int64_t>(duration * kNsPerSecond) : 0;
    return spec;
}

std::int64_t settle_time_ns(const BenchArgs& args) {
    return args.integer("settle_ms", 0, 3'600'000) * kNsPerMs;
}

void run_setup(const BenchArgs& args, CallSource& calls, const std::string& what) {
    Pacing p;
    p.concurrency = args.text("via") == "bus" ? kSetupBusWindow : kSetupHttpConns;
    const CallStats stats = make_caller(args)(calls, p);
    if (stats.failed != 0)
        throw std::runtime_error(what + ": " + std::to_string(stats.failed) +
                                 " setup calls failed, first: " + stats.first_error);
}

Measured run_calls(ClientPool& pool, const std::function<CallStats()>& send,
                   const std::function<std::uint64_t()>& expected_total, std::int64_t settle_ns,
                   const Watched& watched) {
    Measured m;
    const auto node0 = total_cpu_seconds(watched.nodes);
    const auto registry0 = total_cpu_seconds(watched.registries);
    const double cpu0 = self_cpu_seconds();
    const double reader0 = thread_cpu_seconds();
    const std::int64_t t0 = now_ns();
    std::atomic<bool> sent{false};
    std::exception_ptr error;
    std::thread sender([&] {
        try {
            m.calls = send();
        } catch (...) {
            error = std::current_exception();
        }
        sent.store(true, std::memory_order_release);
    });
    pool.serve_until([&] { return sent.load(std::memory_order_acquire); }, kNoDeadline);
    sender.join();
    if (error) std::rethrow_exception(error);
    // Late deliveries keep coming while the nodes work through their queues:
    // wait as long as there is progress, and settle_ns after the last one.
    const std::uint64_t expected = expected_total();
    const std::int64_t sent_ns = now_ns();
    pool.serve_until(
        [&] {
            if (pool.ledger().totals().delivered >= expected) return true;
            return now_ns() - std::max(sent_ns, pool.last_delivery_ns()) > settle_ns;
        },
        kNoDeadline);
    m.all_delivered = pool.ledger().totals().delivered >= expected;
    m.wall_seconds = seconds_between(t0, now_ns());
    m.bench_cpu_seconds = self_cpu_seconds() - cpu0;
    m.reader_cpu_seconds = thread_cpu_seconds() - reader0;
    m.node_cpu_seconds = cpu_delta(watched.nodes, node0);
    m.registry_cpu_seconds = cpu_delta(watched.registries, registry0);
    return m;
}

bool report_run(Report& report, const ClientPool& pool, const CallPlan& plan, const Measured& m) {
    const CallStats& c = m.calls;
    report.add("calls_ok", static_cast<double>(c.ok));
    report.add("calls_failed", static_cast<double>(c.failed));
    if (!c.first_error.empty()) report.add("calls_first_error", c.first_error);
    report.add("calls_late", static_cast<double>(c.late));
    report.add("call_seconds", c.seconds(), "s", 3);
    report.add("calls_per_s", c.seconds() > 0 ? static_cast<double>(c.ok) / c.seconds() : 0, "/s");
    report.add_latency("call", c.latency);
    const bool acked = report_receipts(report, pool, plan, c);
    return report_deliveries(
        report, pool, plan.expected_total(),
        [&](std::size_t client) { return plan.expected_for(client); }, m, acked);
}

bool report_deliveries(Report& report, const ClientPool& pool, std::uint64_t expected,
                       const std::function<std::uint64_t(std::size_t)>& expected_for,
                       const Measured& m, bool calls_ok) {
    const CallStats& c = m.calls;
    const LedgerTotals& t = pool.ledger().totals();
    const double delivery_seconds = pool.last_delivery_ns() > c.first_send_ns
                                        ? seconds_between(c.first_send_ns, pool.last_delivery_ns())
                                        : 0.0;
    report.add("deliveries_expected", static_cast<double>(expected));
    report.add("deliveries", static_cast<double>(t.delivered));
    report.add("delivery_seconds", delivery_seconds, "s", 3);
    report.add("deliveries_per_s",
               delivery_seconds > 0 ? static_cast<double>(t.delivered) / delivery_seconds : 0,
               "/s");
    report.add_latency("e2e", pool.latency());

    std::size_t clients_ok = 0;
    std::size_t closed = 0;
    for (std::size_t i = 0; i < pool.size(); ++i) {
        const std::uint64_t want = expected_for(i);
        if (!pool.is_open(i)) {
            closed += want > 0 ? 1 : 0;
            continue;
        }
        if (pool.ledger().received_by(i) == want) ++clients_ok;
    }
    report.add("clients_complete", static_cast<double>(clients_ok));
    report.add("clients_closed_in_run", static_cast<double>(closed));
    report.add("out_of_order_or_dup", static_cast<double>(t.behind));
    report.add("skipped", static_cast<double>(t.skipped));
    const bool verified = m.all_delivered && t.delivered == expected && t.behind == 0 &&
                          t.skipped == 0 && t.bad_stream == 0 && closed == 0 && c.failed == 0 &&
                          calls_ok;
    report.add("verified", verified ? "yes" : "NO");
    report.add("server_closes", static_cast<double>(pool.counters().server_closes));
    report.add("protocol_errors", static_cast<double>(pool.counters().protocol_errors));
    report.add("frames_per_read",
               pool.counters().reads > 0 ? static_cast<double>(pool.counters().frames) /
                                               static_cast<double>(pool.counters().reads)
                                         : 0,
               "", 1);
    report.add("wall_seconds", m.wall_seconds, "s", 3);
    report.add("bench_cpu_pct", kPercent * m.bench_cpu_seconds / m.wall_seconds, "%", 1);
    report.add("reader_cpu_pct", kPercent * m.reader_cpu_seconds / m.wall_seconds, "%", 1);
    if (m.node_cpu_seconds) {
        report.add("nodes_cpu_pct", kPercent * *m.node_cpu_seconds / m.wall_seconds, "%", 1);
        // The cost of a delivery, whatever the rate: comparable across runs and servers.
        if (t.delivered > 0)
            report.add("node_cpu_us_per_delivery",
                       *m.node_cpu_seconds * kUsPerSecond / static_cast<double>(t.delivered), "us",
                       2);
    }
    if (m.registry_cpu_seconds)
        report.add("registries_cpu_pct", kPercent * *m.registry_cpu_seconds / m.wall_seconds, "%",
                   1);
    report.add("loadavg", load_average());
    return verified;
}

bool run_plan(const BenchArgs& args, Report& report, ClientPool& pool, CallPlan& plan,
              const Caller& caller, const Pacing& pace) {
    pool.reset_measurements(plan.streams());
    const Measured m = run_calls(
        pool, [&] { return caller(plan, pace); }, [&] { return plan.expected_total(); },
        settle_time_ns(args), Watched{node_pids(args), registry_pids(args)});
    return report_run(report, pool, plan, m);
}

}  // namespace wsc::bench
