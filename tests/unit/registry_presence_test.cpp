// Presence: one online per user going from no bound connection anywhere to
// one, one offline back; a second device keeps a user online; the closes and
// offlines of a lost node; one deciding registry per user and per node; a
// new decider announcing what the old one could not, with the same ids.
#include <gtest/gtest.h>

#include "bus/EventIds.hpp"
#include "registry/Presence.hpp"

namespace wsc {
namespace {

using std::chrono::milliseconds;
using Strings = std::vector<std::string>;

const std::string kNodeA(32, 'a');
const std::string kNodeB(32, 'b');
const std::string kR1(32, '1');
const std::string kR2(32, '2');
constexpr std::uint64_t kBoot = 7;

Directory::Binding binding(const std::string& node, std::uint64_t seq, const std::string& conn,
                           const std::string& before, const std::string& after,
                           bool learned = false) {
    return {bus::ChangeCause{node, kBoot, seq, false, conn}, before, after, learned};
}

// "event:id" (plus ":_id:reason" for closes) per event.
Strings described(const Presence::Events& events) {
    Strings out;
    for (const auto& e : events) {
        std::string line = e.event + ":" + (e.user.is_string() ? e.user.get<std::string>() : "-");
        if (e.event == "close") line += ":" + e.conn + ":" + e.reason;
        out.push_back(line);
    }
    return out;
}

// A user id that `registry` decides among {kR1, kR2}.
std::string user_decided_by(const std::string& registry) {
    for (int i = 0;; ++i) {
        const std::string user = "user" + std::to_string(i);
        if (Presence::decider(user, {kR1, kR2}) == registry) return user;
    }
}

TEST(Presence, OneTransitionOneEventAndASecondDeviceKeepsAUserOnline) {
    Presence p(kR1, milliseconds(3000));  // alone: decides everything
    Presence::Events out;
    p.on_binding(binding(kNodeA, 1, "c1", "", "u1"), out);
    p.on_binding(binding(kNodeB, 1, "c2", "", "u1"), out);  // second device: no event
    EXPECT_EQ(described(out), Strings{"online:u1"});
    EXPECT_EQ(out[0].node, kNodeA);
    EXPECT_EQ(out[0].conn, "c1");
    EXPECT_EQ(out[0].eid.size(), bus::kEventIdLength);
    EXPECT_TRUE(p.online("u1"));
    out.clear();
    p.on_binding(binding(kNodeA, 2, "c1", "u1", ""), out);  // one of two closes: still online
    EXPECT_TRUE(out.empty());
    p.on_binding(binding(kNodeB, 2, "c2", "u1", "u2"), out);  // moved to u2: u1 offline, u2 online
    EXPECT_EQ(described(out), (Strings{"offline:u1", "online:u2"}));
    EXPECT_FALSE(p.online("u1"));
    EXPECT_EQ(p.users_online(), 1u);
    // Every id differs.
    EXPECT_NE(out[0].eid, out[1].eid);
}

TEST(Presence, ALearnedStateIsTakenAsAnnounced) {
    Presence p(kR1, milliseconds(3000));
    Presence::Events out;
    p.on_binding(binding(kNodeA, 5, "c1", "", "u1", /*learned=*/true), out);
    EXPECT_TRUE(out.empty());
    EXPECT_TRUE(p.online("u1"));
    p.on_binding(binding(kNodeA, 6, "c1", "u1", ""), out);
    EXPECT_EQ(described(out), Strings{"offline:u1"});
}

TEST(Presence, ALostNodeClosesEachConnectionThenTakesItsUsersOffline) {
    Presence p(kR1, milliseconds(3000));
    Presence::Events out;
    p.on_binding(binding(kNodeA, 1, "c1", "", "u1"), out);
    p.on_binding(binding(kNodeA, 1, "c2", "", "u2"), out);
    p.on_binding(binding(kNodeB, 1, "c3", "", "u2"), out);  // u2 has a device elsewhere
    out.clear();
    Directory::LostNode lost{kNodeA, kBoot, {{"c0", ""}, {"c1", "u1"}, {"c2", "u2"}}};
    p.on_lost(lost, out);
    EXPECT_EQ(described(out), (Strings{"close:-:c0:node_lost", "close:u1:c1:node_lost",
                                       "close:u2:c2:node_lost", "offline:u1"}));
    EXPECT_TRUE(p.online("u2"));
    // The same loss seen again by a registry makes the same ids.
    Presence q(kR1, milliseconds(3000));
    Presence::Events again;
    q.on_binding(binding(kNodeA, 1, "c1", "", "u1"), again);
    again.clear();
    q.on_lost(lost, again);
    ASSERT_EQ(again.size(), 4u);
    for (std::size_t i = 0; i < again.size(); ++i) EXPECT_EQ(again[i].eid, out[i].eid);
}

TEST(Presence, OneRegistryDecidesEachUserAndEachNode) {
    Presence r1(kR1, milliseconds(3000));
    Presence r2(kR2, milliseconds(3000));
    const Presence::Uptimes both{{kR1, 10000}, {kR2, 10000}};
    EXPECT_TRUE(r1.set_registries(both).empty());
    EXPECT_TRUE(r2.set_registries(both).empty());
    const std::string u1 = user_decided_by(kR1);
    const std::string u2 = user_decided_by(kR2);
    Presence::Events out1, out2;
    for (auto* p : {&r1, &r2}) {
        auto& out = p == &r1 ? out1 : out2;
        p->on_binding(binding(kNodeA, 1, "c1", "", u1), out);
        p->on_binding(binding(kNodeA, 2, "c2", "", u2), out);
    }
    EXPECT_EQ(described(out1), Strings{"online:" + u1});
    EXPECT_EQ(described(out2), Strings{"online:" + u2});
    // The other learns what was announced; a copy of an event is dropped.
    EXPECT_TRUE(r2.on_event(out1[0]));
    EXPECT_FALSE(r2.on_event(out1[0]));
    EXPECT_FALSE(r1.on_event(out1[0]));  // its own, coming back
    // A node's closes are made by the one registry that decides the node.
    const bool r1_closes = Presence::decider(kNodeA, {kR1, kR2}) == kR1;
    Directory::LostNode lost{kNodeA, kBoot, {{"c1", u1}, {"c2", u2}}};
    Presence::Events lost1, lost2;
    r1.on_lost(lost, lost1);
    r2.on_lost(lost, lost2);
    const auto closes = [](const Presence::Events& events) {
        return std::count_if(events.begin(), events.end(),
                             [](const auto& e) { return e.event == "close"; });
    };
    EXPECT_EQ(closes(lost1), r1_closes ? 2 : 0);
    EXPECT_EQ(closes(lost2), r1_closes ? 0 : 2);
    // And the offlines they cause, after them, whoever decides those users.
    const auto& maker = r1_closes ? lost1 : lost2;
    EXPECT_EQ(described(maker),
              (Strings{"close:" + u1 + ":c1:node_lost", "close:" + u2 + ":c2:node_lost",
                       "offline:" + u1, "offline:" + u2}));
    EXPECT_EQ((r1_closes ? lost2 : lost1).size(), 0u);
}

TEST(Presence, ANewDeciderAnnouncesWhatTheOldOneCouldNotWithTheSameId) {
    Presence r1(kR1, milliseconds(3000));
    Presence r2(kR2, milliseconds(3000));
    const Presence::Uptimes both{{kR1, 10000}, {kR2, 10000}};
    r1.set_registries(both);
    r2.set_registries(both);
    const std::string user = user_decided_by(kR1);
    Presence::Events out1, out2;
    r1.on_binding(binding(kNodeA, 1, "c1", "", user), out1);
    r2.on_binding(binding(kNodeA, 1, "c1", "", user), out2);
    ASSERT_EQ(out1.size(), 1u);
    EXPECT_TRUE(out2.empty());
    r2.on_event(out1[0]);
    // r1 announces the offline, then dies before its event reaches r2.
    out1.clear();
    r1.on_binding(binding(kNodeA, 2, "c1", user, ""), out1);
    r2.on_binding(binding(kNodeA, 2, "c1", user, ""), out2);
    ASSERT_EQ(described(out1), Strings{"offline:" + user});
    EXPECT_TRUE(out2.empty());
    out2 = r2.set_registries({{kR2, 10000}});
    ASSERT_EQ(described(out2), Strings{"offline:" + user});
    EXPECT_EQ(out2[0].eid, out1[0].eid);  // a receiver that got both drops one
    // Nothing more to say once it is said.
    EXPECT_TRUE(r2.set_registries({{kR2, 10000}}).empty());
}

TEST(Presence, AStateAlreadyAnnouncedIsNotAnnouncedAgain) {
    // The user's decider saw the close; the node's decider missed it and
    // then sees the node lost still holding the connection.
    Presence p(kR1, milliseconds(3000));
    Presence::Events out;
    p.on_binding(binding(kNodeA, 1, "c1", "", "u1"), out);
    ASSERT_EQ(out.size(), 1u);
    bus::ClusterEvent offline = out[0];
    offline.event = "offline";
    offline.eid = std::string(24, 'e');
    EXPECT_TRUE(p.on_event(offline));  // made elsewhere, from the close
    out.clear();
    p.on_lost(Directory::LostNode{kNodeA, kBoot, {{"c1", "u1"}}}, out);
    EXPECT_EQ(described(out), Strings{"close:u1:c1:node_lost"});  // no second offline
    EXPECT_FALSE(p.online("u1"));
}

TEST(Presence, AYoungRegistryDoesNotDecideBeforeItKnowsTheCluster) {
    Presence old_one(kR1, milliseconds(3000));
    Presence young(kR2, milliseconds(3000));
    const Presence::Uptimes view{{kR1, 60000}, {kR2, 500}};
    old_one.set_registries(view);
    young.set_registries(view);
    const std::string user = user_decided_by(kR2);  // R2's once it is old enough
    Presence::Events a, b;
    old_one.on_binding(binding(kNodeA, 1, "c1", "", user), a);
    young.on_binding(binding(kNodeA, 1, "c1", "", user), b);
    EXPECT_EQ(a.size(), 1u);
    EXPECT_TRUE(b.empty());
    // Two young registries (a cluster starting) decide as if both were old.
    Presence s1(kR1, milliseconds(3000));
    Presence s2(kR2, milliseconds(3000));
    const Presence::Uptimes starting{{kR1, 100}, {kR2, 200}};
    s1.set_registries(starting);
    s2.set_registries(starting);
    Presence::Events c, d;
    s1.on_binding(binding(kNodeA, 1, "c1", "", user), c);
    s2.on_binding(binding(kNodeA, 1, "c1", "", user), d);
    EXPECT_TRUE(c.empty());
    EXPECT_EQ(d.size(), 1u);
}

}  // namespace
}  // namespace wsc
