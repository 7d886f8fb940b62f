// floor: the clients and fixed broadcast rate of a fanout run, served by the
// bench's trivial server in floor mode instead of wscenter: one thread, each
// round written the moment it is due, one send() per delivery. Its latency is
// the least this machine allows for such a broadcast, with the bench reading
// on the same cores: the floor wscenter's figures are set against. Measured
// and checked as fanout is; "node" CPU here is the trivial server's.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "bench/ClientPool.hpp"
#include "bench/Clock.hpp"
#include "bench/RunSupport.hpp"
#include "bench/Scenarios.hpp"
#include "bench/TrivialServer.hpp"

namespace wsc::bench {

namespace {

// From the start signal to the first round: enough for the server to arm its
// timer, so round 0 is on time like the others.
constexpr std::int64_t kLeadNs = 10 * kNsPerMs;

// Starts the rounds and returns once the last is due, as a paced caller
// returns after its last call.
CallStats run_rounds(TrivialServer& server, const TrivialSpec& spec) {
    CallStats c;
    c.first_send_ns = now_ns() + kLeadNs;
    server.start_rounds(c.first_send_ns);
    c.last_answer_ns =
        c.first_send_ns + static_cast<std::int64_t>(static_cast<double>(spec.rounds - 1) *
                                                    static_cast<double>(kNsPerSecond) / spec.rate);
    std::this_thread::sleep_until(
        std::chrono::steady_clock::time_point(std::chrono::nanoseconds(c.last_answer_ns)));
    c.ok = spec.rounds;
    return c;
}

}  // namespace

bool run_floor(const BenchArgs& args, Report& report) {
    TrivialSpec spec;
    spec.mode = TrivialMode::floor;
    spec.clients = static_cast<std::size_t>(args.integer("clients", 1, 10'000'000));
    spec.size = static_cast<std::size_t>(args.integer("size", 1, 1 << 20));
    spec.rate = args.number("rate", 0, 1e6);
    const double duration = args.number("duration", 0, 3600);
    if (spec.rate <= 0 || duration <= 0)
        throw UsageError("floor: give --rate and --duration, both above 0");
    spec.rounds = std::max<std::uint64_t>(1, std::llround(spec.rate * duration));
    // Fork before any thread exists.
    TrivialServer server(spec);
    report.add("label", args.text("label"));
    report.add("server", "trivial: one thread, one send() per delivery");
    report.add("size", static_cast<double>(spec.size), "B");
    report.add("rate_calls_per_s", spec.rate);
    report.add("rounds", static_cast<double>(spec.rounds));

    ClientPool pool(pool_config(args, {HostPort{"127.0.0.1", server.port()}}));
    open_clients(pool, args, report);
    const auto ids = conn_ids(pool);
    const auto open = static_cast<std::uint64_t>(
        std::count_if(ids.begin(), ids.end(), [](const std::string& id) { return !id.empty(); }));
    report.add("targets_per_call", static_cast<double>(open), "", 1);

    pool.reset_measurements(1);
    const Measured m = run_calls(
        pool, [&] { return run_rounds(server, spec); }, [&] { return open * spec.rounds; },
        settle_time_ns(args), Watched{{server.pid()}, {}});
    return report_deliveries(
        report, pool, open * spec.rounds,
        [&](std::size_t client) { return ids[client].empty() ? 0 : spec.rounds; }, m);
}

}  // namespace wsc::bench
