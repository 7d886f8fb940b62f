// Attacks on the HTTP side of both public ports — a registry's API port and a
// node's WebSocket port — with real processes and raw sockets: pipelined
// requests, a GET with a body, answers that could cross between callers,
// chunked, bodiless and slow requests, the longest allowed call, refused
// upgrades, and who may call the node-local API.
#include <gtest/gtest.h>

#include <csignal>

#include <chrono>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/integration/Cluster.hpp"
#include "tests/support/HttpClient.hpp"
#include "tests/support/TcpConnection.hpp"
#include "tests/support/WaitUntil.hpp"
#include "tests/support/WsClient.hpp"

namespace wsc::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr int kSwitchingProtocols = 101;
constexpr auto kRequestTimeout = 1000ms;  // http_request_timeout_ms of the cluster below
const std::string kRequestTimeoutMs = "1000";
// The bytes that once hung a node's and a registry's HTTP for good.
const std::string kPipelinedGetPost =
    "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}";

// How many responses a byte stream holds.
int count_responses(const std::string& bytes) {
    int n = 0;
    for (auto at = bytes.find("HTTP/1."); at != std::string::npos;
         at = bytes.find("HTTP/1.", at + 1))
        ++n;
    return n;
}

// Reads one whole response (head and Content-Length body) from a connection.
HttpResponse read_response(TcpConnection& conn, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    const auto head = conn.read_until("\r\n\r\n", deadline, 1 << 16);
    if (!head) throw std::runtime_error("connection closed before a response");
    HttpResponse res = parse_response_head(*head);
    const auto body = conn.read_exact(std::stoul(res.header("content-length")), deadline);
    if (!body) throw std::runtime_error("connection closed inside a body");
    res.body = *body;
    return res;
}

class HostileHttp : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        registry_ = new RegistryProc(
            start_registry({}, {{"registry.http_request_timeout_ms", kRequestTimeoutMs}}));
        node_ = new NodeProc(start_wsnode({registry_->bus_port},
                                          {{"wsnode.http_request_timeout_ms", kRequestTimeoutMs}}));
        ASSERT_TRUE(wait_for_nodes(registry_->http_port, 1));
    }
    static void TearDownTestSuite() {
        delete node_;
        delete registry_;
        node_ = nullptr;
        registry_ = nullptr;
    }

    static RegistryProc* registry_;
    static NodeProc* node_;
};

RegistryProc* HostileHttp::registry_ = nullptr;
NodeProc* HostileHttp::node_ = nullptr;

TEST_F(HostileHttp, PipelinedGetAndPostOnTheNodePortAreBothAnswered) {
    const std::string out = raw_exchange(node_->ws_port, kPipelinedGetPost, 1500ms);
    EXPECT_EQ(count_responses(out), 2) << out;
    EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << out;
    // The node still serves its clients and the bus.
    WsClient ws;
    ASSERT_EQ(ws.connect(node_->ws_port, "/"), kSwitchingProtocols);
    ASSERT_TRUE(ws.recv());  // the open message
    const json env = api(registry_->http_port, "event=broadcast&broadcast[msg]=alive");
    EXPECT_EQ(env["code"], 0);
    EXPECT_EQ(ws.recv(), std::optional<std::string>("alive"));
}

TEST_F(HostileHttp, PipelinedGetAndPostOnTheRegistryPortAreBothAnswered) {
    const std::string out = raw_exchange(registry_->http_port, kPipelinedGetPost, 1500ms);
    EXPECT_EQ(count_responses(out), 2) << out;
    EXPECT_EQ(http_get(registry_->http_port, "/healthz").status, 200);
    EXPECT_EQ(http_get(registry_->http_port, "/metrics").status, 200);
    EXPECT_EQ(api(registry_->http_port, "event=nodes")["code"], 0);
}

TEST_F(HostileHttp, ManyPipelinedRequestsAreAnsweredInOrder) {
    std::string wire;
    constexpr int kRequests = 50;
    for (int i = 0; i < kRequests; ++i)
        wire += "GET /?event=getConnectionCount&n=" + std::to_string(i) +
                " HTTP/1.1\r\nHost: x\r\n\r\n";
    TcpConnection conn(registry_->http_port, Clock::now() + 5s);
    conn.send_all(wire, Clock::now() + 5s);
    for (int i = 0; i < kRequests; ++i) {
        const HttpResponse res = read_response(conn, 5s);
        EXPECT_EQ(res.status, 200);
        EXPECT_EQ(res.json()["code"], 0) << i;
    }
}

TEST_F(HostileHttp, GetWithABodyRunsOnceWithTheBodyOverTheQuery) {
    WsClient ws;
    ASSERT_EQ(ws.connect(node_->ws_port, "/"), kSwitchingProtocols);
    ASSERT_TRUE(ws.recv());
    const std::string body = R"({"event":"broadcast","broadcast":{"msg":"dupB"}})";
    const std::string request =
        "GET /?event=broadcast&broadcast[msg]=dupA HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: application/json\r\nConnection: close\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    const std::string out = raw_exchange(registry_->http_port, request, 3s);
    EXPECT_EQ(count_responses(out), 1) << out;
    EXPECT_NE(out.find(R"("code":0)"), std::string::npos) << out;
    EXPECT_EQ(ws.recv(), std::optional<std::string>("dupB"));
    EXPECT_TRUE(ws.drain(500ms).empty()) << "the call ran twice";
}

TEST_F(HostileHttp, AnswersNeverCrossBetweenConnections) {
    // A frozen node keeps each call waiting its timeout; callers that hang up
    // meanwhile must not have their answers handed to the next connection.
    node_->proc->signal(SIGSTOP);
    ResumeOnExit resume(*node_->proc);
    constexpr int kRounds = 20;
    for (int round = 0; round < kRounds; ++round) {
        {
            TcpConnection gone(registry_->http_port, Clock::now() + 2s);
            gone.send_all("GET /?event=getConnectionCount&timeout=100 HTTP/1.1\r\nHost: x\r\n\r\n",
                          Clock::now() + 2s);
        }  // hangs up before its answer
        TcpConnection next(registry_->http_port, Clock::now() + 2s);
        next.send_all("GET /?event=nodes HTTP/1.1\r\nHost: x\r\n\r\n", Clock::now() + 2s);
        const HttpResponse first = read_response(next, 3s);
        ASSERT_TRUE(first.json()["data"].contains("nodes")) << first.body;
        std::this_thread::sleep_for(150ms);  // the abandoned call times out now
        next.send_all("GET /?event=nodes HTTP/1.1\r\nHost: x\r\n\r\n", Clock::now() + 2s);
        const HttpResponse second = read_response(next, 3s);
        ASSERT_TRUE(second.json()["data"].contains("nodes"))
            << "round " << round << ": " << second.body;
        EXPECT_TRUE(next.buffer().empty()) << "an extra answer arrived: " << next.buffer();
    }
    node_->proc->signal(SIGCONT);
    EXPECT_TRUE(wait_for_nodes(registry_->http_port, 1));
}

TEST_F(HostileHttp, ChunkedAndBodilessPostsAreAnswered) {
    const std::string chunked =
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        "8\r\n{\"event\"\r\n9\r\n:\"nodes\"}\r\n0\r\n\r\n";
    for (const auto port : {registry_->http_port, node_->ws_port}) {
        const std::string out = raw_exchange(port, chunked, 3s);
        EXPECT_EQ(count_responses(out), 1) << out;
        EXPECT_NE(out.find("\"nodes\""), std::string::npos) << out;
        // No body and no Content-Length: a request with an empty body, at once.
        const auto start = Clock::now();
        const std::string bare = raw_exchange(
            port,
            "POST /?event=getConnectionCount HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3s);
        EXPECT_EQ(count_responses(bare), 1) << bare;
        EXPECT_NE(bare.find("getConnectionCount"), std::string::npos) << bare;
        EXPECT_LT(Clock::now() - start, 2s);
    }
}

TEST_F(HostileHttp, SlowHeadsAndBodiesAreCutOff) {
    for (const auto port : {registry_->http_port, node_->ws_port}) {
        // A head trickled a byte at a time never completes.
        TcpConnection head(port, Clock::now() + 2s);
        const std::string partial = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        head.send_all(partial, Clock::now() + 2s);
        const auto start = Clock::now();
        bool closed = false;
        while (Clock::now() - start < 5s && !closed) {
            try {
                head.send_all("a", Clock::now() + 1s);
            } catch (const std::runtime_error&) {
                closed = true;
            }
            if (head.fill(Clock::now() + 200ms) == TcpConnection::Fill::Eof) closed = true;
        }
        EXPECT_TRUE(closed) << "port " << port;
        EXPECT_LT(Clock::now() - start, kRequestTimeout + 2s) << "port " << port;
        // A body that never arrives.
        TcpConnection body(port, Clock::now() + 2s);
        body.send_all("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{",
                      Clock::now() + 2s);
        const auto body_start = Clock::now();
        EXPECT_NO_THROW(body.read_to_eof(Clock::now() + kRequestTimeout + 3s)) << "port " << port;
        EXPECT_LT(Clock::now() - body_start, kRequestTimeout + 2s);
    }
}

TEST_F(HostileHttp, OversizedAndMalformedRequestsGetAStatusAndAClose) {
    for (const auto port : {registry_->http_port, node_->ws_port}) {
        const std::string big =
            raw_exchange(port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n");
        EXPECT_EQ(big.rfind("HTTP/1.1 413 ", 0), 0u) << big;
        const std::string smuggle = raw_exchange(
            port,
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
            "0\r\n\r\n");
        EXPECT_EQ(smuggle.rfind("HTTP/1.1 400 ", 0), 0u) << smuggle;
        const std::string flood =
            raw_exchange(port, "GET / HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n");
        EXPECT_EQ(flood.rfind("HTTP/1.1 431 ", 0), 0u) << flood;
        // A TLS hello (binary, no line end) is refused on its first bytes.
        const std::string junk = raw_exchange(port, std::string("\x16\x03\x01\x02\x00\x01", 6));
        EXPECT_EQ(junk.rfind("HTTP/1.1 4", 0), 0u) << junk;
    }
    EXPECT_EQ(api(registry_->http_port, "event=nodes")["code"], 0);
}

TEST(HostileHttpShutdown, ANodeAttackedWithPipelinedRequestsStillStopsOnSigterm) {
    auto registry = start_registry();
    auto node = start_wsnode({registry.bus_port});
    for (int i = 0; i < 5; ++i) raw_exchange(node.ws_port, kPipelinedGetPost, 300ms);
    node.proc->signal(SIGTERM);
    EXPECT_EQ(node.proc->wait_exit(5s), std::optional<int>(0));
}

TEST(HostileHttpTimeouts, TheLongestAllowedTimeoutIsAnswered) {
    // lws's own 30 s connection timeout once cut calls of timeout=30000 short.
    // Slow heartbeats keep the frozen node live for the whole call.
    auto registry = start_registry(
        {}, {{"registry.max_timeout_ms", "31000"}, {"registry.heartbeat_ms", "20000"}});
    auto node = start_wsnode({registry.bus_port}, {{"wsnode.heartbeat_ms", "20000"}});
    ASSERT_TRUE(wait_for_nodes(registry.http_port, 1));
    node.proc->signal(SIGSTOP);
    ResumeOnExit resume(*node.proc);
    const auto start = Clock::now();
    const HttpResponse res = http_request(registry.http_port, "GET",
                                          "/?event=getConnectionCount&timeout=31000", "", {}, 40s);
    EXPECT_GE(Clock::now() - start, 30s) << res.body;
    EXPECT_EQ(res.status, 200);
    // The whole envelope, with the frozen node's slot timed out.
    EXPECT_EQ(res.json()["data"]["getConnectionCount"][node.node_id]["code"], 2) << res.body;
}

TEST(HostileHttpUpgrades, RefusalsAreHttp11WithTheirStatus) {
    auto registry = start_registry();
    auto node = start_wsnode({registry.bus_port},
                             {{"wsnode.tokens", "ok"}, {"wsnode.connect_rate_per_ip", "1"}});
    WsClient refused;
    EXPECT_EQ(refused.connect(node.ws_port, "/?token=wrong"), 401);
    const std::string upgrade =
        "GET /?token=wrong HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    std::string out;
    // The rate limit (1/s) may answer first: both must be HTTP/1.1.
    for (int i = 0; i < 3; ++i) out += raw_exchange(node.ws_port, upgrade);
    EXPECT_NE(out.find("HTTP/1.1 429 Too Many Requests\r\n"), std::string::npos) << out;
    EXPECT_EQ(out.find("HTTP/1.0"), std::string::npos) << out;
    const std::string old_version = raw_exchange(
        node.ws_port,
        "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n");
    EXPECT_EQ(old_version.rfind("HTTP/1.1 426 ", 0), 0u) << old_version;
    EXPECT_NE(old_version.find("sec-websocket-version: 13"), std::string::npos);
}

TEST(NodeLocalApiTrust, ClientTokensWithoutApiTokensTurnTheApiOff) {
    auto registry = start_registry({}, {{"registry.tokens", "reg"}});
    auto node = start_wsnode({registry.bus_port}, {{"wsnode.tokens", "client"}});
    for (const std::string token : {"", "client", "reg"}) {
        const HttpResponse res =
            http_get(node.ws_port, "/?event=broadcast&broadcast[msg]=x&token=" + token);
        EXPECT_EQ(res.status, 403) << token;
        EXPECT_EQ(res.json()["code"], 1) << token;
    }
    // Clients still connect with their token.
    WsClient ws;
    EXPECT_EQ(ws.connect(node.ws_port, "/?token=client"), kSwitchingProtocols);
}

TEST(NodeLocalApiTrust, WithoutAnyTokenOnlyLoopbackMayCall) {
    // Every test peer is on loopback: the call is answered. Peers elsewhere
    // are refused by the same check (net_loopback_test covers the address test).
    auto registry = start_registry();
    auto node = start_wsnode({registry.bus_port});
    const json env = http_get(node.ws_port, "/?event=getConnectionCount").json();
    EXPECT_EQ(env["code"], 0);
    EXPECT_EQ(env["data"]["getConnectionCount"], 0);
}

}  // namespace
}  // namespace wsc::test
