// End-to-end checks of the HTTP API's refusals and robustness (SPEC §3-§4).
//
// One registry (tokens t1,t2; a 1000-byte body limit) and two wsnodes are
// started once for the suite. The tests cover tokens, event and parameter
// validation (nothing of a refused batch runs), malformed and oversized bodies,
// CORS, the reserved paths, early return of a gathered call, per-node timeouts
// of a frozen node, and junk thrown at every port the cluster listens on.
#include <gtest/gtest.h>

#include <csignal>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

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

constexpr int kHttpOk = 200;
constexpr int kHttpNoContent = 204;
constexpr int kHttpTooLarge = 413;
constexpr int kSwitchingProtocols = 101;
constexpr std::size_t kBodyLimit = 1000;
// Long enough that a SIGSTOPped node is still "live" while its call times out.
constexpr int kHeartbeatMs = 1000;
constexpr int kShortTimeoutMs = 300;
constexpr auto kDefaultTimeout = 3000ms;
constexpr int kSequentialCalls = 5;
constexpr std::size_t kWsJunkBytes = 100000;
constexpr auto kJunkWait = 500ms;

const std::string kTokenError = R"({"code":1,"msg":"token error","data":[]})";
const std::string kEventError = R"({"code":1,"msg":"event error","data":[]})";
const std::string kTimeoutSlot = R"({"code":2,"msg":"timeout","data":[]})";

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

class ApiErrors : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        const std::string hb = std::to_string(kHeartbeatMs);
        registry_ = std::make_unique<RegistryProc>(
            start_registry({}, {{"registry.tokens", "t1,t2"},
                                {"registry.max_body_bytes", std::to_string(kBodyLimit)},
                                {"registry.heartbeat_ms", hb}}));
        node_a_ = std::make_unique<NodeProc>(
            start_wsnode({registry_->bus_port}, {{"wsnode.heartbeat_ms", hb}}));
        node_b_ = std::make_unique<NodeProc>(
            start_wsnode({registry_->bus_port}, {{"wsnode.heartbeat_ms", hb}}));
        ASSERT_TRUE(wait_until([] { return both_nodes_answer(); }, 10s));
    }

    static void TearDownTestSuite() {
        node_a_.reset();
        node_b_.reset();
        registry_.reset();
    }

    void SetUp() override { ASSERT_TRUE(registry_ && node_a_ && node_b_) << "no cluster"; }

    static std::uint16_t http() { return registry_->http_port; }

    // Both nodes are listed and both answered with a number (no timeout slot).
    static bool both_nodes_answer() {
        const json env = api(registry_->http_port, "token=t1&event=getConnectionCount");
        if (env.value("code", -1) != 0 || env["master_ids"].size() != 2) return false;
        const json& r = env["data"]["getConnectionCount"];
        return r.contains(node_a_->node_id) && r[node_a_->node_id].is_number() &&
               r.contains(node_b_->node_id) && r[node_b_->node_id].is_number();
    }

    static void expect_cors(const HttpResponse& res) {
        for (const char* h : {"access-control-allow-origin", "access-control-allow-methods",
                              "access-control-allow-headers", "access-control-expose-headers"})
            EXPECT_EQ(res.header(h), "*") << h << " on HTTP " << res.status;
    }

    // A connection on node A and its connection id.
    static std::string open_on_a(WsClient& ws) {
        if (ws.connect(node_a_->ws_port) != kSwitchingProtocols)
            throw std::runtime_error("upgrade refused");
        const auto open = ws.recv();
        if (!open) throw std::runtime_error("no open message");
        return json::parse(*open).at("_id").get<std::string>();
    }

    inline static std::unique_ptr<RegistryProc> registry_;
    inline static std::unique_ptr<NodeProc> node_a_;
    inline static std::unique_ptr<NodeProc> node_b_;
};

TEST_F(ApiErrors, MissingOrWrongTokenIsRefused) {
    for (const std::string q :
         {"event=getConnectionCount", "token=&event=getConnectionCount",
          "token=t3&event=getConnectionCount", "token=t1,t2&event=getConnectionCount",
          "token=T1&event=getConnectionCount"}) {
        const auto res = http_get(http(), "/?" + q);
        EXPECT_EQ(res.status, kHttpOk) << q;
        EXPECT_EQ(res.body, kTokenError) << q;
        EXPECT_NE(res.header("content-type").find("application/json"), std::string::npos);
    }
    // Nothing of a refused call runs.
    WsClient ws;
    const std::string id = open_on_a(ws);
    EXPECT_EQ(http_get(http(), "/?token=bad&event=sendMessageTo_Id&sendMessageTo_Id[_id]=" + id +
                                   "&sendMessageTo_Id[msg]=leak")
                  .body,
              kTokenError);
    EXPECT_TRUE(ws.drain(300ms).empty());
}

TEST_F(ApiErrors, EitherConfiguredTokenWorks) {
    for (const char* t : {"t1", "t2"}) {
        const json env = api(http(), std::string("token=") + t + "&event=getConnectionCount");
        EXPECT_EQ(env.value("code", -1), 0) << env.dump();
        EXPECT_EQ(env["data"]["getConnectionCount"].size(), 2u) << env.dump();
    }
}

TEST_F(ApiErrors, TokenInPostBodyWorks) {
    json env = api_post(http(), "", {{"token", "t2"}, {"event", "getConnectionCount"}});
    EXPECT_EQ(env.value("code", -1), 0) << env.dump();
    env = api_post(http(), "event=getConnectionCount", {{"token", "t1"}});
    EXPECT_EQ(env.value("code", -1), 0) << env.dump();
    // The body wins over the query, a wrong token in it included.
    const auto res =
        http_post_json(http(), "/?token=t1", {{"token", "nope"}, {"event", "getConnectionCount"}});
    EXPECT_EQ(res.body, kTokenError);
}

TEST_F(ApiErrors, MissingOrEmptyEventIsAnEventError) {
    for (const std::string q : {"token=t1", "token=t1&event=", "token=t1&event=,"}) {
        const auto res = http_get(http(), "/?" + q);
        EXPECT_EQ(res.status, kHttpOk) << q;
        EXPECT_EQ(res.body, kEventError) << q;
    }
    const auto res = http_post_json(http(), "/", {{"token", "t1"}, {"event", ""}});
    EXPECT_EQ(res.body, kEventError);
}

TEST_F(ApiErrors, UnknownEventIsNamed) {
    // sendToGroups is the bus-internal second round of sendMessageToGroupByOnlyId.
    for (const std::string events : {"noSuchEvent", "getIds,noSuchEvent", "sendToGroups"}) {
        const auto res = http_get(http(), "/?token=t1&event=" + url_encode(events));
        EXPECT_EQ(res.status, kHttpOk);
        const json env = res.json();
        EXPECT_EQ(env.value("code", -1), 1) << res.body;
        const std::string named = events == "sendToGroups" ? events : "noSuchEvent";
        EXPECT_NE(env.value("msg", "").find(named), std::string::npos) << res.body;
        EXPECT_EQ(env["data"], json::array()) << res.body;
        EXPECT_FALSE(env.contains("master_ids")) << res.body;
    }
}

TEST_F(ApiErrors, MissingParameterIsNamedAndNothingOfTheBatchRuns) {
    WsClient ws;
    const std::string id = open_on_a(ws);
    auto res = http_get(http(), "/?token=t1&event=bindId&bindId[id]=lonely");
    EXPECT_EQ(res.status, kHttpOk);
    json env = res.json();
    EXPECT_EQ(env.value("code", -1), 1) << res.body;
    EXPECT_NE(env.value("msg", "").find("bindId"), std::string::npos) << res.body;
    EXPECT_NE(env.value("msg", "").find("_id"), std::string::npos) << res.body;

    // The first event is valid, the second lacks groupId: the bind must not happen.
    res = http_get(http(),
                   "/?token=t1&event=bindId,joinGroupBy_Id,sendMessageTo_Id"
                   "&bindId[id]=batch-u&bindId[_id]=" +
                       id + "&joinGroupBy_Id[_id]=" + id + "&sendMessageTo_Id[_id]=" + id +
                       "&sendMessageTo_Id[msg]=leak");
    env = res.json();
    EXPECT_EQ(env.value("code", -1), 1) << res.body;
    EXPECT_NE(env.value("msg", "").find("joinGroupBy_Id"), std::string::npos) << res.body;
    EXPECT_NE(env.value("msg", "").find("groupId"), std::string::npos) << res.body;
    env = api(http(), "token=t1&event=getIdBy_Id,getGroupIdsBy_Id&getIdBy_Id[_id]=" + id +
                          "&getGroupIdsBy_Id[_id]=" + id);
    EXPECT_TRUE(env["data"]["getIdBy_Id"][node_a_->node_id].is_null()) << env.dump();
    EXPECT_EQ(env["data"]["getGroupIdsBy_Id"][node_a_->node_id], json::array()) << env.dump();
    EXPECT_TRUE(ws.drain(300ms).empty()) << "a refused batch sent a message";

    // An empty value counts as missing, and a wrong type is refused too.
    env = api(http(), "token=t1&event=sendMessageTo_Id&sendMessageTo_Id[_id]=" + id +
                          "&sendMessageTo_Id[msg]=");
    EXPECT_EQ(env.value("code", -1), 1) << env.dump();
    EXPECT_NE(env.value("msg", "").find("msg"), std::string::npos) << env.dump();
    env = api_post(http(), "token=t1",
                   {{"event", "bindId"}, {"bindId", {{"id", {{"x", 1}}}, {"_id", id}}}});
    EXPECT_EQ(env.value("code", -1), 1) << env.dump();
    EXPECT_NE(env.value("msg", "").find("bindId"), std::string::npos) << env.dump();
}

TEST_F(ApiErrors, MalformedJsonBodyIsCodeOneWithHttp200) {
    for (const std::string body : {"{bad json", "[1,2,3]", "\"text\"", "{\"event\":"}) {
        const auto res = http_request(http(), "POST", "/?token=t1&event=getIds", body,
                                      {{"Content-Type", "application/json"}});
        EXPECT_EQ(res.status, kHttpOk) << body;
        const json env = res.json();
        EXPECT_EQ(env.value("code", -1), 1) << res.body;
        EXPECT_NE(lower(env.value("msg", "")).find("json"), std::string::npos)
            << "the message should say the body is not a JSON object: " << res.body;
        EXPECT_EQ(env["data"], json::array()) << res.body;
    }
}

TEST_F(ApiErrors, FormUrlencodedPostWorks) {
    WsClient ws;
    const std::string id = open_on_a(ws);
    const std::string body = "token=t1&event=bindId&bindId%5Bid%5D=form-u&bindId%5B_id%5D=" + id;
    const auto res = http_request(http(), "POST", "/", body,
                                  {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(res.status, kHttpOk);
    const json env = res.json();
    EXPECT_EQ(env.value("code", -1), 0) << res.body;
    EXPECT_EQ(env["data"]["bindId"][node_a_->node_id], 1) << res.body;
}

TEST_F(ApiErrors, BodyOverTheLimitGets413) {
    const std::string big =
        json{{"token", "t1"}, {"event", "getIds"}, {"pad", std::string(2 * kBodyLimit, 'x')}}
            .dump();
    const auto res = http_request(http(), "POST", "/", big, {{"Content-Type", "application/json"}});
    EXPECT_EQ(res.status, kHttpTooLarge) << res.body;
    // Just under the limit is fine.
    const json ok =
        api_post(http(), "",
                 {{"token", "t1"}, {"event", "getIds"}, {"pad", std::string(kBodyLimit / 2, 'x')}});
    EXPECT_EQ(ok.value("code", -1), 0) << ok.dump();
}

TEST_F(ApiErrors, OptionsAnswers204AndEveryResponseCarriesCors) {
    const auto opt = http_request(http(), "OPTIONS", "/?event=getIds");
    EXPECT_EQ(opt.status, kHttpNoContent);
    expect_cors(opt);
    expect_cors(http_get(http(), "/?token=t1&event=getIds"));
    expect_cors(http_get(http(), "/?event=getIds"));  // a token error
    expect_cors(http_post_json(http(), "/", {{"token", "t1"}, {"event", "getIds"}}));
}

TEST_F(ApiErrors, HealthzAndMetrics) {
    const auto health = http_get(http(), "/healthz");
    EXPECT_EQ(health.status, kHttpOk) << health.body;
    expect_cors(health);
    const auto metrics = http_get(http(), "/metrics");
    EXPECT_EQ(metrics.status, kHttpOk);
    EXPECT_NE(metrics.body.find("wscenter_nodes"), std::string::npos) << metrics.body;
    // Gauges are refreshed once per heartbeat, so the count may lag a little.
    std::string last;
    EXPECT_TRUE(wait_until(
        [&] {
            last = http_get(http(), "/metrics").body;
            return last.find("\nwscenter_nodes 2\n") != std::string::npos;
        },
        10s))
        << last;
}

// One series of wscenter_api_calls_total{event,code}; 0 while it is not printed.
std::uint64_t api_calls(std::uint16_t port, const std::string& event, const std::string& code) {
    const std::string series =
        "\nwscenter_api_calls_total{event=\"" + event + "\",code=\"" + code + "\"} ";
    const std::string text = http_get(port, "/metrics").body;
    const auto at = text.find(series);
    return at == std::string::npos ? 0 : std::stoull(text.substr(at + series.size()));
}

// Each call shows up under its events and its result code: answered (0),
// refused by validation (1), token error (401), body too large (413). The
// registry counts a call before it answers, so no waiting is needed.
TEST_F(ApiErrors, MetricsCountCallsByEventAndCode) {
    const auto sends = api_calls(http(), "broadcast", "0");
    const auto counts = api_calls(http(), "getConnectionCount", "0");
    const auto ids = api_calls(http(), "getIds", "0");
    const auto bad_params = api_calls(http(), "bindId", "1");
    const auto bad_token = api_calls(http(), "getIds", "401");
    const auto unknown = api_calls(http(), "other", "1");
    const auto too_large = api_calls(http(), "getIds", "413");

    EXPECT_EQ(api(http(), "token=t1&event=broadcast&broadcast[msg]=m").value("code", -1), 0);
    EXPECT_EQ(api(http(), "token=t1&event=getConnectionCount,getIds").value("code", -1), 0);
    EXPECT_EQ(api(http(), "token=t1&event=bindId&bindId[id]=u1").value("code", -1), 1);
    EXPECT_EQ(http_get(http(), "/?token=nope&event=getIds").body, kTokenError);
    EXPECT_EQ(api(http(), "token=t1&event=noSuchEvent").value("code", -1), 1);
    const auto big =
        http_request(http(), "POST", "/?event=getIds&token=t1", std::string(kBodyLimit + 1, ' '),
                     {{"Content-Type", "application/json"}});
    EXPECT_EQ(big.status, kHttpTooLarge);

    EXPECT_EQ(api_calls(http(), "broadcast", "0"), sends + 1);
    EXPECT_EQ(api_calls(http(), "getConnectionCount", "0"), counts + 1);
    EXPECT_EQ(api_calls(http(), "getIds", "0"), ids + 1);
    EXPECT_EQ(api_calls(http(), "bindId", "1"), bad_params + 1);
    EXPECT_EQ(api_calls(http(), "getIds", "401"), bad_token + 1);
    EXPECT_EQ(api_calls(http(), "other", "1"), unknown + 1);
    EXPECT_EQ(api_calls(http(), "getIds", "413"), too_large + 1);
    const std::string text = http_get(http(), "/metrics").body;
    EXPECT_NE(text.find("\nwscenter_api_event_latency_seconds_count{event=\"broadcast\"} "),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("noSuchEvent"), std::string::npos) << text;
}

// The default timeout is 3000 ms: calls that all come back in a fraction of
// that prove the registry answers when the last node replied, not at the deadline.
TEST_F(ApiErrors, CallReturnsAsSoonAsEveryNodeReplied) {
    const auto start = Clock::now();
    for (int i = 0; i < kSequentialCalls; ++i) {
        const json env = api(http(), "token=t1&event=getConnectionCount");
        ASSERT_EQ(env["data"]["getConnectionCount"].size(), 2u) << env.dump();
    }
    const auto elapsed = Clock::now() - start;
    EXPECT_LT(elapsed, kDefaultTimeout)
        << kSequentialCalls << " calls took "
        << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms";
}

TEST_F(ApiErrors, FrozenNodeGetsATimeoutSlotWhileTheOtherAnswers) {
    ASSERT_TRUE(both_nodes_answer());
    const std::string a = node_a_->node_id;
    const std::string b = node_b_->node_id;
    {
        ResumeOnExit resume(*node_b_->proc);
        node_b_->proc->signal(SIGSTOP);
        const auto start = Clock::now();
        const auto res = http_get(http(), "/?token=t1&event=getConnectionCount,getIds&timeout=" +
                                              std::to_string(kShortTimeoutMs));
        const auto elapsed = Clock::now() - start;
        ASSERT_EQ(res.status, kHttpOk);
        const json env = res.json();
        ASSERT_EQ(env.value("code", -1), 0) << res.body;
        EXPECT_EQ(env["master_ids"].size(), 2u) << res.body;
        EXPECT_TRUE(env["data"]["getConnectionCount"][a].is_number()) << res.body;
        EXPECT_EQ(env["data"]["getConnectionCount"][b], json::parse(kTimeoutSlot)) << res.body;
        EXPECT_NE(res.body.find("\"" + b + "\":" + kTimeoutSlot), std::string::npos) << res.body;
        EXPECT_GE(api_calls(http(), "getIds", "2"), 1u);
        EXPECT_GE(elapsed, std::chrono::milliseconds(kShortTimeoutMs - 50));
        EXPECT_LT(elapsed, kDefaultTimeout) << "timeout= was not applied";
    }
    // Resumed: the late reply to the old call is ignored, new calls get both nodes.
    EXPECT_TRUE(wait_until([] { return both_nodes_answer(); }, 10s));
    EXPECT_TRUE(node_b_->proc->running());
}

TEST_F(ApiErrors, JunkOnEveryPortHurtsNobody) {
    auto quietly = [](std::uint16_t port, const std::string& bytes) {
        try {
            raw_exchange(port, bytes, kJunkWait);
        } catch (const std::exception&) {
            // A server that drops the junk mid-send is fine; surviving is the point.
        }
    };
    const std::string binary("\x00\xff\x01\xfe garbage\r\n\r\n\x80", 16);
    // Broken HTTP to the API.
    quietly(http(), binary);
    quietly(http(), "GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n");
    quietly(http(), "POST /?token=t1 HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nshort");
    quietly(http(), "GET /?" + std::string(100000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n");
    quietly(http(), "GET / HTTP/9.9\r\n" + std::string(5000, 'H') + ": v\r\n\r\n");
    // Junk to a WebSocket port, raw and after a valid upgrade.
    std::string junk(kWsJunkBytes, '\0');
    for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 131 + 7) & 0xFF);
    quietly(node_a_->ws_port, junk);
    quietly(node_b_->ws_port,
            "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n" +
                junk);
    // Garbage on the bus: not ZMTP at all, and a ZMTP-looking greeting then junk.
    quietly(registry_->bus_port, junk);
    quietly(registry_->bus_port,
            std::string("\xff\0\0\0\0\0\0\0\x01\x7f", 10) + junk.substr(0, 1000));

    EXPECT_TRUE(registry_->proc->running());
    EXPECT_TRUE(node_a_->proc->running());
    EXPECT_TRUE(node_b_->proc->running());
    EXPECT_TRUE(wait_until([] { return both_nodes_answer(); }, 10s));
    WsClient ws;
    EXPECT_EQ(ws.connect(node_a_->ws_port), kSwitchingProtocols);
    const auto open = ws.recv();
    EXPECT_TRUE(open && open->find("\"open\"") != std::string::npos);
}

}  // namespace
}  // namespace wsc::test
