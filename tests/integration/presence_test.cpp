// Presence and node loss with real processes: a subscriber at another
// registry than the node's sees one `online` per user going from no bound
// connection anywhere to one and one `offline` back; a wsnode killed with
// SIGKILL has each of its connections closed with reason `node_lost`, and
// its users with no other connection taken offline, within 5 s, once; a
// drained node's connections end as ordinary `drain` closes.
#include <gtest/gtest.h>

#include <signal.h>

#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/Cluster.hpp"
#include "tests/integration/FederationSupport.hpp"
#include "tests/support/WaitUntil.hpp"
#include "tests/support/WsClient.hpp"

using namespace wsc::test;
using nlohmann::json;
using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

namespace {

std::string open_id(WsClient& c) {
    auto first = c.recv();
    if (!first) return {};
    return json::parse(*first).at("_id").get<std::string>();
}

void bind(std::uint16_t http_port, const std::string& user, const Client& c) {
    const auto r = api(http_port, "event=bindId&bindId[id]=" + user + "&bindId[_id]=" + c.id);
    ASSERT_EQ(r["code"], 0) << r.dump();
}

// The subscriber's events of the given kinds.
std::vector<json> of_kinds(ChildProcess& sub, const std::set<std::string>& kinds) {
    std::vector<json> out;
    for (auto& e : subscriber_events(sub))
        if (kinds.count(e.value("event", ""))) out.push_back(std::move(e));
    return out;
}

// "online"/"offline" in the order received, for one user.
Strings presence_of(ChildProcess& sub, const std::string& user) {
    Strings out;
    for (const auto& e : of_kinds(sub, {"online", "offline"}))
        if (e.value("id", json()) == user) out.push_back(e["event"].get<std::string>());
    return out;
}

// Starts `wscenter-cli subscribe` at `registry` and waits until it gets the
// events of a probe connection on `probe_port`.
std::unique_ptr<ChildProcess> subscribed(const RegistryProc& registry, std::uint16_t probe_port) {
    auto sub = std::make_unique<ChildProcess>(
        WSC_CLI_BIN, Strings{"--registry", registry.bus_endpoint(), "subscribe"});
    WsClient probe;
    EXPECT_EQ(probe.connect(probe_port, "/"), 101);
    const std::string id = open_id(probe);
    EXPECT_TRUE(wait_until(
        [&] {
            probe.send_text("probe");
            for (const auto& e : subscriber_events(*sub))
                if (e.value("_id", "") == id) return true;
            return false;
        },
        10s));
    return sub;
}

bool is_hex_id(const json& eid) {
    if (!eid.is_string() || eid.get<std::string>().size() != 24) return false;
    for (const char c : eid.get<std::string>())
        if (!std::isxdigit(static_cast<unsigned char>(c)) || std::isupper(c)) return false;
    return true;
}

class PresenceCluster : public ::testing::Test {
  protected:
    void SetUp() override {
        r1_ = start_registry();
        r2_ = start_registry({r1_.bus_port});
        a_ = start_wsnode({r1_.bus_port});
        b_ = start_wsnode({r2_.bus_port});
        ASSERT_TRUE(wait_for_nodes(r1_.http_port, 2));
        ASSERT_TRUE(wait_for_nodes(r2_.http_port, 2));
        sub_ = subscribed(r2_, a_.ws_port);
    }

    RegistryProc r1_, r2_;
    NodeProc a_, b_;
    std::unique_ptr<ChildProcess> sub_;
};

TEST_F(PresenceCluster, OneOnlineAndOneOfflinePerUserWhateverItsDevices) {
    auto a1 = connect_client(a_);
    auto b1 = connect_client(b_);
    bind(r1_.http_port, "alice", *a1);
    ASSERT_TRUE(wait_until([&] { return presence_of(*sub_, "alice") == Strings{"online"}; }, 5s));
    // A second device on another node, through the other registry: no event.
    bind(r2_.http_port, "alice", *b1);
    a1->ws->close();
    auto probe = connect_client(a_);  // events after these have come through
    bind(r1_.http_port, "probe1", *probe);
    ASSERT_TRUE(wait_until([&] { return presence_of(*sub_, "probe1").size() == 1; }, 5s));
    EXPECT_EQ(presence_of(*sub_, "alice"), Strings{"online"});
    // The last device goes: offline, once.
    b1->ws->close();
    ASSERT_TRUE(wait_until(
        [&] {
            return presence_of(*sub_, "alice") == (Strings{"online", "offline"});
        },
        5s));
    // Each event names the connection that made it and has its own id.
    std::set<std::string> eids;
    for (const auto& e : of_kinds(*sub_, {"online", "offline"})) {
        if (e["id"] != "alice") continue;
        EXPECT_TRUE(is_hex_id(e["eid"])) << e.dump();
        eids.insert(e["eid"].get<std::string>());
        EXPECT_EQ(e["_id"], e["event"] == "online" ? a1->id : b1->id) << e.dump();
        EXPECT_EQ(e["node"], e["event"] == "online" ? a_.node_id : b_.node_id) << e.dump();
    }
    EXPECT_EQ(eids.size(), 2u);
    // Unbinding is a transition too, and the registries agree with the events.
    bind(r2_.http_port, "bob", *probe);
    ASSERT_TRUE(wait_until([&] { return presence_of(*sub_, "bob") == Strings{"online"}; }, 5s));
    const auto unbound = api(r1_.http_port, "event=unBind_Id&unBind_Id[_id]=" + probe->id);
    ASSERT_EQ(unbound["code"], 0) << unbound.dump();
    ASSERT_TRUE(wait_until(
        [&] {
            return presence_of(*sub_, "bob") == (Strings{"online", "offline"});
        },
        5s));
    // Client events carry their id too.
    for (const auto& e : of_kinds(*sub_, {"open", "message", "close"}))
        EXPECT_TRUE(is_hex_id(e["eid"])) << e.dump();
}

TEST_F(PresenceCluster, AKilledNodeClosesEveryConnectionAndTakesItsUsersOffline) {
    auto c1 = connect_client(a_);
    auto c2 = connect_client(a_);
    auto c3 = connect_client(a_);  // never bound
    auto d1 = connect_client(b_);  // carol's second device, elsewhere
    bind(r1_.http_port, "dave", *c1);
    bind(r1_.http_port, "carol", *c2);
    bind(r2_.http_port, "carol", *d1);
    ASSERT_TRUE(wait_until(
        [&] {
            return presence_of(*sub_, "dave").size() == 1 &&
                   presence_of(*sub_, "carol").size() == 1;
        },
        5s));

    const auto killed_at = std::chrono::steady_clock::now();
    a_.proc->signal(SIGKILL);
    // One node_lost close per connection the node held, with its user.
    const std::map<std::string, json> expected{
        {c1->id, "dave"}, {c2->id, "carol"}, {c3->id, nullptr}};
    const auto lost_closes = [&] {
        std::map<std::string, std::vector<json>> out;
        for (const auto& e : of_kinds(*sub_, {"close"}))
            if (e.value("reason", "") == "node_lost") out[e.value("_id", "")].push_back(e);
        return out;
    };
    ASSERT_TRUE(wait_until(
        [&] {
            return lost_closes().size() >= expected.size() &&
                   presence_of(*sub_, "dave").size() == 2;
        },
        5s))
        << sub_->stderr_text();
    const auto took = std::chrono::steady_clock::now() - killed_at;
    EXPECT_LT(took, 5s);
    // Nothing more comes (each once), and carol, still on node B, stays online.
    std::this_thread::sleep_for(1500ms);
    const auto closes = lost_closes();
    ASSERT_EQ(closes.size(), expected.size());
    for (const auto& [conn, user] : expected) {
        ASSERT_EQ(closes.count(conn), 1u) << conn;
        ASSERT_EQ(closes.at(conn).size(), 1u) << conn;
        const json& e = closes.at(conn)[0];
        EXPECT_EQ(e["id"], user) << e.dump();
        EXPECT_EQ(e["node"], a_.node_id) << e.dump();
        EXPECT_TRUE(is_hex_id(e["eid"])) << e.dump();
    }
    EXPECT_EQ(presence_of(*sub_, "dave"), (Strings{"online", "offline"}));
    EXPECT_EQ(presence_of(*sub_, "carol"), Strings{"online"});
    // The closes come before the offline.
    const auto all = of_kinds(*sub_, {"close", "offline"});
    std::size_t last_close = 0, offline_at = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (all[i].value("reason", "") == "node_lost") last_close = i;
        if (all[i]["event"] == "offline" && all[i]["id"] == "dave") offline_at = i;
    }
    EXPECT_LT(last_close, offline_at);
    // A caller without the bus (the demo) reads them from recentEvents.
    const json recent = api(r1_.http_port, "event=recentEvents");
    ASSERT_EQ(recent["code"], 0) << recent.dump();
    const json page = recent["data"]["recentEvents"];
    std::size_t listed = 0;
    for (const auto& e : page["events"])
        if (e.value("reason", "") == "node_lost") ++listed;
    EXPECT_EQ(listed, expected.size()) << page.dump();
    const auto after = api(r1_.http_port, "event=recentEvents&recentEvents[since]=" +
                                              std::to_string(page["next"].get<std::uint64_t>()));
    EXPECT_TRUE(after["data"]["recentEvents"]["events"].empty()) << after.dump();
    // What the registries answer agrees.
    const auto online_anywhere = [](std::uint16_t port, const std::string& user) {
        const json r = api(port, "event=isOnlineId&isOnlineId[id]=" + user);
        bool any = false;
        for (const auto& [node, online] : r["data"]["isOnlineId"].items())
            any = any || online == true;
        return any;
    };
    for (const auto port : {r1_.http_port, r2_.http_port}) {
        EXPECT_FALSE(online_anywhere(port, "dave"));
        EXPECT_TRUE(online_anywhere(port, "carol"));
    }
}

TEST_F(PresenceCluster, ANodeDeclaredLostThatComesBackStartsClean) {
    auto c1 = connect_client(a_);
    bind(r1_.http_port, "frank", *c1);
    ASSERT_TRUE(wait_until([&] { return presence_of(*sub_, "frank") == Strings{"online"}; }, 5s));
    {
        // Frozen long enough to be declared lost, then alive again.
        a_.proc->signal(SIGSTOP);
        ResumeOnExit resume(*a_.proc);
        ASSERT_TRUE(wait_until(
            [&] {
                return presence_of(*sub_, "frank") == (Strings{"online", "offline"});
            },
            5s));
    }
    // Its connection was reported closed: the node closes it for good.
    std::optional<std::string> got;
    ASSERT_TRUE(wait_until(
        [&] {
            got = c1->ws->recv(100ms);
            return !c1->ws->is_open();
        },
        5s));
    // Nothing about frank is told again (not online, not a second close).
    std::this_thread::sleep_for(1500ms);
    EXPECT_EQ(presence_of(*sub_, "frank"), (Strings{"online", "offline"}));
    std::size_t closes = 0;
    for (const auto& e : of_kinds(*sub_, {"close"}))
        if (e.value("_id", "") == c1->id) ++closes;
    EXPECT_EQ(closes, 1u);
    // The node serves on, as a new process of the cluster.
    auto c2 = connect_client(a_);
    bind(r2_.http_port, "grace", *c2);
    ASSERT_TRUE(wait_until([&] { return presence_of(*sub_, "grace") == Strings{"online"}; }, 5s));
    const json nodes = api(r1_.http_port, "event=getConnectionCount");
    EXPECT_EQ(nodes["data"]["getConnectionCount"][a_.node_id], 1) << nodes.dump();
}

TEST_F(PresenceCluster, ADrainedNodesConnectionsEndAsDrainClosesNotNodeLost) {
    auto d1 = connect_client(b_);
    bind(r1_.http_port, "erin", *d1);
    ASSERT_TRUE(wait_until([&] { return presence_of(*sub_, "erin") == Strings{"online"}; }, 5s));
    b_.proc->signal(SIGTERM);
    ASSERT_TRUE(wait_until(
        [&] {
            return presence_of(*sub_, "erin") == (Strings{"online", "offline"});
        },
        5s));
    std::this_thread::sleep_for(1500ms);  // the node is gone from the cluster by now
    Strings reasons;
    for (const auto& e : of_kinds(*sub_, {"close"}))
        if (e.value("_id", "") == d1->id) reasons.push_back(e.value("reason", ""));
    EXPECT_EQ(reasons, Strings{"drain"});
    EXPECT_EQ(presence_of(*sub_, "erin"), (Strings{"online", "offline"}));
}

}  // namespace
