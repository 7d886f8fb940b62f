// The server-side frame parser: every RFC 6455 rule it enforces, fed whole,
// byte by byte, split at every offset and many frames at once; the message
// limit decided on headers; UTF-8 checked as text arrives.
#include "wsnode/WsFrameParser.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wsc {
namespace {

using Kind = WsEvent::Kind;

constexpr std::uint8_t kFin = 0x80;
constexpr std::uint8_t kCont = 0x0, kText = 0x1, kBinary = 0x2, kClose = 0x8, kPing = 0x9,
                       kPong = 0xA;
constexpr std::size_t kLimit = 1 << 20;

enum class Len { Minimal, Bits16, Bits64 };

// One client frame: first byte b0 (FIN, RSV, opcode), masked unless told.
std::string frame(std::uint8_t b0, std::string_view payload, bool masked = true,
                  Len form = Len::Minimal) {
    std::string out(1, static_cast<char>(b0));
    const std::uint8_t m = masked ? 0x80 : 0;
    const std::uint64_t n = payload.size();
    if (form == Len::Minimal && n <= 125) {
        out += static_cast<char>(m | n);
    } else if (form != Len::Bits64 && n <= 0xFFFF) {
        out += static_cast<char>(m | 126);
        out += static_cast<char>(n >> 8);
        out += static_cast<char>(n & 0xFF);
    } else {
        out += static_cast<char>(m | 127);
        for (int i = 7; i >= 0; --i) out += static_cast<char>((n >> (8 * i)) & 0xFF);
    }
    const unsigned char mask[4] = {0x37, 0xFA, 0x21, 0x3D};
    if (masked) out.append(reinterpret_cast<const char*>(mask), 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        out += masked ? static_cast<char>(payload[i] ^ mask[i % 4]) : payload[i];
    return out;
}

// A header alone announcing `length` bytes with a 64-bit length.
std::string header64(std::uint8_t b0, std::uint64_t length) {
    std::string out(1, static_cast<char>(b0));
    out += static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i) out += static_cast<char>((length >> (8 * i)) & 0xFF);
    out += std::string("\x01\x02\x03\x04", 4);
    return out;
}

std::string close_body(std::uint16_t code, std::string_view reason = "") {
    std::string out;
    out += static_cast<char>(code >> 8);
    out += static_cast<char>(code & 0xFF);
    out.append(reason);
    return out;
}

std::vector<WsEvent> drain(WsFrameParser& p) {
    std::vector<WsEvent> out;
    while (auto e = p.next()) out.push_back(std::move(*e));
    return out;
}

// Feeds `input` in pieces of `chunk` bytes, taking every event after each piece.
std::vector<WsEvent> parse(const std::string& input, std::size_t chunk = 0,
                           std::size_t limit = kLimit) {
    WsFrameParser p(limit);
    std::vector<WsEvent> out;
    if (chunk == 0) chunk = input.size() + 1;
    for (std::size_t at = 0; at < input.size(); at += chunk) {
        const std::size_t n = std::min(chunk, input.size() - at);
        p.feed(input.data() + at, n);
        for (auto& e : drain(p)) out.push_back(std::move(e));
        EXPECT_LE(p.buffered_bytes(), 14u);  // only an incomplete header waits
    }
    return out;
}

// The single event `input` produces, which must be the last thing it says.
WsEvent only(const std::string& input, std::size_t limit = kLimit) {
    auto events = parse(input, 0, limit);
    EXPECT_EQ(events.size(), 1u);
    return events.empty() ? WsEvent{} : events.back();
}

void expect_error(const std::string& input, std::uint16_t code, std::size_t limit = kLimit) {
    for (const std::size_t chunk : {std::size_t{0}, std::size_t{1}}) {
        const auto events = parse(input, chunk, limit);
        ASSERT_FALSE(events.empty());
        EXPECT_EQ(events.back().kind, Kind::Error) << events.back().error;
        EXPECT_EQ(events.back().close_code, code) << events.back().error;
        EXPECT_FALSE(events.back().error.empty());
    }
}

std::string describe(const std::vector<WsEvent>& events) {
    std::string out;
    for (const auto& e : events) {
        out += std::to_string(static_cast<int>(e.kind)) + (e.binary ? "b" : "t") + ":" +
               std::to_string(e.close_code) + ":" + e.data + "|";
    }
    return out;
}

// ---- framing (Autobahn group 1) ----

TEST(WsFrameParser, TextAndBinaryOfEveryLengthForm) {
    for (const std::size_t n : {0, 1, 125, 126, 127, 128, 65535, 65536, 100000}) {
        const std::string text(n, 'a');
        auto e = only(frame(kFin | kText, text));
        EXPECT_EQ(e.kind, Kind::Message);
        EXPECT_FALSE(e.binary);
        EXPECT_EQ(e.data, text) << n;
        std::string bin(n, '\0');
        for (std::size_t i = 0; i < n; ++i) bin[i] = static_cast<char>(i * 7);
        e = only(frame(kFin | kBinary, bin));
        EXPECT_TRUE(e.binary);
        EXPECT_EQ(e.data, bin) << n;
    }
}

TEST(WsFrameParser, NonMinimalLengthsAreAccepted) {
    EXPECT_EQ(only(frame(kFin | kText, "hello", true, Len::Bits16)).data, "hello");
    EXPECT_EQ(only(frame(kFin | kText, "hello", true, Len::Bits64)).data, "hello");
    EXPECT_EQ(only(frame(kFin | kPing, "p", true, Len::Bits64)).kind, Kind::Ping);
}

TEST(WsFrameParser, LargeMessageWith64BitLength) {
    const std::size_t n = 3 * 1024 * 1024 + 17;
    std::string big(n, 'x');
    for (std::size_t i = 0; i < n; i += 1000) big[i] = static_cast<char>('a' + i % 26);
    const auto events = parse(frame(kFin | kBinary, big), 65536, 4 * 1024 * 1024);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].data, big);
}

TEST(WsFrameParser, EventsAreTheSameHoweverTheBytesArrive) {
    const std::string input =
        frame(kFin | kText, "one") + frame(kPing, "") + frame(kFin | kPing, "hb") +
        frame(kText, "fr") + frame(kFin | kPong, "x") + frame(kCont, "ag\xCE") +
        frame(kFin | kCont, "\xBA") + frame(kFin | kBinary, std::string(300, '\x01')) +
        frame(kFin | kText, "") + frame(kFin | kClose, close_body(1000, "bye"));
    // The first ping is not FIN: reserved for the error case below, so drop it here.
    const std::string good =
        frame(kFin | kText, "one") + frame(kFin | kPing, "hb") + frame(kText, "fr") +
        frame(kFin | kPong, "x") + frame(kCont, "ag\xCE") + frame(kFin | kCont, "\xBA") +
        frame(kFin | kBinary, std::string(300, '\x01')) + frame(kFin | kText, "") +
        frame(kFin | kClose, close_body(1000, "bye"));
    const auto whole = parse(good);
    ASSERT_EQ(whole.size(), 7u) << describe(whole);
    EXPECT_EQ(whole[0].data, "one");
    EXPECT_EQ(whole[1].kind, Kind::Ping);
    EXPECT_EQ(whole[1].data, "hb");
    EXPECT_EQ(whole[2].kind, Kind::Pong);
    EXPECT_EQ(whole[3].kind, Kind::Message);
    EXPECT_EQ(whole[3].data, "frag\xCE\xBA");
    EXPECT_TRUE(whole[4].binary);
    EXPECT_EQ(whole[5].data, "");
    EXPECT_EQ(whole[6].kind, Kind::Close);
    EXPECT_EQ(whole[6].close_code, 1000);
    EXPECT_EQ(whole[6].data, "bye");
    EXPECT_EQ(describe(parse(good, 1)), describe(whole));
    EXPECT_EQ(describe(parse(good, 3)), describe(whole));
    for (std::size_t cut = 0; cut <= good.size(); ++cut) {
        WsFrameParser p(kLimit);
        p.feed(good.data(), cut);
        auto events = drain(p);
        p.feed(good.data() + cut, good.size() - cut);
        for (auto& e : drain(p)) events.push_back(std::move(e));
        ASSERT_EQ(describe(events), describe(whole)) << "cut at " << cut;
    }
    expect_error(input, 1002);  // the fragmented ping
}

TEST(WsFrameParser, ManySmallFramesInOneFeed) {
    std::string input;
    for (int i = 0; i < 1000; ++i) input += frame(kFin | kText, std::to_string(i));
    const auto events = parse(input);
    ASSERT_EQ(events.size(), 1000u);
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(events[i].data, std::to_string(i));
}

// ---- pings and pongs (group 2) ----

TEST(WsFrameParser, PingAndPongCarryTheirPayload) {
    auto e = only(frame(kFin | kPing, std::string(125, '\xFE')));
    EXPECT_EQ(e.kind, Kind::Ping);
    EXPECT_EQ(e.data, std::string(125, '\xFE'));  // binary payload, not checked as UTF-8
    e = only(frame(kFin | kPong, "unsolicited"));
    EXPECT_EQ(e.kind, Kind::Pong);
    EXPECT_EQ(e.data, "unsolicited");
}

TEST(WsFrameParser, ControlFrameOver125BytesIsAProtocolError) {
    expect_error(frame(kFin | kPing, std::string(126, 'x')), 1002);
    expect_error(frame(kFin | kClose, close_body(1000, std::string(124, 'x'))), 1002);
    // Refused on the length, before the mask and the payload arrive.
    WsFrameParser p(kLimit);
    const std::string f = frame(kFin | kPong, std::string(126, 'x'));
    p.feed(f.data(), 4);
    auto e = p.next();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->close_code, 1002);
}

// ---- reserved bits and opcodes (groups 3, 4) ----

TEST(WsFrameParser, ReservedBitsAreAProtocolError) {
    for (const std::uint8_t rsv : {0x40, 0x20, 0x10, 0x70}) {
        expect_error(frame(kFin | rsv | kText, "hi"), 1002);
        expect_error(frame(kFin | rsv | kPing, ""), 1002);
        // A good message first is delivered, then the error.
        const auto events = parse(frame(kFin | kText, "ok") + frame(kFin | rsv | kBinary, "x"));
        ASSERT_EQ(events.size(), 2u);
        EXPECT_EQ(events[0].data, "ok");
        EXPECT_EQ(events[1].close_code, 1002);
    }
}

TEST(WsFrameParser, ReservedOpcodesAreAProtocolError) {
    for (const std::uint8_t op : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
        expect_error(frame(kFin | op, ""), 1002);
        expect_error(frame(kFin | op, "payload"), 1002);
    }
}

TEST(WsFrameParser, UnmaskedClientFrameIsAProtocolError) {
    expect_error(frame(kFin | kText, "hi", false), 1002);
    expect_error(frame(kFin | kPing, "", false), 1002);
    expect_error(frame(kFin | kClose, close_body(1000), false), 1002);
}

TEST(WsFrameParser, LengthWithTheTopBitSetIsAProtocolError) {
    expect_error(header64(kFin | kBinary, std::uint64_t{1} << 63), 1002);
    expect_error(header64(kFin | kBinary, ~std::uint64_t{0}), 1002);
}

// ---- fragmentation (group 5) ----

TEST(WsFrameParser, FragmentedMessageWithControlFramesBetween) {
    const auto events =
        parse(frame(kText, "fr") + frame(kFin | kPing, "1") + frame(kCont, "ag") +
              frame(kFin | kPong, "2") + frame(kCont, "") + frame(kFin | kCont, "ment"));
    ASSERT_EQ(events.size(), 3u) << describe(events);
    EXPECT_EQ(events[0].kind, Kind::Ping);
    EXPECT_EQ(events[1].kind, Kind::Pong);
    EXPECT_EQ(events[2].data, "fragment");
    const auto bin = parse(frame(kBinary, "\xFF") + frame(kFin | kCont, "\xFE"));
    ASSERT_EQ(bin.size(), 1u);
    EXPECT_TRUE(bin[0].binary);
    EXPECT_EQ(bin[0].data, "\xFF\xFE");
}

TEST(WsFrameParser, FragmentedControlFrameIsAProtocolError) {
    expect_error(frame(kPing, "x") + frame(kFin | kCont, "y"), 1002);
    expect_error(frame(kClose, close_body(1000)), 1002);
}

TEST(WsFrameParser, ContinuationWithoutAMessageIsAProtocolError) {
    expect_error(frame(kFin | kCont, "x"), 1002);
    expect_error(frame(kCont, "x"), 1002);
    expect_error(frame(kFin | kText, "done") + frame(kFin | kCont, "more"), 1002);
}

TEST(WsFrameParser, NewMessageInsideAFragmentedOneIsAProtocolError) {
    expect_error(frame(kText, "a") + frame(kFin | kText, "b"), 1002);
    expect_error(frame(kBinary, "a") + frame(kBinary, "b"), 1002);
    expect_error(frame(kText, "a") + frame(kFin | kPing, "") + frame(kFin | kBinary, "b"), 1002);
}

TEST(WsFrameParser, InMessageAndPartialBytesFollowTheMessage) {
    WsFrameParser p(kLimit);
    EXPECT_FALSE(p.in_message());
    EXPECT_EQ(p.partial_bytes(), 0u);
    const std::string first = frame(kText, "hello");
    p.feed(first.data(), first.size());
    EXPECT_FALSE(p.next());
    EXPECT_TRUE(p.in_message());
    EXPECT_EQ(p.partial_bytes(), 5u);
    // A frame whose payload is still arriving counts what arrived.
    const std::string second = frame(kFin | kCont, std::string(1000, 'x'));
    p.feed(second.data(), 2 + 2 + 4 + 300);
    EXPECT_FALSE(p.next());
    EXPECT_EQ(p.partial_bytes(), 305u);
    const std::string ping = frame(kFin | kPing, "");
    p.feed(second.data() + 308, second.size() - 308);
    p.feed(ping.data(), ping.size());
    auto e = p.next();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->data.size(), 1005u);
    EXPECT_FALSE(p.in_message());
    EXPECT_EQ(p.partial_bytes(), 0u);
    EXPECT_EQ(p.next()->kind, Kind::Ping);
    EXPECT_FALSE(p.next());
    // A single frame still arriving is a message in progress too.
    const std::string third = frame(kFin | kBinary, "abc");
    p.feed(third.data(), 5);
    EXPECT_FALSE(p.next());
    EXPECT_FALSE(p.in_message());  // header incomplete: nothing started
    p.feed(third.data() + 5, 1);
    EXPECT_FALSE(p.next());
    EXPECT_TRUE(p.in_message());
    EXPECT_EQ(p.partial_bytes(), 0u);
    p.feed(third.data() + 6, 1);
    EXPECT_FALSE(p.next());
    EXPECT_EQ(p.partial_bytes(), 1u);
}

// ---- UTF-8 (group 6) ----

const std::string kKosme = "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5";

TEST(WsFrameParser, ValidUtf8TextIsDeliveredIntactWhereverItIsSplit) {
    const std::string text = "Hello-\xC2\xB5@\xC3\x9F\xC3\xB6 " + kKosme + " \xF0\x9F\x98\x80";
    EXPECT_EQ(only(frame(kFin | kText, text)).data, text);
    // Fragments cut inside every character.
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
        const auto events =
            parse(frame(kText, text.substr(0, cut)) + frame(kFin | kCont, text.substr(cut)));
        ASSERT_EQ(events.size(), 1u) << cut;
        EXPECT_EQ(events[0].data, text);
    }
}

TEST(WsFrameParser, InvalidUtf8IsRefusedWith1007) {
    for (const std::string& bad :
         {kKosme + "\xED\xA0\x80" + "edited", std::string("\xC0\xAF"), std::string("\xFF"),
          std::string("\xF4\x90\x80\x80"), std::string("\xED\xBF\xBF"), std::string("\x80")}) {
        expect_error(frame(kFin | kText, bad), 1007);
        expect_error(frame(kText, bad) + frame(kFin | kCont, "x"), 1007);
    }
    // Binary messages are not text.
    EXPECT_EQ(only(frame(kFin | kBinary, "\xFF\xC0")).data, "\xFF\xC0");
}

TEST(WsFrameParser, InvalidUtf8FailsFastBeforeTheMessageEnds) {
    // 6.4.1: κόσμε, F4 90 80 80, "edited" in one frame whose end has not arrived.
    const std::string f = frame(kFin | kText, kKosme + "\xF4\x90\x80\x80" + "edited");
    WsFrameParser p(kLimit);
    const std::size_t upto = 6 + kKosme.size() + 2;  // header, κόσμε, F4 90
    p.feed(f.data(), upto - 1);
    EXPECT_FALSE(p.next());
    p.feed(f.data() + upto - 1, 1);
    auto e = p.next();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind, Kind::Error);
    EXPECT_EQ(e->close_code, 1007);
    // 6.4.2: in a first fragment, without waiting for the rest of the message.
    WsFrameParser q(kLimit);
    const std::string first = frame(kText, kKosme + "\xF4\x90");
    q.feed(first.data(), first.size());
    e = q.next();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->close_code, 1007);
}

TEST(WsFrameParser, TextEndingInsideASequenceIs1007) {
    expect_error(frame(kFin | kText, kKosme + "\xCE"), 1007);
    expect_error(frame(kText, "\xE2\x82") + frame(kFin | kCont, ""), 1007);
    expect_error(frame(kFin | kText, "\xF0\x9F\x98"), 1007);
}

// ---- close (group 7) ----

TEST(WsFrameParser, CloseWithoutPayloadReports1005) {
    const auto e = only(frame(kFin | kClose, ""));
    EXPECT_EQ(e.kind, Kind::Close);
    EXPECT_EQ(e.close_code, 1005);
    EXPECT_EQ(e.data, "");
}

TEST(WsFrameParser, CloseWithCodeAndReason) {
    const auto e = only(frame(kFin | kClose, close_body(1001, "going " + kKosme)));
    EXPECT_EQ(e.kind, Kind::Close);
    EXPECT_EQ(e.close_code, 1001);
    EXPECT_EQ(e.data, "going " + kKosme);
    const auto max = only(frame(kFin | kClose, close_body(1000, std::string(123, 'r'))));
    EXPECT_EQ(max.data.size(), 123u);
}

TEST(WsFrameParser, CloseWithOneBytePayloadIsAProtocolError) {
    expect_error(frame(kFin | kClose, "\x03"), 1002);
}

TEST(WsFrameParser, CloseCodesAreCheckedAsRfc6455Asks) {
    for (const std::uint16_t code :
         {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}) {
        const auto e = only(frame(kFin | kClose, close_body(code)));
        EXPECT_EQ(e.kind, Kind::Close) << code;
        EXPECT_EQ(e.close_code, code);
    }
    for (const std::uint16_t code :
         {0, 999, 1004, 1005, 1006, 1012, 1013, 1014, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
        expect_error(frame(kFin | kClose, close_body(code)), 1002);
    }
}

TEST(WsFrameParser, CloseReasonMustBeUtf8) {
    expect_error(frame(kFin | kClose, close_body(1000, kKosme + "\xED\xA0\x80" + "edited")), 1007);
    expect_error(frame(kFin | kClose, close_body(1000, "\xCE")), 1007);
}

TEST(WsFrameParser, NothingAfterCloseOrError) {
    WsFrameParser p(kLimit);
    const std::string input = frame(kFin | kClose, close_body(1000)) + frame(kFin | kText, "late");
    p.feed(input.data(), input.size());
    EXPECT_EQ(p.next()->kind, Kind::Close);
    EXPECT_TRUE(p.finished());
    EXPECT_FALSE(p.next());
    p.feed(input.data(), input.size());
    EXPECT_FALSE(p.next());
    EXPECT_EQ(p.buffered_bytes(), 0u);

    WsFrameParser q(kLimit);
    const std::string bad = frame(kFin | kText, "a", false) + frame(kFin | kText, "b");
    q.feed(bad.data(), bad.size());
    EXPECT_EQ(q.next()->kind, Kind::Error);
    EXPECT_FALSE(q.next());
    q.feed(bad.data(), bad.size());
    EXPECT_FALSE(q.next());
}

TEST(WsFrameParser, CloseInsideAFragmentedMessageEndsIt) {
    const auto events = parse(frame(kText, "part") + frame(kFin | kClose, close_body(1000)));
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::Close);
}

// ---- limits (group 9) ----

TEST(WsFrameParser, MessageAtTheLimitIsAccepted) {
    const std::size_t limit = 1000;
    EXPECT_EQ(only(frame(kFin | kText, std::string(limit, 'a')), limit).data.size(), limit);
    const auto events = parse(
        frame(kText, std::string(600, 'a')) + frame(kFin | kCont, std::string(400, 'b')), 0, limit);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].data.size(), limit);
}

TEST(WsFrameParser, MessageOverTheLimitIs1009AsSoonAsTheHeaderSaysSo) {
    const std::size_t limit = 1000;
    expect_error(frame(kFin | kText, std::string(limit + 1, 'a')), 1009, limit);
    expect_error(frame(kText, std::string(600, 'a')) + frame(kFin | kCont, std::string(401, 'b')),
                 1009, limit);
    // Only the header is needed: nothing of the payload is buffered first.
    WsFrameParser p(limit);
    const std::string h = frame(kFin | kBinary, std::string(limit + 1, 'x')).substr(0, 4);
    p.feed(h.data(), h.size());
    auto e = p.next();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->close_code, 1009);
    EXPECT_EQ(p.partial_bytes(), 0u);
    // A huge 64-bit length is refused, not allocated.
    expect_error(header64(kFin | kBinary, std::uint64_t{1} << 62), 1009, limit);
    // Control frames do not count against the message limit.
    EXPECT_EQ(parse(frame(kFin | kPing, std::string(100, 'p')), 0, 1).size(), 1u);
}

TEST(WsFrameParser, BuffersAreGivenBackAfterALargeMessage) {
    WsFrameParser p(8 * 1024 * 1024);
    const std::string big = frame(kFin | kBinary, std::string(4 * 1024 * 1024, 'z'));
    p.feed(big.data(), big.size());
    auto e = p.next();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->data.size(), 4u * 1024 * 1024);
    EXPECT_FALSE(p.next());
    EXPECT_EQ(p.buffered_bytes(), 0u);
    EXPECT_EQ(p.partial_bytes(), 0u);
    const std::string small = frame(kFin | kText, "after");
    p.feed(small.data(), small.size());
    EXPECT_EQ(p.next()->data, "after");
}

TEST(WsFrameParser, AnnouncedBytesCountTheFrameStillToCome) {
    WsFrameParser p(kLimit);
    const std::string first = frame(kBinary, std::string(100, 'a'));
    p.feed(first.data(), first.size());
    EXPECT_FALSE(p.next());
    EXPECT_EQ(p.announced_bytes(), 100u);
    const std::string second = frame(kFin | kCont, std::string(5000, 'b'));
    p.feed(second.data(), 8);  // the header only
    EXPECT_FALSE(p.next());
    EXPECT_EQ(p.partial_bytes(), 100u);
    EXPECT_EQ(p.announced_bytes(), 5100u);
    // A control frame between fragments does not count.
    p.feed(second.data() + 8, second.size() - 8);
    const auto e = p.next();
    ASSERT_TRUE(e);
    EXPECT_EQ(p.announced_bytes(), 0u);
}

TEST(WsFrameParser, NothingIsHeldAfterAnError) {
    WsFrameParser p(kLimit);
    const std::string input = frame(kText, std::string(1000, 'a')) + frame(kFin | kText, "b");
    p.feed(input.data(), input.size());
    const auto e = p.next();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->kind, Kind::Error);
    EXPECT_FALSE(p.in_message());
    EXPECT_EQ(p.partial_bytes(), 0u);
    EXPECT_EQ(p.capacity_bytes(), WsFrameParser(kLimit).capacity_bytes());
}

TEST(WsFrameParser, MemoryStaysNearTheMessageSize) {
    // A message at the limit, fed in 16 KiB reads: the buffers never hold much more
    // than the message and one read, and a frame that announces the limit reserves
    // nothing it has not received.
    const std::size_t limit = 1 << 20, read = 16 * 1024;
    WsFrameParser p(limit);
    const std::string f = frame(kFin | kBinary, std::string(limit, 'x'));
    p.feed(f.data(), 14 + 10);
    EXPECT_FALSE(p.next());
    EXPECT_LT(p.capacity_bytes(), 4096u);
    std::size_t most = 0;
    std::optional<WsEvent> e;
    for (std::size_t at = 24; at < f.size() && !e; at += read) {
        p.feed(f.data() + at, std::min(read, f.size() - at));
        e = p.next();
        most = std::max(most, p.capacity_bytes());
    }
    ASSERT_TRUE(e);
    EXPECT_EQ(e->data.size(), limit);
    EXPECT_LE(most, limit + 3 * read);
    EXPECT_FALSE(p.next());
    EXPECT_LT(p.capacity_bytes(), 4 * read);  // given back once delivered
}

}  // namespace
}  // namespace wsc
