// fanout: N clients over the given nodes; broadcasts or group sends of
// S-byte messages through the HTTP API or the bus; deliveries per second,
// end-to-end latency, and every client got every message once, in order.
#include "bench/ClientPool.hpp"
#include "bench/RunSupport.hpp"
#include "bench/Scenarios.hpp"
#include "bench/SetupCalls.hpp"

namespace wsc::bench {

bool run_fanout(const BenchArgs& args, Report& report) {
    const auto nodes = args.endpoints("ws");
    const std::string event = args.choice("event", {"broadcast", "group"});
    const std::string via = args.choice("via", {"http", "bus"});
    if (event == "group" && client_protocol(args) == ClientProtocol::pushpin)
        throw UsageError("--event=group: the Pushpin peer has no group join (broadcast only)");
    const Caller caller = make_caller(args);
    const Pacing pace = pacing(args);
    report.add("label", args.text("label"));
    report.add("via", via == "http" ? "http-" + args.text("method") : via);
    report.add("event", event);
    report.add("nodes", static_cast<double>(nodes.size()));

    ClientPool pool(pool_config(args, nodes));
    open_clients(pool, args, report);
    const auto ids = conn_ids(pool);

    const auto groups = static_cast<std::size_t>(args.integer("groups", 1, 1'000'000));
    if (event == "group") {
        SetupCalls joins = SetupCalls::join_groups(ids, groups);
        run_setup(args, joins, "joining groups");
        report.add("groups", static_cast<double>(groups));
    }
    PlanSpec spec = plan_spec(args, event == "group" ? PlanKind::group : PlanKind::broadcast);
    spec.groups = groups;
    report.add("size", static_cast<double>(spec.size), "B");
    report.add("rate_calls_per_s", pace.rate);
    report.add("conns", static_cast<double>(pace.concurrency));

    CallPlan plan(spec, ids);
    report.add("targets_per_call", plan.targets_per_call(), "", 1);
    return run_plan(args, report, pool, plan, caller, pace);
}

}  // namespace wsc::bench
