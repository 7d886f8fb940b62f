// scaleout: what one targeted call costs as the cluster grows. The clients
// are spread over the --ws nodes, each bound to its own user id, and the
// first --group_size of them (on different nodes, as far as there are
// nodes) join one group; then one kind of call for --duration:
// sendMessageTo_Id to each client in turn (--event=_id), sendMessageToId to
// each user in turn (id) or sendToGroup to that group (group). Every answer's
// per-node results are checked against where the targets are (--node_ids),
// and the registry's /metrics before and after tell how many bus Requests a
// call cost: one per node it was sent to.
#include <stdexcept>

#include "bench/ClientPool.hpp"
#include "bench/HttpCaller.hpp"
#include "bench/MetricsText.hpp"
#include "bench/NodeSlots.hpp"
#include "bench/RunSupport.hpp"
#include "bench/Scenarios.hpp"
#include "bench/SetupCalls.hpp"

namespace wsc::bench {

namespace {

constexpr const char* kRequestsMetric = "wscenter_bus_requests_total";

double bus_requests_sent(const HostPort& registry) {
    const auto value = metric_value(http_get_body(registry, "/metrics"), kRequestsMetric);
    if (!value) throw std::runtime_error(std::string("/metrics has no ") + kRequestsMetric);
    return *value;
}

PlanKind plan_kind(const std::string& event) {
    if (event == "group") return PlanKind::group;
    return event == "id" ? PlanKind::user_id : PlanKind::conn_id;
}

}  // namespace

bool run_scaleout(const BenchArgs& args, Report& report) {
    const auto nodes = args.endpoints("ws");
    const auto node_ids = args.list("node_ids");
    if (nodes.empty() || node_ids.size() != nodes.size())
        throw UsageError("--node_ids: one node id per --ws endpoint, in the same order");
    if (client_protocol(args) != ClientProtocol::wscenter)
        throw UsageError("scaleout: the peers have no user ids or node slots");
    if (ack_ms(args) > 0) throw UsageError("--ack: unicast and fanout only");
    const std::string event = args.choice("event", {"_id", "id", "group"});
    const HostPort registry = http_endpoint(args);
    const Caller caller = make_caller(args);
    const Pacing pace = pacing(args);
    report.add("label", args.text("label"));
    report.add("via", args.text("via") == "http" ? "http-" + args.text("method") : "bus");
    report.add("event", event == "group" ? "sendToGroup"
                        : event == "id"  ? "sendMessageToId"
                                         : "sendMessageTo_Id");
    report.add("nodes", static_cast<double>(nodes.size()));

    ClientPool pool(pool_config(args, nodes));
    open_clients(pool, args, report);
    const auto ids = conn_ids(pool);
    // Client i is on node i % nodes: the first open clients are on different nodes.
    const auto group_size = static_cast<std::size_t>(args.integer("group_size", 1, 1'000'000));
    std::vector<std::string> members(ids.size());
    NodeCounts group_nodes;
    std::size_t joined = 0;
    for (std::size_t i = 0; i < ids.size() && joined < group_size; ++i) {
        if (ids[i].empty()) continue;
        members[i] = ids[i];
        ++group_nodes[node_ids[i % nodes.size()]];
        ++joined;
    }
    SetupCalls binds = SetupCalls::bind_users(ids);
    run_setup(args, binds, "binding user ids");
    SetupCalls joins = SetupCalls::join_groups(members, 1);
    run_setup(args, joins, "joining the group");
    report.add("group_members", static_cast<double>(joined));
    report.add("group_nodes", static_cast<double>(group_nodes.size()));

    PlanSpec spec = plan_spec(args, plan_kind(event));
    std::uint64_t wrong = 0;  // read once the sender thread is done
    const bool to_group = spec.kind == PlanKind::group;
    spec.check = [&, to_group](const ApiCall& call, std::string_view envelope) {
        const NodeCounts expected =
            to_group ? group_nodes : NodeCounts{{node_ids[call.target % nodes.size()], 1}};
        std::string why = check_node_slots(envelope, call.event, expected);
        if (!why.empty()) ++wrong;
        return why;
    };
    report.add("size", static_cast<double>(spec.size), "B");
    report.add("conns", static_cast<double>(pace.concurrency));

    CallPlan plan(spec, to_group ? members : ids);
    const double requests_before = bus_requests_sent(registry);
    const bool ok = run_plan(args, report, pool, plan, caller, pace);
    const double requests = bus_requests_sent(registry) - requests_before;
    report.add("wrong_results", static_cast<double>(wrong));
    report.add("bus_requests", requests);
    report.add("bus_requests_per_call",
               plan.issued() > 0 ? requests / static_cast<double>(plan.issued()) : 0, "", 2);
    return ok;
}

}  // namespace wsc::bench
