// End-to-end checks of the WebSocket node (SPEC §5) and of cluster liveness (§3).
//
// A shared registry and node serve the client-facing checks (open, ping, any
// path, the node-local API); tests that stop, kill or restart a process start
// their own. The seed's environment variables are checked on fixed ports
// chosen free by the OS just before the start.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <chrono>
#include <memory>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/Cluster.hpp"
#include "tests/support/HttpClient.hpp"
#include "tests/support/WaitUntil.hpp"
#include "tests/support/WsClient.hpp"

namespace wsc::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kSwitchingProtocols = 101;
constexpr int kHttpOk = 200;
constexpr int kHttpUnauthorized = 401;
constexpr int kCloseGoingAway = 1001;
constexpr int kClosePolicyViolation = 1008;
constexpr int kTestHeartbeatMs = 200;  // what Cluster.cpp gives every process
constexpr int kLiveness = 3;
// Scheduling slack on a slow, shared machine on top of liveness x heartbeat.
constexpr auto kLivenessMargin = 1400ms;
// The SIGTERM test uses slow heartbeats so that expiry cannot pass for a bye.
constexpr int kSlowHeartbeatMs = 2000;
constexpr auto kByeDeadline = 1500ms;
constexpr std::size_t kSendQueueCap = 64 * 1024;
constexpr std::size_t kBigMessageBytes = 48 * 1024;  // below the cap
constexpr int kMaxFloodCalls = 2000;                 // ~94 MiB: far past any socket buffer
constexpr int kReaderMessages = 20;
constexpr int kPollTimeoutMs = 100;

auto ms(Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// A loopback TCP port that was free a moment ago (for the seed's fixed-port variables).
std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        ::close(fd);
        throw std::runtime_error("bind/getsockname failed");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
}

// A short timeout: a poll sent to a node that has just died must not wait the
// default 3 s for it, or the poll itself would hide how fast the node expired.
std::vector<std::string> master_ids(std::uint16_t http_port, const std::string& token = "") {
    const json env =
        api(http_port, (token.empty() ? "" : "token=" + token + "&") +
                           "event=getConnectionCount&timeout=" + std::to_string(kPollTimeoutMs));
    if (!env.contains("master_ids")) return {};
    return env["master_ids"].get<std::vector<std::string>>();
}

bool lists(std::uint16_t http_port, const std::string& node) {
    const auto ids = master_ids(http_port);
    return std::find(ids.begin(), ids.end(), node) != ids.end();
}

// Connects and returns the connection id from the open message.
std::string open(WsClient& ws, std::uint16_t port, const std::string& target = "/") {
    const int status = ws.connect(port, target);
    if (status != kSwitchingProtocols)
        throw std::runtime_error("upgrade refused with HTTP " + std::to_string(status));
    const auto msg = ws.recv();
    if (!msg) throw std::runtime_error("no open message");
    return json::parse(*msg).at("_id").get<std::string>();
}

class WsNode : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        registry_ = std::make_unique<RegistryProc>(start_registry());
        node_ = std::make_unique<NodeProc>(start_wsnode({registry_->bus_port}));
        ASSERT_TRUE(wait_until([] { return lists(registry_->http_port, node_->node_id); }, 10s));
    }

    static void TearDownTestSuite() {
        node_.reset();
        registry_.reset();
    }

    void SetUp() override { ASSERT_TRUE(registry_ && node_) << "the cluster did not start"; }

    static json node_results(const std::string& query, const std::string& event) {
        const json env = api(registry_->http_port, query);
        return env["data"][event][node_->node_id];
    }

    inline static std::unique_ptr<RegistryProc> registry_;
    inline static std::unique_ptr<NodeProc> node_;
};

TEST_F(WsNode, OpenMessageCarriesAFresh32HexConnectionId) {
    WsClient first;
    WsClient second;
    ASSERT_EQ(first.connect(node_->ws_port), kSwitchingProtocols);
    ASSERT_EQ(second.connect(node_->ws_port), kSwitchingProtocols);
    const auto m1 = first.recv();
    const auto m2 = second.recv();
    ASSERT_TRUE(m1 && m2);
    const std::regex shape(R"(\{"cmd":"open","_id":"[0-9a-f]{32}"\})");
    EXPECT_TRUE(std::regex_match(*m1, shape)) << *m1;
    EXPECT_TRUE(std::regex_match(*m2, shape)) << *m2;
    const std::string id1 = json::parse(*m1)["_id"];
    const std::string id2 = json::parse(*m2)["_id"];
    EXPECT_NE(id1, id2);
    const json ids = node_results("event=get_Ids", "get_Ids");
    EXPECT_NE(std::find(ids.begin(), ids.end(), id1), ids.end()) << ids.dump();
    EXPECT_NE(std::find(ids.begin(), ids.end(), id2), ids.end()) << ids.dump();
}

TEST_F(WsNode, TextPingGetsPong) {
    WsClient ws;
    const std::string id = open(ws, node_->ws_port);
    ws.send_text("ping");
    const auto pong = ws.recv();
    ASSERT_TRUE(pong);
    EXPECT_EQ(*pong, R"({"cmd":"pong","_id":")" + id + "\"}");
    ws.send_text("ping");
    EXPECT_EQ(ws.recv().value_or(""), *pong) << "every ping gets a pong";
}

TEST_F(WsNode, PingFrameGetsPongFrame) {
    WsClient ws;
    open(ws, node_->ws_port);
    ws.send_ping("are you there");
    EXPECT_TRUE(wait_until([&] {
        ws.recv(20ms);  // reading is what counts incoming pongs
        return ws.pongs_received() >= 1;
    }));
    EXPECT_TRUE(ws.is_open());
}

TEST_F(WsNode, UpgradesOnAnyPath) {
    for (const std::string target : {"/", "/ws", "/a/deep/path?x=1", "/?"}) {
        WsClient ws;
        EXPECT_EQ(ws.connect(node_->ws_port, target), kSwitchingProtocols) << target;
        const auto msg = ws.recv();
        EXPECT_TRUE(msg && msg->find("\"open\"") != std::string::npos) << target;
    }
}

// A plain HTTP request to the WebSocket port runs the API on that node alone.
TEST_F(WsNode, PlainHttpOnTheWsPortRunsTheApiLocally) {
    WsClient ws;
    const std::string id = open(ws, node_->ws_port);
    const auto res = http_get(node_->ws_port,
                              "/?event=getConnectionCount,bindId&bindId[id]=local-u"
                              "&bindId[_id]=" +
                                  id);
    ASSERT_EQ(res.status, kHttpOk) << res.body;
    const json env = res.json();
    EXPECT_EQ(env.value("code", -1), 0) << res.body;
    EXPECT_FALSE(env.contains("master_ids")) << res.body;
    EXPECT_TRUE(env["data"]["getConnectionCount"].is_number()) << "not keyed by node: " << res.body;
    EXPECT_EQ(env["data"]["bindId"], 1) << res.body;
    EXPECT_EQ(node_results("event=getIdBy_Id&getIdBy_Id[_id]=" + id, "getIdBy_Id"), "local-u");
    const auto bad = http_get(node_->ws_port, "/?event=bindId");
    EXPECT_EQ(bad.json().value("code", -1), 1) << bad.body;
}

TEST_F(WsNode, TokensAreRequiredWhenConfigured) {
    auto guarded = start_wsnode({registry_->bus_port}, {{"wsnode.tokens", "abc,def"}});
    WsClient ws;
    EXPECT_EQ(ws.connect(guarded.ws_port, "/"), kHttpUnauthorized);
    EXPECT_FALSE(ws.is_open());
    EXPECT_EQ(ws.connect(guarded.ws_port, "/?token=wrong"), kHttpUnauthorized);
    EXPECT_EQ(ws.connect(guarded.ws_port, "/?token="), kHttpUnauthorized);
    EXPECT_EQ(ws.connect(guarded.ws_port, "/?token=abc"), kSwitchingProtocols);
    EXPECT_TRUE(ws.recv().has_value());
    EXPECT_EQ(ws.connect(guarded.ws_port, "/room?x=1&token=def"), kSwitchingProtocols);
    EXPECT_TRUE(ws.recv().has_value());
    // The unguarded node of the suite still takes anyone.
    EXPECT_EQ(ws.connect(node_->ws_port, "/"), kSwitchingProtocols);
}

TEST_F(WsNode, SeedEnvironmentVariablesWork) {
    const std::uint16_t bus = free_port();
    const std::uint16_t http = free_port();
    const std::uint16_t ws_port = free_port();
    ChildProcess registry(WSC_REGISTRY_BIN, {"--log.level=debug"},
                          {{"REGISTER_CENTER_PORT", std::to_string(bus)},
                           {"HTTP_PORT", std::to_string(http)},
                           {"OTHER_REGISTER_CENTER_PORT", ""},
                           {"TOKEN", "envtok"}});
    const auto r = registry.wait_ready();
    EXPECT_EQ(r.fields.at("bus_port"), std::to_string(bus));
    EXPECT_EQ(r.fields.at("http_port"), std::to_string(http));
    ChildProcess node(WSC_WSNODE_BIN, {"--log.level=debug"},
                      {{"REGISTER_CENTER_PORT", std::to_string(bus)},
                       {"PORT", std::to_string(ws_port)},
                       {"TOKEN", "wstok"}});
    const auto n = node.wait_ready();
    EXPECT_EQ(n.fields.at("ws_port"), std::to_string(ws_port));
    const std::string node_id = n.fields.at("node");

    EXPECT_TRUE(
        wait_until([&] { return master_ids(http, "envtok") == std::vector{node_id}; }, 10s));
    EXPECT_EQ(http_get(http, "/?event=getIds").body, R"({"code":1,"msg":"token error","data":[]})");
    WsClient ws;
    EXPECT_EQ(ws.connect(ws_port, "/"), kHttpUnauthorized);
    EXPECT_EQ(ws.connect(ws_port, "/?token=wstok"), kSwitchingProtocols);
    const json count = api(http, "token=envtok&event=getConnectionCount");
    EXPECT_EQ(count["data"]["getConnectionCount"][node_id], 1) << count.dump();
}

TEST_F(WsNode, SigtermClosesClientsWith1001LeavesAtOnceAndExitsZero) {
    const std::string hb = std::to_string(kSlowHeartbeatMs);
    auto registry = start_registry({}, {{"registry.heartbeat_ms", hb}});
    auto node = start_wsnode({registry.bus_port}, {{"wsnode.heartbeat_ms", hb}});
    ASSERT_TRUE(wait_until([&] { return lists(registry.http_port, node.node_id); }, 10s));
    WsClient ws;
    open(ws, node.ws_port);

    const auto start = Clock::now();
    node.proc->signal(SIGTERM);
    ASSERT_TRUE(wait_until([&] { return !lists(registry.http_port, node.node_id); }, 10s));
    const auto gone_after = Clock::now() - start;
    EXPECT_LT(gone_after, kByeDeadline)
        << "left master_ids after " << ms(gone_after) << " ms: by expiry, not by a bye";
    EXPECT_EQ(ws.wait_closed(), kCloseGoingAway);
    EXPECT_EQ(node.proc->wait_exit(10s), 0);
    EXPECT_TRUE(registry.proc->running());
}

TEST_F(WsNode, KilledNodeDisappearsWithinLiveness) {
    auto victim = start_wsnode({registry_->bus_port});
    ASSERT_TRUE(wait_until([&] { return lists(registry_->http_port, victim.node_id); }, 10s));
    const auto start = Clock::now();
    victim.proc->signal(SIGKILL);
    ASSERT_TRUE(wait_until([&] { return !lists(registry_->http_port, victim.node_id); }, 10s));
    const auto gone_after = Clock::now() - start;
    EXPECT_LT(gone_after, std::chrono::milliseconds(kLiveness * kTestHeartbeatMs) + kLivenessMargin)
        << "took " << ms(gone_after) << " ms";
    EXPECT_TRUE(lists(registry_->http_port, node_->node_id)) << "the other node stayed";
    // Calls no longer wait for the dead node.
    const json env = api(registry_->http_port, "event=getConnectionCount");
    EXPECT_FALSE(env["data"]["getConnectionCount"].contains(victim.node_id)) << env.dump();
}

TEST_F(WsNode, RestartedRegistryIsRejoinedWithoutRestartingTheNode) {
    auto registry = start_registry();
    const std::uint16_t bus = registry.bus_port;
    auto node = start_wsnode({bus});
    ASSERT_TRUE(wait_until([&] { return lists(registry.http_port, node.node_id); }, 10s));
    WsClient ws;
    const std::string id = open(ws, node.ws_port);
    api(registry.http_port, "event=bindId&bindId[id]=survivor&bindId[_id]=" + id);

    EXPECT_EQ(registry.proc->stop(), 0);
    registry = start_registry({}, {{"registry.bus_port", std::to_string(bus)}});
    ASSERT_EQ(registry.bus_port, bus);
    EXPECT_TRUE(wait_until([&] { return lists(registry.http_port, node.node_id); }, 10s))
        << "the node did not rejoin the restarted registry";
    EXPECT_TRUE(node.proc->running());
    // The node kept its connections and bindings: state lives on the nodes.
    const json env = api(registry.http_port, "event=getIdBy_Id&getIdBy_Id[_id]=" + id);
    EXPECT_EQ(env["data"]["getIdBy_Id"][node.node_id], "survivor") << env.dump();
    const json sent = api(registry.http_port, "event=sendMessageTo_Id&sendMessageTo_Id[_id]=" + id +
                                                  "&sendMessageTo_Id[msg]=after+restart");
    EXPECT_EQ(sent["data"]["sendMessageTo_Id"][node.node_id], 1) << sent.dump();
    EXPECT_EQ(ws.recv().value_or("<nothing>"), "after restart");
}

// A client that never reads must not grow the node's memory: once its send
// queue passes the cap the node closes it with 1008. Each message is below the
// cap, so only a client that stops reading can reach it; one that reads keeps up.
TEST_F(WsNode, SlowClientIsClosedWith1008PastTheSendQueueCap) {
    auto node = start_wsnode({registry_->bus_port},
                             {{"wsnode.send_queue_bytes", std::to_string(kSendQueueCap)}});
    ASSERT_TRUE(wait_until([&] { return lists(registry_->http_port, node.node_id); }, 10s));
    const std::string big(kBigMessageBytes, 'z');
    auto send_to = [&](const std::string& id) {
        const json env = api_post(
            registry_->http_port, "",
            {{"event", "sendMessageTo_Id"}, {"sendMessageTo_Id", {{"_id", id}, {"msg", big}}}});
        return env["data"]["sendMessageTo_Id"][node.node_id];
    };

    WsClient reader;
    const std::string reader_id = open(reader, node.ws_port);
    for (int i = 0; i < kReaderMessages; ++i) {
        ASSERT_EQ(send_to(reader_id), 1) << "message " << i;
        ASSERT_EQ(reader.recv().value_or("").size(), kBigMessageBytes) << "message " << i;
    }
    EXPECT_TRUE(reader.is_open());

    WsClient sleeper;
    const std::string id = open(sleeper, node.ws_port);
    int calls = 0;
    while (calls < kMaxFloodCalls && send_to(id) == 1) ++calls;
    ASSERT_LT(calls, kMaxFloodCalls) << "still connected after " << calls * kBigMessageBytes
                                     << " bytes sent to a client that never reads";
    EXPECT_GT(calls, 0) << "closed before anything could queue up";
    EXPECT_TRUE(node.proc->running());
    EXPECT_TRUE(wait_until([&] {
        const json env = api(registry_->http_port, "event=isOnline_Id&isOnline_Id[_id]=" + id);
        return env["data"]["isOnline_Id"][node.node_id] == false;
    }));
    // Reading now, the client finds what was queued and then the close frame.
    EXPECT_EQ(sleeper.wait_closed(10s), kClosePolicyViolation) << "after " << calls << " messages";
    EXPECT_TRUE(reader.is_open());
    EXPECT_EQ(send_to(reader_id), 1) << "the reader was not hurt";
}

// The node-local API takes POST bodies and its own tokens like a registry's.
TEST(WsNodeLocalApi, PostBodyAndTokens) {
    auto registry = start_registry();
    auto node =
        start_wsnode({registry.bus_port}, {{"wsnode.tokens", "tk"}, {"wsnode.api_tokens", "api"}});
    WsClient ws;
    ASSERT_EQ(ws.connect(node.ws_port, "/?token=tk&a=b"), 101);
    const auto id = json::parse(*ws.recv())["_id"].get<std::string>();
    EXPECT_EQ(http_get(node.ws_port, "/?event=getIds").json()["msg"], "token error");
    // A client token opens a WebSocket, never the API.
    EXPECT_EQ(http_get(node.ws_port, "/?event=getIds&token=tk").json()["msg"], "token error");
    const auto res = http_post_json(
        node.ws_port, "/?event=get_IdData,sendMessageTo_Id&token=api",
        {{"get_IdData", {{"_id", id}}}, {"sendMessageTo_Id", {{"_id", id}, {"msg", {{"k", 1}}}}}});
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.header("access-control-allow-origin"), "*");
    const auto env = res.json();
    EXPECT_EQ(env["data"]["get_IdData"], json({{"a", "b"}}));
    EXPECT_EQ(env["data"]["sendMessageTo_Id"], 1);
    EXPECT_EQ(ws.recv(), std::optional<std::string>(R"({"k":1})"));
    const auto bad = http_request(node.ws_port, "POST", "/?event=getIds&token=api", "{oops",
                                  {{"Content-Type", "application/json"}});
    EXPECT_EQ(bad.json()["code"], 1);
}

// /metrics shows what the node holds, what it wrote and what it told the
// registries of its directory.
TEST(WsNodeLocalApi, MetricsCountTheIndexTheWritesAndTheDirectory) {
    auto registry = start_registry();
    auto node = start_wsnode({registry.bus_port});
    WsClient a;
    WsClient b;
    ASSERT_EQ(a.connect(node.ws_port, "/"), 101);
    ASSERT_EQ(b.connect(node.ws_port, "/"), 101);
    const auto id = json::parse(*a.recv())["_id"].get<std::string>();
    ASSERT_TRUE(b.recv());
    // No tokens at all: the node-local API answers loopback callers.
    const auto res = http_post_json(node.ws_port, "/?event=bindId,joinGroupBy_Id,sendMessageTo_Id",
                                    {{"bindId", {{"_id", id}, {"id", "u1"}}},
                                     {"joinGroupBy_Id", {{"_id", id}, {"groupId", "g1"}}},
                                     {"sendMessageTo_Id", {{"_id", id}, {"msg", "hi"}}}});
    ASSERT_EQ(res.json()["code"], 0) << res.body;
    EXPECT_EQ(a.recv(), std::optional<std::string>("hi"));
    const auto metrics = http_get(node.ws_port, "/metrics").body;
    EXPECT_NE(metrics.find("\nwscenter_node_users 1\n"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("\nwscenter_node_groups 1\n"), std::string::npos) << metrics;
    // Two open frames and one message, each in a write of its own.
    EXPECT_NE(metrics.find("\nwscenter_node_frames_sent_total 3\n"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("\nwscenter_node_writes_total 3\n"), std::string::npos) << metrics;
    EXPECT_EQ(metrics.find("\nwscenter_node_directory_deltas_total 0\n"), std::string::npos)
        << metrics;
}

}  // namespace
}  // namespace wsc::test

namespace wsc::test {
namespace {

TEST(WsNodeLimits, MaxConnectionsRateLimitAndMetrics) {
    auto registry = start_registry();
    auto node = start_wsnode({registry.bus_port}, {{"wsnode.max_connections", "3"},
                                                   {"wsnode.connect_rate_per_ip", "0"}});
    std::vector<std::unique_ptr<WsClient>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<WsClient>());
        ASSERT_EQ(clients.back()->connect(node.ws_port, "/"), 101);
    }
    WsClient extra;
    EXPECT_EQ(extra.connect(node.ws_port, "/"), 503);
    const auto metrics = http_get(node.ws_port, "/metrics").body;
    EXPECT_NE(metrics.find("\nwscenter_node_connections 3\n"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("\nwscenter_node_limit_rejects_total 1\n"), std::string::npos)
        << metrics;
    clients.pop_back();  // one leaves: room for one more
    EXPECT_TRUE(wait_until([&] {
        WsClient again;
        return again.connect(node.ws_port, "/") == 101;
    }));

    auto limited = start_wsnode({registry.bus_port}, {{"wsnode.connect_rate_per_ip", "5"}});
    int accepted = 0, refused = 0;
    std::vector<std::unique_ptr<WsClient>> burst;
    for (int i = 0; i < 20; ++i) {
        burst.push_back(std::make_unique<WsClient>());
        const int status = burst.back()->connect(limited.ws_port, "/");
        accepted += status == 101;
        refused += status == 429;
    }
    EXPECT_GE(accepted, 5);
    EXPECT_LE(accepted, 8);  // the burst, plus what refilled meanwhile
    EXPECT_EQ(accepted + refused, 20);
}

}  // namespace
}  // namespace wsc::test
