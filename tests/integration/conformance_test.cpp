// RFC 6455 conformance of a real node: the case groups of the Autobahn
// TestSuite that apply to a server, written as our own tests with raw frames.
//
//   1  framing            text and binary messages at every length boundary
//   2  pings and pongs    answered with the same payload; oversized pings refused
//   3  reserved bits      RSV1-3 without a negotiated extension: 1002
//   4  reserved opcodes   3-7 and 0xB-0xF: 1002
//   5  fragmentation      reassembly, control frames between fragments, misuse: 1002
//   6  UTF-8              valid text delivered intact, invalid text 1007, fail-fast
//   7  close handshake    echo, 1-byte payload, invalid codes, reason UTF-8, nothing after
//   9  limited sizes      a message at max_message_bytes passes, over it 1009
//   10 auto-fragmentation does not apply: it is about how a server fragments what
//                         it sends, and the node sends every message in one frame
//                         (groups 12 and 13, permessage-deflate, do not apply either:
//                         the node negotiates no extension)
// plus the node's own limits: unmasked client frames (1002), unfinished
// fragmented messages past partial_timeout_ms (1008) and past the node-wide
// partial_budget_bytes (1009).
//
// A message is seen intact two ways: the built-in handler answers the text
// "ping" with {"cmd":"pong"} (so "pi" + "ng" in two fragments proves
// reassembly), and every other message is published to bus subscribers, where
// a `wscenter-cli subscribe` prints it (binary as base64).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/integration/Cluster.hpp"
#include "tests/support/Base64.hpp"
#include "tests/support/WaitUntil.hpp"
#include "tests/support/WsClient.hpp"

namespace wsc::test {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr unsigned char kFin = 0x80;
constexpr unsigned char kRsv1 = 0x40, kRsv2 = 0x20, kRsv3 = 0x10;
constexpr unsigned char kOpCont = 0x0, kOpText = 0x1, kOpBinary = 0x2, kOpClose = 0x8,
                        kOpPing = 0x9, kOpPong = 0xA;
constexpr int kCloseNormal = 1000;
constexpr int kCloseProtocolError = 1002;
constexpr int kCloseNoStatus = 1005;
constexpr int kCloseInvalidPayload = 1007;
constexpr int kClosePolicyViolation = 1008;
constexpr int kCloseTooBig = 1009;
constexpr std::size_t kMaxMessageBytes = 128 * 1024;
// The node-limit tests: a short timeout and a small budget for unfinished messages.
constexpr int kPartialTimeoutMs = 500;
constexpr std::size_t kPartialBudgetBytes = 64 * 1024;
constexpr std::size_t kPartialChunk = 40 * 1024;  // two of these pass the budget

// "κόσμε", the Greek word the Autobahn UTF-8 cases build on.
const std::string kKosme = "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5";

// ---- a shared registry, node and subscriber ----

struct Shared {
    RegistryProc registry;
    NodeProc node;
    std::unique_ptr<ChildProcess> subscriber;
};
std::unique_ptr<Shared> g_shared;

std::vector<json> events_of(ChildProcess& sub) {
    std::vector<json> out;
    for (const auto& line : sub.stdout_lines()) {
        try {
            out.push_back(json::parse(line));
        } catch (const std::exception&) {
        }
    }
    return out;
}

// Opens a connection; returns its _id, read from the node's "open" message.
std::string open(WsClient& c, std::uint16_t port) {
    if (c.connect(port, "/") != 101) return {};
    auto first = c.recv();
    if (!first) return {};
    return json::parse(*first).value("_id", "");
}

// One client frame with a fresh mask; `first` is FIN, RSV and opcode as sent.
void send(WsClient& c, unsigned char first, std::string_view payload, int length_bytes = 0) {
    c.send_raw(encode_raw_ws_frame(first, payload, c.new_mask(), length_bytes));
}

// The server's close code (1005 for an empty close frame), skipping the frames
// before it; nullopt when the connection ended or timed out without one.
std::optional<int> close_code(WsClient& c, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) return std::nullopt;
        auto f = c.recv_frame(left);
        if (!f) return std::nullopt;
        if (f->opcode == WsOpcode::Close) return c.close_code();
    }
}

// After failing the connection the server sends a close frame with `code`;
// once the client answers it (as a client does), the server ends the TCP stream.
void expect_closed_with(WsClient& c, int code) {
    EXPECT_EQ(close_code(c), std::optional<int>(code));
    try {
        if (c.is_open()) send(c, kFin | kOpClose, encode_ws_close_payload(code));
    } catch (const std::runtime_error&) {
        // The server may have ended the connection already.
    }
    EXPECT_TRUE(c.wait_eof(5s)) << "the TCP connection stays open after the close handshake";
}

// The next pong frame's payload, skipping other frames; nullopt if none.
std::optional<std::string> pong(WsClient& c, std::chrono::milliseconds timeout = 5s) {
    while (auto f = c.recv_frame(timeout)) {
        if (f->opcode == WsOpcode::Pong) return f->payload;
        if (f->opcode == WsOpcode::Close) return std::nullopt;
    }
    return std::nullopt;
}

// The built-in handler's {"cmd":"pong"} answer to a text "ping" arrives.
bool answers_pong_text(WsClient& c, std::chrono::milliseconds timeout = 5s) {
    while (auto f = c.recv_frame(timeout)) {
        if (f->opcode == WsOpcode::Text && f->payload.find(R"({"cmd":"pong")") != std::string::npos)
            return true;
        if (f->opcode == WsOpcode::Close) return false;
    }
    return false;
}

// Proof the connection still works and that what came before was taken as a
// whole message: a text "ping" is answered.
bool answers_ping(WsClient& c) {
    send(c, kFin | kOpText, "ping");
    return answers_pong_text(c);
}

// A ping frame's pong: the node has read everything sent before it.
bool synced(WsClient& c) {
    send(c, kFin | kOpPing, "sync");
    return pong(c).has_value();
}

class Conformance : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        g_shared = std::make_unique<Shared>();
        // Subscriptions live heartbeat_ms x liveness and the CLI renews them every
        // second: with the tests' 200 ms heartbeats, liveness 10 keeps one alive.
        g_shared->registry = start_registry({}, {{"registry.liveness", "10"}});
        g_shared->node =
            start_wsnode({g_shared->registry.bus_port},
                         {{"wsnode.max_message_bytes", std::to_string(kMaxMessageBytes)},
                          {"wsnode.connect_rate_per_ip", "0"}});
        ASSERT_TRUE(wait_for_nodes(g_shared->registry.http_port, 1));
        g_shared->subscriber = std::make_unique<ChildProcess>(
            WSC_CLI_BIN, std::vector<std::string>{"--registry", g_shared->registry.bus_endpoint(),
                                                  "subscribe", "--event", "message"});
        // Subscribed once a probe's message shows up.
        WsClient probe;
        const std::string id = open(probe, g_shared->node.ws_port);
        ASSERT_FALSE(id.empty());
        ASSERT_TRUE(wait_until(
            [&] {
                probe.send_text("probe");
                for (const auto& e : events_of(*g_shared->subscriber))
                    if (e.value("_id", "") == id) return true;
                return false;
            },
            10s));
    }
    static void TearDownTestSuite() { g_shared.reset(); }

    void SetUp() override {
        ASSERT_TRUE(g_shared && g_shared->subscriber) << "the shared cluster did not start";
        id_ = open(c_, port());
        ASSERT_FALSE(id_.empty());
    }

    static std::uint16_t port() { return g_shared->node.ws_port; }

    void send(unsigned char first, std::string_view payload, int length_bytes = 0) {
        wsc::test::send(c_, first, payload, length_bytes);
    }
    void send_close(std::string_view payload) { send(kFin | kOpClose, payload); }
    std::optional<int> close_code() { return wsc::test::close_code(c_); }
    void expect_closed_with(int code) { wsc::test::expect_closed_with(c_, code); }
    std::optional<std::string> pong() { return wsc::test::pong(c_); }
    bool answers_ping() { return wsc::test::answers_ping(c_); }
    bool answers_pong_text() { return wsc::test::answers_pong_text(c_); }

    // The message event published for this connection, once it arrives.
    std::optional<json> published(std::chrono::milliseconds timeout = 10s) {
        std::optional<json> found;
        wait_until(
            [&] {
                for (const auto& e : events_of(*g_shared->subscriber))
                    if (e.value("_id", "") == id_ && e.value("event", "") == "message") {
                        found = e;
                        return true;
                    }
                return false;
            },
            timeout);
        return found;
    }
    std::size_t published_count() {
        std::size_t n = 0;
        for (const auto& e : events_of(*g_shared->subscriber))
            if (e.value("_id", "") == id_) ++n;
        return n;
    }

    void expect_text_delivered(const std::string& text) {
        auto e = published();
        ASSERT_TRUE(e) << "no message event for " << text.size() << " bytes of text";
        EXPECT_FALSE(e->value("binary", false));
        EXPECT_EQ(e->at("data").get<std::string>(), text);
    }
    void expect_binary_delivered(const std::string& data) {
        auto e = published();
        ASSERT_TRUE(e) << "no message event for " << data.size() << " bytes of binary";
        EXPECT_TRUE(e->value("binary", false));
        EXPECT_EQ(e->at("data").get<std::string>(), base64_encode(data));
    }

    WsClient c_;
    std::string id_;
};

std::string close_payload(int code, std::string_view reason = "") {
    return encode_ws_close_payload(code, reason);
}

std::string bytes_pattern(std::size_t n) {
    std::string out(n, '\0');
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>((i * 31 + 7) & 0xFF);
    return out;
}

// ---- 1: framing ----

class Framing : public Conformance, public ::testing::WithParamInterface<std::size_t> {};

TEST_P(Framing, TextMessageArrivesIntact) {  // 1.1.x
    const std::string text(GetParam(), '*');
    send(kFin | kOpText, text);
    expect_text_delivered(text);
}

TEST_P(Framing, BinaryMessageArrivesIntact) {  // 1.2.x
    const std::string data = bytes_pattern(GetParam());
    send(kFin | kOpBinary, data);
    expect_binary_delivered(data);
}

INSTANTIATE_TEST_SUITE_P(Sizes, Framing, ::testing::Values(0, 125, 126, 127, 128, 65535, 65536));

TEST_F(Conformance, NonMinimalLengthEncodingsAreAccepted) {
    send(kFin | kOpText, "ping", 8);
    EXPECT_TRUE(answers_pong_text());
    send(kFin | kOpText, "ping", 2);
    EXPECT_TRUE(answers_pong_text());
}

// ---- 2: pings and pongs ----

TEST_F(Conformance, PingIsAnsweredWithTheSamePayload) {  // 2.1 - 2.4
    send(kFin | kOpPing, "");
    EXPECT_EQ(pong(), std::optional<std::string>(""));
    send(kFin | kOpPing, "Hello, world!");
    EXPECT_EQ(pong(), std::optional<std::string>("Hello, world!"));
    const std::string binary("\x00\xFF\xFE\xFD\xFC\xFB\x00\xFF", 8);
    send(kFin | kOpPing, binary);
    EXPECT_EQ(pong(), std::optional<std::string>(binary));
    const std::string max(125, '\xFE');
    send(kFin | kOpPing, max);
    EXPECT_EQ(pong(), std::optional<std::string>(max));
}

TEST_F(Conformance, PingOver125BytesIsAProtocolError) {  // 2.5
    send(kFin | kOpPing, std::string(126, '\xFE'));
    expect_closed_with(kCloseProtocolError);
}

TEST_F(Conformance, UnsolicitedPongIsIgnored) {  // 2.6 - 2.8
    send(kFin | kOpPong, "");
    send(kFin | kOpPong, "unsolicited pong payload");
    EXPECT_TRUE(answers_ping());
}

TEST_F(Conformance, TenPingsInABurstAreAnswered) {  // 2.10 - 2.11
    std::string burst;
    for (int i = 0; i < 10; ++i)
        burst += encode_raw_ws_frame(kFin | kOpPing, "p" + std::to_string(i), c_.new_mask());
    c_.send_raw(burst);
    // RFC 6455 §5.5.3: a server that has not answered earlier pings yet may answer
    // only the most recent one. Pongs that come carry their ping's payload, in order,
    // and the last ping is answered.
    int last = -1;
    while (last < 9) {
        const auto p = pong();
        ASSERT_TRUE(p) << "no pong after p" << last;
        ASSERT_EQ(p->size(), 2u);
        const int i = (*p)[1] - '0';
        EXPECT_GT(i, last) << *p;
        last = i;
    }
    EXPECT_TRUE(answers_ping());
}

// ---- 3: reserved bits ----

TEST_F(Conformance, ReservedBitsAreAProtocolError) {  // 3.1 - 3.7
    const struct {
        unsigned char first;
        const char* what;
    } cases[] = {
        {kFin | kRsv1 | kOpText, "RSV1 on text"},
        {kFin | kRsv2 | kOpText, "RSV2 on text"},
        {kFin | kRsv2 | kRsv1 | kOpText, "RSV1+2 on text"},
        {kFin | kRsv3 | kOpText, "RSV3 on text"},
        {kFin | kRsv3 | kRsv1 | kOpBinary, "RSV1+3 on binary"},
        {kFin | kRsv3 | kRsv2 | kOpPing, "RSV2+3 on ping"},
        {kFin | kRsv3 | kRsv2 | kRsv1 | kOpClose, "all RSV on close"},
    };
    for (const auto& k : cases) {
        SCOPED_TRACE(k.what);
        WsClient c;
        ASSERT_FALSE(open(c, port()).empty());
        wsc::test::send(
            c, k.first,
            (k.first & kOpClose) == kOpClose ? close_payload(kCloseNormal) : "Hello, world!");
        wsc::test::expect_closed_with(c, kCloseProtocolError);
    }
}

// ---- 4: reserved opcodes ----

TEST_F(Conformance, ReservedOpcodesAreAProtocolError) {  // 4.1.x, 4.2.x
    for (const unsigned char op : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
        SCOPED_TRACE("opcode " + std::to_string(op));
        WsClient c;
        ASSERT_FALSE(open(c, port()).empty());
        wsc::test::send(c, kFin | op, op % 2 ? "reserved" : "");
        wsc::test::expect_closed_with(c, kCloseProtocolError);
    }
}

TEST_F(Conformance, ReservedOpcodeAfterAGoodMessage) {  // 4.1.3
    send(kFin | kOpText, "ping");
    send(kFin | 5, "");
    send(kFin | kOpPing, "");
    // The answer to the good message comes, then the close; the ping after the bad
    // frame is not answered.
    bool answered = false;
    std::optional<int> code;
    while (auto f = c_.recv_frame(5s)) {
        if (f->opcode == WsOpcode::Text && f->payload.find(R"({"cmd":"pong")") != std::string::npos)
            answered = true;
        EXPECT_NE(f->opcode, WsOpcode::Pong) << "the ping after the reserved opcode was answered";
        if (f->opcode == WsOpcode::Close) {
            code = c_.close_code();
            break;
        }
    }
    EXPECT_TRUE(answered) << "the message before the reserved opcode got no answer";
    EXPECT_EQ(code, std::optional<int>(kCloseProtocolError));
}

// ---- 5: fragmentation ----

TEST_F(Conformance, FragmentedTextIsReassembled) {  // 5.3 - 5.5
    send(kOpText, "pi");
    send(kFin | kOpCont, "ng");
    EXPECT_TRUE(answers_pong_text());
    send(kOpText, "p");
    send(kOpCont, "");
    send(kOpCont, "i");
    send(kOpCont, "n");
    send(kFin | kOpCont, "g");
    EXPECT_TRUE(answers_pong_text());
}

TEST_F(Conformance, ControlFramesBetweenFragments) {  // 5.6 - 5.8
    send(kOpText, "pi");
    send(kFin | kOpPing, "between");
    send(kFin | kOpPong, "unsolicited");
    send(kFin | kOpCont, "ng");
    EXPECT_EQ(pong(), std::optional<std::string>("between"));
    EXPECT_TRUE(answers_pong_text());
}

TEST_F(Conformance, FragmentedMessageIsPublishedIntact) {  // 5.19 - 5.20 (content)
    const std::string text = "fragmented " + kKosme + " message";
    for (std::size_t i = 0; i < text.size(); ++i)
        send((i + 1 == text.size() ? kFin : 0) | (i == 0 ? kOpText : kOpCont), text.substr(i, 1));
    expect_text_delivered(text);
}

TEST_F(Conformance, FragmentedControlFrameIsAProtocolError) {  // 5.1 - 5.2
    send(kOpPing, "fragment1");
    send(kFin | kOpCont, "fragment2");
    expect_closed_with(kCloseProtocolError);
}

TEST_F(Conformance, ContinuationWithoutAMessageIsAProtocolError) {  // 5.9 - 5.14
    send(kFin | kOpCont, "non-continuation payload");
    expect_closed_with(kCloseProtocolError);
}

TEST_F(Conformance, ContinuationAfterACompleteMessageIsAProtocolError) {  // 5.15
    send(kOpText, "fragment1");
    send(kFin | kOpCont, "fragment2");
    send(kOpCont, "fragment3");
    send(kFin | kOpText, "fragment4");
    expect_closed_with(kCloseProtocolError);
}

TEST_F(Conformance, NewMessageWhileOneIsInProgressIsAProtocolError) {  // 5.16 - 5.18
    send(kOpText, "fragment1");
    send(kFin | kOpText, "fragment2");
    expect_closed_with(kCloseProtocolError);
}

// ---- 6: UTF-8 ----

TEST_F(Conformance, ValidUtf8TextIsDeliveredIntact) {  // 6.1, 6.2, 6.5, 6.7, 6.9, 6.22-6.23
    const std::string text = "Hello-\xC2\xB5@\xC3\x9F\xC3\xB6\xC3\xA4\xC3\xBC\xC3\xA0\xC3\xA1-" +
                             kKosme +
                             " \xF0\x9F\x98\x80 \xEF\xBF\xBD \xF4\x8F\xBF\xBF \xED\x9F\xBF";
    send(kFin | kOpText, text);
    expect_text_delivered(text);
}

TEST_F(Conformance, Utf8SplitAcrossFragmentsIsDeliveredIntact) {  // 6.2.3 - 6.2.4, 6.6
    const std::string text = kKosme + "\xF0\x9F\x98\x80";
    send(kOpText, text.substr(0, 1));
    send(kOpCont, text.substr(1, 2));
    send(kOpCont, text.substr(3, text.size() - 5));
    send(kFin | kOpCont, text.substr(text.size() - 2));
    expect_text_delivered(text);
}

TEST_F(Conformance, InvalidUtf8IsRefusedWith1007) {  // 6.3, 6.8, 6.10-6.21
    const std::vector<std::string> invalid{
        kKosme + "\xED\xA0\x80" + "edited",  // a surrogate
        "\xF4\x90\x80\x80",                  // past U+10FFFF
        "\xF8\x88\x80\x80\x80",              // a 5-byte form
        "\x80",                              // a lone continuation byte
        "\xC0\x20",                          // a lone start byte
        "\xFE",                              // an impossible byte
        "\xC0\xAF",                          // overlong "/"
        "\xE0\x80\xAF",                      // overlong "/", 3 bytes
        "\xF0\x8F\xBF\xBF",                  // maximum overlong, 4 bytes
        "\xED\xBF\xBF",                      // a low surrogate
        "\xCE",                              // text ending inside a character
    };
    for (const auto& text : invalid) {
        SCOPED_TRACE(testing::PrintToString(text));
        WsClient c;
        ASSERT_FALSE(open(c, port()).empty());
        wsc::test::send(c, kFin | kOpText, text);
        wsc::test::expect_closed_with(c, kCloseInvalidPayload);
    }
}

TEST_F(Conformance, InvalidUtf8FailsFastBeforeTheMessageEnds) {  // 6.4.1 - 6.4.4
    // The first fragment already holds a sequence that can never become valid: the
    // node closes without waiting for the rest of the message.
    send(kOpText, kKosme + "\xF4\x90\x80\x80");
    expect_closed_with(kCloseInvalidPayload);
}

TEST_F(Conformance, InvalidUtf8InALaterFragment) {  // 6.3.2
    send(kOpText, kKosme);
    send(kOpCont, "\xED\xA0\x80");
    send(kFin | kOpCont, "edited");
    expect_closed_with(kCloseInvalidPayload);
}

TEST_F(Conformance, TextEndingInsideACharacterAcrossFragments) {
    send(kOpText, "ab\xE2\x82");
    send(kFin | kOpCont, "");
    expect_closed_with(kCloseInvalidPayload);
}

TEST_F(Conformance, BinaryIsNotCheckedAsUtf8) {
    const std::string data("\xFF\xFE\xC0\xAF\xED\xA0\x80", 7);
    send(kFin | kOpBinary, data);
    expect_binary_delivered(data);
}

// ---- 7: close handshake ----

TEST_F(Conformance, CloseIsEchoedAndTheConnectionEnds) {  // 7.1.1, 7.3.3
    send_close(close_payload(kCloseNormal));
    expect_closed_with(kCloseNormal);
}

TEST_F(Conformance, CloseWithoutPayloadIsAnswered) {  // 7.3.1
    send_close("");
    const auto code = close_code();
    ASSERT_TRUE(code);
    EXPECT_TRUE(*code == kCloseNoStatus || *code == kCloseNormal) << *code;
    EXPECT_TRUE(c_.wait_eof());
}

TEST_F(Conformance, CloseWithReasonIsAnswered) {  // 7.3.4 - 7.3.5
    send_close(close_payload(kCloseNormal, "Hello " + kKosme));
    expect_closed_with(kCloseNormal);
}

TEST_F(Conformance, CloseWithOneBytePayloadIsAProtocolError) {  // 7.3.2
    send_close(std::string(1, '\x03'));
    expect_closed_with(kCloseProtocolError);
}

TEST_F(Conformance, CloseOver125BytesIsAProtocolError) {  // 7.3.6
    send_close(close_payload(kCloseNormal, std::string(124, '*')));
    expect_closed_with(kCloseProtocolError);
}

TEST_F(Conformance, NothingIsTakenAfterTheClose) {  // 7.1.2 - 7.1.6
    // Close, then a message, a ping and another close in the same write.
    const std::size_t before = published_count();
    c_.send_raw(encode_raw_ws_frame(kFin | kOpClose, close_payload(kCloseNormal), c_.new_mask()) +
                encode_raw_ws_frame(kFin | kOpText, "ping", c_.new_mask()) +
                encode_raw_ws_frame(kFin | kOpText, "after close", c_.new_mask()) +
                encode_raw_ws_frame(kFin | kOpPing, "after close", c_.new_mask()) +
                encode_raw_ws_frame(kFin | kOpClose, close_payload(1001), c_.new_mask()));
    bool saw_close = false;
    while (auto f = c_.recv_frame(5s)) {
        EXPECT_FALSE(saw_close) << "a frame after the close: " << to_string(f->opcode);
        EXPECT_EQ(f->opcode, WsOpcode::Close) << f->payload;
        if (f->opcode == WsOpcode::Close) saw_close = true;
    }
    EXPECT_TRUE(saw_close);
    EXPECT_EQ(c_.close_code(), std::optional<int>(kCloseNormal));
    EXPECT_FALSE(c_.is_open());
    // The message after the close is not published.
    EXPECT_FALSE(wait_until([&] { return published_count() > before; }, 500ms));
}

TEST_F(Conformance, ValidCloseCodesAreAccepted) {  // 7.7.x
    for (const int code :
         {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}) {
        SCOPED_TRACE("close code " + std::to_string(code));
        WsClient c;
        ASSERT_FALSE(open(c, port()).empty());
        wsc::test::send(c, kFin | kOpClose, close_payload(code));
        const auto got = wsc::test::close_code(c);
        ASSERT_TRUE(got);
        // The server echoes the code or answers 1000; either ends the handshake cleanly.
        EXPECT_TRUE(*got == code || *got == kCloseNormal) << *got;
        EXPECT_TRUE(c.wait_eof());
    }
}

TEST_F(Conformance, InvalidCloseCodesAreAProtocolError) {  // 7.9.x, 7.13.x
    for (const int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
        SCOPED_TRACE("close code " + std::to_string(code));
        WsClient c;
        ASSERT_FALSE(open(c, port()).empty());
        wsc::test::send(c, kFin | kOpClose, close_payload(code));
        wsc::test::expect_closed_with(c, kCloseProtocolError);
    }
}

TEST_F(Conformance, CloseReasonMustBeUtf8) {  // 7.5.1
    send_close(close_payload(kCloseNormal, kKosme + "\xED\xA0\x80" + "edited"));
    expect_closed_with(kCloseInvalidPayload);
}

// ---- 9: limited sizes ----

TEST_F(Conformance, MessageAtTheLimitIsDelivered) {  // 9.1.x, 9.2.x scaled to the limit
    const std::string text(kMaxMessageBytes, 'm');
    send(kFin | kOpText, text);
    auto e = published();
    ASSERT_TRUE(e);
    EXPECT_EQ(e->at("data").get<std::string>().size(), kMaxMessageBytes);
    EXPECT_TRUE(answers_ping());
}

TEST_F(Conformance, FragmentedMessageAtTheLimitIsDelivered) {  // 9.3.x, 9.4.x
    const std::string data = bytes_pattern(kMaxMessageBytes);
    const std::size_t step = 4096;
    for (std::size_t at = 0; at < data.size(); at += step) {
        const bool last = at + step >= data.size();
        send((last ? kFin : 0) | (at == 0 ? kOpBinary : kOpCont), data.substr(at, step));
    }
    expect_binary_delivered(data);
}

TEST_F(Conformance, MessageOverTheLimitIs1009) {
    send(kFin | kOpText, std::string(kMaxMessageBytes + 1, 'm'));
    expect_closed_with(kCloseTooBig);
}

TEST_F(Conformance, FragmentedMessageOverTheLimitIs1009) {
    send(kOpBinary, std::string(kMaxMessageBytes, 'a'));
    send(kFin | kOpCont, "b");
    expect_closed_with(kCloseTooBig);
}

TEST_F(Conformance, OverLimitIsRefusedOnTheHeader) {
    // Only the header of a huge frame is sent: the node must not wait for the payload.
    c_.send_raw(encode_raw_ws_frame(kFin | kOpBinary, "", c_.new_mask()).substr(0, 1) +
                std::string("\xFF\x00\x00\x00\x01\x00\x00\x00\x00\x01\x02\x03\x04", 13));
    expect_closed_with(kCloseTooBig);
}

// ---- the node's own rules ----

TEST_F(Conformance, UnmaskedClientFrameIsAProtocolError) {  // RFC 6455 §5.1
    c_.send_raw(encode_raw_ws_frame(kFin | kOpText, "ping", std::nullopt));
    expect_closed_with(kCloseProtocolError);
}

TEST_F(Conformance, ValidFramesInOneWriteAllCount) {
    std::string burst;
    burst += encode_raw_ws_frame(kOpText, "pi", c_.new_mask());
    burst += encode_raw_ws_frame(kFin | kOpPing, "x", c_.new_mask());
    burst += encode_raw_ws_frame(kFin | kOpCont, "ng", c_.new_mask());
    burst += encode_raw_ws_frame(kFin | kOpText, "ping", c_.new_mask());
    c_.send_raw(burst);
    EXPECT_EQ(pong(), std::optional<std::string>("x"));
    EXPECT_TRUE(answers_pong_text());
    EXPECT_TRUE(answers_pong_text());
}

// Unfinished messages, against their own node with small limits.
class PartialMessages : public ::testing::Test {
  protected:
    void SetUp() override {
        registry_ = start_registry();
        node_ = start_wsnode({registry_.bus_port},
                             {{"wsnode.max_message_bytes", std::to_string(1 << 20)},
                              {"wsnode.partial_timeout_ms", std::to_string(kPartialTimeoutMs)},
                              {"wsnode.partial_budget_bytes", std::to_string(kPartialBudgetBytes)},
                              {"wsnode.connect_rate_per_ip", "0"}});
    }
    RegistryProc registry_;
    NodeProc node_;
};

TEST_F(PartialMessages, UnfinishedMessagePastTheTimeoutIs1008) {
    WsClient slow, idle;
    ASSERT_FALSE(open(slow, node_.ws_port).empty());
    ASSERT_FALSE(open(idle, node_.ws_port).empty());
    send(slow, kOpText, "pi");
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(close_code(slow, 5s), std::optional<int>(kClosePolicyViolation));
    EXPECT_GE(std::chrono::steady_clock::now() - start,
              std::chrono::milliseconds(kPartialTimeoutMs / 2));
    // A connection without an unfinished message is not touched.
    EXPECT_TRUE(answers_ping(idle));
}

TEST_F(PartialMessages, MessageFinishedInTimeIsKept) {
    WsClient c;
    ASSERT_FALSE(open(c, node_.ws_port).empty());
    send(c, kOpText, "pi");
    std::this_thread::sleep_for(std::chrono::milliseconds(kPartialTimeoutMs / 5));
    send(c, kFin | kOpCont, "ng");
    EXPECT_TRUE(answers_ping(c));  // the reassembled "ping", then a fresh one
    EXPECT_TRUE(answers_ping(c));
}

TEST_F(PartialMessages, NodeWideBudgetClosesTheConnectionThatWouldPassIt) {
    WsClient a, b, c;
    ASSERT_FALSE(open(a, node_.ws_port).empty());
    ASSERT_FALSE(open(b, node_.ws_port).empty());
    ASSERT_FALSE(open(c, node_.ws_port).empty());
    send(a, kOpBinary, std::string(kPartialChunk, 'a'));
    ASSERT_TRUE(synced(a));
    // b's fragment would take the node past the budget: b is closed, a is not.
    send(b, kOpBinary, std::string(kPartialChunk, 'b'));
    EXPECT_EQ(close_code(b, 5s), std::optional<int>(kCloseTooBig));
    // What is left of the budget still serves others.
    send(c, kOpBinary, std::string(kPartialBudgetBytes - kPartialChunk - 1024, 'c'));
    EXPECT_TRUE(synced(c));
    send(a, kFin | kOpCont, "end");
    send(c, kFin | kOpCont, "end");
    EXPECT_TRUE(answers_ping(a));
    EXPECT_TRUE(answers_ping(c));
}

}  // namespace
}  // namespace wsc::test
