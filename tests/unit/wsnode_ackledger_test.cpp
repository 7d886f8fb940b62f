// AckLedger: which connections a send waits on, acks, closes, deadlines
// and the bounds.
#include <gtest/gtest.h>

#include "wsnode/AckLedger.hpp"

namespace wsc {
namespace {

using Clock = AckLedger::Clock;
using std::chrono::milliseconds;

class WsnodeAckLedger : public ::testing::Test {
  protected:
    Clock::time_point now = Clock::now();
    Clock::time_point later = now + milliseconds(1000);
};

TEST_F(WsnodeAckLedger, AWaitEndsWhenEveryAwaitedConnectionAcked) {
    AckLedger ledger;
    const auto id = ledger.open(later);
    ASSERT_TRUE(ledger.expect(id, "c1"));
    ASSERT_TRUE(ledger.expect(id, "c2"));
    EXPECT_TRUE(ledger.take_done(now).empty());
    EXPECT_TRUE(ledger.ack("c2", ledger.token(id)));
    EXPECT_TRUE(ledger.take_done(now).empty());
    const std::string token = ledger.token(id);
    EXPECT_TRUE(ledger.ack("c1", token));
    const auto done = ledger.take_done(now);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].id, id);
    EXPECT_EQ(done[0].acked, 2u);
    EXPECT_EQ(done[0].acked_ids, (std::vector<std::string>{"c1", "c2"}));
    EXPECT_EQ(ledger.open_waits(), 0u);
    EXPECT_EQ(ledger.awaited(), 0u);
    // Late: the wait is over.
    EXPECT_FALSE(ledger.ack("c1", token));
    EXPECT_EQ(ledger.counters().acked, 2u);
    EXPECT_EQ(ledger.counters().unknown, 1u);
}

TEST_F(WsnodeAckLedger, AWaitWithNobodyToAwaitIsOverAtOnce) {
    AckLedger ledger;
    const auto id = ledger.open(later);
    const auto done = ledger.take_done(now);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].id, id);
    EXPECT_EQ(done[0].acked, 0u);
}

TEST_F(WsnodeAckLedger, ForgedRepeatedAndForeignAcksDoNotCount) {
    AckLedger ledger;
    const auto id = ledger.open(later);
    ledger.expect(id, "c1");
    EXPECT_FALSE(ledger.ack("c1", "not-a-token"));
    EXPECT_FALSE(ledger.ack("c9", ledger.token(id)));  // not sent the message
    EXPECT_TRUE(ledger.ack("c1", ledger.token(id)));
    EXPECT_EQ(ledger.counters().unknown, 2u);
    EXPECT_EQ(ledger.counters().acked, 1u);
}

TEST_F(WsnodeAckLedger, AClosedConnectionIsNotWaitedForAndTheDeadlineEndsTheRest) {
    AckLedger ledger;
    const auto a = ledger.open(later);
    const auto b = ledger.open(later + milliseconds(500));
    ledger.expect(a, "c1");
    ledger.expect(b, "c1");
    ledger.expect(b, "c2");
    ledger.take_done(now);
    ledger.closed("c1");
    auto done = ledger.take_done(now);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].id, a);
    EXPECT_EQ(ledger.next_deadline(), later + milliseconds(500));
    EXPECT_TRUE(ledger.take_done(later).empty());
    done = ledger.take_done(later + milliseconds(500));
    ASSERT_EQ(done.size(), 1u);
    EXPECT_EQ(done[0].id, b);
    EXPECT_EQ(done[0].acked, 0u);
    EXPECT_EQ(ledger.awaited(), 0u);
    EXPECT_FALSE(ledger.next_deadline());
}

TEST_F(WsnodeAckLedger, BoundsPerConnectionAndPerNodeAndOnTheListedIds) {
    AckLedger ledger(AckLedger::Limits{.per_conn = 2, .per_node = 3, .ids_listed = 1});
    const auto w1 = ledger.open(later);
    const auto w2 = ledger.open(later);
    const auto w3 = ledger.open(later);
    EXPECT_TRUE(ledger.expect(w1, "c1"));
    EXPECT_TRUE(ledger.expect(w2, "c1"));
    EXPECT_FALSE(ledger.expect(w3, "c1"));  // c1 is awaited twice already
    EXPECT_TRUE(ledger.expect(w1, "c2"));
    EXPECT_FALSE(ledger.expect(w1, "c3"));  // three awaited on the node
    EXPECT_EQ(ledger.counters().overflow, 2u);
    ledger.ack("c1", ledger.token(w1));
    ledger.ack("c2", ledger.token(w1));
    for (const auto& done : ledger.take_done(now)) {
        if (done.id != w1) continue;
        EXPECT_EQ(done.acked, 2u);
        EXPECT_EQ(done.acked_ids, (std::vector<std::string>{"c1"}));  // listed up to the cap
    }
}

TEST_F(WsnodeAckLedger, TokensAreRandomAndDistinct) {
    AckLedger ledger;
    const auto a = ledger.open(later);
    const auto b = ledger.open(later);
    EXPECT_EQ(ledger.token(a).size(), 24u);
    EXPECT_NE(ledger.token(a), ledger.token(b));
}

}  // namespace
}  // namespace wsc
