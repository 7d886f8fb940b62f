// Integration tests of registry federation (SPEC §3) on real processes.
//
// Registries and wsnodes are linked in the topologies the spec names (a node
// on two registries, a full mesh, a chain, a star). For each one the tests
// wait until every registry lists the same nodes, then ask EVERY registry to
// act on EVERY node and check both sides: exactly one reply per node in the
// envelope, and exactly one delivery per WebSocket client (a drain window after
// the expected messages catches duplicates). State made through one registry
// (bindings, groups) must be visible and usable through any other.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/Cluster.hpp"
#include "tests/integration/FederationFixture.hpp"
#include "tests/integration/FederationSupport.hpp"
#include "tests/support/ChildProcess.hpp"
#include "tests/support/HttpClient.hpp"
#include "tests/support/WaitUntil.hpp"
#include "tests/support/WsClient.hpp"

namespace wsc::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST_F(Federation, NodeOnTwoRegistriesRunsEachCommandOnce) {
    const auto r0 = add_registry();
    const auto r1 = add_registry({r0});
    const auto dual = add_node({r0, r1});  // reachable directly through both registries
    add_node({r0});
    add_node({r1});
    expect_exactly_once_everywhere();
    // Every registry knows both homes of the dual node.
    const auto homes = json::array({registry_id(r0), registry_id(r1)});
    for (auto r : {r0, r1}) {
        json got = node_entry(r, nodes_[dual].node_id).value("registries", json::array());
        std::sort(got.begin(), got.end());
        json want = homes;
        std::sort(want.begin(), want.end());
        EXPECT_EQ(got, want) << "R" << r;
    }
}

TEST_F(Federation, FullMeshOfThreeRunsEachCommandOnce) {
    const auto r0 = add_registry();
    const auto r1 = add_registry({r0});
    const auto r2 = add_registry({r0, r1});
    add_node({r0});
    add_node({r1});
    add_node({r2});
    add_node({r0, r1, r2});
    expect_exactly_once_everywhere();
}

TEST_F(Federation, ChainOfThreeRunsEachCommandOnce) {
    const auto r0 = add_registry();
    const auto r1 = add_registry({r0});
    const auto r2 = add_registry({r1});
    add_node({r0});
    add_node({r1});
    const auto far = add_node({r2});
    add_node({r0, r2});  // both ends: equally far from the middle
    expect_exactly_once_everywhere();
    // The far end is two hops away and served by the registry it is connected to.
    const json entry = node_entry(r0, nodes_[far].node_id);
    EXPECT_EQ(entry.value("hops", -1), 2) << entry.dump();
    EXPECT_EQ(entry.value("served_by", ""), registry_id(r2)) << entry.dump();
}

TEST_F(Federation, StarWithThreeSpokesRunsEachCommandOnce) {
    const auto hub = add_registry();
    const auto s1 = add_registry({hub});
    const auto s2 = add_registry({hub});
    const auto s3 = add_registry({hub});
    add_node({s1});
    add_node({s2});
    add_node({s3});
    add_node({s1, s2});  // two equally short paths from the hub and from s3
    expect_exactly_once_everywhere();
}

TEST_F(Federation, MeshConfiguredOnBothSidesRunsEachCommandOnce) {
    // As in config/ and the seed: every registry lists every other one, so each
    // pair is linked twice, once dialed from each side. Ports are only known
    // once started, so r0 and r1 are restarted on their ports with the full list.
    const auto r0 = add_registry();
    const auto r1 = add_registry({r0});
    const auto r2 = add_registry({r0, r1});
    ASSERT_NO_FATAL_FAILURE(restart_registry(r0, {r1, r2}));
    ASSERT_NO_FATAL_FAILURE(restart_registry(r1, {r0, r2}));
    add_node({r0});
    add_node({r1});
    add_node({r2});
    add_node({r0, r1, r2});
    expect_exactly_once_everywhere();
}

TEST_F(Federation, LinkConfiguredOnOneSideIsEnough) {
    const auto quiet = add_registry();          // knows no peer at all
    const auto dialer = add_registry({quiet});  // the only side configured
    const auto a = add_node({quiet});
    const auto b = add_node({dialer});
    ASSERT_TRUE(settled());
    // The unconfigured side learned the link and routes through it.
    const json entry = node_entry(quiet, nodes_[b].node_id);
    EXPECT_EQ(entry.value("hops", -1), 1) << entry.dump();
    EXPECT_EQ(entry.value("served_by", ""), registry_id(dialer)) << entry.dump();
    EXPECT_EQ(node_entry(dialer, nodes_[a].node_id).value("hops", -1), 1);
    expect_exactly_once_everywhere();
}

TEST_F(Federation, BindingThroughOneRegistryIsSeenThroughAnother) {
    const auto r0 = add_registry();
    const auto r1 = add_registry({r0});
    const auto r2 = add_registry({r1});
    add_node({r0});
    const auto far = add_node({r2});
    ASSERT_TRUE(settled());
    auto c = connect_client(nodes_[far]);
    const std::string user = "fed-user-1";

    const json bound = call(r0, {{"event", "bindId"}, {"bindId", {{"id", user}, {"_id", c->id}}}});
    EXPECT_EQ(sum_results(bound, "bindId"), 1) << bound.dump();
    EXPECT_EQ(bound["data"]["bindId"].value(c->node, -1), 1) << bound.dump();

    for (auto r : {r2, r1, r0}) {
        const json env = call(r, {{"event", "getIdBy_Id,get_IdsById,isOnlineId"},
                                  {"getIdBy_Id", {{"_id", c->id}}},
                                  {"get_IdsById", {{"id", user}}},
                                  {"isOnlineId", {{"id", user}}}});
        const json& by_id = env["data"]["getIdBy_Id"];
        ASSERT_EQ(by_id.size(), nodes_.size()) << env.dump();
        for (const auto& [node, v] : by_id.items()) {
            if (node == c->node)
                EXPECT_EQ(v, json(user)) << "R" << r << ": " << env.dump();
            else
                EXPECT_TRUE(v.is_null()) << "R" << r << ": " << env.dump();
        }
        EXPECT_EQ(env["data"]["get_IdsById"].value(c->node, json()), json::array({c->id}))
            << "R" << r << ": " << env.dump();
        EXPECT_EQ(env["data"]["isOnlineId"].value(c->node, json()), json(true))
            << "R" << r << ": " << env.dump();
    }

    // A message to the user through the far end reaches the connection once.
    const json sent = call(r0, {{"event", "sendMessageToId"},
                                {"sendMessageToId", {{"id", user}, {"msg", "hello user"}}}});
    EXPECT_EQ(sum_results(sent, "sendMessageToId"), 1) << sent.dump();
    expect_received_exactly({{c.get(), {"hello user"}}});
}

TEST_F(Federation, GroupSpanningRegistriesReachesEveryMemberOnce) {
    ASSERT_NO_FATAL_FAILURE(start_chain_of_three());
    connect_one_client_per_node();
    auto outsider = connect_client(nodes_[0]);
    const std::string group = "fed-group";

    // Each member joins through a registry other than its own.
    for (std::size_t i = 0; i < clients_.size(); ++i) {
        const auto via = (i + 1) % regs_.size();
        const json env =
            call(via, {{"event", "joinGroupBy_Id"},
                       {"joinGroupBy_Id", {{"groupId", group}, {"_id", clients_[i]->id}}}});
        EXPECT_EQ(sum_results(env, "joinGroupBy_Id"), 1) << env.dump();
    }

    std::map<const Client*, std::multiset<std::string>> want;
    for (std::size_t r = 0; r < regs_.size(); ++r) {
        const json count =
            call(r, {{"event", "getGroup_IdCount"}, {"getGroup_IdCount", {{"groupId", group}}}});
        EXPECT_EQ(sum_results(count, "getGroup_IdCount"), static_cast<int>(clients_.size()))
            << count.dump();
        const std::string msg = "group via R" + std::to_string(r);
        const json env = call(
            r, {{"event", "sendToGroup"}, {"sendToGroup", {{"groupId", group}, {"msg", msg}}}});
        EXPECT_EQ(sum_results(env, "sendToGroup"), static_cast<int>(clients_.size())) << env.dump();
        for (const auto& c : clients_) want[c.get()].insert(msg);
    }
    want[outsider.get()] = {};  // not a member: must get nothing
    expect_received_exactly(want);
}

TEST_F(Federation, GroupsOfAUserSpreadOverRegistriesAreAllReached) {
    // The user has a connection at each end of a chain, each in a different
    // group whose other member sits at the opposite end.
    const auto r0 = add_registry();
    const auto r1 = add_registry({r0});
    const auto r2 = add_registry({r1});
    const auto a = add_node({r0});
    const auto c = add_node({r2});
    ASSERT_TRUE(settled());
    auto user_a = connect_client(nodes_[a]);
    auto user_c = connect_client(nodes_[c]);
    auto member1 = connect_client(nodes_[c]);  // in g1 with user_a
    auto member2 = connect_client(nodes_[a]);  // in g2 with user_c
    auto outsider = connect_client(nodes_[a]);
    const std::string user = "spread-user";
    const auto join = [&](std::size_t via, const Client& cl, const std::string& group) {
        const json env = call(via, {{"event", "joinGroupBy_Id"},
                                    {"joinGroupBy_Id", {{"groupId", group}, {"_id", cl.id}}}});
        EXPECT_EQ(sum_results(env, "joinGroupBy_Id"), 1) << env.dump();
    };
    for (const Client* cl : {user_a.get(), user_c.get()}) {
        const json env =
            call(r1, {{"event", "bindId"}, {"bindId", {{"id", user}, {"_id", cl->id}}}});
        EXPECT_EQ(sum_results(env, "bindId"), 1) << env.dump();
    }
    join(r2, *user_a, "g1");
    join(r0, *member1, "g1");
    join(r0, *user_c, "g2");
    join(r2, *member2, "g2");

    const json by_user =
        call(r1, {{"event", "sendMessageToGroupByOnlyId"},
                  {"sendMessageToGroupByOnlyId", {{"id", user}, {"msg", "to all"}}}});
    EXPECT_EQ(sum_results(by_user, "sendMessageToGroupByOnlyId"), 4) << by_user.dump();
    const json by_conn =
        call(r2, {{"event", "sendMessageToGroupByOnly_Id"},
                  {"sendMessageToGroupByOnly_Id", {{"_id", user_a->id}, {"msg", "to g1"}}}});
    EXPECT_EQ(sum_results(by_conn, "sendMessageToGroupByOnly_Id"), 2) << by_conn.dump();
    expect_received_exactly({{user_a.get(), {"to all", "to g1"}},
                             {user_c.get(), {"to all"}},
                             {member1.get(), {"to all", "to g1"}},
                             {member2.get(), {"to all"}},
                             {outsider.get(), {}}});
}

TEST_F(Federation, NodeRestartedWithItsIdOnAnotherRegistryIsRoutedThere) {
    // A node id is the node's for life: the same node coming back elsewhere
    // (moved to another machine) must end up listed once and reached there.
    const auto r0 = add_registry();
    const auto r1 = add_registry({r0});
    const auto r2 = add_registry({r1});
    const auto mover = add_node({r0});
    add_node({r1});
    ASSERT_TRUE(settled());
    const std::string id = nodes_[mover].node_id;
    nodes_[mover].proc->signal(SIGKILL);
    ASSERT_TRUE(nodes_[mover].proc->wait_exit(kReceive).has_value());
    nodes_[mover] = start_wsnode({regs_[r2].bus_port}, {{"wsnode.node_id", id}});
    ASSERT_TRUE(settled());
    const std::string r2_id = registry_id(r2);
    EXPECT_TRUE(wait_until(
        [&] {
            for (auto r : {r0, r1, r2})
                if (node_entry(r, id).value("served_by", "") != r2_id) return false;
            return true;
        },
        kSettle))
        << node_entry(r0, id).dump();
    expect_exactly_once_everywhere();
}

TEST_F(Federation, CliThroughFarRegistryReachesNode) {
    const std::filesystem::path cli = WSC_CLI_BIN;
    ASSERT_TRUE(std::filesystem::exists(cli)) << "wscenter-cli not built at " << cli;
    const auto r0 = add_registry();
    const auto r1 = add_registry({r0});
    const auto r2 = add_registry({r1});
    const auto near = add_node({r0});
    add_node({r2});
    ASSERT_TRUE(settled());
    auto c = connect_client(nodes_[near]);

    ChildProcess run(cli.string(), {"--registry", regs_[r2].bus_endpoint(), "sendMessageTo_Id",
                                    "_id=" + c->id, "msg=from the cli"});
    ASSERT_EQ(run.wait_exit(kCliExit), 0) << run.stderr_text();
    // The reader thread may still be collecting the output of the exited process.
    ASSERT_TRUE(wait_until([&] { return !run.stdout_lines().empty(); }));
    const auto lines = run.stdout_lines();
    const json env = json::parse(lines.front());
    EXPECT_EQ(sum_results(env, "sendMessageTo_Id"), 1) << env.dump();
    EXPECT_EQ(env.at("master_ids").size(), nodes_.size()) << env.dump();
    expect_received_exactly({{c.get(), {"from the cli"}}});
}

}  // namespace
}  // namespace wsc::test
