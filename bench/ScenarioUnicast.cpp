// unicast: sendMessageTo_Id (--event=_id) or sendMessageToId (--event=id,
// each client bound to its own user id first) to one client per call, at a
// fixed rate or as fast as C connections allow; calls/s, HTTP latency and
// delivery latency.
#include "bench/ClientPool.hpp"
#include "bench/RunSupport.hpp"
#include "bench/Scenarios.hpp"
#include "bench/SetupCalls.hpp"

namespace wsc::bench {

bool run_unicast(const BenchArgs& args, Report& report) {
    const auto nodes = args.endpoints("ws");
    const std::string event = args.choice("event", {"_id", "id"});
    const std::string via = args.choice("via", {"http", "bus"});
    if (event == "id" && client_protocol(args) != ClientProtocol::wscenter)
        throw UsageError("--event=id: the peers have no user ids (use --event=_id)");
    const Caller caller = make_caller(args);
    const Pacing pace = pacing(args);
    report.add("label", args.text("label"));
    report.add("via", via == "http" ? "http-" + args.text("method") : via);
    report.add("event", event == "id" ? "sendMessageToId" : "sendMessageTo_Id");
    report.add("nodes", static_cast<double>(nodes.size()));

    ClientPool pool(pool_config(args, nodes));
    open_clients(pool, args, report);
    const auto ids = conn_ids(pool);
    if (event == "id") {
        SetupCalls binds = SetupCalls::bind_users(ids);
        run_setup(args, binds, "binding user ids");
    }

    const PlanSpec spec = plan_spec(args, event == "id" ? PlanKind::user_id : PlanKind::conn_id);
    report.add("size", static_cast<double>(spec.size), "B");
    report.add("rate_calls_per_s", pace.rate);
    report.add("conns", static_cast<double>(pace.concurrency));

    CallPlan plan(spec, ids);
    return run_plan(args, report, pool, plan, caller, pace);
}

}  // namespace wsc::bench
