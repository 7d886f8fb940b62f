// API calls carried through their rounds with a fake broker: what is sent
// to whom, when a call finishes, and what its caller gets.
#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "registry/CallDispatch.hpp"

namespace wsc {
namespace {

using nlohmann::json;
using Clock = CallDispatch::Clock;

const std::string kNodeA(32, 'a');
const std::string kNodeB(32, 'b');
const std::string kPeer(32, 'f');
constexpr std::uint64_t kFirstReq = 100;

struct Sent {
    std::uint64_t req;
    json events;
    std::vector<std::string> targets;
    std::int64_t ttl_ms;
};

struct Done {
    Caller caller;
    json envelope;
};

class FakePort : public CallDispatch::Port {
  public:
    CallDispatch::RouteTable table;
    std::set<std::string> refuse;  // nodes whose link refuses a Request
    std::vector<Sent> sent;
    std::vector<Done> done;
    std::size_t missed = 0;
    // Routing: when set, only these nodes are concerned by any round.
    std::optional<std::vector<std::string>> only;
    std::set<std::pair<std::string, std::uint64_t>> settled;  // acknowledged changes
    std::size_t unsettled = 0;

    // When set, the node list handed to calls; else the default copy of the table's.
    CallRun::NodeIds ids;

    const CallDispatch::RouteTable& routes() override { return table; }
    CallRun::NodeIds node_ids() override { return ids ? ids : CallDispatch::Port::node_ids(); }
    std::vector<std::string> targets(const json& events,
                                     const CallDispatch::RouteTable& t) override {
        if (only) return *only;
        return CallDispatch::Port::targets(events, t);
    }
    bool directory_settled(const std::string& node, std::uint64_t dseq) override {
        return settled.count({node, dseq}) != 0;
    }
    void directory_unsettled() override { ++unsettled; }
    std::vector<std::string> send_round(std::uint64_t req, const json& events,
                                        const CallDispatch::RouteTable& t,
                                        std::int64_t ttl_ms) override {
        Sent s{req, events, {}, ttl_ms};
        std::vector<std::string> failed;
        for (const auto& [node, route] : t) {
            s.targets.push_back(node);
            if (refuse.count(node)) failed.push_back(node);
        }
        sent.push_back(std::move(s));
        return failed;
    }
    json local_event(const std::string& event, const json&) override {
        return event == "route" ? json{{"node", kNodeA}} : json();
    }
    void nodes_missed(std::size_t n) override { missed += n; }
    void finished(const Caller& caller, const CallRun& run, std::chrono::microseconds) override {
        done.push_back({caller, json::parse(run.envelope())});
    }
};

ApiCall call_of(std::vector<std::string> events, json params, int timeout_ms = 1000) {
    ApiCall call;
    call.events = std::move(events);
    call.params = std::move(params);
    call.timeout_ms = timeout_ms;
    return call;
}

class CallDispatchTest : public ::testing::Test {
  protected:
    CallDispatchTest() {
        port_.table[kNodeA] = Topology::Route{};
        Topology::Route far;
        far.registry = kPeer;
        far.next_hop = kPeer;
        far.distance = 1;
        far.hops = {kPeer};
        port_.table[kNodeB] = far;
    }
    FakePort port_;
    CallDispatch dispatch_{port_, kFirstReq};
};

TEST_F(CallDispatchTest, OneRoundToEveryRoutedNodeThenTheEnvelopeToItsCaller) {
    dispatch_.begin(call_of({"getConnectionCount"}, {{"getConnectionCount", json::object()}}),
                    HttpCaller{7});
    ASSERT_EQ(port_.sent.size(), 1u);
    EXPECT_EQ(port_.sent[0].req, kFirstReq);
    EXPECT_EQ(port_.sent[0].targets, (std::vector<std::string>{kNodeA, kNodeB}));
    EXPECT_GT(port_.sent[0].ttl_ms, 0);
    EXPECT_LE(port_.sent[0].ttl_ms, 1000);
    EXPECT_EQ(dispatch_.in_flight(), 1u);

    dispatch_.on_reply(kFirstReq, kNodeA, {{"getConnectionCount", 2}});
    EXPECT_TRUE(port_.done.empty()) << "B has not answered yet";
    dispatch_.on_reply(kFirstReq, kNodeB, {{"getConnectionCount", 3}});
    ASSERT_EQ(port_.done.size(), 1u);
    EXPECT_EQ(std::get<HttpCaller>(port_.done[0].caller).http_id, 7u);
    EXPECT_EQ(port_.done[0].envelope["data"]["getConnectionCount"],
              (json{{kNodeA, 2}, {kNodeB, 3}}));
    EXPECT_EQ(port_.done[0].envelope["master_ids"], (json{kNodeA, kNodeB}));
    EXPECT_EQ(dispatch_.in_flight(), 0u);
    EXPECT_EQ(port_.missed, 0u);
}

TEST_F(CallDispatchTest, ACallSharesThePortsNodeListAndKeepsItWhileNodesChange) {
    const CallRun::NodeIds given =
        std::make_shared<const std::vector<std::string>>(std::vector<std::string>{kNodeA, kNodeB});
    port_.ids = given;
    dispatch_.begin(call_of({"getConnectionCount"}, {{"getConnectionCount", json::object()}}),
                    HttpCaller{7});
    EXPECT_EQ(given.use_count(), 3) << "held here, by the port and by the call: not copied";
    // The nodes change while the call is in flight: the port has a new list.
    port_.ids = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{kNodeA});
    dispatch_.on_reply(kFirstReq, kNodeA, {{"getConnectionCount", 2}});
    dispatch_.on_reply(kFirstReq, kNodeB, {{"getConnectionCount", 3}});
    ASSERT_EQ(port_.done.size(), 1u);
    EXPECT_EQ(port_.done[0].envelope["master_ids"], (json{kNodeA, kNodeB}));
    EXPECT_EQ(given.use_count(), 1) << "the finished call let go of it";
}

TEST_F(CallDispatchTest, ARegistryEventFinishesAtOnceWithoutSendingAnything) {
    dispatch_.begin(call_of({"route"}, {{"route", {{"id", "u1"}}}}), BusCaller{"cli", 5});
    EXPECT_TRUE(port_.sent.empty());
    ASSERT_EQ(port_.done.size(), 1u);
    EXPECT_EQ(std::get<BusCaller>(port_.done[0].caller).req, 5);
    EXPECT_EQ(port_.done[0].envelope["data"]["route"]["node"], kNodeA);
}

TEST_F(CallDispatchTest, ALinkThatRefusesTheRequestIsATimeoutSlotAtOnce) {
    port_.refuse = {kNodeA, kNodeB};
    dispatch_.begin(call_of({"getIds"}, {{"getIds", json::object()}}), HttpCaller{1});
    ASSERT_EQ(port_.done.size(), 1u) << "nobody can answer: no wait for the deadline";
    EXPECT_EQ(port_.done[0].envelope["data"]["getIds"][kNodeA]["code"], 2);
    EXPECT_EQ(dispatch_.in_flight(), 0u);
}

TEST_F(CallDispatchTest, TheDeadlineEndsTheRoundWithTheSilentNodesMissing) {
    dispatch_.begin(call_of({"getIds"}, {{"getIds", json::object()}}, 50), HttpCaller{1});
    dispatch_.on_reply(kFirstReq, kNodeA, {{"getIds", json::array({"u1"})}});
    ASSERT_TRUE(dispatch_.next_deadline().has_value());
    dispatch_.expire(*dispatch_.next_deadline() - std::chrono::milliseconds(1));
    EXPECT_TRUE(port_.done.empty());
    dispatch_.expire(*dispatch_.next_deadline());
    ASSERT_EQ(port_.done.size(), 1u);
    EXPECT_EQ(port_.missed, 1u);
    EXPECT_EQ(port_.done[0].envelope["data"]["getIds"][kNodeB]["code"], 2);
    EXPECT_EQ(port_.done[0].envelope["data"]["getIds"][kNodeA], json::array({"u1"}));
}

TEST_F(CallDispatchTest, ANodeThatLeavesEndsTheWaitForItAtOnce) {
    dispatch_.begin(call_of({"getIds"}, {{"getIds", json::object()}}), HttpCaller{1});
    dispatch_.on_reply(kFirstReq, kNodeA, {{"getIds", json::array()}});
    dispatch_.node_gone(kNodeB);
    ASSERT_EQ(port_.done.size(), 1u);
    EXPECT_EQ(port_.missed, 1u);
}

TEST_F(CallDispatchTest, StrayAndDuplicateRepliesChangeNothing) {
    dispatch_.begin(call_of({"getIds"}, {{"getIds", json::object()}}), HttpCaller{1});
    dispatch_.on_reply(kFirstReq + 99, kNodeA, {{"getIds", json::array()}});
    dispatch_.on_reply(kFirstReq, kNodeA, {{"getIds", json::array({"u1"})}});
    dispatch_.on_reply(kFirstReq, kNodeA, {{"getIds", json::array({"forged"})}});
    EXPECT_TRUE(port_.done.empty());
    dispatch_.on_reply(kFirstReq, kNodeB, {{"getIds", json::array()}});
    ASSERT_EQ(port_.done.size(), 1u);
    EXPECT_EQ(port_.done[0].envelope["data"]["getIds"][kNodeA], json::array({"u1"}));
}

TEST_F(CallDispatchTest, EachRoundAndEachCallGetsItsOwnRequestNumber) {
    // The group send by user takes two rounds: the groups, then the send.
    dispatch_.begin(call_of({"sendMessageToGroupByOnlyId"},
                            {{"sendMessageToGroupByOnlyId", {{"id", "u1"}, {"msg", "hi"}}}}),
                    HttpCaller{1});
    dispatch_.begin(call_of({"getIds"}, {{"getIds", json::object()}}), HttpCaller{2});
    ASSERT_EQ(port_.sent.size(), 2u);
    EXPECT_EQ(port_.sent[1].req, kFirstReq + 1);
    for (const auto& node : {kNodeA, kNodeB})
        dispatch_.on_reply(kFirstReq, node, {{"getGroupIdsById", json::array({"g1"})}});
    ASSERT_EQ(port_.sent.size(), 3u) << "the second round of the first call";
    EXPECT_EQ(port_.sent[2].req, kFirstReq + 2);
    EXPECT_EQ(dispatch_.in_flight(), 2u);
}

TEST_F(CallDispatchTest, NodesNotConcernedAreNotAskedAndGetTheZeroResult) {
    port_.only = std::vector<std::string>{kNodeB};
    dispatch_.begin(
        call_of({"isOnlineId", "get_IdsById", "getIdBy_Id"}, {{"isOnlineId", {{"id", "u"}}},
                                                              {"get_IdsById", {{"id", "u"}}},
                                                              {"getIdBy_Id", {{"_id", "c"}}}}),
        HttpCaller{1});
    ASSERT_EQ(port_.sent.size(), 1u);
    EXPECT_EQ(port_.sent[0].targets, std::vector<std::string>{kNodeB});
    dispatch_.on_reply(kFirstReq, kNodeB,
                       {{"isOnlineId", true}, {"get_IdsById", {"c"}}, {"getIdBy_Id", "u"}});
    ASSERT_EQ(port_.done.size(), 1u);
    const auto& data = port_.done[0].envelope["data"];
    EXPECT_EQ(port_.done[0].envelope["master_ids"], (json{kNodeA, kNodeB}));
    EXPECT_EQ(data["isOnlineId"], (json{{kNodeA, false}, {kNodeB, true}}));
    EXPECT_EQ(data["get_IdsById"], (json{{kNodeA, json::array()}, {kNodeB, {"c"}}}));
    EXPECT_EQ(data["getIdBy_Id"], (json{{kNodeA, nullptr}, {kNodeB, "u"}}));
}

TEST_F(CallDispatchTest, ARoundConcerningNoNodeFinishesAtOnceWithZeros) {
    port_.only = std::vector<std::string>{};
    dispatch_.begin(
        call_of({"sendMessageTo_Id"}, {{"sendMessageTo_Id", {{"_id", "x"}, {"msg", "m"}}}}),
        HttpCaller{1});
    ASSERT_EQ(port_.done.size(), 1u);
    EXPECT_EQ(port_.done[0].envelope["data"]["sendMessageTo_Id"], (json{{kNodeA, 0}, {kNodeB, 0}}));
    EXPECT_EQ(dispatch_.in_flight(), 0u);
}

TEST_F(CallDispatchTest, AWriteWaitsUntilEveryRegistryHasSeenItsDirectoryChange) {
    port_.only = std::vector<std::string>{kNodeA};
    dispatch_.begin(call_of({"bindId", "isOnlineId"}, {{"bindId", {{"id", "u"}, {"_id", "c"}}},
                                                       {"isOnlineId", {{"id", "u"}}}}),
                    HttpCaller{1});
    dispatch_.on_reply(kFirstReq, kNodeA, {{"bindId", 1}, {"isOnlineId", true}}, 4);
    EXPECT_TRUE(port_.done.empty()) << "change 4 of A is not acknowledged yet";
    EXPECT_EQ(dispatch_.in_flight(), 1u);
    dispatch_.directory_progress();
    EXPECT_TRUE(port_.done.empty());
    port_.settled.insert({kNodeA, 4});
    dispatch_.directory_progress();
    ASSERT_EQ(port_.done.size(), 1u);
    EXPECT_EQ(port_.done[0].envelope["data"]["bindId"], (json{{kNodeA, 1}, {kNodeB, 0}}));
    EXPECT_EQ(port_.unsettled, 0u);
}

TEST_F(CallDispatchTest, AWriteNeverWaitsForAcknowledgementsPastItsDeadline) {
    port_.only = std::vector<std::string>{kNodeA};
    dispatch_.begin(
        call_of({"joinGroupBy_Id"}, {{"joinGroupBy_Id", {{"groupId", "g"}, {"_id", "c"}}}}, 50),
        HttpCaller{1});
    dispatch_.on_reply(kFirstReq, kNodeA, {{"joinGroupBy_Id", 1}}, 9);
    ASSERT_TRUE(dispatch_.next_deadline().has_value());
    dispatch_.expire(*dispatch_.next_deadline() - std::chrono::milliseconds(1));
    EXPECT_TRUE(port_.done.empty());
    dispatch_.expire(*dispatch_.next_deadline());
    ASSERT_EQ(port_.done.size(), 1u);
    EXPECT_EQ(port_.unsettled, 1u);
    EXPECT_EQ(port_.done[0].envelope["data"]["joinGroupBy_Id"][kNodeA], 1);
}

}  // namespace
}  // namespace wsc
