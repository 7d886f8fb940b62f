// Unit tests of ConnectionIndex: connections, user bindings and groups.
#include "wsnode/ConnectionIndex.hpp"

#include <algorithm>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace wsc {
namespace {

using Strings = std::vector<std::string>;

TEST(WsnodeConnectionIndex, AddRemoveAndListConnections) {
    ConnectionIndex index;
    EXPECT_TRUE(index.add("c2", nlohmann::json::object()));
    EXPECT_TRUE(index.add("c1", {{"token", "t"}}));
    EXPECT_FALSE(index.add("c1", nlohmann::json::object()));
    EXPECT_EQ(index.connection_count(), 2u);
    EXPECT_EQ(index.conn_ids(), (Strings{"c1", "c2"}));
    EXPECT_TRUE(index.has("c1"));
    EXPECT_FALSE(index.has("c3"));
    ASSERT_NE(index.query_data("c1"), nullptr);
    EXPECT_EQ(*index.query_data("c1"), (nlohmann::json{{"token", "t"}}));
    EXPECT_EQ(index.query_data("c3"), nullptr);

    EXPECT_TRUE(index.remove("c1"));
    EXPECT_FALSE(index.remove("c1"));
    EXPECT_EQ(index.conn_ids(), (Strings{"c2"}));
    EXPECT_EQ(index.query_data("c1"), nullptr);
}

TEST(WsnodeConnectionIndex, OneUserManyConnections) {
    ConnectionIndex index;
    for (const char* c : {"c1", "c2", "c3"}) index.add(c, nullptr);
    EXPECT_TRUE(index.bind("u1", "c2"));
    EXPECT_TRUE(index.bind("u1", "c1"));
    EXPECT_TRUE(index.bind("u2", "c3"));
    EXPECT_FALSE(index.bind("u1", "nope"));
    EXPECT_FALSE(index.bind("", "c3"));
    EXPECT_EQ(index.user_ids(), (Strings{"u1", "u2"}));
    EXPECT_EQ(index.conns_of("u1"), (Strings{"c1", "c2"}));
    EXPECT_EQ(index.user_of("c1"), "u1");
    EXPECT_EQ(index.user_of("c3"), "u2");
    EXPECT_TRUE(index.is_user_online("u1"));
    EXPECT_FALSE(index.is_user_online("u9"));
    EXPECT_TRUE(index.conns_of("u9").empty());
}

TEST(WsnodeConnectionIndex, RebindingMovesTheConnection) {
    ConnectionIndex index;
    index.add("c1", nullptr);
    index.add("c2", nullptr);
    index.bind("u1", "c1");
    index.bind("u1", "c2");
    EXPECT_TRUE(index.bind("u1", "c1"));  // same user again: no change
    EXPECT_EQ(index.conns_of("u1"), (Strings{"c1", "c2"}));

    EXPECT_TRUE(index.bind("u2", "c1"));
    EXPECT_EQ(index.user_of("c1"), "u2");
    EXPECT_EQ(index.conns_of("u1"), (Strings{"c2"}));
    EXPECT_EQ(index.conns_of("u2"), (Strings{"c1"}));

    // Moving the last connection makes the old user disappear.
    EXPECT_TRUE(index.bind("u2", "c2"));
    EXPECT_FALSE(index.is_user_online("u1"));
    EXPECT_EQ(index.user_ids(), (Strings{"u2"}));
}

TEST(WsnodeConnectionIndex, Unbinding) {
    ConnectionIndex index;
    for (const char* c : {"c1", "c2", "c3"}) index.add(c, nullptr);
    index.bind("u1", "c1");
    index.bind("u1", "c2");
    index.bind("u2", "c3");

    EXPECT_EQ(index.unbind_user("u1"), 2u);
    EXPECT_EQ(index.unbind_user("u1"), 0u);
    EXPECT_FALSE(index.user_of("c1").has_value());
    EXPECT_EQ(index.user_ids(), (Strings{"u2"}));
    EXPECT_TRUE(index.has("c1"));  // unbinding keeps the connection

    EXPECT_TRUE(index.unbind_conn("c3"));
    EXPECT_FALSE(index.unbind_conn("c3"));
    EXPECT_FALSE(index.unbind_conn("nope"));
    EXPECT_TRUE(index.user_ids().empty());
}

TEST(WsnodeConnectionIndex, JoinLeaveAndGroupQueries) {
    ConnectionIndex index;
    for (const char* c : {"c1", "c2", "c3"}) index.add(c, nullptr);
    index.bind("u1", "c1");
    index.bind("u1", "c2");

    EXPECT_TRUE(index.join("g1", "c1"));
    EXPECT_FALSE(index.join("g1", "c1"));
    EXPECT_FALSE(index.join("g1", "nope"));
    EXPECT_FALSE(index.join("", "c1"));
    EXPECT_TRUE(index.join("g1", "c2"));
    EXPECT_TRUE(index.join("g1", "c3"));
    EXPECT_TRUE(index.join("g2", "c2"));

    EXPECT_EQ(index.group_ids(), (Strings{"g1", "g2"}));
    EXPECT_EQ(index.groups_of_conn("c2"), (Strings{"g1", "g2"}));
    EXPECT_EQ(index.groups_of_user("u1"), (Strings{"g1", "g2"}));
    EXPECT_TRUE(index.groups_of_user("u9").empty());
    EXPECT_TRUE(index.groups_of_conn("nope").empty());
    EXPECT_TRUE(index.in_group("g2", "c2"));
    EXPECT_FALSE(index.in_group("g2", "c1"));
    // Two connections of u1 plus the unbound c3: one distinct bound user.
    EXPECT_EQ(index.group_user_count("g1"), 1u);
    EXPECT_EQ(index.group_conn_count("g1"), 3u);
    EXPECT_EQ(index.group_user_count("nope"), 0u);
    EXPECT_EQ(index.group_conn_count("nope"), 0u);
    ASSERT_NE(index.members("g1"), nullptr);
    EXPECT_EQ(index.members("g1")->size(), 3u);
    EXPECT_EQ(index.members("nope"), nullptr);

    EXPECT_TRUE(index.leave("g2", "c2"));
    EXPECT_FALSE(index.leave("g2", "c2"));
    EXPECT_FALSE(index.leave("g1", "nope"));
    EXPECT_EQ(index.group_ids(), (Strings{"g1"}));  // g2 emptied, so gone
    EXPECT_EQ(index.members("g2"), nullptr);
}

TEST(WsnodeConnectionIndex, LeaveAllCountsMemberships) {
    ConnectionIndex index;
    index.add("c1", nullptr);
    index.add("c2", nullptr);
    index.join("g1", "c1");
    index.join("g2", "c1");
    index.join("g2", "c2");
    EXPECT_EQ(index.leave_all("c1"), 2u);
    EXPECT_EQ(index.leave_all("c1"), 0u);
    EXPECT_EQ(index.leave_all("nope"), 0u);
    EXPECT_EQ(index.group_ids(), (Strings{"g2"}));
    EXPECT_TRUE(index.groups_of_conn("c1").empty());
}

TEST(WsnodeConnectionIndex, RemoveCleansBindingsAndGroups) {
    ConnectionIndex index;
    index.add("c1", nullptr);
    index.add("c2", nullptr);
    index.bind("u1", "c1");
    index.bind("u2", "c2");
    index.join("g1", "c1");
    index.join("g2", "c1");
    index.join("g2", "c2");

    EXPECT_TRUE(index.remove("c1"));
    EXPECT_EQ(index.user_ids(), (Strings{"u2"}));
    EXPECT_FALSE(index.is_user_online("u1"));
    EXPECT_EQ(index.group_ids(), (Strings{"g2"}));
    EXPECT_EQ(index.group_conn_count("g2"), 1u);
    EXPECT_FALSE(index.in_group("g2", "c1"));

    // Re-adding the same id starts clean.
    EXPECT_TRUE(index.add("c1", nullptr));
    EXPECT_FALSE(index.user_of("c1").has_value());
    EXPECT_TRUE(index.groups_of_conn("c1").empty());
}

TEST(WsnodeConnectionIndex, RemoveByReferenceIntoOwnSets) {
    // Callers may hand us a string that lives inside the index itself.
    ConnectionIndex index;
    index.add("c1", nullptr);
    index.add("c2", nullptr);
    index.bind("u1", "c1");
    index.join("g1", "c1");
    index.join("g2", "c1");
    const std::string& member = *index.members("g1")->begin();
    EXPECT_TRUE(index.remove(member));
    EXPECT_EQ(index.conn_ids(), (Strings{"c2"}));
    EXPECT_TRUE(index.group_ids().empty());
    EXPECT_TRUE(index.user_ids().empty());
}

TEST(WsnodeConnectionIndex, ForEachConnVisitsEveryConnectionOnce) {
    ConnectionIndex index;
    for (const char* c : {"c3", "c1", "c2"}) index.add(c, nullptr);
    Strings seen;
    index.for_each_conn([&](const std::string& conn) { seen.push_back(conn); });
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, (Strings{"c1", "c2", "c3"}));
}

// ---- interest transitions (the node's directory) ----

// The four lists of a batch, for comparing in one expression.
struct Lists {
    Strings users_add, users_del, groups_add, groups_del;
    bool operator==(const Lists& o) const {
        return users_add == o.users_add && users_del == o.users_del && groups_add == o.groups_add &&
               groups_del == o.groups_del;
    }
};

Lists lists(const InterestChanges& c) {
    return {c.users_add, c.users_del, c.groups_add, c.groups_del};
}

std::ostream& operator<<(std::ostream& os, const Lists& l) {
    const auto put = [&](const char* name, const Strings& ids) {
        os << name << "=[";
        for (const auto& id : ids) os << id << ' ';
        os << "] ";
    };
    put("users_add", l.users_add);
    put("users_del", l.users_del);
    put("groups_add", l.groups_add);
    put("groups_del", l.groups_del);
    return os;
}

TEST(WsnodeConnectionIndex, ConnectionsAloneChangeNoInterestButAreReported) {
    ConnectionIndex index;
    index.add("c1", nullptr);
    index.add("c2", nullptr);
    index.add("c3", nullptr);
    index.remove("c2");
    EXPECT_TRUE(index.has_changes());
    const InterestChanges changes = index.take_changes();
    EXPECT_EQ(lists(changes), Lists{});
    EXPECT_FALSE(changes.has_adds());  // nobody waits for a connection's news
    EXPECT_EQ(changes.conns_add, (Strings{"c1", "c3"}));
    EXPECT_EQ(changes.conns_user, (Strings{"", ""}));
    EXPECT_EQ(changes.conns_del, Strings{"c2"});
    EXPECT_FALSE(index.has_changes());
}

TEST(WsnodeConnectionIndex, ConnectionChangesCarryTheirUserLastOneWins) {
    ConnectionIndex index;
    for (const char* c : {"c1", "c2", "c3"}) index.add(c, nullptr);
    index.take_changes();
    index.bind("u1", "c1");
    index.bind("u2", "c1");  // moved: only its last user is reported
    index.bind("u1", "c2");
    index.unbind_conn("c2");
    index.bind("u3", "c3");
    index.remove("c3");  // closed: reported closed, not bound
    InterestChanges changes = index.take_changes();
    EXPECT_EQ(changes.conns_add, (Strings{"c1", "c2"}));
    EXPECT_EQ(changes.conns_user, (Strings{"u2", ""}));
    EXPECT_EQ(changes.conns_del, Strings{"c3"});
    // unbind_user reports every connection it unbinds.
    index.bind("u4", "c1");
    index.bind("u4", "c2");
    index.take_changes();
    index.unbind_user("u4");
    changes = index.take_changes();
    EXPECT_EQ(changes.conns_add, (Strings{"c1", "c2"}));
    EXPECT_EQ(changes.conns_user, (Strings{"", ""}));
    // A snapshot lists everything, sorted, with the user ids.
    index.bind("u5", "c2");
    const InterestChanges all = index.everything();
    EXPECT_EQ(all.conns_add, (Strings{"c1", "c2"}));
    EXPECT_EQ(all.conns_user, (Strings{"", "u5"}));
    EXPECT_EQ(all.users_add, Strings{"u5"});
}

TEST(WsnodeConnectionIndex, BindAndUnbindReportTheFirstAndLastConnectionOnly) {
    ConnectionIndex index;
    for (const char* c : {"c1", "c2", "c3"}) index.add(c, nullptr);
    index.bind("u2", "c3");
    index.bind("u1", "c1");
    EXPECT_TRUE(index.has_changes());
    const InterestChanges first = index.take_changes();
    EXPECT_EQ(lists(first), (Lists{{"u1", "u2"}, {}, {}, {}}));
    EXPECT_TRUE(first.has_adds());
    EXPECT_FALSE(index.has_changes());  // taken

    // A second connection of u1: no transition, nor when one of two leaves.
    index.bind("u1", "c2");
    index.bind("u1", "c2");
    EXPECT_EQ(lists(index.take_changes()), Lists{});
    index.unbind_conn("c1");
    EXPECT_EQ(lists(index.take_changes()), Lists{});
    // The last one does.
    index.unbind_conn("c2");
    const InterestChanges last = index.take_changes();
    EXPECT_EQ(lists(last), (Lists{{}, {"u1"}, {}, {}}));
    EXPECT_FALSE(last.has_adds());

    index.unbind_user("u2");
    EXPECT_EQ(lists(index.take_changes()), (Lists{{}, {"u2"}, {}, {}}));
    index.unbind_user("u2");  // nothing left to unbind
    EXPECT_EQ(lists(index.take_changes()), Lists{});
}

TEST(WsnodeConnectionIndex, MovingTheOnlyConnectionSwapsTheUsers) {
    ConnectionIndex index;
    index.add("c1", nullptr);
    index.add("c2", nullptr);
    index.bind("u1", "c1");
    index.bind("u1", "c2");
    index.take_changes();
    // c1 moves to u2: u1 still has c2.
    index.bind("u2", "c1");
    EXPECT_EQ(lists(index.take_changes()), (Lists{{"u2"}, {}, {}, {}}));
    // c2 moves to u2 as well: u1 is gone, u2 was already there.
    index.bind("u2", "c2");
    EXPECT_EQ(lists(index.take_changes()), (Lists{{}, {"u1"}, {}, {}}));
}

TEST(WsnodeConnectionIndex, JoinAndLeaveReportTheFirstAndLastMemberOnly) {
    ConnectionIndex index;
    for (const char* c : {"c1", "c2"}) index.add(c, nullptr);
    index.join("g2", "c1");
    index.join("g1", "c1");
    index.join("g1", "c2");
    index.join("", "c2");  // refused
    EXPECT_EQ(lists(index.take_changes()), (Lists{{}, {}, {"g1", "g2"}, {}}));
    index.leave("g1", "c1");
    EXPECT_EQ(lists(index.take_changes()), Lists{});
    index.leave("g1", "c2");
    index.leave_all("c1");
    EXPECT_EQ(lists(index.take_changes()), (Lists{{}, {}, {}, {"g1", "g2"}}));
}

TEST(WsnodeConnectionIndex, RemovingAConnectionReportsWhatItHeldAlone) {
    ConnectionIndex index;
    for (const char* c : {"c1", "c2"}) index.add(c, nullptr);
    index.bind("u1", "c1");
    index.bind("u2", "c2");
    index.join("g1", "c1");
    index.join("g2", "c1");
    index.join("g2", "c2");
    index.take_changes();
    index.remove("c1");
    EXPECT_EQ(lists(index.take_changes()), (Lists{{}, {"u1"}, {}, {"g1"}}));
    // By a reference into the index's own sets, too.
    index.remove(*index.members("g2")->begin());
    EXPECT_EQ(lists(index.take_changes()), (Lists{{}, {"u2"}, {}, {"g2"}}));
}

TEST(WsnodeConnectionIndex, ChangesCollapsePerIdLastOneWins) {
    ConnectionIndex index;
    for (const char* c : {"c1", "c2"}) index.add(c, nullptr);
    index.bind("u1", "c1");
    index.join("g1", "c1");
    index.take_changes();
    // Held before the batch: gone, then back. Reported as held.
    index.remove("c1");
    index.bind("u1", "c2");
    index.join("g1", "c2");
    EXPECT_EQ(lists(index.take_changes()), (Lists{{"u1"}, {}, {"g1"}, {}}));
    // Not held before the batch: came and went. Reported as gone, which a
    // registry that never had it ignores.
    index.add("c3", nullptr);
    index.bind("u9", "c3");
    index.join("g9", "c3");
    index.remove("c3");
    EXPECT_EQ(lists(index.take_changes()), (Lists{{}, {"u9"}, {}, {"g9"}}));
}

}  // namespace
}  // namespace wsc
