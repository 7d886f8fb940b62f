// Targeted routing on real processes: each event goes only to the nodes it
// concerns, and never misses one. A bind or join made through one registry
// is routed exactly by every other registry as soon as the call returns;
// users moving between nodes, registry and node restarts keep it exact; the
// metrics show how many nodes each event asked.
#include <gtest/gtest.h>

#include <regex>

#include "bus/ConnIds.hpp"
#include "tests/integration/FederationFixture.hpp"

namespace wsc::test {
namespace {

// The value of one series of a registry's /metrics (0 when absent).
double metric(std::uint16_t http_port, const std::string& series) {
    const std::string body = http_get(http_port, "/metrics").body;
    const auto at = body.find("\n" + series + " ");
    if (at == std::string::npos) return 0;
    return std::stod(body.substr(at + series.size() + 2));
}

std::string per_event(const char* name, const std::string& event) {
    return std::string(name) + "{event=\"" + event + "\"}";
}

class Routing : public Federation {
  protected:
    // R0 - R1, one node on each, one client per node.
    void start_pair() {
        add_registry();
        add_registry({0});
        add_node({0});
        add_node({1});
        ASSERT_TRUE(settled());
        connect_one_client_per_node();
    }

    // Waits until registry `reg` has every node's directory in sync.
    ::testing::AssertionResult directory_synced(std::size_t reg) const {
        json last;
        const bool ok = wait_until(
            [&] {
                last = api(http(reg), "event=nodes");
                const auto& list = last.at("data").at("nodes").at("nodes");
                if (list.size() != nodes_.size()) return false;
                for (const auto& n : list)
                    if (!n.value("directory", json::object()).value("synced", false)) return false;
                return true;
            },
            kSettle);
        if (ok) return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure() << "R" << reg << ": " << last.dump();
    }
};

TEST_F(Routing, ConnectionIdsNameTheNodeThatHoldsThem) {
    add_registry();
    add_node({0});
    ASSERT_TRUE(settled());
    auto c = connect_client(nodes_[0]);
    EXPECT_EQ(bus::conn_tag(c->id), bus::node_tag(nodes_[0].node_id)) << c->id;
}

TEST_F(Routing, WritesThroughOneRegistryAreRoutedAtOnceByTheOthers) {
    // A chain R0 - R1 - R2, a node on each end and one in the middle.
    ASSERT_NO_FATAL_FAILURE(start_chain_of_three());
    const std::size_t r0 = 0, r1 = 1, r2 = 2;
    for (auto r : {r0, r1, r2}) ASSERT_TRUE(directory_synced(r));
    connect_one_client_per_node();

    constexpr int kRounds = 150;
    std::map<const Client*, std::multiset<std::string>> want;
    for (int i = 0; i < kRounds; ++i) {
        const auto& c = clients_[static_cast<std::size_t>(i) % clients_.size()];
        const std::size_t write_via = static_cast<std::size_t>(i) % 3;
        const std::size_t send_via = (write_via + 1 + static_cast<std::size_t>(i / 3) % 2) % 3;
        const std::string user = "u" + std::to_string(i);
        const std::string group = "g" + std::to_string(i);
        const json w = call(write_via, {{"event", "bindId,joinGroupBy_Id"},
                                        {"bindId", {{"id", user}, {"_id", c->id}}},
                                        {"joinGroupBy_Id", {{"groupId", group}, {"_id", c->id}}}});
        ASSERT_EQ(sum_results(w, "bindId"), 1) << w.dump();
        // At once, through another registry: the user and the group are routed.
        const std::string to_user = "user " + std::to_string(i);
        const std::string to_group = "group " + std::to_string(i);
        const json s = call(send_via, {{"event", "sendMessageToId,sendToGroup"},
                                       {"sendMessageToId", {{"id", user}, {"msg", to_user}}},
                                       {"sendToGroup", {{"groupId", group}, {"msg", to_group}}}});
        ASSERT_EQ(sum_results(s, "sendMessageToId"), 1)
            << "round " << i << " write R" << write_via << " send R" << send_via << ": "
            << s.dump();
        ASSERT_EQ(sum_results(s, "sendToGroup"), 1) << s.dump();
        // Every node keeps its slot, asked or not.
        EXPECT_EQ(s["data"]["sendMessageToId"].size(), nodes_.size()) << s.dump();
        want[c.get()].insert(to_user);
        want[c.get()].insert(to_group);
    }
    expect_received_exactly(want);

    // Sends were asked of one node each; the others were answered locally.
    for (auto r : {r0, r1, r2}) {
        const double asked =
            metric(http(r), per_event("wscenter_api_nodes_asked_total", "sendMessageToId"));
        const double local = metric(
            http(r), per_event("wscenter_api_nodes_answered_locally_total", "sendMessageToId"));
        EXPECT_GT(asked, 0) << "R" << r;
        EXPECT_EQ(local, 2 * asked) << "R" << r << ": each send asked 1 node of 3";
    }
}

TEST_F(Routing, AnUnknownOrMalformedConnectionIdAsksNoNode) {
    add_registry();
    add_node({0});
    add_node({0});
    ASSERT_TRUE(settled());
    const double before = metric(http(0), "wscenter_bus_requests_total");
    const std::string stranger = bus::new_conn_id(bus::node_tag(std::string(32, 'e')));
    for (const std::string& id : {stranger, std::string("not-an-id")}) {
        const json env = call(0, {{"event", "sendMessageTo_Id,isOnline_Id,getIdBy_Id"},
                                  {"sendMessageTo_Id", {{"_id", id}, {"msg", "x"}}},
                                  {"isOnline_Id", {{"_id", id}}},
                                  {"getIdBy_Id", {{"_id", id}}}});
        for (const auto& n : nodes_) {
            EXPECT_EQ(env["data"]["sendMessageTo_Id"][n.node_id], 0) << env.dump();
            EXPECT_EQ(env["data"]["isOnline_Id"][n.node_id], false) << env.dump();
            EXPECT_TRUE(env["data"]["getIdBy_Id"][n.node_id].is_null()) << env.dump();
        }
    }
    EXPECT_EQ(metric(http(0), "wscenter_bus_requests_total"), before);
}

TEST_F(Routing, AUserMovedToAnotherNodeIsFollowed) {
    ASSERT_NO_FATAL_FAILURE(start_pair());
    const auto& a = clients_[0];
    const auto& b = clients_[1];
    for (int i = 0; i < 10; ++i) {
        const auto& from = i % 2 == 0 ? a : b;
        const auto& to = i % 2 == 0 ? b : a;
        const json moved =
            call(static_cast<std::size_t>(i) % 2, {{"event", "unBind_Id,bindId"},
                                                   {"unBind_Id", {{"_id", from->id}}},
                                                   {"bindId", {{"id", "mover"}, {"_id", to->id}}}});
        ASSERT_EQ(sum_results(moved, "bindId"), 1) << moved.dump();
        const std::string msg = "move " + std::to_string(i);
        const json sent = call(static_cast<std::size_t>(i + 1) % 2,
                               {{"event", "sendMessageToId,get_IdsById"},
                                {"sendMessageToId", {{"id", "mover"}, {"msg", msg}}},
                                {"get_IdsById", {{"id", "mover"}}}});
        ASSERT_EQ(sum_results(sent, "sendMessageToId"), 1) << sent.dump();
        EXPECT_EQ(sent["data"]["get_IdsById"][to->node], json::array({to->id})) << sent.dump();
        EXPECT_EQ(sent["data"]["get_IdsById"][from->node], json::array()) << sent.dump();
        expect_received_exactly({{to.get(), {msg}}, {from.get(), {}}});
    }
}

TEST_F(Routing, ARestartedRegistryRoutesExactlyAgain) {
    const auto r0 = add_registry();
    add_node({r0});
    add_node({r0});
    ASSERT_TRUE(settled());
    connect_one_client_per_node();
    const auto& c = clients_[1];
    call(r0, {{"event", "bindId"}, {"bindId", {{"id", "kept"}, {"_id", c->id}}}});
    ASSERT_NO_FATAL_FAILURE(restart_registry(r0, {}));
    // The fresh registry knows no directory yet: it asks every node meanwhile.
    ASSERT_TRUE(settled());
    const json first = call(r0, {{"event", "sendMessageToId"},
                                 {"sendMessageToId", {{"id", "kept"}, {"msg", "after restart"}}}});
    EXPECT_EQ(sum_results(first, "sendMessageToId"), 1) << first.dump();
    // Then snapshots make it exact: only the node holding the user is asked.
    ASSERT_TRUE(directory_synced(r0));
    const auto local = per_event("wscenter_api_nodes_answered_locally_total", "sendMessageToId");
    const double before = metric(http(r0), local);
    const json again = call(r0, {{"event", "sendMessageToId"},
                                 {"sendMessageToId", {{"id", "kept"}, {"msg", "synced"}}}});
    EXPECT_EQ(sum_results(again, "sendMessageToId"), 1) << again.dump();
    EXPECT_EQ(metric(http(r0), local), before + 1) << "the node without the user was not asked";
    expect_received_exactly({{c.get(), {"after restart", "synced"}}});
}

TEST_F(Routing, ARestartedNodeStartsWithACleanDirectory) {
    ASSERT_NO_FATAL_FAILURE(start_pair());
    const std::size_t r0 = 0, r1 = 1;
    call(r0, {{"event", "bindId"}, {"bindId", {{"id", "old"}, {"_id", clients_[1]->id}}}});
    // Node 1 restarts with the same id; its clients are gone with it.
    const std::string id = nodes_[1].node_id;
    nodes_[1].proc->signal(SIGKILL);
    ASSERT_TRUE(nodes_[1].proc->wait_exit(kReceive).has_value());
    clients_.pop_back();
    nodes_[1] = start_wsnode({regs_[r1].bus_port}, {{"wsnode.node_id", id}});
    ASSERT_TRUE(settled());
    auto fresh = connect_client(nodes_[1]);
    // The old link's entry expires first (node ids are first come, first
    // served): wait until both registries reach the new process.
    for (auto r : {r0, r1})
        ASSERT_TRUE(wait_until(
            [&] {
                const json env = api(http(r), "event=getConnectionCount");
                return env.value("data", json::object())
                           .value("getConnectionCount", json::object())
                           .value(id, json()) == json(1);
            },
            kSettle));
    for (auto r : {r0, r1}) {
        const json w =
            call(r, {{"event", "bindId"},
                     {"bindId", {{"id", "new" + std::to_string(r)}, {"_id", fresh->id}}}});
        ASSERT_EQ(sum_results(w, "bindId"), 1) << w.dump();
        const json s =
            call(1 - r, {{"event", "sendMessageToId,isOnlineId"},
                         {"sendMessageToId", {{"id", "new" + std::to_string(r)}, {"msg", "hi"}}},
                         {"isOnlineId", {{"id", "old"}}}});
        EXPECT_EQ(sum_results(s, "sendMessageToId"), 1) << s.dump();
        for (const auto& [node, v] : s["data"]["isOnlineId"].items())
            EXPECT_EQ(v, false) << s.dump();
    }
    expect_received_exactly({{fresh.get(), {"hi", "hi"}}});
}

}  // namespace
}  // namespace wsc::test
