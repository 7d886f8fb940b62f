// Unit tests of LocalHttp and the /metrics text: what a plain HTTP request to
// a node's port is answered with, without a socket.
#include "wsnode/LocalHttp.hpp"

#include <string>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

#include "wsnode/MetricsText.hpp"

namespace wsc {
namespace {

using json = nlohmann::json;
using Strings = std::vector<std::string>;

class NullTransport : public Transport {
  public:
    bool send(const std::string&, const Payload&) override { return true; }
    std::size_t send_to_all(const Payload&, const std::unordered_set<std::string>&) override {
        return 0;
    }
    void close(const std::string&) override {}
};

HttpRequest request(std::string method, std::string path, std::string query = "") {
    HttpRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.query = std::move(query);
    r.target = r.path + (r.query.empty() ? "" : "?" + r.query);
    return r;
}

class WsnodeLocalHttp : public ::testing::Test {
  protected:
    void SetUp() override {
        index.add("c1", json::object());
        index.add("c2", json::object());
    }

    LocalHttp http(Strings tokens, Strings api_tokens) {
        return LocalHttp(std::move(tokens), std::move(api_tokens), executor, index, counters);
    }

    ConnectionIndex index;
    NullTransport transport;
    CommandExecutor executor{index, transport};
    NodeCounters counters;
};

TEST_F(WsnodeLocalHttp, OptionsAndUnknownMethods) {
    LocalHttp local = http({}, {});
    EXPECT_EQ(local.answer(request("OPTIONS", "/"), true).status, 204);
    const HttpResponse put = local.answer(request("PUT", "/"), true);
    EXPECT_EQ(put.status, 405);
    EXPECT_EQ(put.body, "method not allowed\n");
    EXPECT_EQ(counters.api_refused.load(), 0u);
}

TEST_F(WsnodeLocalHttp, LoopbackCallerRunsEventsWithoutTokens) {
    LocalHttp local = http({}, {});
    const HttpResponse r = local.answer(request("GET", "/", "event=getConnectionCount"), true);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_EQ(r.body, R"({"code":0,"msg":"ok","extra":[],"data":{"getConnectionCount":2}})");
}

TEST_F(WsnodeLocalHttp, RemoteCallerRefusedWithoutApiTokens) {
    LocalHttp local = http({}, {});
    const HttpResponse r = local.answer(request("GET", "/", "event=getIds"), false);
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(json::parse(r.body)["code"], 1);
    EXPECT_NE(r.body.find("loopback clients only"), std::string::npos) << r.body;
    EXPECT_EQ(counters.api_refused.load(), 1u);
}

TEST_F(WsnodeLocalHttp, ApiOffWhenClientsNeedATokenButTheApiHasNone) {
    LocalHttp local = http({"client-token"}, {});
    const HttpResponse r = local.answer(request("GET", "/", "event=getIds"), true);
    EXPECT_EQ(r.status, 403);
    EXPECT_NE(r.body.find("no api_tokens configured"), std::string::npos) << r.body;
    EXPECT_EQ(counters.api_refused.load(), 1u);
}

TEST_F(WsnodeLocalHttp, ApiTokensDecideForAnyAddress) {
    LocalHttp local = http({"client-token"}, {"api-token"});
    const HttpResponse bad = local.answer(request("GET", "/", "event=getIds&token=x"), false);
    EXPECT_EQ(bad.status, 200);
    EXPECT_EQ(bad.body, R"({"code":1,"msg":"token error","data":[]})");
    const HttpResponse good =
        local.answer(request("GET", "/", "event=get_Ids&token=api-token"), false);
    EXPECT_EQ(json::parse(good.body)["data"]["get_Ids"], (json{"c1", "c2"}));
    EXPECT_EQ(counters.api_refused.load(), 0u);
}

TEST_F(WsnodeLocalHttp, BodyMergesWithTheQueryAndABadBodyIsACodeOneAnswer) {
    LocalHttp local = http({}, {});
    HttpRequest post = request("POST", "/", "event=bindId");
    post.headers.emplace_back("content-type", "application/json");
    post.body = R"({"bindId":{"id":"u1","_id":"c1"}})";
    EXPECT_EQ(json::parse(local.answer(post, true).body)["data"]["bindId"], 1);
    EXPECT_EQ(index.user_of("c1"), "u1");

    post.body = "{not json";
    const HttpResponse bad = local.answer(post, true);
    EXPECT_EQ(bad.status, 200);
    EXPECT_EQ(json::parse(bad.body)["code"], 1);
}

TEST_F(WsnodeLocalHttp, MetricsAreServedToAnyoneEvenWithTheApiOff) {
    counters.opened = 5;
    counters.overflow_closes = 2;
    LocalHttp local = http({"client-token"}, {});
    const HttpResponse r = local.answer(request("GET", "/metrics"), false);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/plain; version=0.0.4");
    EXPECT_EQ(r.body, metrics_text(counters, {.connections = 2, .users = 0, .groups = 0}));
    EXPECT_EQ(counters.api_refused.load(), 0u);
}

TEST(WsnodeMetricsText, EachMetricHasHelpTypeAndValue) {
    NodeCounters counters;
    counters.overflow_closes = 3;
    counters.frames_sent = 11;
    const std::string text = metrics_text(counters, {.connections = 7, .users = 4, .groups = 2});
    EXPECT_NE(text.find("# HELP wscenter_node_connections WebSocket connections open now.\n"
                        "# TYPE wscenter_node_connections gauge\n"
                        "wscenter_node_connections 7\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("# TYPE wscenter_node_slow_consumer_closes_total counter\n"
                        "wscenter_node_slow_consumer_closes_total 3\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("wscenter_node_upstream_dropped_total 0\n"), std::string::npos) << text;
    EXPECT_NE(text.find("# TYPE wscenter_node_users gauge\nwscenter_node_users 4\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("wscenter_node_groups 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("wscenter_node_frames_sent_total 11\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace wsc
