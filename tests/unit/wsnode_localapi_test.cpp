#include <gtest/gtest.h>

#include "api/EventCatalog.hpp"
#include "wsnode/LocalApi.hpp"

namespace {

struct RecordingTransport : wsc::Transport {
    std::vector<std::pair<std::string, std::string>> sent;
    std::vector<std::string> closed;
    bool send(const std::string& conn, const wsc::Payload& text) override {
        sent.emplace_back(conn, *text);
        return true;
    }
    // A broadcast is recorded once, as sent to "*".
    std::size_t send_to_all(const wsc::Payload& text,
                            const std::unordered_set<std::string>&) override {
        sent.emplace_back("*", *text);
        return 0;
    }
    void close(const std::string& conn) override { closed.push_back(conn); }
};

struct LocalApiTest : ::testing::Test {
    wsc::ConnectionIndex index;
    RecordingTransport transport;
    wsc::CommandExecutor executor{index, transport};
    nlohmann::json run(const nlohmann::json& merged, const std::vector<std::string>& tokens = {}) {
        return nlohmann::json::parse(wsc::run_local_api(merged, tokens, executor));
    }
};

}  // namespace

TEST_F(LocalApiTest, ResultsAreNotKeyedByNodeAndThereIsNoMasterIds) {
    index.add("c1", nlohmann::json::object());
    const auto text = wsc::run_local_api(
        {{"event", "bindId,getIds,getConnectionCount"}, {"bindId", {{"id", "u1"}, {"_id", "c1"}}}},
        {}, executor);
    EXPECT_EQ(
        text,
        R"({"code":0,"msg":"ok","extra":[],"data":{"bindId":1,"getIds":["u1"],"getConnectionCount":1}})");
}

TEST_F(LocalApiTest, EveryNodeEventRunsLocally) {
    index.add("c1", nlohmann::json{{"room", "7"}});
    index.add("c2", nlohmann::json::object());
    for (const auto& spec : wsc::all_events()) {
        if (spec.scope == wsc::EventScope::Internal) continue;
        nlohmann::json params = nlohmann::json::object();
        for (const auto& p : spec.params) {
            if (!p.required) continue;
            if (p.name == "_id")
                params["_id"] = "c2";
            else if (p.name == "msg")
                params["msg"] = "hello";
            else
                params[std::string(p.name)] = "x";
        }
        const auto env = run({{"event", spec.name}, {std::string(spec.name), params}});
        ASSERT_EQ(env["code"], 0) << spec.name << ": " << env.dump();
        const auto& result = env["data"][std::string(spec.name)];
        if (spec.scope == wsc::EventScope::Registry) {
            EXPECT_EQ(result["code"], 1) << spec.name;  // needs a registry
        } else {
            EXPECT_FALSE(result.is_object() && result.contains("code"))
                << spec.name << ": " << result;
        }
    }
}

TEST_F(LocalApiTest, SameTokensAndValidationAsTheRegistry) {
    EXPECT_EQ(run({{"event", "getIds"}}, {"t"}),
              nlohmann::json::parse(R"({"code":1,"msg":"token error","data":[]})"));
    EXPECT_EQ(run({{"event", "getIds"}, {"token", "t"}}, {"t"})["code"], 0);
    EXPECT_EQ(run(nlohmann::json::object())["msg"], "event error");
    EXPECT_EQ(run({{"event", "bindId"}, {"bindId", {{"id", "u"}}}})["msg"],
              "bindId: missing parameter '_id'");
    EXPECT_NE(run({{"event", "nope"}})["msg"].get<std::string>().find("nope"), std::string::npos);
}

TEST_F(LocalApiTest, GroupSendsByUserReachEachMemberOnce) {
    index.add("a", nlohmann::json::object());
    index.add("b", nlohmann::json::object());
    index.bind("u", "a");
    index.join("g1", "a");
    index.join("g2", "a");
    index.join("g1", "b");
    index.join("g2", "b");
    const auto env = run({{"event", "sendMessageToGroupByOnlyId"},
                          {"sendMessageToGroupByOnlyId", {{"id", "u"}, {"msg", "hi"}}}});
    EXPECT_EQ(env["data"]["sendMessageToGroupByOnlyId"], 2);
    EXPECT_EQ(transport.sent.size(), 2u);
}
