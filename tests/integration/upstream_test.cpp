// Client events on the bus: a subscriber at any registry gets the open,
// message and close events of clients anywhere in the cluster, each once,
// in order per connection — through the CLI and the Python example.
#include <gtest/gtest.h>

#include <signal.h>
#include <nlohmann/json.hpp>

#include <thread>

#include "tests/integration/Cluster.hpp"
#include "tests/support/WaitUntil.hpp"
#include "tests/support/WsClient.hpp"

using namespace wsc::test;
using nlohmann::json;

namespace {

std::string open_id(WsClient& c) {
    auto first = c.recv();
    if (!first) return {};
    return json::parse(*first).at("_id").get<std::string>();
}

// The client events of one connection (presence events name a connection
// too: the one whose bind or close made them).
std::vector<json> for_conn(const std::vector<json>& events, const std::string& id) {
    std::vector<json> out;
    for (const auto& e : events) {
        const std::string kind = e.value("event", "");
        if (e.value("_id", "") == id && kind != "online" && kind != "offline") out.push_back(e);
    }
    return out;
}

}  // namespace

TEST(Upstream, SubscriberAtAnyRegistryGetsEveryEventOnceInOrder) {
    // Chain R1 - R2 - R3; node A on R1, node B on R3; subscribers on R2 and R3.
    auto r1 = start_registry();
    auto r2 = start_registry({r1.bus_port});
    auto r3 = start_registry({r2.bus_port});
    auto a = start_wsnode({r1.bus_port});
    auto b = start_wsnode({r3.bus_port});
    ASSERT_TRUE(wait_for_nodes(r2.http_port, 2, std::chrono::seconds(10)));
    ASSERT_TRUE(wait_for_nodes(r3.http_port, 2, std::chrono::seconds(10)));

    ChildProcess sub2(WSC_CLI_BIN, {"--registry", r2.bus_endpoint(), "subscribe"});
    ChildProcess sub3(WSC_CLI_BIN,
                      {"--registry", r3.bus_endpoint(), "subscribe", "--event", "message"});
    // Subscribed once a first probe event shows up at both.
    WsClient probe;
    ASSERT_EQ(probe.connect(a.ws_port, "/"), 101);
    const std::string probe_id = open_id(probe);
    ASSERT_TRUE(wait_until(
        [&] {
            probe.send_text("probe");
            return !for_conn(subscriber_events(sub2), probe_id).empty() &&
                   !for_conn(subscriber_events(sub3), probe_id).empty();
        },
        std::chrono::seconds(10)));

    WsClient ca, cb;
    ASSERT_EQ(ca.connect(a.ws_port, "/?room=7"), 101);
    ASSERT_EQ(cb.connect(b.ws_port, "/"), 101);
    const std::string ida = open_id(ca), idb = open_id(cb);
    auto bound = api(r1.http_port, "event=bindId&bindId[id]=alice&bindId[_id]=" + ida);
    ASSERT_EQ(bound["code"], 0);
    const int n = 20;
    for (int i = 0; i < n; ++i) {
        ca.send_text("a" + std::to_string(i));
        cb.send_binary(std::string("\x01\x02", 2) + std::to_string(i));
    }
    ca.close();
    cb.close();
    ASSERT_TRUE(wait_until(
        [&] {
            return for_conn(subscriber_events(sub2), ida).size() == n + 2 &&
                   for_conn(subscriber_events(sub2), idb).size() == n + 2 &&
                   for_conn(subscriber_events(sub3), ida).size() == n &&
                   for_conn(subscriber_events(sub3), idb).size() == n;
        },
        std::chrono::seconds(10)))
        << sub2.stderr_text();

    auto ea = for_conn(subscriber_events(sub2), ida);
    EXPECT_EQ(ea.front()["event"], "open");
    EXPECT_EQ(ea.front()["data"], json({{"room", "7"}}));
    EXPECT_EQ(ea.front()["node"], a.node_id);
    for (int i = 0; i < n; ++i) {
        EXPECT_EQ(ea[i + 1]["event"], "message");
        EXPECT_EQ(ea[i + 1]["data"], "a" + std::to_string(i));  // in order, once each
        EXPECT_EQ(ea[i + 1]["id"], "alice");
    }
    EXPECT_EQ(ea.back()["event"], "close");
    EXPECT_EQ(ea.back()["id"], "alice");
    auto eb = for_conn(subscriber_events(sub3), idb);
    for (int i = 0; i < n; ++i) {
        EXPECT_EQ(eb[i]["event"], "message");
        EXPECT_EQ(eb[i]["binary"], true);
        EXPECT_EQ(eb[i]["node"], b.node_id);
        EXPECT_EQ(eb[i]["id"], nullptr);
    }
    // Nothing more arrives: no duplicates delivered late.
    ChildProcess* subs[] = {&sub2, &sub3};
    const auto before2 = subscriber_events(sub2).size(), before3 = subscriber_events(sub3).size();
    probe.close();
    EXPECT_FALSE(wait_until([&] { return subscriber_events(*subs[1]).size() > before3; },
                            std::chrono::milliseconds(500)));
    EXPECT_LE(subscriber_events(sub2).size(), before2 + 1);  // only the probe's close
}

TEST(Upstream, ASubscriptionOutlivesHeartbeatsShorterThanItsRenewal) {
    // 3 × 200 ms is shorter than the 1 s between the CLI's renewals.
    auto r = start_registry({}, {{"registry.heartbeat_ms", "200"}});
    auto node = start_wsnode({r.bus_port}, {{"wsnode.heartbeat_ms", "200"}});
    ASSERT_TRUE(wait_for_nodes(r.http_port, 1));
    ChildProcess sub(WSC_CLI_BIN, {"--registry", r.bus_endpoint(), "subscribe"});
    WsClient probe;
    ASSERT_EQ(probe.connect(node.ws_port, "/"), 101);
    const std::string id = open_id(probe);
    // The subscriber is in once it sees this connection's messages.
    ASSERT_TRUE(wait_until(
        [&] {
            probe.send_text("hello");
            return !for_conn(subscriber_events(sub), id).empty();
        },
        std::chrono::seconds(5)));
    // Several leases of the link's length later, the subscription still holds.
    for (int i = 0; i < 4; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(700));
        const std::string text = "still-there-" + std::to_string(i);
        probe.send_text(text);
        EXPECT_TRUE(wait_until(
            [&] {
                for (const auto& e : for_conn(subscriber_events(sub), id))
                    if (e.value("data", json()) == text) return true;
                return false;
            },
            std::chrono::seconds(3)))
            << text;
    }
}

TEST(Upstream, SubscribeNeedsTheTokenWhenTokensAreSet) {
    auto r = start_registry({}, {{"registry.tokens", "sekret"}});
    ChildProcess bad(WSC_CLI_BIN, {"--registry", r.bus_endpoint(), "subscribe"});
    auto status = bad.wait_exit(std::chrono::seconds(5));
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, 1);
    EXPECT_NE(bad.stderr_text().find("token error"), std::string::npos);
}

TEST(Upstream, PythonExampleCallsAndSubscribes) {
    auto r = start_registry();
    auto node = start_wsnode({r.bus_port});
    ASSERT_TRUE(wait_for_nodes(r.http_port, 1));
    const std::string script = std::string(WSC_SOURCE_DIR) + "/docs/python_client.py";
    ChildProcess call("/usr/bin/python3",
                      {script, "--registry", r.bus_endpoint(), "call", "getConnectionCount"});
    ASSERT_EQ(call.wait_exit(std::chrono::seconds(10)), 0) << call.stderr_text();
    const auto lines = call.stdout_lines();
    ASSERT_FALSE(lines.empty());
    const auto env = json::parse(lines.back());
    EXPECT_EQ(env["code"], 0);
    EXPECT_EQ(env["data"]["getConnectionCount"][node.node_id], 0);
    // The same call over HTTP gives the same JSON.
    EXPECT_EQ(env, api(r.http_port, "event=getConnectionCount"));

    ChildProcess sub("/usr/bin/python3", {script, "--registry", r.bus_endpoint(), "subscribe"});
    WsClient c;
    ASSERT_EQ(c.connect(node.ws_port, "/"), 101);
    const std::string id = open_id(c);
    ASSERT_TRUE(wait_until(
        [&] {
            c.send_text("hello from a client");
            for (const auto& e : subscriber_events(sub))
                if (e.value("_id", "") == id && e.value("data", json()) == "hello from a client")
                    return true;
            return false;
        },
        std::chrono::seconds(10)))
        << sub.stderr_text();
}

TEST(Cli, PrintsTheSameEnvelopeAsTheHttpApi) {
    auto r1 = start_registry();
    auto r2 = start_registry({r1.bus_port});
    auto node = start_wsnode({r2.bus_port});
    ASSERT_TRUE(wait_for_nodes(r1.http_port, 1));
    WsClient c;
    ASSERT_EQ(c.connect(node.ws_port, "/?x=1"), 101);
    const std::string id = open_id(c);
    // Through federation: the CLI talks to R1, the node is on R2.
    ChildProcess bind(WSC_CLI_BIN,
                      {"--registry", r1.bus_endpoint(), "bindId", "id=u1", "_id=" + id});
    ASSERT_EQ(bind.wait_exit(std::chrono::seconds(10)), 0) << bind.stderr_text();
    EXPECT_EQ(json::parse(bind.stdout_lines().back())["data"]["bindId"][node.node_id], 1);
    for (const std::string q : {"getIds", "get_IdData"}) {
        std::vector<std::string> args{"--registry", r1.bus_endpoint(), q};
        if (q == "get_IdData") args.push_back("_id=" + id);
        ChildProcess cli(WSC_CLI_BIN, args);
        ASSERT_EQ(cli.wait_exit(std::chrono::seconds(10)), 0);
        const std::string query =
            q == "getIds" ? "event=getIds" : "event=get_IdData&get_IdData[_id]=" + id;
        EXPECT_EQ(cli.stdout_lines().back(), http_get(r1.http_port, "/?" + query).body);
    }
    ChildProcess refused(WSC_CLI_BIN, {"--registry", r1.bus_endpoint(), "bindId", "id=u1"});
    EXPECT_EQ(refused.wait_exit(std::chrono::seconds(10)), 1);
    EXPECT_EQ(json::parse(refused.stdout_lines().back())["msg"], "bindId: missing parameter '_id'");
    ChildProcess nodes(WSC_CLI_BIN, {"--registry", r1.bus_endpoint(), "nodes"});
    ASSERT_EQ(nodes.wait_exit(std::chrono::seconds(10)), 0);
    bool listed = false;
    for (const auto& line : nodes.stdout_lines())
        listed = listed || line.find(node.node_id) != std::string::npos;
    EXPECT_TRUE(listed);
    ChildProcess unreachable(WSC_CLI_BIN,
                             {"--registry", "tcp://127.0.0.1:1", "--timeout", "200", "getIds"});
    EXPECT_EQ(unreachable.wait_exit(std::chrono::seconds(10)), 3);
}

namespace {

// The reason of the close event of `conn` a subscriber printed, "" until then.
std::string close_reason(ChildProcess& subscriber, const std::string& conn) {
    for (const auto& e : subscriber_events(subscriber))
        if (e.value("event", "") == "close" && e.value("_id", "") == conn)
            return e.value("reason", "(none)");
    return "";
}

}  // namespace

TEST(Upstream, CloseEventsSayWhyTheConnectionEnded) {
    auto r = start_registry();
    auto node = start_wsnode(
        {r.bus_port}, {{"wsnode.max_message_bytes", "1024"}, {"wsnode.send_queue_bytes", "65536"}});
    ASSERT_TRUE(wait_for_nodes(r.http_port, 1));
    ChildProcess sub(WSC_CLI_BIN, {"--registry", r.bus_endpoint(), "subscribe"});
    // Subscribed once a probe's own close comes through.
    ASSERT_TRUE(wait_until(
        [&] {
            WsClient probe;
            if (probe.connect(node.ws_port, "/") != 101) return false;
            const std::string id = open_id(probe);
            probe.close();
            return wait_until([&] { return !close_reason(sub, id).empty(); },
                              std::chrono::milliseconds(500));
        },
        std::chrono::seconds(10)));

    WsClient leaves, closed_by_api, too_big, sleeper, drained;
    for (WsClient* c : {&leaves, &closed_by_api, &too_big, &sleeper, &drained})
        ASSERT_EQ(c->connect(node.ws_port, "/"), 101);
    const std::string leaves_id = open_id(leaves), api_id = open_id(closed_by_api),
                      big_id = open_id(too_big), slow_id = open_id(sleeper),
                      drained_id = open_id(drained);
    leaves.close();
    api(r.http_port, "event=closeBy_Id&closeBy_Id[_id]=" + api_id);
    EXPECT_EQ(closed_by_api.wait_closed(), 1000);  // answering the close ends it at once
    too_big.send_text(std::string(2000, 'x'));
    EXPECT_EQ(too_big.wait_closed(), 1009);
    EXPECT_TRUE(wait_until([&] { return close_reason(sub, leaves_id) == "client"; }))
        << close_reason(sub, leaves_id);
    EXPECT_TRUE(wait_until([&] { return close_reason(sub, api_id) == "server"; }))
        << close_reason(sub, api_id);
    EXPECT_TRUE(wait_until([&] { return close_reason(sub, big_id) == "oversize"; }))
        << close_reason(sub, big_id);
    // A client that never reads, sent more than its queue may hold.
    const json big_send{{"event", "sendMessageTo_Id"},
                        {"sendMessageTo_Id", {{"_id", slow_id}, {"msg", std::string(16384, 's')}}}};
    int sends = 0;
    while (sends < 10000 &&
           api_post(r.http_port, "", big_send)["data"]["sendMessageTo_Id"][node.node_id] == 1)
        ++sends;
    EXPECT_LT(sends, 10000) << "a client that never reads was never closed";
    EXPECT_TRUE(wait_until([&] { return close_reason(sub, slow_id) == "slow"; }))
        << close_reason(sub, slow_id);
    // A node shutting down says so before it leaves the bus.
    node.proc->signal(SIGTERM);
    EXPECT_EQ(drained.wait_closed(), 1001);
    EXPECT_TRUE(wait_until([&] { return close_reason(sub, drained_id) == "drain"; }))
        << close_reason(sub, drained_id);
}
