// The bench's client protocols: what each server's text frames mean, so one
// load generator can drive wscenter, Socket.IO and Pushpin alike.
#include "bench/ClientProtocol.hpp"

#include <gtest/gtest.h>

#include "bench/BenchArgs.hpp"
#include "bench/DeliveryLedger.hpp"
#include "bench/Payload.hpp"
#include "bench/Receipts.hpp"
#include "bench/WsFrame.hpp"

namespace wsc::bench {
namespace {

const std::string kConnId = "0123456789abcdef0123456789abcdef";

TEST(ClientProtocol, NamesRoundTripAndUnknownIsAUsageError) {
    for (auto p : {ClientProtocol::wscenter, ClientProtocol::socketio, ClientProtocol::pushpin})
        EXPECT_EQ(parse_client_protocol(to_string(p)), p);
    EXPECT_THROW(parse_client_protocol("stomp"), UsageError);
}

TEST(ClientProtocol, WscenterOpenFrameThenPayloads) {
    const std::string frame = R"({"cmd":"open","_id":")" + kConnId + R"("})";
    const auto open = interpret_text(ClientProtocol::wscenter, frame, false);
    EXPECT_EQ(open.kind, TextKind::open);
    EXPECT_EQ(open.text, kConnId);

    const std::string payload = make_payload({1, 2, 3}, 64);
    const auto m = interpret_text(ClientProtocol::wscenter, payload, true);
    EXPECT_EQ(m.kind, TextKind::payload);
    EXPECT_EQ(m.text, payload);
}

TEST(ClientProtocol, SocketIoHandshakePingAndEvent) {
    const auto engine_open =
        interpret_text(ClientProtocol::socketio, R"(0{"sid":"abc","pingInterval":25000})", false);
    EXPECT_EQ(engine_open.kind, TextKind::reply);
    EXPECT_EQ(engine_open.text, "40");

    const auto ns_open = interpret_text(ClientProtocol::socketio, R"(40{"sid":"xyz"})", false);
    EXPECT_EQ(ns_open.kind, TextKind::open);
    EXPECT_EQ(ns_open.text, "xyz");

    const auto ping = interpret_text(ClientProtocol::socketio, "2", true);
    EXPECT_EQ(ping.kind, TextKind::reply);
    EXPECT_EQ(ping.text, "3");

    const std::string payload = make_payload({0, 7, 99}, 64);
    // The meaning points into the frame: keep the frame alive.
    const std::string event = R"(42["m",")" + payload + R"("])";
    const auto m = interpret_text(ClientProtocol::socketio, event, true);
    EXPECT_EQ(m.kind, TextKind::payload);
    EXPECT_EQ(m.text, payload);
}

TEST(ClientProtocol, SocketIoDisconnectEndsTheSession) {
    EXPECT_EQ(interpret_text(ClientProtocol::socketio, "41", true).kind, TextKind::closed);
}

TEST(ClientProtocol, WscenterReceiptWrappedPayloadIsAPayloadToAck) {
    const std::string payload = make_payload({4, 5, 6}, 64);
    const std::string token = "9f86d081884c7d659a2feaa0c55ad015";
    const std::string frame =
        R"({"cmd":"msg","ack":")" + token + R"(","data":")" + payload + R"("})";
    const auto m = interpret_text(ClientProtocol::wscenter, frame, true);
    EXPECT_EQ(m.kind, TextKind::payload);
    EXPECT_EQ(m.text, payload);
    EXPECT_EQ(m.ack, token);
    EXPECT_EQ(ack_frame_text(m.ack), R"({"cmd":"ack","ack":")" + token + R"("})");
    // A raw payload asks for nothing.
    EXPECT_TRUE(interpret_text(ClientProtocol::wscenter, payload, true).ack.empty());
}

TEST(ClientProtocol, WscenterReceiptOfOtherDataIsStillAcked) {
    // A JSON object message, or a string with escapes, is no bench payload,
    // but the node still waits for its receipt.
    const auto object = interpret_text(ClientProtocol::wscenter,
                                       R"({"cmd":"msg","ack":"ab12","data":{"x":1}})", true);
    EXPECT_EQ(object.kind, TextKind::other);
    EXPECT_EQ(object.ack, "ab12");
    const auto escaped = interpret_text(ClientProtocol::wscenter,
                                        R"({"cmd":"msg","ack":"ab12","data":"a\"b"})", true);
    EXPECT_EQ(escaped.kind, TextKind::other);
    EXPECT_EQ(escaped.ack, "ab12");
}

TEST(ClientProtocol, WscenterMalformedReceiptFramesAreIgnored) {
    for (const char* frame : {R"({"cmd":"msg","ack":"","data":"1.2.3"})",
                              R"({"cmd":"msg","ack":"a\"b","data":"1.2.3"})",
                              R"({"cmd":"msg","ack":"ab12"})", R"({"cmd":"msg","ack":"ab12)"}) {
        const auto m = interpret_text(ClientProtocol::wscenter, frame, true);
        EXPECT_EQ(m.kind, TextKind::other) << frame;
        EXPECT_TRUE(m.ack.empty()) << frame;
    }
    // Not before the open frame.
    EXPECT_TRUE(interpret_text(ClientProtocol::wscenter,
                               R"({"cmd":"msg","ack":"ab12","data":"1.2.3"})", false)
                    .ack.empty());
}

TEST(ClientProtocol, UpgradeTargetOptsInToReceiptsOnlyForWscenter) {
    EXPECT_STREQ(upgrade_target(ClientProtocol::wscenter), "/");
    EXPECT_STREQ(upgrade_target(ClientProtocol::wscenter, true), "/?acks=1");
    EXPECT_STREQ(upgrade_target(ClientProtocol::pushpin, true), "/");
}

TEST(Receipts, SumsEveryNodeSlotInAnyKeyOrder) {
    const std::string envelope =
        R"({"code":0,"msg":"ok","data":{"broadcast":{"n1":{"_ids":["ab"],"acked":1,"sent":2},)"
        R"("n2":{"sent":3,"acked":3,"_ids":["cd","ef","01"]}}}})";
    const ReceiptCounts c = count_receipts(envelope);
    EXPECT_EQ(c.sent, 5u);
    EXPECT_EQ(c.acked, 4u);
    EXPECT_EQ(c.slots, 2u);
    EXPECT_EQ(count_receipts(R"({"code":0,"data":{"sendMessageTo_Id":{"n1":1}}})").slots, 0u);
}

TEST(Receipts, TallyCountsCallsAckedByEveryTarget) {
    ReceiptTally tally;
    tally.add(R"({"code":0,"data":{"e":{"n1":{"sent":1,"acked":1,"_ids":["ab"]}}}})", 1);
    tally.add(R"({"code":0,"data":{"e":{"n1":{"sent":1,"acked":0,"_ids":[]}}}})", 1);
    tally.add(R"({"code":0,"data":{"e":{"n1":1}}})", 1);  // no receipts at all
    EXPECT_EQ(tally.calls_acked, 1u);
    EXPECT_EQ(tally.calls_not_acked, 2u);
    EXPECT_EQ(tally.acks, 1u);
    EXPECT_NE(tally.first_not_acked.find(R"("acked":0)"), std::string::npos);
}

TEST(WsFrame, ServerFrameParsesAndPartialFrameIsIncomplete) {
    // An unmasked text frame as a server writes it.
    const std::string frame = std::string("\x81\x05", 2) + "hello";
    const auto whole = parse_server_frame(frame, 1024);
    ASSERT_EQ(whole.status, ParseStatus::frame);
    EXPECT_EQ(whole.consumed, frame.size());
    EXPECT_EQ(whole.frame.payload, "hello");
    EXPECT_EQ(parse_server_frame(frame.substr(0, 4), 1024).status, ParseStatus::incomplete);
    // A masked frame from a server is a protocol error.
    const std::string masked = std::string("\x81\x85", 2) + "abcd" + "hello";
    EXPECT_EQ(parse_server_frame(masked, 1024).status, ParseStatus::error);
    EXPECT_EQ(parse_server_frame(frame, 4).status, ParseStatus::error);
}

TEST(Payload, HeaderRoundTripsAndPadsToSize) {
    const std::string text = make_payload({3, 41, 123456789}, 64);
    EXPECT_EQ(text.size(), 64u);
    const auto header = parse_payload(text);
    ASSERT_TRUE(header.has_value());
    EXPECT_EQ(header->stream, 3u);
    EXPECT_EQ(header->seq, 41u);
    EXPECT_EQ(header->send_ns, 123456789);
    EXPECT_FALSE(parse_payload(R"({"cmd":"open"})").has_value());
}

TEST(DeliveryLedger, CountsDuplicatesAndGaps) {
    DeliveryLedger ledger;
    ledger.reset(2, 1);
    ledger.record(0, 0, 0);
    ledger.record(0, 0, 1);
    ledger.record(0, 0, 1);  // duplicate
    ledger.record(1, 0, 2);  // 0 and 1 skipped
    ledger.record(1, 0, 5);  // 3 and 4 skipped
    ledger.record(1, 3, 0);  // stream 3 is outside the plan
    const auto& t = ledger.totals();
    EXPECT_EQ(ledger.next_seq(0, 0), 2u);
    EXPECT_EQ(t.behind, 1u);
    EXPECT_EQ(t.skipped, 2u + 2u);
    EXPECT_EQ(t.bad_stream, 1u);
}

}  // namespace
}  // namespace wsc::bench
