// Unit tests of Session and SessionTable: the send queue and its cap, what
// one write carries, the close it owes, and the bytes of unfinished messages.
#include "wsnode/SessionTable.hpp"

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

#include "wsnode/TextFrames.hpp"

namespace wsc {
namespace {

using Bytes = std::vector<unsigned char>;

constexpr std::size_t kMaxMessage = 1 << 20;
constexpr std::size_t kCoalesce = 64 * 1024;

Payload text(std::string s) {
    return std::make_shared<const std::string>(std::move(s));
}

Bytes text_frames(const std::vector<std::string>& payloads) {
    Bytes out;
    for (const auto& p : payloads) append_text_frame(out, p);
    return out;
}

Bytes frame(WsOpcode opcode, const std::string& payload) {
    Bytes out;
    append_frame(out, opcode, payload);
    return out;
}

Bytes concat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// A masked client frame (RFC 6455: clients mask) with a zero mask.
std::string client_frame(std::uint8_t first_byte, const std::string& payload) {
    std::string out;
    out += static_cast<char>(first_byte);
    out += static_cast<char>(0x80 | payload.size());  // short payloads only
    out += std::string(4, '\0');
    return out + payload;
}

// Feeds client bytes and takes every event they make.
void feed(Session& s, const std::string& bytes) {
    s.parser.feed(bytes.data(), bytes.size());
    while (s.parser.next()) {
    }
}

TEST(WsnodeSession, QueuesUntilTheCapThenRefusesAndCloses) {
    Session s("c1", nullptr, kMaxMessage);
    EXPECT_TRUE(s.accepts_sends());
    EXPECT_FALSE(s.wants_write());
    EXPECT_EQ(s.enqueue(text("12345"), 10), Session::Enqueued::First);
    EXPECT_EQ(s.enqueue(text("67890"), 10), Session::Enqueued::Behind);
    EXPECT_EQ(s.queued_frames(), 2u);
    EXPECT_EQ(s.queued_bytes(), 10u);
    EXPECT_TRUE(s.wants_write());

    EXPECT_EQ(s.enqueue(text("x"), 10), Session::Enqueued::Refused);
    // The slow client is given up on: its queue goes, its close frame counts as sent.
    EXPECT_EQ(s.queued_frames(), 0u);
    EXPECT_EQ(s.queued_bytes(), 0u);
    EXPECT_FALSE(s.accepts_sends());
    EXPECT_EQ(s.close_code, kWsClosePolicyViolation);
    EXPECT_TRUE(s.close_sent);
    EXPECT_TRUE(s.drop_after_close);
    EXPECT_EQ(Session::overflow_close(),
              frame(WsOpcode::Close, close_payload(kWsClosePolicyViolation, "send queue full")));
}

TEST(WsnodeSession, OneFrameLargerThanTheCapIsRefusedEvenWhenIdle) {
    Session s("c1", nullptr, kMaxMessage);
    EXPECT_EQ(s.enqueue(text(std::string(11, 'a')), 10), Session::Enqueued::Refused);
    EXPECT_EQ(s.queued_bytes(), 0u);
}

TEST(WsnodeSession, FirstWriteCarriesTheHandshakeThenThePongThenTheFrames) {
    const std::string hs = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
    Session s("c1", nullptr, kMaxMessage);
    s.handshake = hs;
    EXPECT_TRUE(s.note_ping("p1"));
    EXPECT_FALSE(s.note_ping("p2"));  // one pong, for the latest ping
    s.enqueue(text("a"), kMaxMessage);
    s.enqueue(text("b"), kMaxMessage);
    Bytes out;
    s.take_write(out, kCoalesce);
    const Bytes expected = concat(concat(Bytes(hs.begin(), hs.end()), frame(WsOpcode::Pong, "p2")),
                                  text_frames({"a", "b"}));
    EXPECT_EQ(out, expected);
    EXPECT_TRUE(s.handshake.empty());
    EXPECT_FALSE(s.wants_write());

    s.take_write(out, kCoalesce);  // nothing is owed any more
    EXPECT_TRUE(out.empty());
}

TEST(WsnodeSession, AWriteStopsAtTheCoalescingLimitAndReleasesWhatItTook) {
    Session s("c1", nullptr, kMaxMessage);
    const std::string big(40, 'x');
    for (int i = 0; i < 3; ++i) s.enqueue(text(big), kMaxMessage);
    EXPECT_EQ(s.queued_bytes(), 120u);
    Bytes out;
    // Room for two frames of 42 bytes, not three.
    s.take_write(out, 100);
    EXPECT_EQ(out, text_frames({big, big}));
    EXPECT_EQ(s.queued_frames(), 1u);
    EXPECT_EQ(s.queued_bytes(), 40u);
    EXPECT_TRUE(s.wants_write());
    // The bytes taken are free again: the cap counts only what is unsent.
    EXPECT_EQ(s.enqueue(text(std::string(60, 'y')), 100), Session::Enqueued::Behind);
    EXPECT_EQ(s.queued_bytes(), 100u);
    s.take_write(out, 100);
    EXPECT_EQ(out, text_frames({big}));
    s.take_write(out, 100);
    EXPECT_EQ(out, text_frames({std::string(60, 'y')}));
    EXPECT_EQ(s.queued_bytes(), 0u);
    EXPECT_EQ(s.enqueue(text("z"), 100), Session::Enqueued::First);
}

TEST(WsnodeSession, AFrameLargerThanTheCoalescingLimitStillLeavesWhole) {
    Session s("c1", nullptr, kMaxMessage);
    const std::string huge(200, 'h');
    s.enqueue(text(huge), kMaxMessage);
    s.enqueue(text("after"), kMaxMessage);
    Bytes out;
    s.take_write(out, 100);
    EXPECT_EQ(out, text_frames({huge}));
    EXPECT_EQ(s.queued_frames(), 1u);
}

TEST(WsnodeSession, ABusyQueueKeepsItsOrderAcrossManyPartialWrites) {
    Session s("c1", nullptr, kMaxMessage);
    std::vector<std::string> sent;
    Bytes out;
    Bytes all;
    for (int round = 0; round < 50; ++round) {
        for (int i = 0; i < 3; ++i) {
            sent.push_back(std::to_string(round) + ":" + std::to_string(i));
            s.enqueue(text(sent.back()), kMaxMessage);
        }
        s.take_write(out, 2 * text_frame_size(sent.back().size()));  // two frames or fewer
        all.insert(all.end(), out.begin(), out.end());
    }
    while (s.has_queued()) {
        s.take_write(out, kCoalesce);
        all.insert(all.end(), out.begin(), out.end());
    }
    EXPECT_EQ(all, text_frames(sent));
    EXPECT_EQ(s.queued_bytes(), 0u);
}

TEST(WsnodeSession, CloseLeavesAfterWhatWasQueuedAndTheFirstCodeStands) {
    Session s("c1", nullptr, kMaxMessage);
    s.enqueue(text("last words"), kMaxMessage);
    EXPECT_TRUE(s.mark_closing(1001));
    EXPECT_FALSE(s.mark_closing(1000));
    EXPECT_FALSE(s.accepts_sends());
    Bytes out;
    s.take_write(out, kCoalesce);
    EXPECT_EQ(out,
              concat(text_frames({"last words"}), frame(WsOpcode::Close, close_payload(1001))));
    EXPECT_TRUE(s.close_sent);
    EXPECT_FALSE(s.drop_after_close);  // the client's answer ends the connection
}

TEST(WsnodeSession, EndReplacesAPendingCloseAndDropsTheConnectionAfterIt) {
    Session s("c1", nullptr, kMaxMessage);
    s.mark_closing(1001);
    s.end(kWsCloseProtocolError, "bad frame");
    EXPECT_EQ(s.close_code, kWsCloseProtocolError);
    EXPECT_TRUE(s.drop_after_close);
    Bytes out;
    s.take_write(out, kCoalesce);
    EXPECT_EQ(out, frame(WsOpcode::Close, close_payload(kWsCloseProtocolError, "bad frame")));
}

TEST(WsnodeSessionTable, FindsByIdAndRefusesATakenId) {
    SessionTable table;
    Session* a = table.add("a", nullptr, kMaxMessage);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->id, "a");
    EXPECT_EQ(table.add("a", nullptr, kMaxMessage), nullptr);
    EXPECT_EQ(table.find("a"), a);
    EXPECT_EQ(table.find("b"), nullptr);
    EXPECT_EQ(table.size(), 1u);
    table.erase("a");
    table.erase("a");  // twice is harmless
    EXPECT_TRUE(table.empty());
    EXPECT_EQ(table.find("a"), nullptr);
}

TEST(WsnodeSessionTable, OpenSessionsSkipClosingGoneAndExcluded) {
    SessionTable table;
    for (const char* id : {"a", "b", "c", "d", "e"}) table.add(id, nullptr, kMaxMessage);
    table.find("b")->mark_closing(1000);
    table.find("c")->gone = true;
    std::unordered_set<std::string> reached;
    table.for_each_open({"d"}, [&](Session& s) { reached.insert(s.id); });
    EXPECT_EQ(reached, (std::unordered_set<std::string>{"a", "e"}));
    std::size_t all = 0;
    table.for_each([&](Session&) { ++all; });
    EXPECT_EQ(all, 5u);
}

TEST(WsnodeSessionTable, UnfinishedMessagesAreCountedArmedAndReleased) {
    SessionTable table;
    Session& a = *table.add("a", nullptr, kMaxMessage);
    Session& b = *table.add("b", nullptr, kMaxMessage);
    // A text frame without FIN: a message begun, not finished.
    feed(a, client_frame(0x01, "hello"));
    EXPECT_EQ(table.account_partial(a), SessionTable::PartialTimer::Arm);
    EXPECT_EQ(table.account_partial(a), SessionTable::PartialTimer::Keep);
    EXPECT_EQ(table.partial_total(), a.parser.partial_bytes());
    EXPECT_GT(table.partial_total(), 0u);

    feed(b, client_frame(0x01, "xy"));
    b.mark_closing(1000);  // a closing session gets no deadline, its bytes still count
    EXPECT_EQ(table.account_partial(b), SessionTable::PartialTimer::Keep);
    EXPECT_EQ(table.partial_total(), a.partial_held + b.partial_held);

    // The final fragment finishes a's message: its deadline goes.
    feed(a, client_frame(0x80, " world"));
    EXPECT_EQ(table.account_partial(a), SessionTable::PartialTimer::Disarm);
    EXPECT_EQ(table.partial_total(), b.partial_held);

    EXPECT_FALSE(table.release_partial(b));  // never armed
    EXPECT_EQ(table.partial_total(), 0u);
}

TEST(WsnodeSessionTable, ErasingASessionReleasesItsUnfinishedBytes) {
    SessionTable table;
    Session& a = *table.add("a", nullptr, kMaxMessage);
    feed(a, client_frame(0x01, "part"));
    table.account_partial(a);
    EXPECT_GT(table.partial_total(), 0u);
    table.erase("a");
    EXPECT_EQ(table.partial_total(), 0u);
}

}  // namespace
}  // namespace wsc
