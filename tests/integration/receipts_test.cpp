// Delivery receipts with real programs: sends made with ack=<ms> reach
// opted-in connections (?acks=1) with a token, their acks are matched on
// the nodes, and the call answers sent/acked per node as soon as every
// awaited connection acked or closed, or when the ack time has passed.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "tests/integration/Cluster.hpp"
#include "tests/support/ChildProcess.hpp"
#include "tests/support/HttpClient.hpp"
#include "tests/support/WaitUntil.hpp"
#include "tests/support/WsClient.hpp"

using namespace wsc::test;
using nlohmann::json;
using std::chrono::milliseconds;

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStep = std::chrono::seconds(5);

struct Client {
    std::unique_ptr<WsClient> ws = std::make_unique<WsClient>();
    std::string id;
    std::string node;  // the node it is on (the first 8 hex digits name it)
};

// A node's metric value from its /metrics page.
long long node_metric(std::uint16_t ws_port, const std::string& name) {
    const std::string body = http_get(ws_port, "/metrics").body;
    const auto at = body.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stoll(body.substr(at + name.size() + 2));
}

class Receipts : public ::testing::Test {
  protected:
    void SetUp() override {
        registry = start_registry({}, {{"registry.timeout_ms", "8000"}});
        for (int i = 0; i < 2; ++i)
            nodes.push_back(start_wsnode({registry.bus_port}, {{"wsnode.max_pending_acks", "2"}}));
        ASSERT_TRUE(wait_for_nodes(registry.http_port, 2));
    }

    Client connect(std::size_t node, bool acks) {
        Client c;
        if (c.ws->connect(nodes[node].ws_port, acks ? "/?acks=1" : "/") != 101)
            throw std::runtime_error("upgrade refused");
        const auto open = c.ws->recv(kStep);
        if (!open) throw std::runtime_error("no open message");
        c.id = json::parse(*open).at("_id");
        c.node = nodes[node].node_id;
        return c;
    }

    void bind(const Client& c, const std::string& user) {
        api(registry.http_port, "event=bindId&bindId[id]=" + user + "&bindId[_id]=" + c.id);
    }

    // The call, made on another thread while the test plays the clients.
    std::future<json> call_async(const std::string& query) {
        const std::uint16_t port = registry.http_port;
        return std::async(std::launch::async, [port, query] { return api(port, query); });
    }

    // The next message of an opted-in client: {"cmd":"msg","ack":..,"data":..}.
    static json wrapped(Client& c) {
        const auto text = c.ws->recv(kStep);
        if (!text) throw std::runtime_error("no message");
        return json::parse(*text);
    }
    static void ack(Client& c, const json& message) {
        c.ws->send_text(json{{"cmd", "ack"}, {"ack", message.at("ack")}}.dump());
    }

    RegistryProc registry;
    std::vector<NodeProc> nodes;
};

TEST_F(Receipts, TwoOfThreeDevicesAckAndTheCallEndsAtTheAckTime) {
    Client a = connect(0, true);
    Client b = connect(1, true);
    Client silent = connect(0, true);  // opted in, never acks
    for (const Client* c : {&a, &b, &silent}) bind(*c, "u1");

    const auto started = Clock::now();
    auto reply = call_async(
        "event=sendMessageToId&sendMessageToId[id]=u1&"
        "sendMessageToId[msg]=hello&ack=1500");
    for (Client* c : {&a, &b}) {
        const json m = wrapped(*c);
        EXPECT_EQ(m.at("cmd"), "msg");
        EXPECT_EQ(m.at("data"), "hello");
        ack(*c, m);
    }
    EXPECT_EQ(wrapped(silent).at("data"), "hello");
    const json env = reply.get();
    const auto took = Clock::now() - started;

    ASSERT_EQ(env.at("code"), 0) << env.dump();
    const json& data = env.at("data").at("sendMessageToId");
    EXPECT_EQ(data.at(a.node), (json{{"sent", 2}, {"acked", 1}, {"_ids", {a.id}}}));
    EXPECT_EQ(data.at(b.node), (json{{"sent", 1}, {"acked", 1}, {"_ids", {b.id}}}));
    // After the ack time, long before the default timeout (8 s).
    EXPECT_GE(took, milliseconds(1400));
    EXPECT_LT(took, milliseconds(4000));
    EXPECT_EQ(node_metric(nodes[0].ws_port, "wscenter_node_acks_total"), 1);
}

TEST_F(Receipts, AllAckedReturnsAtTheLastAckAndPlainClientsGetTheRawMessage) {
    Client a = connect(0, true);
    Client b = connect(1, true);
    Client plain = connect(1, false);  // did not opt in: raw message, sent, not acked
    for (const Client* c : {&a, &b, &plain}) bind(*c, "u2");

    const auto started = Clock::now();
    auto reply = call_async(
        "event=sendMessageToId&sendMessageToId[id]=u2&sendMessageToId[msg]={\"k\":1}&ack=6000");
    for (Client* c : {&a, &b}) {
        const json m = wrapped(*c);
        EXPECT_EQ(m.at("data"), (json{{"k", 1}}));  // a JSON message goes in as JSON
        ack(*c, m);
    }
    EXPECT_EQ(plain.ws->recv(kStep), R"({"k":1})");
    const json env = reply.get();
    EXPECT_LT(Clock::now() - started, milliseconds(3000));
    const json& data = env.at("data").at("sendMessageToId");
    EXPECT_EQ(data.at(a.node).at("acked"), 1);
    EXPECT_EQ(data.at(b.node), (json{{"sent", 2}, {"acked", 1}, {"_ids", {b.id}}}));

    // Without ack= nothing changes: raw messages and plain counts.
    const json no_ack = api(registry.http_port,
                            "event=sendMessageToId&sendMessageToId[id]=u2&sendMessageToId[msg]=x");
    EXPECT_EQ(no_ack.at("data").at("sendMessageToId").at(b.node), 2);
    EXPECT_EQ(a.ws->recv(kStep), "x");
}

TEST_F(Receipts, AConnectionClosedMidWaitIsNotWaitedFor) {
    Client doomed = connect(0, true);
    Client other = connect(1, false);
    const auto started = Clock::now();
    auto reply = call_async("event=sendMessageTo_Id&sendMessageTo_Id[_id]=" + doomed.id +
                            "&sendMessageTo_Id[msg]=bye&ack=6000");
    wrapped(doomed);
    doomed.ws->close();
    const json env = reply.get();
    EXPECT_LT(Clock::now() - started, milliseconds(3000));
    const json& data = env.at("data").at("sendMessageTo_Id");
    EXPECT_EQ(data.at(doomed.node), (json{{"sent", 1}, {"acked", 0}, {"_ids", json::array()}}));
    // The node that was not asked has its slot, in the same form and key
    // order as the one that answered.
    EXPECT_EQ(data.at(other.node), (json{{"sent", 0}, {"acked", 0}, {"_ids", json::array()}}));
    const std::string text =
        http_get(registry.http_port, "/?event=sendMessageTo_Id&sendMessageTo_Id[_id]=" + doomed.id +
                                         "&sendMessageTo_Id[msg]=x&ack=100")
            .body;
    EXPECT_NE(text.find("\"" + other.node + "\":{\"_ids\":[],\"acked\":0,\"sent\":0}"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("\"" + doomed.node + "\":{\"_ids\":[],\"acked\":0,\"sent\":0}"),
              std::string::npos)
        << text;
}

TEST_F(Receipts, ForgedAndLateAcksAreIgnoredAndCounted) {
    Client a = connect(0, true);
    Client bystander = connect(0, true);  // not sent the message: its ack must not count
    auto reply = call_async("event=sendMessageTo_Id&sendMessageTo_Id[_id]=" + a.id +
                            "&sendMessageTo_Id[msg]=m&ack=800");
    const json m = wrapped(a);
    bystander.ws->send_text(json{{"cmd", "ack"}, {"ack", m.at("ack")}}.dump());
    a.ws->send_text(R"({"cmd":"ack","ack":"0123456789abcdef01234567"})");
    const json env = reply.get();
    EXPECT_EQ(env.at("data").at("sendMessageTo_Id").at(a.node).at("acked"), 0);
    ack(a, m);  // after the answer: late
    EXPECT_TRUE(wait_until(
        [&] { return node_metric(nodes[0].ws_port, "wscenter_node_acks_ignored_total") == 3; },
        kStep));
    EXPECT_EQ(node_metric(nodes[0].ws_port, "wscenter_node_acks_total"), 0);
    // Acks are not client messages: nothing else was published for them.
    EXPECT_EQ(node_metric(nodes[0].ws_port, "wscenter_node_client_messages_total"), 0);
}

TEST_F(Receipts, PastThePendingBoundASendIsAnsweredWithoutWaiting) {
    Client a = connect(0, true);  // never acks; max_pending_acks = 2
    const std::string query = "event=sendMessageTo_Id&sendMessageTo_Id[_id]=" + a.id +
                              "&sendMessageTo_Id[msg]=m&ack=5000";
    auto first = call_async(query);
    auto second = call_async(query);
    ASSERT_TRUE(wait_until(
        [&] { return node_metric(nodes[0].ws_port, "wscenter_node_ack_waits") == 2; }, kStep));
    const auto started = Clock::now();
    const json third = api(registry.http_port, query);
    EXPECT_LT(Clock::now() - started, milliseconds(2000));
    EXPECT_EQ(third.at("data").at("sendMessageTo_Id").at(a.node),
              (json{{"sent", 1}, {"acked", 0}, {"_ids", json::array()}}));
    EXPECT_EQ(node_metric(nodes[0].ws_port, "wscenter_node_ack_overflow_total"), 1);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(wrapped(a).at("data"), "m");
    a.ws->close();  // the two waits end with it
    EXPECT_EQ(first.get().at("data").at("sendMessageTo_Id").at(a.node).at("acked"), 0);
    EXPECT_EQ(second.get().at("data").at("sendMessageTo_Id").at(a.node).at("acked"), 0);
}

TEST_F(Receipts, TheCliAndThePythonClientAskForReceipts) {
    Client a = connect(1, true);
    const std::string script = std::string(WSC_SOURCE_DIR) + "/docs/python_client.py";
    const std::string body = json{{"_id", a.id}, {"msg", "over the bus"}}.dump();
    std::unique_ptr<ChildProcess> callers[] = {
        std::make_unique<ChildProcess>(
            WSC_CLI_BIN,
            std::vector<std::string>{"--registry", registry.bus_endpoint(), "--ack", "4000",
                                     "sendMessageTo_Id", "_id=" + a.id, "msg=over the bus"}),
        std::make_unique<ChildProcess>(
            "/usr/bin/python3",
            std::vector<std::string>{script, "--registry", registry.bus_endpoint(), "call",
                                     "sendMessageTo_Id", "{\"sendMessageTo_Id\":" + body + "}",
                                     "--ack", "4000"}),
    };
    for (auto& caller : callers) {
        const json m = wrapped(a);
        EXPECT_EQ(m.at("data"), "over the bus");
        ack(a, m);
        ASSERT_EQ(caller->wait_exit(kStep), 0) << caller->stderr_text();
        const json env = json::parse(caller->stdout_lines().back());
        EXPECT_EQ(env.at("data").at("sendMessageTo_Id").at(a.node),
                  (json{{"sent", 1}, {"acked", 1}, {"_ids", {a.id}}}));
    }
}

TEST_F(Receipts, BadAckValuesAreRefused) {
    for (const char* bad : {"ack=0", "ack=-5", "ack=soon"}) {
        const json env =
            api(registry.http_port, std::string("event=broadcast&broadcast[msg]=x&") + bad);
        EXPECT_EQ(env.at("code"), 1) << bad;
        EXPECT_EQ(env.at("msg"), "ack must be a positive integer (ms)") << bad;
    }
}

}  // namespace
