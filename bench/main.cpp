// wscenter-bench: the load tool of wscenter. Runs one scenario against a
// running cluster (or, for `ceiling` and `floor`, against its own trivial
// server) and prints a human table followed by one JSON line.
#include <csignal>
#include <iostream>

#include "bench/BenchArgs.hpp"
#include "bench/Report.hpp"
#include "bench/Scenarios.hpp"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;
constexpr int kExitUnverified = 3;  // ran, but a check failed (see "verified")

}  // namespace

int main(int argc, char** argv) {
    using namespace wsc::bench;
    std::signal(SIGPIPE, SIG_IGN);  // a closed socket is an error return, not a death
    try {
        const BenchArgs args = BenchArgs::parse(argc, argv);
        if (args.help()) {
            std::cout << BenchArgs::usage();
            return 0;
        }
        Report report(args.scenario());
        bool ok = false;
        if (args.scenario() == "connections") ok = run_connections(args, report);
        if (args.scenario() == "fanout") ok = run_fanout(args, report);
        if (args.scenario() == "unicast") ok = run_unicast(args, report);
        if (args.scenario() == "scaleout") ok = run_scaleout(args, report);
        if (args.scenario() == "ceiling") ok = run_ceiling(args, report);
        if (args.scenario() == "floor") ok = run_floor(args, report);
        std::cout << report.table() << report.json_line() << std::endl;
        return ok ? 0 : kExitUnverified;
    } catch (const UsageError& e) {
        std::cerr << "wscenter-bench: " << e.what() << "\n(see wscenter-bench --help)\n";
        return kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "wscenter-bench: " << e.what() << '\n';
        return kExitFailure;
    }
}
