// End-to-end checks of every HTTP API event (SPEC §4) on a real cluster.
//
// One registry and two wsnodes are started once for the suite; each test opens
// its own WebSocket clients and uses its own user and group ids, and starts only
// once the connections of earlier tests are gone, so tests stay independent.
// Every check looks at both sides: the per-node results of the API call and
// what the real clients receive (drain windows prove "exactly once").
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
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

constexpr int kHttpOk = 200;
constexpr int kSwitchingProtocols = 101;
constexpr std::size_t kConnIdLength = 32;
// How long to keep listening for a duplicate or a stray message. The first
// client listens this long; the others only read what has arrived by then.
constexpr auto kQuietWindow = 300ms;
constexpr auto kQuickDrain = 20ms;
constexpr auto kSettle = 10s;

// A value as the text a PHP-style query carries.
std::string as_text(const json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
}

// event=E&E[k]=v&E[list][]=x — keys percent-encoded as PHP's http_build_query does.
std::string query_of(const std::string& event, const json& params) {
    std::string q = "event=" + url_encode(event);
    for (const auto& [key, value] : params.items()) {
        const std::string name = event + "[" + key + "]";
        if (value.is_array()) {
            for (const auto& item : value)
                q += "&" + url_encode(name + "[]") + "=" + url_encode(as_text(item));
        } else {
            q += "&" + url_encode(name) + "=" + url_encode(as_text(value));
        }
    }
    return q;
}

// A real WebSocket client and the connection id the node gave it.
struct Client {
    std::unique_ptr<WsClient> ws = std::make_unique<WsClient>();
    std::string id;
};

std::unique_ptr<Client> connect_client(std::uint16_t port, const std::string& target = "/") {
    auto c = std::make_unique<Client>();
    const int status = c->ws->connect(port, target);
    if (status != kSwitchingProtocols)
        throw std::runtime_error("upgrade refused with HTTP " + std::to_string(status));
    const auto open = c->ws->recv();
    if (!open) throw std::runtime_error("no open message");
    const json j = json::parse(*open);
    if (j.value("cmd", "") != "open") throw std::runtime_error("first message is " + *open);
    c->id = j.at("_id").get<std::string>();
    if (c->id.size() != kConnIdLength) throw std::runtime_error("bad _id in " + *open);
    return c;
}

class ApiEvents : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        registry_ = std::make_unique<RegistryProc>(start_registry());
        node_a_ = std::make_unique<NodeProc>(start_wsnode({registry_->bus_port}));
        node_b_ = std::make_unique<NodeProc>(start_wsnode({registry_->bus_port}));
        ASSERT_TRUE(wait_for_nodes(registry_->http_port, 2));
    }

    static void TearDownTestSuite() {
        node_a_.reset();
        node_b_.reset();
        registry_.reset();
    }

    void SetUp() override {
        ASSERT_TRUE(registry_ && node_a_ && node_b_) << "the cluster did not start";
        a_ = node_a_->node_id;
        b_ = node_b_->node_id;
        // Connections of the previous test close asynchronously; wait them out.
        ASSERT_TRUE(wait_until(
            [&] {
                const auto r = results("getConnectionCount");
                return r.size() == 2 && r.value(a_, -1) == 0 && r.value(b_, -1) == 0;
            },
            kSettle))
            << "connections of an earlier test are still open";
    }

    static std::uint16_t http() { return registry_->http_port; }

    // The whole envelope of one GET call; code 0 is expected.
    static json call(const std::string& event, const json& params = json::object()) {
        json env = api(http(), query_of(event, params));
        EXPECT_EQ(env.value("code", -1), 0) << env.dump();
        return env;
    }

    // {nodeId: result} of one event.
    static json results(const std::string& event, const json& params = json::object()) {
        const json env = call(event, params);
        if (!env.contains("data") || !env["data"].contains(event)) return json::object();
        return env["data"][event];
    }

    // POSTs a JSON body (event name included) and returns the envelope.
    static json post(const json& body) {
        json env = api_post(http(), "", body);
        EXPECT_EQ(env.value("code", -1), 0) << env.dump();
        return env;
    }

    std::unique_ptr<Client> on_a(const std::string& target = "/") {
        return connect_client(node_a_->ws_port, target);
    }
    std::unique_ptr<Client> on_b(const std::string& target = "/") {
        return connect_client(node_b_->ws_port, target);
    }

    void bind(const std::string& user, const Client& c) {
        const auto r = results("bindId", {{"id", user}, {"_id", c.id}});
        ASSERT_EQ(r.size(), 2u) << r.dump();
    }

    void join(const std::string& group, const Client& c) {
        const auto r = results("joinGroupBy_Id", {{"groupId", group}, {"_id", c.id}});
        int joined = 0;
        for (const auto& [node, v] : r.items()) joined += v.get<int>();
        ASSERT_EQ(joined, 1) << r.dump();
    }

    // Each listed client receives exactly `msg` once, then nothing more.
    static void expect_once(const std::vector<Client*>& clients, const std::string& msg) {
        for (auto* c : clients) {
            const auto got = c->ws->recv();
            EXPECT_EQ(got.value_or("<nothing>"), msg) << "client " << c->id;
        }
        expect_silent(clients);
    }

    // None of the clients receives anything more within the quiet window.
    static void expect_silent(const std::vector<Client*>& clients) {
        bool first = true;
        for (auto* c : clients) {
            const auto extra = c->ws->drain(first ? kQuietWindow : kQuickDrain);
            first = false;
            EXPECT_TRUE(extra.empty()) << "client " << c->id << " also got " << extra.size()
                                       << " message(s), first: " << extra.front();
        }
    }

    static std::vector<std::string> sorted(std::vector<std::string> v) {
        std::sort(v.begin(), v.end());
        return v;
    }

    inline static std::unique_ptr<RegistryProc> registry_;
    inline static std::unique_ptr<NodeProc> node_a_;
    inline static std::unique_ptr<NodeProc> node_b_;
    std::string a_;
    std::string b_;
};

TEST_F(ApiEvents, EnvelopeHasSeedKeyOrderAndListsBothNodes) {
    const auto res = http_get(http(), "/?event=getConnectionCount");
    EXPECT_EQ(res.status, kHttpOk);
    EXPECT_NE(res.header("content-type").find("application/json"), std::string::npos);
    const std::string prefix = R"({"code":0,"msg":"ok","extra":[],"master_ids":)";
    EXPECT_EQ(res.body.substr(0, prefix.size()), prefix) << res.body;
    EXPECT_NE(res.body.find(R"(,"data":{"getConnectionCount":{)"), std::string::npos) << res.body;
    const json env = res.json();
    EXPECT_EQ(env.at("master_ids").get<std::vector<std::string>>(), sorted({a_, b_}));
    EXPECT_EQ(env.at("data").at("getConnectionCount").size(), 2u);
}

TEST_F(ApiEvents, ConnectionCountAndConnectionIdsArePerNode) {
    auto a1 = on_a();
    auto a2 = on_a();
    auto b1 = on_b();
    auto count = results("getConnectionCount");
    EXPECT_EQ(count.at(a_), 2);
    EXPECT_EQ(count.at(b_), 1);
    auto ids = results("get_Ids");
    EXPECT_EQ(ids.at(a_).get<std::vector<std::string>>(), sorted({a1->id, a2->id}));
    EXPECT_EQ(ids.at(b_).get<std::vector<std::string>>(), std::vector<std::string>{b1->id});
    auto online = results("isOnline_Id", {{"_id", b1->id}});
    EXPECT_EQ(online.at(a_), false);
    EXPECT_EQ(online.at(b_), true);
    auto unknown = results("isOnline_Id", {{"_id", std::string(kConnIdLength, 'f')}});
    EXPECT_EQ(unknown.at(a_), false);
    EXPECT_EQ(unknown.at(b_), false);
}

TEST_F(ApiEvents, BindUnbindAndRebind) {
    auto a1 = on_a();
    auto r = results("bindId", {{"id", "bind-u1"}, {"_id", a1->id}});
    EXPECT_EQ(r.at(a_), 1);
    EXPECT_EQ(r.at(b_), 0);
    EXPECT_EQ(results("getIds").at(a_), json::array({"bind-u1"}));
    EXPECT_EQ(results("getIds").at(b_), json::array());
    r = results("isOnlineId", {{"id", "bind-u1"}});
    EXPECT_EQ(r.at(a_), true);
    EXPECT_EQ(r.at(b_), false);
    EXPECT_EQ(results("getIdBy_Id", {{"_id", a1->id}}).at(a_), "bind-u1");

    // Rebinding moves the connection to the new user.
    r = results("bindId", {{"id", "bind-u2"}, {"_id", a1->id}});
    EXPECT_EQ(r.at(a_), 1);
    EXPECT_EQ(results("getIdBy_Id", {{"_id", a1->id}}).at(a_), "bind-u2");
    EXPECT_EQ(results("isOnlineId", {{"id", "bind-u1"}}).at(a_), false);
    EXPECT_EQ(results("getIds").at(a_), json::array({"bind-u2"}));

    r = results("unBind_Id", {{"_id", a1->id}});
    EXPECT_EQ(r.at(a_), 1);
    EXPECT_EQ(r.at(b_), 0);
    EXPECT_EQ(results("unBind_Id", {{"_id", a1->id}}).at(a_), 0);
    EXPECT_TRUE(results("getIdBy_Id", {{"_id", a1->id}}).at(a_).is_null());
    EXPECT_EQ(results("getIds").at(a_), json::array());
    EXPECT_EQ(results("isOnline_Id", {{"_id", a1->id}}).at(a_), true) << "still connected";
}

TEST_F(ApiEvents, UnBindIdUnbindsEveryConnectionOfTheUserOnEveryNode) {
    auto a1 = on_a();
    auto a2 = on_a();
    auto b1 = on_b();
    for (auto* c : {a1.get(), a2.get(), b1.get()}) bind("unbind-u", *c);
    auto r = results("unBindId", {{"id", "unbind-u"}});
    EXPECT_EQ(r.at(a_), 2);
    EXPECT_EQ(r.at(b_), 1);
    r = results("isOnlineId", {{"id", "unbind-u"}});
    EXPECT_EQ(r.at(a_), false);
    EXPECT_EQ(r.at(b_), false);
    EXPECT_EQ(results("unBindId", {{"id", "unbind-u"}}).at(a_), 0);
}

TEST_F(ApiEvents, GetIdBy_IdAndGet_IdsByIdSpanNodes) {
    auto a1 = on_a();
    auto a2 = on_a();
    auto b1 = on_b();
    auto loose = on_b();
    for (auto* c : {a1.get(), a2.get(), b1.get()}) bind("ids-u", *c);
    auto r = results("get_IdsById", {{"id", "ids-u"}});
    EXPECT_EQ(r.at(a_).get<std::vector<std::string>>(), sorted({a1->id, a2->id}));
    EXPECT_EQ(r.at(b_).get<std::vector<std::string>>(), std::vector<std::string>{b1->id});
    r = results("getIdBy_Id", {{"_id", b1->id}});
    EXPECT_TRUE(r.at(a_).is_null());
    EXPECT_EQ(r.at(b_), "ids-u");
    r = results("getIdBy_Id", {{"_id", loose->id}});
    EXPECT_TRUE(r.at(a_).is_null());
    EXPECT_TRUE(r.at(b_).is_null()) << "an unbound connection has no user id";
    EXPECT_EQ(results("get_IdsById", {{"id", "nobody"}}).at(b_), json::array());
}

TEST_F(ApiEvents, SendMessageToIdReachesEachConnectionOfTheUserOnce) {
    auto a1 = on_a();
    auto a2 = on_a();
    auto b1 = on_b();
    auto other = on_b();
    for (auto* c : {a1.get(), a2.get(), b1.get()}) bind("smti-u", *c);
    auto r = results("sendMessageToId", {{"id", "smti-u"}, {"msg", "hello user"}});
    EXPECT_EQ(r.at(a_), 2);
    EXPECT_EQ(r.at(b_), 1);
    expect_once({a1.get(), a2.get(), b1.get()}, "hello user");
    expect_silent({other.get()});

    r = results("sendMessageToId",
                {{"id", "smti-u"}, {"msg", "not a2"}, {"exclude_Ids", {a2->id}}});
    EXPECT_EQ(r.at(a_), 1);
    EXPECT_EQ(r.at(b_), 1);
    expect_once({a1.get(), b1.get()}, "not a2");
    expect_silent({a2.get(), other.get()});
}

TEST_F(ApiEvents, SendMessageTo_IdReachesOnlyThatConnection) {
    auto a1 = on_a();
    auto b1 = on_b();
    auto b2 = on_b();
    auto r = results("sendMessageTo_Id", {{"_id", b2->id}, {"msg", "just b2"}});
    EXPECT_EQ(r.at(a_), 0);
    EXPECT_EQ(r.at(b_), 1);
    expect_once({b2.get()}, "just b2");
    expect_silent({a1.get(), b1.get()});
    r = results("sendMessageTo_Id", {{"_id", std::string(kConnIdLength, '0')}, {"msg", "x"}});
    EXPECT_EQ(r.at(a_), 0);
    EXPECT_EQ(r.at(b_), 0);
}

TEST_F(ApiEvents, JoinAndLeaveByIdAcceptCommaLists) {
    auto a1 = on_a();
    auto a2 = on_a();
    auto b1 = on_b();
    for (auto* c : {a1.get(), a2.get(), b1.get()}) bind("jl-u", *c);
    auto r = results("joinGroupById", {{"groupId", "jl-g1,jl-g2"}, {"id", "jl-u"}});
    EXPECT_EQ(r.at(a_), 4) << "2 connections x 2 groups";
    EXPECT_EQ(r.at(b_), 2);
    EXPECT_EQ(results("joinGroupById", {{"groupId", "jl-g1"}, {"id", "jl-u"}}).at(a_), 0)
        << "already members";
    r = results("getGroupIds");
    for (const auto& node : {a_, b_})
        EXPECT_EQ(r.at(node), json::array({"jl-g1", "jl-g2"})) << node;
    r = results("getGroupIdsById", {{"id", "jl-u"}});
    EXPECT_EQ(r.at(a_), json::array({"jl-g1", "jl-g2"}));
    r = results("isInGroupById", {{"groupId", "jl-g2"}, {"id", "jl-u"}});
    EXPECT_EQ(r.at(a_), true);
    EXPECT_EQ(r.at(b_), true);

    // Array form of the list: leaveGroupById[groupId][]=jl-g1
    r = results("leaveGroupById", {{"groupId", json::array({"jl-g1"})}, {"id", "jl-u"}});
    EXPECT_EQ(r.at(a_), 2);
    EXPECT_EQ(r.at(b_), 1);
    r = results("isInGroupById", {{"groupId", "jl-g1"}, {"id", "jl-u"}});
    EXPECT_EQ(r.at(a_), false);
    EXPECT_EQ(r.at(b_), false);
    EXPECT_EQ(results("getGroupIdsBy_Id", {{"_id", a1->id}}).at(a_), json::array({"jl-g2"}));
    EXPECT_EQ(results("getGroupIds").at(b_), json::array({"jl-g2"}))
        << "an emptied group disappears";

    r = results("leaveAllGroupById", {{"id", "jl-u"}});
    EXPECT_EQ(r.at(a_), 2);
    EXPECT_EQ(r.at(b_), 1);
    r = results("getGroupIds");
    EXPECT_EQ(r.at(a_), json::array());
    EXPECT_EQ(r.at(b_), json::array());
    EXPECT_EQ(results("getGroupIdsById", {{"id", "jl-u"}}).at(a_), json::array());
}

TEST_F(ApiEvents, JoinAndLeaveBy_Id) {
    auto a1 = on_a();
    auto b1 = on_b();
    auto r = results("joinGroupBy_Id", {{"groupId", "jl_-g"}, {"_id", a1->id}});
    EXPECT_EQ(r.at(a_), 1);
    EXPECT_EQ(r.at(b_), 0);
    EXPECT_EQ(results("joinGroupBy_Id", {{"groupId", "jl_-g"}, {"_id", a1->id}}).at(a_), 0);
    join("jl_-h", *a1);
    join("jl_-g", *b1);
    r = results("isInGroupBy_Id", {{"groupId", "jl_-g"}, {"_id", a1->id}});
    EXPECT_EQ(r.at(a_), true);
    EXPECT_EQ(r.at(b_), false);
    EXPECT_EQ(results("getGroupIdsBy_Id", {{"_id", a1->id}}).at(a_),
              json::array({"jl_-g", "jl_-h"}));

    r = results("leaveGroupBy_Id", {{"groupId", "jl_-g"}, {"_id", a1->id}});
    EXPECT_EQ(r.at(a_), 1);
    EXPECT_EQ(r.at(b_), 0);
    EXPECT_EQ(results("leaveGroupBy_Id", {{"groupId", "jl_-g"}, {"_id", a1->id}}).at(a_), 0);
    EXPECT_EQ(results("isInGroupBy_Id", {{"groupId", "jl_-g"}, {"_id", a1->id}}).at(a_), false);
    EXPECT_EQ(results("isInGroupBy_Id", {{"groupId", "jl_-g"}, {"_id", b1->id}}).at(b_), true);

    join("jl_-g", *a1);
    r = results("leaveAllGroupBy_Id", {{"_id", a1->id}});
    EXPECT_EQ(r.at(a_), 2);
    EXPECT_EQ(r.at(b_), 0);
    EXPECT_EQ(results("getGroupIdsBy_Id", {{"_id", a1->id}}).at(a_), json::array());
    EXPECT_EQ(results("getGroupIds").at(a_), json::array());
    EXPECT_EQ(results("getGroupIds").at(b_), json::array({"jl_-g"}));
}

TEST_F(ApiEvents, GroupCountsDistinctUsersVersusConnections) {
    auto u1 = on_a();
    auto u2 = on_a();
    auto ub = on_b();
    auto v1 = on_a();
    auto anon = on_a();
    for (auto* c : {u1.get(), u2.get(), ub.get()}) bind("cnt-u", *c);
    bind("cnt-v", *v1);
    for (auto* c : {u1.get(), u2.get(), ub.get(), v1.get(), anon.get()}) join("cnt-g", *c);
    auto users = results("getGroupIdCount", {{"groupId", "cnt-g"}});
    EXPECT_EQ(users.at(a_), 2) << "cnt-u and cnt-v; the unbound connection has no user";
    EXPECT_EQ(users.at(b_), 1);
    auto conns = results("getGroup_IdCount", {{"groupId", "cnt-g"}});
    EXPECT_EQ(conns.at(a_), 4);
    EXPECT_EQ(conns.at(b_), 1);
    EXPECT_EQ(results("getGroup_IdCount", {{"groupId", "cnt-none"}}).at(a_), 0);
    EXPECT_EQ(results("getGroupIdCount", {{"groupId", "cnt-none"}}).at(a_), 0);
}

TEST_F(ApiEvents, SendToGroupReachesEachMemberConnectionOnce) {
    auto u1 = on_a();
    auto u2 = on_a();
    auto ub = on_b();
    auto v1 = on_a();
    auto anon = on_b();
    auto outsider = on_a();
    for (auto* c : {u1.get(), u2.get(), ub.get()}) bind("stg-u", *c);
    bind("stg-v", *v1);
    bind("stg-u", *outsider);  // same user, but this connection is not in the group
    for (auto* c : {u1.get(), u2.get(), ub.get(), v1.get(), anon.get()}) join("stg-g", *c);

    auto r = results("sendToGroup", {{"groupId", "stg-g"}, {"msg", "to group"}});
    EXPECT_EQ(r.at(a_), 3);
    EXPECT_EQ(r.at(b_), 2);
    expect_once({u1.get(), u2.get(), ub.get(), v1.get(), anon.get()}, "to group");
    expect_silent({outsider.get()});

    r = results("sendToGroup", {{"groupId", "stg-g"}, {"msg", "no u"}, {"excludeIds", {"stg-u"}}});
    EXPECT_EQ(r.at(a_), 1);
    EXPECT_EQ(r.at(b_), 1);
    expect_once({v1.get(), anon.get()}, "no u");
    expect_silent({u1.get(), u2.get(), ub.get(), outsider.get()});

    r = results("sendToGroup",
                {{"groupId", "stg-g"}, {"msg", "no conns"}, {"exclude_Ids", {u1->id, anon->id}}});
    EXPECT_EQ(r.at(a_), 2);
    EXPECT_EQ(r.at(b_), 1);
    expect_once({u2.get(), v1.get(), ub.get()}, "no conns");
    expect_silent({u1.get(), anon.get(), outsider.get()});

    r = results("sendToGroup", {{"groupId", "stg-g"},
                                {"msg", "both"},
                                {"excludeIds", {"stg-v"}},
                                {"exclude_Ids", {ub->id}}});
    EXPECT_EQ(r.at(a_), 2);
    EXPECT_EQ(r.at(b_), 1);
    expect_once({u1.get(), u2.get(), anon.get()}, "both");
    expect_silent({v1.get(), ub.get(), outsider.get()});

    r = results("sendToGroup", {{"groupId", "stg-none"}, {"msg", "nobody"}});
    EXPECT_EQ(r.at(a_), 0);
    EXPECT_EQ(r.at(b_), 0);
}

TEST_F(ApiEvents, BroadcastReachesEveryConnectionExceptExcluded) {
    auto a1 = on_a();
    auto a2 = on_a();
    auto b1 = on_b();
    auto b2 = on_b();
    bind("bc-u", *a1);
    auto r = results("broadcast", {{"msg", "everyone"}});
    EXPECT_EQ(r.at(a_), 2);
    EXPECT_EQ(r.at(b_), 2);
    expect_once({a1.get(), a2.get(), b1.get(), b2.get()}, "everyone");

    r = results("broadcast", {{"msg", "most"}, {"exclude_Ids", {a2->id, b1->id}}});
    EXPECT_EQ(r.at(a_), 1);
    EXPECT_EQ(r.at(b_), 1);
    expect_once({a1.get(), b2.get()}, "most");
    expect_silent({a2.get(), b1.get()});
}

// The user's connections sit in different groups on different nodes; the
// message reaches the members of all those groups, on every node, once each.
TEST_F(ApiEvents, SendToGroupsOfUserIsClusterWide) {
    auto ua = on_a();  // the user on A, in ga
    auto ub = on_b();  // the user on B, in gb
    auto in_gb_on_a = on_a();
    auto in_ga_on_b = on_b();
    auto in_both = on_a();    // in ga and gb: must get one copy
    auto elsewhere = on_b();  // in an unrelated group
    auto nowhere = on_a();
    bind("gou-u", *ua);
    bind("gou-u", *ub);
    join("gou-ga", *ua);
    join("gou-gb", *ub);
    join("gou-gb", *in_gb_on_a);
    join("gou-ga", *in_ga_on_b);
    join("gou-ga", *in_both);
    join("gou-gb", *in_both);
    join("gou-gc", *elsewhere);

    auto r = results("sendMessageToGroupByOnlyId", {{"id", "gou-u"}, {"msg", "groups of u"}});
    EXPECT_EQ(r.at(a_), 3) << r.dump();
    EXPECT_EQ(r.at(b_), 2) << r.dump();
    expect_once({ua.get(), ub.get(), in_gb_on_a.get(), in_ga_on_b.get(), in_both.get()},
                "groups of u");
    expect_silent({elsewhere.get(), nowhere.get()});

    r = results("sendMessageToGroupByOnlyId",
                {{"id", "gou-u"}, {"msg", "not both"}, {"exclude_Ids", {in_both->id, ub->id}}});
    EXPECT_EQ(r.at(a_), 2) << r.dump();
    EXPECT_EQ(r.at(b_), 1) << r.dump();
    expect_once({ua.get(), in_gb_on_a.get(), in_ga_on_b.get()}, "not both");
    expect_silent({in_both.get(), ub.get(), elsewhere.get(), nowhere.get()});

    r = results("sendMessageToGroupByOnlyId", {{"id", "gou-nobody"}, {"msg", "void"}});
    EXPECT_EQ(r.at(a_), 0);
    EXPECT_EQ(r.at(b_), 0);
}

TEST_F(ApiEvents, SendToGroupsOfConnectionIsClusterWide) {
    auto src = on_a();  // in ga and gb
    auto ga_on_b = on_b();
    auto gb_on_b = on_b();
    auto both_on_a = on_a();
    auto gc_on_a = on_a();
    join("goc-ga", *src);
    join("goc-gb", *src);
    join("goc-ga", *ga_on_b);
    join("goc-gb", *gb_on_b);
    join("goc-ga", *both_on_a);
    join("goc-gb", *both_on_a);
    join("goc-gc", *gc_on_a);

    auto r = results("sendMessageToGroupByOnly_Id", {{"_id", src->id}, {"msg", "groups of c"}});
    EXPECT_EQ(r.at(a_), 2) << r.dump();
    EXPECT_EQ(r.at(b_), 2) << r.dump();
    expect_once({src.get(), ga_on_b.get(), gb_on_b.get(), both_on_a.get()}, "groups of c");
    expect_silent({gc_on_a.get()});

    // Groups of a connection on B reach members on A.
    r = results("sendMessageToGroupByOnly_Id", {{"_id", gb_on_b->id}, {"msg", "from b"}});
    EXPECT_EQ(r.at(a_), 2) << r.dump();
    EXPECT_EQ(r.at(b_), 1) << r.dump();
    expect_once({src.get(), both_on_a.get(), gb_on_b.get()}, "from b");
    expect_silent({ga_on_b.get(), gc_on_a.get()});
}

TEST_F(ApiEvents, Get_IdDataReturnsTheUpgradeQuery) {
    auto with_query = on_a("/chat?room=7&name=bob");
    auto plain = on_b();
    auto r = results("get_IdData", {{"_id", with_query->id}});
    EXPECT_EQ(r.at(a_), (json{{"room", "7"}, {"name", "bob"}})) << r.dump();
    EXPECT_TRUE(r.at(b_).is_null()) << r.dump();
    r = results("get_IdData", {{"_id", plain->id}});
    EXPECT_FALSE(r.at(b_).is_null()) << r.dump();
    EXPECT_TRUE(r.at(b_).empty()) << "no query, no data: " << r.dump();
}

TEST_F(ApiEvents, CloseBy_IdClosesTheClient) {
    auto a1 = on_a();
    auto a2 = on_a();
    auto r = results("closeBy_Id", {{"_id", a1->id}});
    EXPECT_EQ(r.at(a_), 1);
    EXPECT_EQ(r.at(b_), 0);
    a1->ws->wait_closed();
    EXPECT_FALSE(a1->ws->is_open()) << "the client saw no close";
    EXPECT_EQ(results("get_Ids").at(a_), json::array({a2->id}));
    EXPECT_EQ(results("closeBy_Id", {{"_id", a1->id}}).at(a_), 0) << "already closed";
    EXPECT_TRUE(a2->ws->is_open());
}

TEST_F(ApiEvents, CloseByIdClosesEveryConnectionOfTheUser) {
    auto a1 = on_a();
    auto b1 = on_b();
    auto b2 = on_b();
    auto keep = on_a();
    bind("close-u", *a1);
    bind("close-u", *b1);
    bind("close-u", *b2);
    auto r = results("closeById", {{"id", "close-u"}});
    EXPECT_EQ(r.at(a_), 1);
    EXPECT_EQ(r.at(b_), 2);
    for (auto* c : {a1.get(), b1.get(), b2.get()}) {
        c->ws->wait_closed();
        EXPECT_FALSE(c->ws->is_open()) << c->id;
    }
    EXPECT_TRUE(keep->ws->is_open());
    r = results("get_Ids");
    EXPECT_EQ(r.at(a_), json::array({keep->id}));
    EXPECT_EQ(r.at(b_), json::array());
    EXPECT_EQ(results("isOnlineId", {{"id", "close-u"}}).at(b_), false);
}

TEST_F(ApiEvents, ClosedConnectionLeavesItsGroupsAndBinding) {
    auto a1 = on_a();
    auto a2 = on_a();
    bind("gone-u", *a1);
    join("gone-alone", *a1);
    join("gone-shared", *a1);
    join("gone-shared", *a2);
    const std::string gone = a1->id;
    a1->ws->close();
    ASSERT_TRUE(wait_until([&] { return results("get_Ids").at(a_) == json::array({a2->id}); }));
    EXPECT_EQ(results("getGroupIds").at(a_), json::array({"gone-shared"}))
        << "the emptied group disappears";
    EXPECT_EQ(results("getGroup_IdCount", {{"groupId", "gone-shared"}}).at(a_), 1);
    EXPECT_EQ(results("isOnlineId", {{"id", "gone-u"}}).at(a_), false);
    EXPECT_EQ(results("getIds").at(a_), json::array());
    EXPECT_TRUE(results("getIdBy_Id", {{"_id", gone}}).at(a_).is_null());
    EXPECT_EQ(results("getGroupIdsBy_Id", {{"_id", gone}}).at(a_), json::array());
}

TEST_F(ApiEvents, JsonMsgInPostBodyArrivesAsCompactText) {
    auto a1 = on_a();
    auto b1 = on_b();
    json obj = {{"a", 1}, {"b", {1, 2, "x"}}, {"c", {{"d", nullptr}}}};
    auto env = post(
        {{"event", "sendMessageTo_Id"}, {"sendMessageTo_Id", {{"_id", a1->id}, {"msg", obj}}}});
    EXPECT_EQ(env["data"]["sendMessageTo_Id"][a_], 1) << env.dump();
    expect_once({a1.get()}, R"({"a":1,"b":[1,2,"x"],"c":{"d":null}})");

    env = post({{"event", "sendMessageTo_Id"},
                {"sendMessageTo_Id", {{"_id", b1->id}, {"msg", json::array({"x", 2, true})}}}});
    EXPECT_EQ(env["data"]["sendMessageTo_Id"][b_], 1) << env.dump();
    expect_once({b1.get()}, R"(["x",2,true])");

    // A string msg is sent as it is, not re-encoded as JSON.
    post({{"event", "broadcast"}, {"broadcast", {{"msg", "{\"raw\": \"text\"}"}}}});
    expect_once({a1.get(), b1.get()}, "{\"raw\": \"text\"}");
}

TEST_F(ApiEvents, NumericIdsAreTakenAsDecimalText) {
    auto a1 = on_a();
    auto b1 = on_b();
    auto env = post({{"event", "bindId"}, {"bindId", {{"id", 123}, {"_id", a1->id}}}});
    EXPECT_EQ(env["data"]["bindId"][a_], 1) << env.dump();
    EXPECT_EQ(results("getIdBy_Id", {{"_id", a1->id}}).at(a_), "123");
    EXPECT_EQ(results("isOnlineId", {{"id", "123"}}).at(a_), true);
    env =
        post({{"event", "joinGroupBy_Id"}, {"joinGroupBy_Id", {{"groupId", 42}, {"_id", b1->id}}}});
    EXPECT_EQ(env["data"]["joinGroupBy_Id"][b_], 1) << env.dump();
    EXPECT_EQ(results("getGroupIdsBy_Id", {{"_id", b1->id}}).at(b_), json::array({"42"}));
    env = post({{"event", "sendMessageToId"}, {"sendMessageToId", {{"id", 123}, {"msg", 7}}}});
    EXPECT_EQ(env["data"]["sendMessageToId"][a_], 1) << env.dump();
    expect_once({a1.get()}, "7");
}

TEST_F(ApiEvents, BatchRunsEveryEventInOrder) {
    auto a1 = on_a();
    auto b1 = on_b();
    const std::string q =
        "event=" + url_encode("bindId,joinGroupBy_Id,getGroupIdsById,sendToGroup,getIdBy_Id") +
        "&bindId[id]=batch-u&bindId[_id]=" + a1->id +                               // raw brackets
        "&joinGroupBy_Id%5BgroupId%5D=batch-g&joinGroupBy_Id%5B_id%5D=" + a1->id +  // encoded
        "&getGroupIdsById[id]=batch-u" + "&sendToGroup[groupId]=batch-g&sendToGroup[msg]=in+batch" +
        "&getIdBy_Id[_id]=" + a1->id;
    const auto res = http_get(http(), "/?" + q);
    ASSERT_EQ(res.status, kHttpOk);
    const json env = res.json();
    ASSERT_EQ(env.value("code", -1), 0) << res.body;
    const json& data = env.at("data");
    EXPECT_EQ(data.at("bindId").at(a_), 1);
    EXPECT_EQ(data.at("joinGroupBy_Id").at(a_), 1);
    EXPECT_EQ(data.at("getGroupIdsById").at(a_), json::array({"batch-g"}));
    EXPECT_EQ(data.at("sendToGroup").at(a_), 1);
    EXPECT_EQ(data.at("sendToGroup").at(b_), 0);
    EXPECT_EQ(data.at("getIdBy_Id").at(a_), "batch-u");
    // The data keys come in the order of the batch.
    std::size_t last = 0;
    for (const char* name : {"\"bindId\"", "\"joinGroupBy_Id\"", "\"getGroupIdsById\"",
                             "\"sendToGroup\"", "\"getIdBy_Id\""}) {
        const auto pos = res.body.find(name);
        ASSERT_NE(pos, std::string::npos) << name;
        EXPECT_GT(pos, last) << name << " out of order in " << res.body;
        last = pos;
    }
    expect_once({a1.get()}, "in batch");
    expect_silent({b1.get()});
}

TEST_F(ApiEvents, PostBodyWinsOverTheQuery) {
    auto a1 = on_a();
    const std::string q = "event=bindId&bindId[id]=from-query&bindId[_id]=" + a1->id;
    auto env = api_post(http(), q, {{"bindId", {{"id", "from-body"}, {"_id", a1->id}}}});
    EXPECT_EQ(env.value("code", -1), 0) << env.dump();
    EXPECT_EQ(results("getIdBy_Id", {{"_id", a1->id}}).at(a_), "from-body");
    // The event itself may come from the query while its parameters come from the body.
    env = api_post(http(), "event=getIdBy_Id", {{"getIdBy_Id", {{"_id", a1->id}}}});
    EXPECT_EQ(env["data"]["getIdBy_Id"][a_], "from-body") << env.dump();
}

TEST_F(ApiEvents, QueryMessageWithReservedCharactersArrivesVerbatim) {
    auto b1 = on_b();
    const std::string msg = "a&b=c?d#e [f] % + é 😀";
    auto r = results("sendMessageTo_Id", {{"_id", b1->id}, {"msg", msg}});
    EXPECT_EQ(r.at(b_), 1);
    expect_once({b1.get()}, msg);
}

TEST_F(ApiEvents, RouteNamesALiveNodeAndItsUrl) {
    const json env = call("route", {{"id", "route-user"}});
    const json& route = env.at("data").at("route");
    const std::string node = route.at("node").get<std::string>();
    ASSERT_TRUE(node == a_ || node == b_) << env.dump();
    const auto port = node == a_ ? node_a_->ws_port : node_b_->ws_port;
    EXPECT_EQ(route.at("url"), "ws://127.0.0.1:" + std::to_string(port) + "/");
    // Stable: the same user is routed to the same node.
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(call("route", {{"id", "route-user"}})["data"]["route"], route);
    // Many users spread over both nodes.
    std::set<std::string> used;
    for (int i = 0; i < 32; ++i)
        used.insert(call("route", {{"id", "spread-" + std::to_string(i)}})["data"]["route"]["node"]
                        .get<std::string>());
    EXPECT_EQ(used.size(), 2u);
}

}  // namespace
}  // namespace wsc::test
