// Unit tests of CommandExecutor: every node event of SPEC §4 against a fake
// Transport that records each frame and the buffer it was given.
#include "wsnode/CommandExecutor.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

#include "api/EventCatalog.hpp"

namespace wsc {
namespace {

using json = nlohmann::json;
using Strings = std::vector<std::string>;

class FakeTransport : public Transport {
  public:
    // The node's broadcast reaches the connections of its index: so does this one's.
    explicit FakeTransport(const ConnectionIndex& index) : index_(index) {}

    struct Frame {
        std::string conn;
        std::string text;
        const std::string* buffer;
    };

    bool send(const std::string& conn_id, const Payload& text) override {
        frames.push_back({conn_id, *text, text.get()});
        kept.push_back(text);  // keeps buffers alive so their addresses stay distinct
        return refused.count(conn_id) == 0;
    }
    std::size_t send_to_all(const Payload& text,
                            const std::unordered_set<std::string>& excluded) override {
        std::size_t sent = 0;
        index_.for_each_conn([&](const std::string& conn) {
            if (excluded.count(conn) == 0 && send(conn, text)) ++sent;
        });
        return sent;
    }
    void close(const std::string& conn_id) override { closed.push_back(conn_id); }

    Strings recipients() const {
        Strings out;
        for (const auto& f : frames) out.push_back(f.conn);
        std::sort(out.begin(), out.end());
        return out;
    }
    std::set<const std::string*> buffers() const {
        std::set<const std::string*> out;
        for (const auto& f : frames) out.insert(f.buffer);
        return out;
    }

    std::vector<Frame> frames;
    std::vector<Payload> kept;
    Strings closed;
    std::set<std::string> refused;

  private:
    const ConnectionIndex& index_;
};

// u1 has c1 and c2, u2 has c3, c4 is not bound.
class WsnodeCommandExecutor : public ::testing::Test {
  protected:
    void SetUp() override {
        for (const char* c : {"c1", "c2", "c3", "c4"}) index.add(c, {{"conn", c}});
        index.bind("u1", "c1");
        index.bind("u1", "c2");
        index.bind("u2", "c3");
    }

    json run(std::string_view event, const json& params = json::object()) {
        return executor.run(event, params);
    }

    static bool is_error(const json& result) {
        return result.is_object() && result.value("code", 0) == 1 && result.contains("msg") &&
               result["data"] == json::array();
    }

    ConnectionIndex index;
    FakeTransport transport{index};
    CommandExecutor executor{index, transport};
};

TEST_F(WsnodeCommandExecutor, CountsAndLists) {
    EXPECT_EQ(run("getConnectionCount"), 4);
    EXPECT_EQ(run("get_Ids"), (json{"c1", "c2", "c3", "c4"}));
    EXPECT_EQ(run("getIds"), (json{"u1", "u2"}));
    EXPECT_EQ(run("getGroupIds"), json::array());
    EXPECT_EQ(run("getConnectionCount", nullptr), 4);  // no params needed, null is fine
}

TEST_F(WsnodeCommandExecutor, IsOnline) {
    EXPECT_EQ(run("isOnlineId", {{"id", "u1"}}), true);
    EXPECT_EQ(run("isOnlineId", {{"id", "u9"}}), false);
    EXPECT_EQ(run("isOnline_Id", {{"_id", "c4"}}), true);
    EXPECT_EQ(run("isOnline_Id", {{"_id", "c9"}}), false);
}

TEST_F(WsnodeCommandExecutor, BindIdAndRebindMoves) {
    EXPECT_EQ(run("bindId", {{"id", "u3"}, {"_id", "c4"}}), 1);
    EXPECT_EQ(run("bindId", {{"id", "u3"}, {"_id", "c9"}}), 0);
    EXPECT_EQ(run("getIdBy_Id", {{"_id", "c4"}}), "u3");

    EXPECT_EQ(run("bindId", {{"id", "u2"}, {"_id", "c2"}}), 1);
    EXPECT_EQ(run("get_IdsById", {{"id", "u1"}}), (json{"c1"}));
    EXPECT_EQ(run("get_IdsById", {{"id", "u2"}}), (json{"c2", "c3"}));
    EXPECT_EQ(run("getIdBy_Id", {{"_id", "c2"}}), "u2");

    EXPECT_EQ(run("bindId", {{"id", "u2"}, {"_id", "c1"}}), 1);
    EXPECT_EQ(run("isOnlineId", {{"id", "u1"}}), false);  // last connection moved away
    EXPECT_EQ(run("getIds"), (json{"u2", "u3"}));
}

TEST_F(WsnodeCommandExecutor, UnBind) {
    EXPECT_EQ(run("unBindId", {{"id", "u1"}}), 2);
    EXPECT_EQ(run("unBindId", {{"id", "u1"}}), 0);
    EXPECT_EQ(run("getIdBy_Id", {{"_id", "c1"}}), nullptr);
    EXPECT_EQ(run("getConnectionCount"), 4);  // unbinding closes nothing
    EXPECT_EQ(run("unBind_Id", {{"_id", "c3"}}), 1);
    EXPECT_EQ(run("unBind_Id", {{"_id", "c3"}}), 0);
    EXPECT_EQ(run("unBind_Id", {{"_id", "c9"}}), 0);
    EXPECT_EQ(run("getIds"), json::array());
}

TEST_F(WsnodeCommandExecutor, JoinGroupByIdJoinsEveryConnectionOfTheUser) {
    EXPECT_EQ(run("joinGroupById", {{"groupId", {"g1", "g2"}}, {"id", "u1"}}), 4);
    EXPECT_EQ(run("joinGroupById", {{"groupId", {"g1", "g2"}}, {"id", "u1"}}), 0);
    EXPECT_EQ(run("joinGroupById", {{"groupId", {"g1"}}, {"id", "u9"}}), 0);
    EXPECT_EQ(run("getGroupIds"), (json{"g1", "g2"}));
    EXPECT_EQ(run("getGroupIdsById", {{"id", "u1"}}), (json{"g1", "g2"}));
    EXPECT_EQ(run("getGroupIdsBy_Id", {{"_id", "c2"}}), (json{"g1", "g2"}));
    EXPECT_EQ(run("getGroup_IdCount", {{"groupId", "g1"}}), 2);
    EXPECT_EQ(run("getGroupIdCount", {{"groupId", "g1"}}), 1);
}

TEST_F(WsnodeCommandExecutor, GroupListAsCommaString) {
    EXPECT_EQ(run("joinGroupById", {{"groupId", "g1, g2,,g3"}, {"id", "u1"}}), 6);
    EXPECT_EQ(run("getGroupIds"), (json{"g1", "g2", "g3"}));
    EXPECT_EQ(run("leaveGroupById", {{"groupId", "g1,g3"}, {"id", "u1"}}), 4);
    EXPECT_EQ(run("getGroupIds"), (json{"g2"}));
}

TEST_F(WsnodeCommandExecutor, JoinAndLeaveByConnection) {
    EXPECT_EQ(run("joinGroupBy_Id", {{"groupId", "g1"}, {"_id", "c4"}}), 1);
    EXPECT_EQ(run("joinGroupBy_Id", {{"groupId", "g1"}, {"_id", "c4"}}), 0);
    EXPECT_EQ(run("joinGroupBy_Id", {{"groupId", "g1"}, {"_id", "c9"}}), 0);
    EXPECT_EQ(run("isInGroupBy_Id", {{"groupId", "g1"}, {"_id", "c4"}}), true);
    EXPECT_EQ(run("isInGroupBy_Id", {{"groupId", "g1"}, {"_id", "c1"}}), false);
    // An unbound member counts as a connection but not as a user.
    EXPECT_EQ(run("getGroup_IdCount", {{"groupId", "g1"}}), 1);
    EXPECT_EQ(run("getGroupIdCount", {{"groupId", "g1"}}), 0);

    EXPECT_EQ(run("leaveGroupBy_Id", {{"groupId", "g1"}, {"_id", "c4"}}), 1);
    EXPECT_EQ(run("leaveGroupBy_Id", {{"groupId", "g1"}, {"_id", "c4"}}), 0);
    EXPECT_EQ(run("getGroupIds"), json::array());  // emptied group disappears
    EXPECT_EQ(run("getGroup_IdCount", {{"groupId", "g1"}}), 0);
}

TEST_F(WsnodeCommandExecutor, LeaveGroupById) {
    run("joinGroupById", {{"groupId", {"g1", "g2"}}, {"id", "u1"}});
    run("joinGroupBy_Id", {{"groupId", "g1"}, {"_id", "c3"}});
    EXPECT_EQ(run("leaveGroupById", {{"groupId", {"g1"}}, {"id", "u1"}}), 2);
    EXPECT_EQ(run("leaveGroupById", {{"groupId", {"g1"}}, {"id", "u1"}}), 0);
    EXPECT_EQ(run("getGroup_IdCount", {{"groupId", "g1"}}), 1);
    EXPECT_EQ(run("getGroupIdsById", {{"id", "u1"}}), (json{"g2"}));
}

TEST_F(WsnodeCommandExecutor, LeaveAllGroups) {
    run("joinGroupById", {{"groupId", {"g1", "g2"}}, {"id", "u1"}});
    run("joinGroupBy_Id", {{"groupId", "g3"}, {"_id", "c1"}});
    run("joinGroupBy_Id", {{"groupId", "g3"}, {"_id", "c3"}});
    EXPECT_EQ(run("leaveAllGroupBy_Id", {{"_id", "c3"}}), 1);
    EXPECT_EQ(run("leaveAllGroupBy_Id", {{"_id", "c9"}}), 0);
    EXPECT_EQ(run("leaveAllGroupById", {{"id", "u1"}}), 5);  // c1: g1,g2,g3; c2: g1,g2
    EXPECT_EQ(run("leaveAllGroupById", {{"id", "u1"}}), 0);
    EXPECT_EQ(run("getGroupIds"), json::array());
    EXPECT_EQ(run("getGroupIdsById", {{"id", "u1"}}), json::array());
}

TEST_F(WsnodeCommandExecutor, IsInGroupByIdIsTrueIfAnyConnectionIsIn) {
    run("joinGroupBy_Id", {{"groupId", "g1"}, {"_id", "c2"}});
    EXPECT_EQ(run("isInGroupById", {{"groupId", "g1"}, {"id", "u1"}}), true);
    EXPECT_EQ(run("isInGroupById", {{"groupId", "g1"}, {"id", "u2"}}), false);
    EXPECT_EQ(run("isInGroupById", {{"groupId", "g9"}, {"id", "u1"}}), false);
    EXPECT_EQ(run("isInGroupById", {{"groupId", "g1"}, {"id", "u9"}}), false);
}

TEST_F(WsnodeCommandExecutor, SendMessageToIdReachesEveryConnectionOfTheUser) {
    EXPECT_EQ(run("sendMessageToId", {{"id", "u1"}, {"msg", "hello"}}), 2);
    EXPECT_EQ(transport.recipients(), (Strings{"c1", "c2"}));
    for (const auto& f : transport.frames) EXPECT_EQ(f.text, "hello");
    EXPECT_EQ(transport.buffers().size(), 1u);

    transport.frames.clear();
    EXPECT_EQ(run("sendMessageToId", {{"id", "u1"}, {"msg", "x"}, {"exclude_Ids", {"c1"}}}), 1);
    EXPECT_EQ(transport.recipients(), (Strings{"c2"}));
    EXPECT_EQ(run("sendMessageToId", {{"id", "u9"}, {"msg", "x"}}), 0);
}

TEST_F(WsnodeCommandExecutor, SendMessageToConnection) {
    const std::string text = R"({"k":"v","u":"é"})";
    EXPECT_EQ(run("sendMessageTo_Id", {{"_id", "c3"}, {"msg", text}}), 1);
    ASSERT_EQ(transport.frames.size(), 1u);
    EXPECT_EQ(transport.frames[0].conn, "c3");
    EXPECT_EQ(transport.frames[0].text, text);

    EXPECT_EQ(run("sendMessageTo_Id", {{"_id", "c9"}, {"msg", "x"}}), 0);
    EXPECT_EQ(transport.frames.size(), 1u);  // unknown connection: transport not asked

    transport.refused.insert("c3");
    EXPECT_EQ(run("sendMessageTo_Id", {{"_id", "c3"}, {"msg", "x"}}), 0);
}

TEST_F(WsnodeCommandExecutor, SendToGroupReachesEachMemberOnceWithExclusions) {
    for (const char* c : {"c1", "c2", "c3", "c4"})
        run("joinGroupBy_Id", {{"groupId", "g"}, {"_id", c}});
    EXPECT_EQ(run("sendToGroup", {{"groupId", "g"}, {"msg", "m"}}), 4);
    EXPECT_EQ(transport.recipients(), (Strings{"c1", "c2", "c3", "c4"}));
    EXPECT_EQ(transport.buffers().size(), 1u);

    transport.frames.clear();
    EXPECT_EQ(run("sendToGroup", {{"groupId", "g"}, {"msg", "m"}, {"excludeIds", {"u1"}}}), 2);
    EXPECT_EQ(transport.recipients(), (Strings{"c3", "c4"}));

    transport.frames.clear();
    EXPECT_EQ(run("sendToGroup", {{"groupId", "g"},
                                  {"msg", "m"},
                                  {"excludeIds", {"u2"}},
                                  {"exclude_Ids", {"c1", "c4"}}}),
              1);
    EXPECT_EQ(transport.recipients(), (Strings{"c2"}));

    EXPECT_EQ(run("sendToGroup", {{"groupId", "nope"}, {"msg", "m"}}), 0);
}

TEST_F(WsnodeCommandExecutor, BroadcastSharesOnePayload) {
    constexpr int kExtra = 100;
    for (int i = 0; i < kExtra; ++i) index.add("x" + std::to_string(i), nullptr);
    EXPECT_EQ(run("broadcast", {{"msg", "all"}}), kExtra + 4);
    EXPECT_EQ(transport.frames.size(), static_cast<size_t>(kExtra + 4));
    EXPECT_EQ(transport.buffers().size(), 1u);
    EXPECT_EQ(*transport.frames.front().buffer, "all");

    transport.frames.clear();
    transport.refused.insert("c2");
    EXPECT_EQ(run("broadcast", {{"msg", "all"}, {"exclude_Ids", {"c1", "x0"}}}), kExtra + 1);
    // c2 was tried but refused, so it is not counted.
    EXPECT_EQ(transport.frames.size(), static_cast<size_t>(kExtra + 2));
    for (const auto& f : transport.frames) {
        EXPECT_NE(f.conn, "c1");
        EXPECT_NE(f.conn, "x0");
    }
}

TEST_F(WsnodeCommandExecutor, SendToGroupsSendsEachConnectionOnce) {
    run("joinGroupBy_Id", {{"groupId", "g1"}, {"_id", "c1"}});
    run("joinGroupBy_Id", {{"groupId", "g1"}, {"_id", "c2"}});
    run("joinGroupBy_Id", {{"groupId", "g2"}, {"_id", "c2"}});
    run("joinGroupBy_Id", {{"groupId", "g2"}, {"_id", "c3"}});
    const std::string event(kSendToGroupsEvent);
    EXPECT_EQ(run(event, {{"groupIds", {"g1", "g2", "g9"}}, {"msg", "m"}}), 3);
    EXPECT_EQ(transport.recipients(), (Strings{"c1", "c2", "c3"}));
    EXPECT_EQ(transport.buffers().size(), 1u);

    transport.frames.clear();
    EXPECT_EQ(run(event, {{"groupIds", "g1,g2"}, {"msg", "m"}, {"exclude_Ids", {"c2"}}}), 2);
    EXPECT_EQ(transport.recipients(), (Strings{"c1", "c3"}));
    EXPECT_EQ(run(event, {{"groupIds", json::array()}, {"msg", "m"}}), 0);
}

TEST_F(WsnodeCommandExecutor, SendToGroupsOfUserAndConnectionLocally) {
    run("joinGroupBy_Id", {{"groupId", "g1"}, {"_id", "c1"}});
    run("joinGroupBy_Id", {{"groupId", "g1"}, {"_id", "c4"}});
    run("joinGroupBy_Id", {{"groupId", "g2"}, {"_id", "c2"}});
    run("joinGroupBy_Id", {{"groupId", "g2"}, {"_id", "c4"}});
    run("joinGroupBy_Id", {{"groupId", "g3"}, {"_id", "c3"}});

    // u1 is in g1 (via c1) and g2 (via c2): members c1, c2, c4, with c4 once.
    EXPECT_EQ(run("sendMessageToGroupByOnlyId", {{"id", "u1"}, {"msg", "m"}}), 3);
    EXPECT_EQ(transport.recipients(), (Strings{"c1", "c2", "c4"}));

    transport.frames.clear();
    EXPECT_EQ(run("sendMessageToGroupByOnlyId",
                  {{"id", "u1"}, {"msg", "m"}, {"exclude_Ids", {"c1", "c2"}}}),
              1);
    EXPECT_EQ(transport.recipients(), (Strings{"c4"}));

    transport.frames.clear();
    EXPECT_EQ(run("sendMessageToGroupByOnly_Id", {{"_id", "c4"}, {"msg", "m"}}), 3);
    EXPECT_EQ(transport.recipients(), (Strings{"c1", "c2", "c4"}));
    EXPECT_EQ(run("sendMessageToGroupByOnly_Id", {{"_id", "c9"}, {"msg", "m"}}), 0);
    EXPECT_EQ(run("sendMessageToGroupByOnlyId", {{"id", "u9"}, {"msg", "m"}}), 0);
}

TEST_F(WsnodeCommandExecutor, UserAndConnectionLookups) {
    EXPECT_EQ(run("getIdBy_Id", {{"_id", "c3"}}), "u2");
    EXPECT_EQ(run("getIdBy_Id", {{"_id", "c4"}}), nullptr);
    EXPECT_EQ(run("getIdBy_Id", {{"_id", "c9"}}), nullptr);
    EXPECT_EQ(run("get_IdsById", {{"id", "u1"}}), (json{"c1", "c2"}));
    EXPECT_EQ(run("get_IdsById", {{"id", "u9"}}), json::array());
    EXPECT_EQ(run("get_IdData", {{"_id", "c2"}}), (json{{"conn", "c2"}}));
    EXPECT_EQ(run("get_IdData", {{"_id", "c9"}}), nullptr);
}

TEST_F(WsnodeCommandExecutor, CloseByConnectionCleansUp) {
    run("joinGroupBy_Id", {{"groupId", "solo"}, {"_id", "c1"}});
    run("joinGroupBy_Id", {{"groupId", "shared"}, {"_id", "c1"}});
    run("joinGroupBy_Id", {{"groupId", "shared"}, {"_id", "c3"}});

    EXPECT_EQ(run("closeBy_Id", {{"_id", "c1"}}), 1);
    EXPECT_EQ(transport.closed, (Strings{"c1"}));
    EXPECT_FALSE(index.has("c1"));
    EXPECT_EQ(run("getGroupIds"), (json{"shared"}));
    EXPECT_EQ(run("get_IdsById", {{"id", "u1"}}), (json{"c2"}));

    EXPECT_EQ(run("closeBy_Id", {{"_id", "c1"}}), 0);
    EXPECT_EQ(transport.closed.size(), 1u);  // unknown: transport not asked
}

TEST_F(WsnodeCommandExecutor, CloseByIdClosesEveryConnectionOfTheUser) {
    run("joinGroupById", {{"groupId", {"g1"}}, {"id", "u1"}});
    EXPECT_EQ(run("closeById", {{"id", "u1"}}), 2);
    std::sort(transport.closed.begin(), transport.closed.end());
    EXPECT_EQ(transport.closed, (Strings{"c1", "c2"}));
    EXPECT_EQ(run("isOnlineId", {{"id", "u1"}}), false);
    EXPECT_EQ(run("getIds"), (json{"u2"}));
    EXPECT_EQ(run("getGroupIds"), json::array());
    EXPECT_EQ(run("getConnectionCount"), 2);
    EXPECT_EQ(run("closeById", {{"id", "u1"}}), 0);
}

TEST_F(WsnodeCommandExecutor, UnknownEvents) {
    const json route = run("route", {{"id", "u1"}});
    ASSERT_TRUE(is_error(route));
    EXPECT_EQ(route["msg"], "unknown event 'route'");
    EXPECT_EQ(run("nope")["msg"], "unknown event 'nope'");
    EXPECT_TRUE(is_error(run("")));
}

TEST_F(WsnodeCommandExecutor, MissingParameters) {
    const json missing = run("bindId", {{"id", "u1"}});
    ASSERT_TRUE(is_error(missing));
    EXPECT_EQ(missing["msg"], "bindId: missing parameter '_id'");
    EXPECT_EQ(run("sendToGroup", {{"groupId", "g"}})["msg"],
              "sendToGroup: missing parameter 'msg'");
    EXPECT_EQ(run("joinGroupById", {{"id", "u1"}})["msg"],
              "joinGroupById: missing parameter 'groupId'");
    EXPECT_EQ(run(kSendToGroupsEvent, {{"msg", "m"}})["msg"],
              "sendToGroups: missing parameter 'groupIds'");
    // Params that are not an object at all.
    EXPECT_TRUE(is_error(run("isOnlineId", nullptr)));
    EXPECT_TRUE(is_error(run("isOnlineId", json::array({"u1"}))));
    EXPECT_TRUE(is_error(run("isOnlineId", "u1")));
}

TEST_F(WsnodeCommandExecutor, MistypedParameters) {
    EXPECT_EQ(run("isOnlineId", {{"id", 7}})["msg"], "isOnlineId: missing parameter 'id'");
    EXPECT_TRUE(is_error(run("isOnline_Id", {{"_id", nullptr}})));
    EXPECT_TRUE(is_error(run("joinGroupById", {{"groupId", 5}, {"id", "u1"}})));
    EXPECT_TRUE(is_error(run("joinGroupById", {{"groupId", {{"a", "b"}}}, {"id", "u1"}})));
    EXPECT_TRUE(is_error(run("leaveGroupById", {{"groupId", {"g1", 2}}, {"id", "u1"}})));
    EXPECT_TRUE(is_error(run("joinGroupBy_Id", {{"groupId", {"g1"}}, {"_id", "c1"}})));
    EXPECT_TRUE(is_error(run("sendMessageTo_Id", {{"_id", "c1"}, {"msg", {{"a", 1}}}})));
    EXPECT_TRUE(is_error(run(kSendToGroupsEvent, {{"groupIds", 3}, {"msg", "m"}})));
    EXPECT_EQ(run("broadcast", {{"msg", "m"}, {"exclude_Ids", {{"c1", true}}}})["msg"],
              "broadcast: missing parameter 'exclude_Ids'");
    EXPECT_TRUE(is_error(run("sendToGroup", {{"groupId", "g"}, {"msg", "m"}, {"excludeIds", 1}})));
    // A rejected call has no side effect.
    EXPECT_TRUE(transport.frames.empty());
    EXPECT_EQ(run("getGroupIds"), json::array());
    // An optional list given as null is simply absent.
    EXPECT_EQ(run("broadcast", {{"msg", "m"}, {"exclude_Ids", nullptr}}), 4);
}

TEST_F(WsnodeCommandExecutor, EveryCatalogNodeEventIsHandled) {
    for (const auto& spec : all_events()) {
        const std::string name(spec.name);
        const json result = run(name, json::object());
        if (spec.scope == EventScope::Registry) {
            EXPECT_EQ(result["msg"], "unknown event '" + name + "'");
            continue;
        }
        bool has_required = false;
        for (const auto& p : spec.params) has_required = has_required || p.required;
        if (!has_required) {
            EXPECT_FALSE(is_error(result)) << name;
            continue;
        }
        ASSERT_TRUE(is_error(result)) << name;
        const std::string msg = result["msg"];
        EXPECT_EQ(msg.rfind(name + ": missing parameter '", 0), 0u) << name << ": " << msg;
    }
}

// Receipts: opted-in connections get the wrapped message and are awaited;
// the others get it as it is; the result waits to be completed.
TEST(WsnodeCommandExecutorAcks, OptedInConnectionsAreSentTheTokenAndAwaited) {
    ConnectionIndex index;
    index.add("c1", {{"acks", "1"}});
    index.add("c2", json::object());
    index.add("c3", {{"acks", "1"}});
    FakeTransport transport(index);
    AckLedger ledger;
    CommandExecutor executor(index, transport, &ledger);
    std::optional<AckLedger::WaitId> wait;
    const json result = executor.run(
        "broadcast", {{"msg", R"({"a":1})"}, {"exclude_Ids", {"c3"}}, {"ack", 500}}, &wait);
    ASSERT_TRUE(wait);
    EXPECT_EQ(result, (json{{"sent", 2}, {"acked", 0}, {"_ids", json::array()}}));
    std::map<std::string, std::string> got;
    for (const auto& f : transport.frames) got[f.conn] = f.text;
    EXPECT_EQ(got.size(), 2u);
    EXPECT_EQ(got["c1"], R"({"cmd":"msg","ack":")" + ledger.token(*wait) + R"(","data":{"a":1}})");
    EXPECT_EQ(got["c2"], R"({"a":1})");
    EXPECT_EQ(ledger.awaited(), 1u);

    // A text message goes in as a JSON string; without a ledger or "ack", as before.
    transport.frames.clear();
    wait.reset();
    executor.run("sendMessageTo_Id", {{"_id", "c1"}, {"msg", "hi \"x\""}, {"ack", 500}}, &wait);
    ASSERT_EQ(transport.frames.size(), 1u);
    EXPECT_EQ(json::parse(transport.frames[0].text).at("data"), "hi \"x\"");
    transport.frames.clear();
    EXPECT_EQ(executor.run("sendMessageTo_Id", {{"_id", "c1"}, {"msg", "hi"}}), 1);
    EXPECT_EQ(transport.frames.at(0).text, "hi");
    // Events that send nothing ignore "ack".
    wait.reset();
    EXPECT_EQ(executor.run("getConnectionCount", {{"ack", 500}}, &wait), 3);
    EXPECT_FALSE(wait);
}

}  // namespace
}  // namespace wsc
