// Integration tests of federation under faults (SPEC §3) on real processes.
//
// Processes are killed (SIGKILL), frozen (SIGSTOP) and restarted while the
// tests watch from the surviving registries: dead nodes and registries leave
// master_ids within the liveness bound, survivors stay reachable and keep
// their state, restarts heal by themselves, calls always end by their
// timeout, and a hostile peer speaking garbage on the bus changes nothing.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "bus/Frames.hpp"
#include "bus/MsgpackJson.hpp"
#include "bus/Protocol.hpp"
#include "tests/integration/Cluster.hpp"
#include "tests/integration/FederationFixture.hpp"
#include "tests/integration/FederationSupport.hpp"
#include "tests/support/HttpClient.hpp"
#include "tests/support/WaitUntil.hpp"
#include "tests/support/WsClient.hpp"

namespace wsc::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Cluster starts every process with a 200 ms heartbeat and liveness 3.
constexpr auto kHeartbeat = 200ms;
constexpr int kLiveness = 3;
// What the spec allows for a death to show (liveness × heartbeat), plus a
// margin for the next flood, the HTTP polling and a slow shared machine.
constexpr auto kDeathBound = kHeartbeat * kLiveness + 1400ms;
// Gathering bounds for the timeout tests: the call's timeout= and how much
// later than that the answer may come.
constexpr int kShortTimeoutMs = 500;
constexpr auto kShortTimeoutBound = 1500ms;
constexpr int kMidCallTimeoutMs = 1000;
// Generous: the point is that the call ends by its own timeout instead of
// hanging, and a loaded CI machine under ASan is slow.
constexpr auto kMidCallBound = 5000ms;
// Registries of the SIGSTOP test keep a frozen node this many intervals, so it
// stays a call target: that test is about gathering, not liveness.
constexpr int kPatientLiveness = 25;
constexpr auto kBusReply = 5s;
constexpr int kChurnCycles = 2;
constexpr int kFloodsToWatch = 2;  // own states of the registry, flooded each interval

const json kTimeoutSlot = {{"code", 2}, {"msg", "timeout"}, {"data", json::array()}};

long long ms_since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// A real WebSocket client, its connection id and the node holding it.
// One counter from the registry's /metrics.
std::uint64_t metric(std::uint16_t http_port, const std::string& name) {
    std::istringstream in(http_get(http_port, "/metrics").body);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(name + " ", 0) == 0) return std::stoull(line.substr(name.size() + 1));
    throw std::runtime_error("no metric " + name);
}

void report_timing(const std::string& what, long long ms) {
    std::cout << "[ timing   ] " << what << ": " << ms << " ms" << std::endl;
    ::testing::Test::RecordProperty(what, std::to_string(ms));
}

class FederationFaults : public Federation {
  protected:
    IdSet ids_of(const std::vector<std::size_t>& nodes) const {
        IdSet out;
        for (auto i : nodes) out.insert(nodes_.at(i).node_id);
        return out;
    }

    // Waits until each listed registry has exactly its wanted master_ids.
    ::testing::AssertionResult lists(const std::map<std::size_t, IdSet>& want,
                                     std::chrono::milliseconds timeout = kSettle) const {
        std::map<std::size_t, IdSet> seen;
        const bool ok = wait_until(
            [&] {
                bool all = true;
                for (const auto& [r, ids] : want) {
                    seen[r] = master_ids(http(r));
                    all = all && seen[r] == ids;
                }
                return all;
            },
            timeout);
        if (ok) return ::testing::AssertionSuccess();
        auto failure = ::testing::AssertionFailure();
        for (const auto& [r, ids] : want)
            failure << "R" << r << " wants " << describe(ids) << " lists " << describe(seen[r])
                    << "; ";
        return failure;
    }

    // Every registry in `regs` lists exactly the nodes `nodes`.
    ::testing::AssertionResult all_list(const std::vector<std::size_t>& regs,
                                        const std::vector<std::size_t>& nodes,
                                        std::chrono::milliseconds timeout = kSettle) const {
        std::map<std::size_t, IdSet> want;
        for (auto r : regs) want[r] = ids_of(nodes);
        return lists(want, timeout);
    }

    json send_to(std::size_t reg, const Client& c, const std::string& msg) const {
        return call(reg, {{"event", "sendMessageTo_Id"},
                          {"sendMessageTo_Id", {{"_id", c.id}, {"msg", msg}}}});
    }

    // getConnectionCount through `reg` answers exactly the nodes `nodes`, each with an int.
    void expect_counts_from(std::size_t reg, const std::vector<std::size_t>& nodes) const {
        const json env = call(reg, {{"event", "getConnectionCount"}});
        const json& slots = env["data"]["getConnectionCount"];
        EXPECT_EQ(slots.size(), nodes.size()) << "R" << reg << ": " << env.dump();
        for (auto n : nodes) {
            const auto& id = nodes_.at(n).node_id;
            EXPECT_TRUE(slots.contains(id) && slots[id].is_number_integer())
                << "R" << reg << " node " << id << ": " << env.dump();
        }
    }

    // Which registry serves `node` as seen from `reg` (its registry id).
    std::string served_by(std::size_t reg, const std::string& node) const {
        try {
            const json env = api(http(reg), "event=nodes");
            for (const auto& n : env.at("data").at("nodes").at("nodes"))
                if (n.value("node", "") == node) return n.value("served_by", "");
        } catch (const std::exception&) {
        }
        return "";
    }

    void kill_registry(std::size_t reg) {
        regs_.at(reg).proc->signal(SIGKILL);
        ASSERT_TRUE(regs_.at(reg).proc->wait_exit(kReceive).has_value());
    }
};

TEST_F(FederationFaults, KilledRegistryTakesOnlyItsOwnNodesAndNoState) {
    // A triangle; `dual` is connected to r0 and r1, the observer r2 to neither.
    const auto r0 = add_registry();
    const auto r1 = add_registry({r0});
    const auto r2 = add_registry({r0, r1});
    const auto dual = add_node({r0, r1});
    const auto only0 = add_node({r0});
    const auto only1 = add_node({r1});
    const auto only2 = add_node({r2});
    ASSERT_TRUE(all_list({r0, r1, r2}, {dual, only0, only1, only2}));

    // Kill the registry r2 routes `dual` through, so the route really has to move.
    const std::string dual_id = nodes_[dual].node_id;
    std::string via;
    ASSERT_TRUE(wait_until([&] { return !(via = served_by(r2, dual_id)).empty(); }));
    const bool kill0 = via == registry_id(r0);
    ASSERT_TRUE(kill0 || via == registry_id(r1)) << "r2 routes dual through " << via;
    const auto dead = kill0 ? r0 : r1;
    const auto survivor = kill0 ? r1 : r0;
    const auto orphan = kill0 ? only0 : only1;
    const auto kept = kill0 ? only1 : only0;
    const std::string survivor_id = registry_id(survivor);

    // State made before the loss: both connections bound to one user and in one group.
    auto on_dual = connect_client(nodes_[dual]);
    auto on_2 = connect_client(nodes_[only2]);
    const std::string user = "survivor";
    const std::string group = "lifeboat";
    for (const Client* c : {on_dual.get(), on_2.get()}) {
        const json env = call(r2, {{"event", "bindId,joinGroupBy_Id"},
                                   {"bindId", {{"id", user}, {"_id", c->id}}},
                                   {"joinGroupBy_Id", {{"groupId", group}, {"_id", c->id}}}});
        EXPECT_EQ(sum_results(env, "bindId"), 1) << env.dump();
        EXPECT_EQ(sum_results(env, "joinGroupBy_Id"), 1) << env.dump();
    }

    ASSERT_NO_FATAL_FAILURE(kill_registry(dead));
    const auto killed_at = Clock::now();
    // The dual node must never vanish while the orphan goes away.
    bool dual_listed_throughout = true;
    const IdSet want = ids_of({dual, kept, only2});
    const bool gone = wait_until(
        [&] {
            const auto at2 = master_ids(http(r2));
            const auto at_s = master_ids(http(survivor));
            dual_listed_throughout =
                dual_listed_throughout && at2.count(dual_id) == 1 && at_s.count(dual_id) == 1;
            return at2 == want && at_s == want;
        },
        kSettle);
    const auto gone_ms = ms_since(killed_at);
    report_timing("registry death seen everywhere", gone_ms);
    ASSERT_TRUE(gone) << "R2 " << describe(master_ids(http(r2))) << " survivor "
                      << describe(master_ids(http(survivor))) << " want " << describe(want);
    EXPECT_LE(gone_ms, std::chrono::milliseconds(kDeathBound).count());
    EXPECT_TRUE(dual_listed_throughout) << "the node on two registries left master_ids";
    EXPECT_EQ(master_ids(http(r2)).count(nodes_[orphan].node_id), 0u);

    // The route to the dual node moves to the surviving registry.
    EXPECT_TRUE(wait_until([&] { return served_by(r2, dual_id) == survivor_id; }, kSettle));
    report_timing("route to the dual node moved", ms_since(killed_at));

    std::map<const Client*, std::multiset<std::string>> received;
    for (auto r : {r2, survivor}) {
        const std::string tag = "R" + std::to_string(r);
        const json env = call(r, {{"event", "getIdBy_Id,get_IdsById,getGroup_IdCount"},
                                  {"getIdBy_Id", {{"_id", on_dual->id}}},
                                  {"get_IdsById", {{"id", user}}},
                                  {"getGroup_IdCount", {{"groupId", group}}}});
        EXPECT_EQ(env["data"]["getIdBy_Id"].value(dual_id, json()), json(user)) << env.dump();
        EXPECT_EQ(env["data"]["get_IdsById"].value(dual_id, json()), json::array({on_dual->id}))
            << env.dump();
        EXPECT_EQ(env["data"]["get_IdsById"].value(nodes_[only2].node_id, json()),
                  json::array({on_2->id}))
            << env.dump();
        EXPECT_EQ(sum_results(env, "getGroup_IdCount"), 2) << env.dump();

        const json sent = send_to(r, *on_dual, "still here via " + tag);
        EXPECT_EQ(sum_results(sent, "sendMessageTo_Id"), 1) << sent.dump();
        received[on_dual.get()].insert("still here via " + tag);

        const json grouped =
            call(r, {{"event", "sendToGroup"},
                     {"sendToGroup", {{"groupId", group}, {"msg", "group " + tag}}}});
        EXPECT_EQ(sum_results(grouped, "sendToGroup"), 2) << grouped.dump();
        received[on_dual.get()].insert("group " + tag);
        received[on_2.get()].insert("group " + tag);
    }
    expect_received_exactly(received);
}

TEST_F(FederationFaults, RegistryRestartedOnSamePortIsRejoined) {
    const auto r0 = add_registry();
    const auto r1 = add_registry({r0});
    const auto r2 = add_registry({r1});
    const auto a = add_node({r0});
    const auto b = add_node({r1});
    const auto c = add_node({r2});
    ASSERT_TRUE(all_list({r0, r1, r2}, {a, b, c}));

    ASSERT_NO_FATAL_FAILURE(kill_registry(r1));
    const auto killed_at = Clock::now();
    ASSERT_TRUE(lists({{r0, ids_of({a})}, {r2, ids_of({c})}}));
    const auto split_ms = ms_since(killed_at);
    report_timing("chain split seen at both ends", split_ms);
    EXPECT_LE(split_ms, std::chrono::milliseconds(kDeathBound).count());

    // Same bus port and peers; nobody else is touched.
    const auto restart_at = Clock::now();
    ASSERT_NO_FATAL_FAILURE(restart_registry(r1, {r0}));
    ASSERT_TRUE(all_list({r0, r1, r2}, {a, b, c}));
    report_timing("cluster settled after restart", ms_since(restart_at));

    for (auto r : {r0, r1, r2}) expect_counts_from(r, {a, b, c});
    auto on_a = connect_client(nodes_[a]);
    auto on_c = connect_client(nodes_[c]);
    std::map<const Client*, std::multiset<std::string>> received;
    for (auto r : {r0, r1, r2}) {
        for (const Client* cl : {on_a.get(), on_c.get()}) {
            const std::string msg = "after restart via R" + std::to_string(r) + " to " + cl->id;
            const json env = send_to(r, *cl, msg);
            EXPECT_EQ(sum_results(env, "sendMessageTo_Id"), 1) << env.dump();
            received[cl].insert(msg);
        }
    }
    expect_received_exactly(received);
}

TEST_F(FederationFaults, FrozenRegistryRejoinsWhenThawed) {
    // A registry that stops answering for a while (SIGSTOP: a long GC-like
    // pause, a suspended VM) is dropped like a dead one; once it runs again its
    // stale links must heal by themselves, with no restart anywhere.
    const auto r0 = add_registry();
    const auto r1 = add_registry({r0});
    const auto r2 = add_registry({r1});
    const auto a = add_node({r0});
    const auto b = add_node({r1});
    const auto c = add_node({r2});
    ASSERT_TRUE(all_list({r0, r1, r2}, {a, b, c}));

    regs_[r1].proc->signal(SIGSTOP);
    const auto frozen_at = Clock::now();
    const auto split = lists({{r0, ids_of({a})}, {r2, ids_of({c})}});
    const auto split_ms = ms_since(frozen_at);
    regs_[r1].proc->signal(SIGCONT);
    ASSERT_TRUE(split);
    report_timing("frozen registry dropped at both ends", split_ms);
    EXPECT_LE(split_ms, std::chrono::milliseconds(kDeathBound).count());

    const auto thawed_at = Clock::now();
    ASSERT_TRUE(all_list({r0, r1, r2}, {a, b, c}));
    report_timing("master_ids settled after thaw", ms_since(thawed_at));
    // master_ids may settle before the thawed registry has its nodes' new links
    // (they rebuilt them while it was frozen): a call in between loses the
    // Request and waits for its timeout. Short calls until every node answers.
    std::vector<std::string> unanswered;
    EXPECT_TRUE(wait_until(
        [&] {
            unanswered.clear();
            for (auto r : {r0, r1, r2}) {
                const json env = api(
                    http(r), "event=getConnectionCount&timeout=" + std::to_string(kShortTimeoutMs));
                for (const auto& [node, v] : env["data"]["getConnectionCount"].items())
                    if (!v.is_number_integer())
                        unanswered.push_back("R" + std::to_string(r) + ":" + node);
            }
            return unanswered.empty();
        },
        kSettle))
        << "still timing out: " << json(unanswered).dump();
    report_timing("every node answers after thaw", ms_since(thawed_at));
    for (auto r : {r0, r1, r2}) expect_counts_from(r, {a, b, c});
    auto on_a = connect_client(nodes_[a]);
    auto on_c = connect_client(nodes_[c]);
    std::map<const Client*, std::multiset<std::string>> received;
    for (auto r : {r0, r1, r2}) {
        for (const Client* cl : {on_a.get(), on_c.get()}) {
            const std::string msg = "after thaw via R" + std::to_string(r) + " to " + cl->id;
            EXPECT_EQ(sum_results(send_to(r, *cl, msg), "sendMessageTo_Id"), 1);
            received[cl].insert(msg);
        }
    }
    expect_received_exactly(received);
}

TEST_F(FederationFaults, FrozenNodeTimesOutAloneWithinTheCallTimeout) {
    const Flags patient{{"registry.liveness", std::to_string(kPatientLiveness)}};
    const auto r0 = add_registry({}, patient);
    const auto r1 = add_registry({r0}, patient);
    const auto a = add_node({r0});
    const auto b = add_node({r1});
    const auto frozen = add_node({r1});
    ASSERT_TRUE(all_list({r0, r1}, {a, b, frozen}));
    const std::string frozen_id = nodes_[frozen].node_id;

    nodes_[frozen].proc->signal(SIGSTOP);
    for (auto r : {r0, r1}) {  // through a peer and directly
        const auto start = Clock::now();
        const json env =
            api(http(r), "event=getConnectionCount&timeout=" + std::to_string(kShortTimeoutMs));
        const auto took = ms_since(start);
        report_timing("call with a frozen node via R" + std::to_string(r), took);
        EXPECT_LE(took, std::chrono::milliseconds(kShortTimeoutBound).count());
        EXPECT_GE(took, kShortTimeoutMs - 50) << "answered before the timeout";
        EXPECT_EQ(env.value("code", -1), 0) << env.dump();
        const json& slots = env["data"]["getConnectionCount"];
        EXPECT_EQ(slots.value(frozen_id, json()), kTimeoutSlot) << env.dump();
        EXPECT_EQ(slots.value(nodes_[a].node_id, json()), json(0)) << env.dump();
        EXPECT_EQ(slots.value(nodes_[b].node_id, json()), json(0)) << env.dump();
    }
    nodes_[frozen].proc->signal(SIGCONT);

    // Thawed, the node finds its registry "silent" and rebuilds its link, so the
    // first calls may still time out; then it answers normally again, and late
    // replies to the timed-out calls do not leak into later ones.
    EXPECT_TRUE(wait_until(
        [&] {
            const json env = api(
                http(r0), "event=getConnectionCount&timeout=" + std::to_string(kShortTimeoutMs));
            return env["data"]["getConnectionCount"].value(frozen_id, json()) == json(0);
        },
        kSettle));
    for (auto r : {r0, r1}) expect_counts_from(r, {a, b, frozen});
}

TEST_F(FederationFaults, KilledNodeLeavesEverywhereAndNewNodeJoins) {
    const auto r0 = add_registry();
    const auto r1 = add_registry({r0});
    const auto r2 = add_registry({r1});
    const auto a = add_node({r0});
    const auto victim = add_node({r2});
    ASSERT_TRUE(all_list({r0, r1, r2}, {a, victim}));

    nodes_[victim].proc->signal(SIGKILL);
    const auto killed_at = Clock::now();
    ASSERT_TRUE(all_list({r0, r1, r2}, {a}));
    const auto gone_ms = ms_since(killed_at);
    report_timing("node death seen everywhere", gone_ms);
    EXPECT_LE(gone_ms, std::chrono::milliseconds(kDeathBound).count());
    for (auto r : {r0, r1, r2}) expect_counts_from(r, {a});

    const auto started_at = Clock::now();
    const auto fresh = add_node({r2});
    ASSERT_TRUE(all_list({r0, r1, r2}, {a, fresh}));
    report_timing("new node seen everywhere", ms_since(started_at));
    for (auto r : {r0, r1, r2}) expect_counts_from(r, {a, fresh});
}

TEST_F(FederationFaults, CallEndsByItsTimeoutWhenItsPathRegistryDies) {
    const auto r0 = add_registry();
    const auto r1 = add_registry({r0});
    const auto r2 = add_registry({r1});
    const auto a = add_node({r0});
    const auto far = add_node({r2});
    ASSERT_TRUE(all_list({r0, r1, r2}, {a, far}));

    // A frozen far node keeps the call waiting while its path breaks.
    const auto sent_before = metric(http(r2), "wscenter_bus_requests_total");
    nodes_[far].proc->signal(SIGSTOP);
    json env;
    std::string error;
    long long took = -1;
    std::thread caller([&] {
        const auto start = Clock::now();
        try {
            env = api(http(r0),
                      "event=getConnectionCount&timeout=" + std::to_string(kMidCallTimeoutMs));
        } catch (const std::exception& e) {
            error = e.what();
        }
        took = ms_since(start);
    });
    // Kill the middle only once the forwarded request has reached the far end.
    const bool forwarded = wait_until(
        [&] { return metric(http(r2), "wscenter_bus_requests_total") > sent_before; }, kReceive);
    kill_registry(r1);
    caller.join();
    nodes_[far].proc->signal(SIGCONT);

    ASSERT_TRUE(forwarded) << "the call never reached the far registry";
    ASSERT_TRUE(error.empty()) << error;
    report_timing("call whose path died", took);
    EXPECT_LE(took, std::chrono::milliseconds(kMidCallBound).count());
    EXPECT_EQ(env.value("code", -1), 0) << env.dump();
    EXPECT_EQ(env["data"]["getConnectionCount"].value(nodes_[far].node_id, json()), kTimeoutSlot)
        << env.dump();
    EXPECT_EQ(env["data"]["getConnectionCount"].value(nodes_[a].node_id, json()), json(0))
        << env.dump();

    // The origin keeps working with what it can still reach.
    ASSERT_TRUE(all_list({r0}, {a}));
    expect_counts_from(r0, {a});
}

TEST_F(FederationFaults, NoDuplicateDeliveryWhileRegistriesComeAndGo) {
    // r0, r1, r2 in a triangle and r3 dialing r1 and r2. Two callers keep
    // sending through r2 and r3, which stay up, while r0 and r1 are killed and
    // restarted in turn: routes change under the calls, and a message may be
    // lost (its slot times out) but must never arrive twice.
    const auto r0 = add_registry();
    const auto r1 = add_registry({r0});
    const auto r2 = add_registry({r0, r1});
    const auto r3 = add_registry({r1, r2});
    const auto d = add_node({r0, r1});
    const auto e = add_node({r1, r2});
    const auto f = add_node({r3});
    const auto g = add_node({r0});
    const std::vector<std::size_t> everyone{r0, r1, r2, r3};
    ASSERT_TRUE(all_list(everyone, {d, e, f, g}));
    std::vector<std::unique_ptr<Client>> clients;
    for (auto n : {d, e, f, g}) clients.push_back(connect_client(nodes_[n]));

    struct Sent {
        std::size_t client;
        std::string msg;
        json slots;  // {nodeId: result} of the call
    };
    std::atomic<bool> stop{false};
    std::vector<std::vector<Sent>> sent(2);
    std::vector<std::string> errors(2);
    std::vector<std::pair<std::string, std::string>> targets;  // (_id, node)
    for (const auto& c : clients) targets.emplace_back(c->id, c->node);
    const auto fire = [&](std::size_t lane, std::uint16_t port) {
        try {
            for (std::size_t k = 0; !stop; ++k) {
                const auto client = k % targets.size();
                const std::string msg =
                    "lane " + std::to_string(lane) + " call " + std::to_string(k);
                const json env = api_post(
                    port, "timeout=" + std::to_string(kMidCallTimeoutMs),
                    {{"event", "sendMessageTo_Id"},
                     {"sendMessageTo_Id", {{"_id", targets[client].first}, {"msg", msg}}}});
                sent[lane].push_back({client, msg, env["data"]["sendMessageTo_Id"]});
            }
        } catch (const std::exception& ex) {
            errors[lane] = ex.what();
        }
    };
    std::vector<std::thread> lanes;
    // Stops and joins the callers however this scope is left (a failed ASSERT too).
    struct StopAndJoin {
        std::atomic<bool>& flag;
        std::vector<std::thread>& threads;
        ~StopAndJoin() {
            flag = true;
            for (auto& t : threads)
                if (t.joinable()) t.join();
        }
    } stop_lanes{stop, lanes};
    lanes.emplace_back(fire, 0, http(r2));
    lanes.emplace_back(fire, 1, http(r3));

    for (int cycle = 0; cycle < kChurnCycles; ++cycle) {
        // r0 goes: g (only there) leaves; d is still reachable through r1.
        ASSERT_NO_FATAL_FAILURE(kill_registry(r0));
        EXPECT_TRUE(
            lists({{r1, ids_of({d, e, f})}, {r2, ids_of({d, e, f})}, {r3, ids_of({d, e, f})}}));
        ASSERT_NO_FATAL_FAILURE(restart_registry(r0, {}));
        EXPECT_TRUE(all_list(everyone, {d, e, f, g}));
        // r1 goes: no node lives only there, but d and e were reachable through it.
        const std::string old_r1 = registry_id(r1);
        ASSERT_NO_FATAL_FAILURE(kill_registry(r1));
        EXPECT_TRUE(wait_until(
            [&] {
                return served_by(r3, nodes_[d].node_id) != old_r1 &&
                       served_by(r3, nodes_[e].node_id) != old_r1 &&
                       !served_by(r3, nodes_[d].node_id).empty();
            },
            kSettle));
        ASSERT_NO_FATAL_FAILURE(restart_registry(r1, {r0}));
        EXPECT_TRUE(all_list(everyone, {d, e, f, g}));
    }
    stop = true;
    for (auto& t : lanes) t.join();
    EXPECT_TRUE(errors[0].empty()) << errors[0];
    EXPECT_TRUE(errors[1].empty()) << errors[1];

    // Everything each client got, until it has been quiet for a while.
    std::vector<std::map<std::string, int>> got(clients.size());
    for (std::size_t i = 0; i < clients.size(); ++i)
        while (const auto m = clients[i]->ws->recv(kQuietWindow)) ++got[i][*m];

    std::size_t calls = 0;
    std::size_t confirmed = 0;
    std::size_t lost = 0;
    for (const auto& lane : sent) {
        for (const auto& s : lane) {
            ++calls;
            const int copies = got[s.client].count(s.msg) ? got[s.client][s.msg] : 0;
            EXPECT_LE(copies, 1) << "'" << s.msg << "' arrived " << copies << " times";
            int reported = 0;
            for (const auto& [node, v] : s.slots.items())
                if (v.is_number_integer()) reported += v.get<int>();
            EXPECT_LE(reported, 1) << s.msg << ": " << s.slots.dump();
            if (s.slots.value(targets[s.client].second, json()) == json(1)) {
                ++confirmed;
                EXPECT_EQ(copies, 1) << "'" << s.msg << "' reported sent, arrived " << copies;
            }
            if (copies == 0) ++lost;
            got[s.client].erase(s.msg);
        }
    }
    for (std::size_t i = 0; i < got.size(); ++i)
        for (const auto& [m, n] : got[i])
            ADD_FAILURE() << "client " << i << " got unsent '" << m << "'";
    std::cout << "[ churn    ] " << calls << " calls, " << confirmed << " confirmed, " << lost
              << " lost" << std::endl;
    EXPECT_GT(confirmed, 0u);
}

// A raw bus peer for the hostile tests: a DEALER to a registry's bus port.
class RawPeer {
  public:
    explicit RawPeer(const std::string& endpoint) : socket_(ctx_, zmq::socket_type::dealer) {
        socket_.set(zmq::sockopt::linger, 0);
        socket_.connect(endpoint);
    }

    void send_frames(const std::vector<std::string>& frames) {
        for (std::size_t i = 0; i < frames.size(); ++i)
            socket_.send(zmq::message_t(frames[i].data(), frames[i].size()),
                         i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }

    void send(bus::Command command, const json& body) {
        ASSERT_TRUE(bus::send_message(socket_, command, bus::to_msgpack(body)));
    }

    void hello(const std::string& registry) {
        send(bus::Command::PeerHello, {{"registry", registry}});
    }

    // Next well-formed message of `command`, skipping others; nullopt on timeout.
    std::optional<json> next(bus::Command command, std::chrono::milliseconds timeout = kBusReply) {
        const auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (zmq::poll(&item, 1, left) <= 0) continue;
            auto in = bus::receive(socket_, false);
            if (in && in->command == command) return bus::from_msgpack(in->body);
        }
        return std::nullopt;
    }

  private:
    zmq::context_t ctx_;
    zmq::socket_t socket_;
};

// A `nodes` list of one entry with these fields (spelled out: brace-initialised
// nested JSON is easy to misread).
json one_node(const json& fields) {
    return json::array({fields});
}

// A valid-looking id for fake registries and nodes, distinct per `n`.
std::string fake_id(int n) {
    std::string id = "f00dfeed000000000000000000000000";
    const std::string tail = std::to_string(n);
    id.replace(id.size() - tail.size(), tail.size(), tail);
    return id;
}

TEST_F(FederationFaults, HostilePeerLeavesRoutesIntact) {
    const auto r0 = add_registry();
    const auto r1 = add_registry({r0});
    const auto a = add_node({r0});
    const auto b = add_node({r1});
    ASSERT_TRUE(all_list({r0, r1}, {a, b}));
    const std::string self = registry_id(r0);
    const auto bad_before = metric(http(r0), "wscenter_bus_bad_messages_total");
    const std::string hdr(bus::kHeader);
    const auto cmd = [](bus::Command c) { return std::string(1, static_cast<char>(c)); };
    std::string deep;  // nesting beyond the decoder's limit
    for (std::size_t i = 0; i < bus::kMaxDepth + 8; ++i) deep += '\x91';  // fixarray of 1
    deep += '\x80';

    RawPeer peer(regs_[r0].bus_endpoint());
    // 1. Garbage before introducing ourselves.
    peer.send_frames({"garbage"});
    peer.send_frames({""});
    peer.send_frames({"a", "b", "c", "d", "e"});
    peer.send_frames({hdr, std::string(1, '\x63'), "\x80"});  // unknown command byte
    peer.send_frames({hdr, cmd(bus::Command::PeerHello), "\xc1\xc1 not msgpack"});
    peer.send_frames({hdr, cmd(bus::Command::PeerHello), bus::to_msgpack(json::array({1, 2}))});
    peer.send_frames({hdr, cmd(bus::Command::PeerHello), deep});
    peer.send_frames({"WSC9", cmd(bus::Command::PeerHello),
                      bus::to_msgpack({{"registry", fake_id(1)}})});  // wrong version
    peer.send(bus::Command::PeerHello, {{"registry", "not-a-registry-id"}});
    peer.send(bus::Command::PeerHello, {{"registry", self}});  // claims the registry's own id
    // A state from a link that never introduced itself must be ignored.
    peer.send(bus::Command::PeerState, {{"origin", fake_id(2)},
                                        {"seq", 1},
                                        {"nodes", one_node(json::object({{"node", fake_id(100)}}))},
                                        {"peers", json::array()}});
    constexpr std::uint64_t kCountedGarbage = 9;  // every line above but the last two

    // Introducing ourselves after all that works: the answer is also the
    // proof that everything before it has been processed (one connection, in order).
    const std::string fake = fake_id(3);
    peer.hello(fake);
    const auto answer = peer.next(bus::Command::PeerHello);
    ASSERT_TRUE(answer.has_value()) << "no PeerHello answer after the garbage";
    EXPECT_EQ(answer->value("registry", ""), self);
    EXPECT_TRUE(regs_[r0].proc->running());
    EXPECT_GE(metric(http(r0), "wscenter_bus_bad_messages_total"), bad_before + kCountedGarbage);
    EXPECT_EQ(master_ids(http(r0)), ids_of({a, b}));

    // 2. Malformed states from the now-linked fake peer; each names a phantom node
    // that must never show up anywhere.
    std::uint64_t seq = 1;
    const auto state = [&](json nodes, json extra = json::object()) {
        json body = {{"origin", fake},
                     {"seq", ++seq},
                     {"nodes", std::move(nodes)},
                     {"peers", json::array()}};
        for (auto& [k, v] : extra.items()) body[k] = v;
        peer.send(bus::Command::PeerState, body);
    };
    state("not a list");
    state(json::array({42}));
    state(one_node(json::object({{"node", "XYZ"}})));
    state(one_node(json::object({{"url", "ws://127.0.0.1:1/"}})));
    state(one_node(json::object({{"node", fake_id(101)}, {"url", 5}, {"conns", "many"}})));
    state(one_node(json::object({{"node", fake_id(102)}})), {{"seq", "abc"}});
    state(one_node(json::object({{"node", fake_id(103)}})), {{"seq", -1}});
    state(one_node(json::object({{"node", fake_id(104)}})), {{"origin", "zz"}});
    state(one_node(json::object({{"node", fake_id(105)}})), {{"peers", 7}});
    state(one_node(json::object({{"node", fake_id(106)}})), {{"peers", json::array({"nope"})}});
    state(one_node(json::object({{"node", fake_id(107)}})),
          {{"origin", self}, {"seq", UINT64_MAX}});
    state(one_node(json::object({{"node", fake_id(108)}})), {{"origin", nullptr}});
    peer.hello(fake);
    ASSERT_TRUE(peer.next(bus::Command::PeerHello).has_value()) << "no answer after bad states";
    EXPECT_TRUE(regs_[r0].proc->running());
    EXPECT_EQ(master_ids(http(r0)), ids_of({a, b}));

    // 3. Malformed forwarded Requests aimed at a real node, and forged Replies:
    // whatever gets through to the node must not hurt it either.
    const std::string node_a = nodes_[a].node_id;
    const json count_event =
        json::array({{{"name", "getConnectionCount"}, {"params", json::object()}}});
    const auto forward = [&](json extra) {
        json body = {{"req", 1},
                     {"origin", fake},
                     {"events", count_event},
                     {"targets", json::array({node_a})},
                     {"hops", json::array()},
                     {"ttl", 1000}};
        for (auto& [k, v] : extra.items()) body[k] = v;
        peer.send(bus::Command::Request, body);
    };
    forward({{"events", "not a list"}});
    forward({{"events", json::array({{{"name", 5}}})}});
    forward({{"events", json::array({{{"name", "noSuchEvent"}, {"params", json::object()}}})}});
    forward(
        {{"events", json::array({{{"name", "sendMessageTo_Id"}, {"params", json::object()}}})}});
    forward({{"events", json::array({42, nullptr})}});
    forward({{"origin", json::object({{"a", 1}})}});
    forward({{"req", -1}});
    forward({{"req", "abc"}});
    forward({{"ttl", "soon"}});
    forward({{"path", 5}});
    forward({{"targets", json::array({5, nullptr, "not-a-node", fake_id(200)})}});
    forward({{"targets", "everyone"}});
    peer.send(bus::Command::Reply, {{"req", 1}, {"node", node_a}, {"results", json::object()}});
    peer.send(bus::Command::Reply, {{"req", "x"}, {"node", 7}});
    peer.hello(fake);
    ASSERT_TRUE(peer.next(bus::Command::PeerHello).has_value()) << "no answer after bad requests";
    EXPECT_TRUE(regs_[r0].proc->running());
    EXPECT_TRUE(nodes_[a].proc->running());

    // 4. The same link now claims another identity: refused and counted, no answer.
    const auto bad_mid = metric(http(r0), "wscenter_bus_bad_messages_total");
    peer.hello(fake_id(4));
    EXPECT_TRUE(
        wait_until([&] { return metric(http(r0), "wscenter_bus_bad_messages_total") > bad_mid; }));

    // Whatever r0 accepted has been flooded to r1 by the time r0 floods its own
    // state twice more to us.
    for (int i = 0; i < kFloodsToWatch; ++i) {
        bool own = false;
        const auto deadline = Clock::now() + kBusReply;
        while (!own && Clock::now() < deadline) {
            peer.hello(fake);  // keeps our link alive, so r0 keeps flooding to us
            const auto s = peer.next(bus::Command::PeerState);
            own = s && s->value("origin", "") == self;
        }
        EXPECT_TRUE(own) << "r0 stopped flooding its state to the fake peer";
    }
    EXPECT_TRUE(regs_[r0].proc->running());
    EXPECT_TRUE(regs_[r1].proc->running());
    EXPECT_TRUE(nodes_[a].proc->running());
    EXPECT_TRUE(nodes_[b].proc->running());
    EXPECT_EQ(master_ids(http(r0)), ids_of({a, b}));
    EXPECT_EQ(master_ids(http(r1)), ids_of({a, b}));

    // Routes still carry calls both ways.
    auto on_b = connect_client(nodes_[b]);
    auto on_a = connect_client(nodes_[a]);
    expect_counts_from(r0, {a, b});
    expect_counts_from(r1, {a, b});
    EXPECT_EQ(sum_results(send_to(r0, *on_b, "through r0"), "sendMessageTo_Id"), 1);
    EXPECT_EQ(sum_results(send_to(r1, *on_a, "through r1"), "sendMessageTo_Id"), 1);
    expect_received_exactly({{on_b.get(), {"through r0"}}, {on_a.get(), {"through r1"}}});
}

}  // namespace
}  // namespace wsc::test
