// One API call carried out in rounds: batching, local events, the two-round
// group send, timeouts and the exact envelope.
#include <gtest/gtest.h>

#include "registry/CallRun.hpp"

namespace wsc {
namespace {

using nlohmann::json;

const std::string kNodeA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kNodeB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const std::string kNodeC = "cccccccccccccccccccccccccccccccc";
constexpr int kTimeoutMs = 500;

ApiCall make_call(std::vector<std::string> events, json params) {
    ApiCall call;
    call.events = std::move(events);
    call.params = std::move(params);
    call.timeout_ms = kTimeoutMs;
    return call;
}

Gatherer::Outcome outcome(std::map<std::string, json> replies, std::vector<std::string> missing) {
    Gatherer::Outcome out;
    out.req = 1;
    out.replies = std::move(replies);
    out.missing = std::move(missing);
    return out;
}

json item(const std::string& name, json params) {
    return json{{"name", name}, {"params", std::move(params)}};
}

// The "data" member of the envelope, parsed back.
json data_of(const CallRun& run) {
    return json::parse(run.envelope()).at("data");
}

json timeout_slot() {
    return json{{"code", 2}, {"msg", "timeout"}, {"data", json::array()}};
}

TEST(CallRun, ConsecutiveNodeEventsGoOutAsOneRound) {
    CallRun run(make_call({"getIds", "isOnlineId", "getConnectionCount"},
                          {{"getIds", json::object()},
                           {"isOnlineId", {{"id", "u1"}}},
                           {"getConnectionCount", json::object()}}),
                {kNodeA, kNodeB});
    EXPECT_EQ(run.timeout_ms(), kTimeoutMs);
    auto round = run.next_round();
    ASSERT_TRUE(round.has_value());
    EXPECT_EQ(*round,
              json::array({item("getIds", json::object()), item("isOnlineId", {{"id", "u1"}}),
                           item("getConnectionCount", json::object())}));

    run.finish_round(outcome(
        {{kNodeB, {{"getIds", {"u1"}}, {"isOnlineId", true}, {"getConnectionCount", 1}}},
         {kNodeA, {{"getIds", json::array()}, {"isOnlineId", false}, {"getConnectionCount", 0}}}},
        {}));
    EXPECT_EQ(run.next_round(), std::nullopt);

    const json data = data_of(run);
    EXPECT_EQ(data.at("getIds"), (json{{kNodeA, json::array()}, {kNodeB, {"u1"}}}));
    EXPECT_EQ(data.at("isOnlineId"), (json{{kNodeA, false}, {kNodeB, true}}));
    EXPECT_EQ(data.at("getConnectionCount"), (json{{kNodeA, 0}, {kNodeB, 1}}));
}

TEST(CallRun, EnvelopeIsExactWithKeyOrderAndSortedNodes) {
    CallRun run(make_call({"getIds", "getConnectionCount"},
                          {{"getIds", json::object()}, {"getConnectionCount", json::object()}}),
                {kNodeA, kNodeB, kNodeC});
    ASSERT_TRUE(run.next_round().has_value());
    // Replies given out of id order; C never answered.
    run.finish_round(outcome({{kNodeB, {{"getIds", {"u2"}}, {"getConnectionCount", 3}}},
                              {kNodeA, {{"getIds", {"u1"}}, {"getConnectionCount", 1}}}},
                             {kNodeC}));
    EXPECT_EQ(run.next_round(), std::nullopt);
    const std::string timeout = R"({"code":2,"msg":"timeout","data":[]})";
    EXPECT_EQ(run.envelope(), R"({"code":0,"msg":"ok","extra":[],"master_ids":[")" + kNodeA +
                                  R"(",")" + kNodeB + R"(",")" + kNodeC +
                                  R"("],"data":{"getIds":{")" + kNodeA + R"(":["u1"],")" + kNodeB +
                                  R"(":["u2"],")" + kNodeC + R"(":)" + timeout +
                                  R"(},"getConnectionCount":{")" + kNodeA + R"(":1,")" + kNodeB +
                                  R"(":3,")" + kNodeC + R"(":)" + timeout + "}}}");
}

TEST(CallRun, MissingNodesGetTheTimeoutSlot) {
    CallRun run(make_call({"getIds"}, {{"getIds", json::object()}}), {kNodeA, kNodeB});
    ASSERT_TRUE(run.next_round().has_value());
    run.finish_round(outcome({}, {kNodeB, kNodeA}));
    const json data = data_of(run);
    EXPECT_EQ(data.at("getIds"), (json{{kNodeA, timeout_slot()}, {kNodeB, timeout_slot()}}));
    EXPECT_TRUE(run.timed_out("getIds"));
}

TEST(CallRun, TimedOutNamesOnlyTheEventsOfARoundWithANodeMissing) {
    CallRun run(make_call({"getIds", "route", "getConnectionCount"},
                          {{"getIds", json::object()},
                           {"route", {{"id", "u1"}}},
                           {"getConnectionCount", json::object()}}),
                {kNodeA, kNodeB});
    ASSERT_TRUE(run.next_round().has_value());
    run.finish_round(
        outcome({{kNodeA, {{"getIds", json::array()}}}, {kNodeB, {{"getIds", {"u"}}}}}, {}));
    ASSERT_TRUE(run.next_round().has_value());
    run.finish_round(outcome({{kNodeA, {{"getConnectionCount", 1}}}}, {kNodeB}));
    EXPECT_EQ(run.next_round(), std::nullopt);
    EXPECT_FALSE(run.timed_out("getIds"));
    EXPECT_FALSE(run.timed_out("route"));
    EXPECT_TRUE(run.timed_out("getConnectionCount"));
}

TEST(CallRun, ReplyWithoutTheEventsResultIsAnError) {
    CallRun run(make_call({"getIds"}, {{"getIds", json::object()}}), {kNodeA, kNodeB});
    ASSERT_TRUE(run.next_round().has_value());
    run.finish_round(outcome({{kNodeA, {{"other", 1}}}, {kNodeB, "not an object"}}, {}));
    const json error{{"code", 1}, {"msg", "no result from node"}, {"data", json::array()}};
    EXPECT_EQ(data_of(run).at("getIds"), (json{{kNodeA, error}, {kNodeB, error}}));
}

TEST(CallRun, NoNodesGivesEmptyResults) {
    // An empty list, and no list at all, alike.
    for (CallRun::NodeIds ids :
         {std::make_shared<const std::vector<std::string>>(), CallRun::NodeIds()}) {
        CallRun run(make_call({"getIds"}, {{"getIds", json::object()}}), ids);
        ASSERT_TRUE(run.next_round().has_value());
        run.finish_round(outcome({}, {}));
        EXPECT_EQ(run.next_round(), std::nullopt);
        EXPECT_EQ(run.envelope(),
                  R"({"code":0,"msg":"ok","extra":[],"master_ids":[],"data":{"getIds":{}}})");
    }
}

TEST(CallRun, RegistryEventIsAnsweredLocally) {
    std::vector<std::pair<std::string, json>> calls;
    auto local = [&](const std::string& event, const json& params) {
        calls.emplace_back(event, params);
        return json{{"node", kNodeB}, {"url", "ws://b:9000/"}};
    };
    CallRun run(make_call({"route"}, {{"route", {{"id", "u7"}}}}), {kNodeA, kNodeB}, local);
    EXPECT_EQ(run.next_round(), std::nullopt);  // nothing goes on the bus
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].first, "route");
    EXPECT_EQ(calls[0].second, (json{{"id", "u7"}}));
    EXPECT_EQ(data_of(run).at("route"), (json{{"node", kNodeB}, {"url", "ws://b:9000/"}}));
}

TEST(CallRun, RegistryEventWithoutHandlerIsNull) {
    CallRun run(make_call({"route"}, {{"route", {{"id", "u7"}}}}), {kNodeA});
    EXPECT_EQ(run.next_round(), std::nullopt);
    EXPECT_TRUE(data_of(run).at("route").is_null());
}

TEST(CallRun, RegistryEventSplitsRoundsAndKeepsEventOrder) {
    int local_calls = 0;
    auto local = [&](const std::string&, const json&) {
        ++local_calls;
        return json("here");
    };
    CallRun run(make_call({"getIds", "route", "getConnectionCount"},
                          {{"getIds", json::object()},
                           {"route", {{"id", "u1"}}},
                           {"getConnectionCount", json::object()}}),
                {kNodeA}, local);
    auto first = run.next_round();
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(*first, json::array({item("getIds", json::object())}));
    EXPECT_EQ(local_calls, 0);  // not before the events ahead of it
    run.finish_round(outcome({{kNodeA, {{"getIds", {"u1"}}}}}, {}));

    auto second = run.next_round();
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(local_calls, 1);
    EXPECT_EQ(*second, json::array({item("getConnectionCount", json::object())}));
    run.finish_round(outcome({{kNodeA, {{"getConnectionCount", 4}}}}, {}));
    EXPECT_EQ(run.next_round(), std::nullopt);

    const std::string env = run.envelope();
    EXPECT_NE(env.find(R"("data":{"getIds":{)"), std::string::npos) << env;
    EXPECT_NE(env.find(R"(},"route":"here","getConnectionCount":{)"), std::string::npos) << env;
}

TEST(CallRun, GroupSendByUserTakesTwoRoundsWithTheUnionOfGroups) {
    CallRun run(make_call({"sendMessageToGroupByOnlyId"},
                          {{"sendMessageToGroupByOnlyId",
                            {{"id", "u1"}, {"msg", "hello"}, {"exclude_Ids", {"c1", "c2"}}}}}),
                {kNodeA, kNodeB, kNodeC});
    auto gather = run.next_round();
    ASSERT_TRUE(gather.has_value());
    EXPECT_EQ(*gather, json::array({item("getGroupIdsById", {{"id", "u1"}})}));

    // Groups from every node that answered, overlapping; C is silent.
    run.finish_round(outcome({{kNodeA, {{"getGroupIdsById", {"g2", "g1"}}}},
                              {kNodeB, {{"getGroupIdsById", {"g1", "g3"}}}}},
                             {kNodeC}));
    auto send = run.next_round();
    ASSERT_TRUE(send.has_value());
    ASSERT_EQ(send->size(), 1u);
    const json& s = (*send)[0];
    EXPECT_EQ(s.at("name"), "sendToGroups");
    EXPECT_EQ(s.at("params").at("groupIds"), (json{"g1", "g2", "g3"}));
    EXPECT_EQ(s.at("params").at("msg"), "hello");
    EXPECT_EQ(s.at("params").at("exclude_Ids"), (json{"c1", "c2"}));

    run.finish_round(
        outcome({{kNodeA, {{"sendToGroups", 2}}}, {kNodeC, {{"sendToGroups", 0}}}}, {kNodeB}));
    EXPECT_EQ(run.next_round(), std::nullopt);

    const json data = data_of(run);
    EXPECT_EQ(data.size(), 1u);  // the helper events leave no trace of their own
    EXPECT_EQ(data.at("sendMessageToGroupByOnlyId"),
              (json{{kNodeA, 2}, {kNodeB, timeout_slot()}, {kNodeC, 0}}));
    EXPECT_TRUE(run.timed_out("sendMessageToGroupByOnlyId"));
}

TEST(CallRun, GroupSendByConnectionGathersByConnectionId) {
    CallRun run(make_call({"sendMessageToGroupByOnly_Id"},
                          {{"sendMessageToGroupByOnly_Id", {{"_id", "c9"}, {"msg", "m"}}}}),
                {kNodeA});
    auto gather = run.next_round();
    ASSERT_TRUE(gather.has_value());
    EXPECT_EQ(*gather, json::array({item("getGroupIdsBy_Id", {{"_id", "c9"}})}));
    // Malformed group lists are skipped, not fatal.
    run.finish_round(outcome({{kNodeA, {{"getGroupIdsBy_Id", {"g1", 5, nullptr}}}}}, {}));
    auto send = run.next_round();
    ASSERT_TRUE(send.has_value());
    EXPECT_EQ(*send, json::array({item("sendToGroups", {{"groupIds", {"g1"}}, {"msg", "m"}})}));
    run.finish_round(outcome({{kNodeA, {{"sendToGroups", 1}}}}, {}));
    EXPECT_EQ(run.next_round(), std::nullopt);
    EXPECT_EQ(data_of(run).at("sendMessageToGroupByOnly_Id"), (json{{kNodeA, 1}}));
}

TEST(CallRun, GroupSendWithNoGroupsStillSendsAnEmptyList) {
    CallRun run(make_call({"sendMessageToGroupByOnlyId"},
                          {{"sendMessageToGroupByOnlyId", {{"id", "u1"}, {"msg", "x"}}}}),
                {kNodeA});
    ASSERT_TRUE(run.next_round().has_value());
    run.finish_round(outcome({{kNodeA, {{"getGroupIdsById", json::array()}}}}, {}));
    auto send = run.next_round();
    ASSERT_TRUE(send.has_value());
    EXPECT_EQ((*send)[0].at("params").at("groupIds"), json::array());
    EXPECT_FALSE((*send)[0].at("params").contains("exclude_Ids"));
}

TEST(CallRun, GroupSendInsideABatchKeepsOrder) {
    CallRun run(make_call({"getIds", "sendMessageToGroupByOnlyId", "getConnectionCount"},
                          {{"getIds", json::object()},
                           {"sendMessageToGroupByOnlyId", {{"id", "u1"}, {"msg", "x"}}},
                           {"getConnectionCount", json::object()}}),
                {kNodeA});
    std::vector<std::string> names;
    while (auto round = run.next_round()) {
        ASSERT_FALSE(round->empty());
        json reply = json::object();
        for (const auto& it : *round) {
            const std::string name = it.at("name");
            names.push_back(name);
            reply[name] = name == "getGroupIdsById" ? json{"g1"} : json(7);
        }
        run.finish_round(outcome({{kNodeA, reply}}, {}));
        ASSERT_LT(names.size(), 10u) << "runaway rounds";
    }
    EXPECT_EQ(names, (std::vector<std::string>{"getIds", "getGroupIdsById", "sendToGroups",
                                               "getConnectionCount"}));
    const std::string env = run.envelope();
    const auto a = env.find("\"getIds\"");
    const auto b = env.find("\"sendMessageToGroupByOnlyId\"");
    const auto c = env.find("\"getConnectionCount\"");
    ASSERT_NE(a, std::string::npos);
    ASSERT_NE(b, std::string::npos);
    ASSERT_NE(c, std::string::npos);
    EXPECT_LT(a, b);
    EXPECT_LT(b, c);
    EXPECT_EQ(data_of(run).at("sendMessageToGroupByOnlyId"), (json{{kNodeA, 7}}));
}

}  // namespace
}  // namespace wsc
