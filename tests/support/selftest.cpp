// Self-test of the integration-test support library against servers it starts itself:
// shell children for ChildProcess, a python3 http.server child for HttpClient, and the
// in-process EchoWsServer for WsClient. Run by hand; not part of ctest.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "common/Base64.hpp"
#include "common/Sha1.hpp"
#include "tests/support/ChildProcess.hpp"
#include "tests/support/EchoWsServer.hpp"
#include "tests/support/HttpClient.hpp"
#include "tests/support/WaitUntil.hpp"
#include "tests/support/WsClient.hpp"
#include "tests/support/WsFrame.hpp"

namespace wsc::test {
namespace {

using namespace std::chrono_literals;

constexpr int kSigtermStatus = 128 + SIGTERM;
constexpr int kSigkillStatus = 128 + SIGKILL;

std::string hex(std::string_view bytes) {
    static constexpr std::string_view kDigits = "0123456789abcdef";
    std::string out;
    for (const char c : bytes) {
        out += kDigits[static_cast<unsigned char>(c) >> 4];
        out += kDigits[static_cast<unsigned char>(c) & 0x0F];
    }
    return out;
}

// A listening socket that never accepts: connections complete but nothing answers.
class SilentListener {
  public:
    SilentListener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(addr);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len);
        ::listen(fd_, SOMAXCONN);
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
    }
    ~SilentListener() { ::close(fd_); }
    uint16_t port() const { return port_; }

  private:
    int fd_ = -1;
    uint16_t port_ = 0;
};

// A port nothing listens on: bound once by the OS, then released.
uint16_t closed_port() {
    SilentListener listener;
    return listener.port();
}

// ---------------------------------------------------------------- codecs

TEST(SupportCodec, Sha1KnownVectors) {
    EXPECT_EQ(hex(sha1("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    EXPECT_EQ(hex(sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(hex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
              "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    EXPECT_EQ(hex(sha1(std::string(1000000, 'a'))), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(SupportCodec, AcceptKeyMatchesRfc6455Example) {
    EXPECT_EQ(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(SupportCodec, Base64RoundTripAndErrors) {
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
    const std::string binary("\x00\xff\x10\x80 ok", 7);
    EXPECT_EQ(base64_decode(base64_encode(binary)), binary);
    EXPECT_THROW(base64_decode("Zm9"), std::runtime_error);
    EXPECT_THROW(base64_decode("Zm=v"), std::runtime_error);
    EXPECT_THROW(base64_decode("Zm9*"), std::runtime_error);
}

TEST(SupportCodec, FrameRoundTripForEveryLengthEncoding) {
    for (const std::size_t n : {0u, 125u, 126u, 65535u, 65536u}) {
        std::string payload(n, '\0');
        for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<char>(i * 7);
        for (const bool masked : {false, true}) {
            std::string bytes =
                encode_ws_frame(WsOpcode::Binary, payload, true,
                                masked ? std::optional<WsMask>(WsMask{1, 2, 3, 4}) : std::nullopt);
            std::string partial = bytes.substr(0, bytes.size() - 1);
            EXPECT_FALSE(parse_ws_frame(partial).has_value()) << n;
            bytes += "next";
            const auto frame = parse_ws_frame(bytes);
            ASSERT_TRUE(frame.has_value()) << n;
            EXPECT_EQ(frame->payload, payload) << n;
            EXPECT_EQ(frame->masked, masked);
            EXPECT_EQ(frame->opcode, WsOpcode::Binary);
            EXPECT_EQ(bytes, "next");  // exactly one frame consumed
        }
    }
}

TEST(SupportCodec, FrameParserRejectsProtocolViolations) {
    std::string big_ping = encode_ws_frame(WsOpcode::Ping, std::string(126, 'p'));
    EXPECT_THROW(parse_ws_frame(big_ping), std::runtime_error);
    std::string rsv = encode_ws_frame(WsOpcode::Text, "x");
    rsv[0] = static_cast<char>(rsv[0] | 0x40);
    EXPECT_THROW(parse_ws_frame(rsv), std::runtime_error);
    std::string bad_opcode = encode_ws_frame(WsOpcode::Text, "x");
    bad_opcode[0] = static_cast<char>(0x83);
    EXPECT_THROW(parse_ws_frame(bad_opcode), std::runtime_error);
    std::string huge("\x82\x7f\x7f\xff\xff\xff\xff\xff\xff\xff", 10);
    EXPECT_THROW(parse_ws_frame(huge), std::runtime_error);
}

// ---------------------------------------------------------------- WaitUntil

TEST(SupportWaitUntil, ReturnsTrueOnceThePredicateHolds) {
    int calls = 0;
    EXPECT_TRUE(wait_until([&] { return ++calls >= 3; }, 5s));
    EXPECT_EQ(calls, 3);
}

TEST(SupportWaitUntil, ReturnsFalseAfterTheTimeout) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(wait_until([] { return false; }, 50ms));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_GE(elapsed, 50ms);
    EXPECT_LT(elapsed, 2s);
}

// ---------------------------------------------------------------- ChildProcess

TEST(SupportChildProcess, ParsesTheReadyLineFields) {
    ChildProcess child("/bin/sh", {"-c",
                                   "echo starting; echo 'fake-srv ready bus_port=41234 "
                                   "http_port=41235'; exec sleep 30"});
    const ReadyInfo ready = child.wait_ready();
    EXPECT_EQ(ready.line, "fake-srv ready bus_port=41234 http_port=41235");
    EXPECT_EQ(ready.fields.at("bus_port"), "41234");
    EXPECT_EQ(ready.fields.at("http_port"), "41235");
    EXPECT_EQ(ready.fields.size(), 2u);
    EXPECT_EQ(child.stdout_lines().at(0), "starting");
    EXPECT_TRUE(child.running());
    EXPECT_EQ(child.stop(), kSigtermStatus);
    EXPECT_FALSE(child.running());
}

TEST(SupportChildProcess, PassesArgumentsAndEnvironment) {
    ::setenv("WSC_SELFTEST_KEPT", "kept", 1);
    ::setenv("WSC_SELFTEST_REMOVED", "still-here", 1);
    ChildProcess child("sh",  // found through PATH
                       {"-c",
                        "echo \"env ready n=$# set=$WSC_SELFTEST_SET kept=$WSC_SELFTEST_KEPT "
                        "removed=${WSC_SELFTEST_REMOVED-unset}\"; echo \"second=$2\"",
                        "sh", "one", "two three"},
                       {{"WSC_SELFTEST_SET", "val"}, {"WSC_SELFTEST_REMOVED", ""}});
    const ReadyInfo ready = child.wait_ready();
    EXPECT_EQ(ready.fields.at("n"), "2");
    EXPECT_EQ(ready.fields.at("set"), "val");
    EXPECT_EQ(ready.fields.at("kept"), "kept");
    EXPECT_EQ(ready.fields.at("removed"), "unset");
    EXPECT_EQ(child.wait_exit(5s), 0);
    EXPECT_TRUE(wait_until([&] { return child.stdout_lines().size() == 2; }));
    EXPECT_EQ(child.stdout_lines().at(1), "second=two three");
}

TEST(SupportChildProcess, FindsAReadyLineWithoutTrailingNewlineAfterExit) {
    ChildProcess child("/bin/sh", {"-c", "printf 'svc ready x=1'"});
    EXPECT_EQ(child.wait_ready().fields.at("x"), "1");
}

TEST(SupportChildProcess, ExitBeforeReadyThrowsWithStderrAndStatus) {
    ChildProcess child("/bin/sh", {"-c", "echo 'fatal: bad port 99999' >&2; exit 3"});
    try {
        child.wait_ready();
        FAIL() << "wait_ready should have thrown";
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("fatal: bad port 99999"), std::string::npos) << what;
        EXPECT_NE(what.find("exit status 3"), std::string::npos) << what;
    }
    EXPECT_EQ(child.wait_exit(5s), 3);
    EXPECT_NE(child.stderr_text().find("fatal: bad port 99999"), std::string::npos);
}

TEST(SupportChildProcess, ReadyTimeoutThrowsAndShowsStdout) {
    ChildProcess child("/bin/sh", {"-c", "echo 'still starting'; exec sleep 30"});
    try {
        child.wait_ready(200ms);
        FAIL() << "wait_ready should have thrown";
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("no ready line within 200 ms"), std::string::npos) << what;
        EXPECT_NE(what.find("still starting"), std::string::npos) << what;
    }
    EXPECT_TRUE(child.running());
}

TEST(SupportChildProcess, MissingProgramThrows) {
    try {
        ChildProcess child("/nonexistent/wsc-no-such-program", {});
        FAIL() << "constructor should have thrown";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot start"), std::string::npos) << e.what();
    }
}

TEST(SupportChildProcess, StopEscalatesToSigkill) {
    // An ignored SIGTERM survives exec, so sleep ignores it too.
    ChildProcess child("/bin/sh", {"-c", "trap '' TERM; echo 'stubborn ready'; exec sleep 30"});
    child.wait_ready();
    EXPECT_EQ(child.stop(200ms), kSigkillStatus);
}

TEST(SupportChildProcess, WaitExitTimesOutThenReportsTheSignal) {
    ChildProcess child("/bin/sh", {"-c", "exec sleep 30"});
    EXPECT_EQ(child.wait_exit(50ms), std::nullopt);
    child.signal(SIGINT);
    EXPECT_EQ(child.wait_exit(5s), 128 + SIGINT);
}

TEST(SupportChildProcess, StderrLogExistsWhileRunningAndIsRemovedAfter) {
    std::string path;
    {
        ChildProcess child("/bin/sh", {"-c", "echo to-stderr >&2; echo 'x ready'; exec sleep 30"});
        child.wait_ready();
        path = child.stderr_path();
        EXPECT_TRUE(wait_until([&] { return child.stderr_text() == "to-stderr\n"; }));
        EXPECT_TRUE(std::filesystem::exists(path));
    }
    if (std::getenv("WSC_KEEP_LOGS") == nullptr) {
        EXPECT_FALSE(std::filesystem::exists(path));
    }
}

// ---------------------------------------------------------------- HttpClient

constexpr const char* kPythonHttpServer = R"PY(
import http.server, json, sys
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, fmt, *args):
        sys.stderr.write("request " + (fmt % args) + "\n")
    def do_GET(self): self.route()
    def do_POST(self): self.route()
    def do_DELETE(self): self.route()
    def route(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in [b'{"parts":', b'[1,2,', b'3]}']:
                self.wfile.write(b"%x;ext=1\r\n" % len(part) + part + b"\r\n")
            self.wfile.write(b"0\r\nX-Trailer: yes\r\n\r\n")
        elif self.path == "/until-close":
            self.close_connection = True
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"streamed until close")
        else:
            out = json.dumps({"method": self.command, "path": self.path, "body": body.decode(),
                              "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
            self.send_response(201 if self.command == "POST" else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.send_header("Set-Cookie", "a=1")
            self.send_header("Set-Cookie", "b=2")
            self.end_headers()
            self.wfile.write(out)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print("pyhttp ready port=%d" % server.server_address[1], flush=True)
server.serve_forever()
)PY";

class SupportHttp : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        try {
            server_ = std::make_unique<ChildProcess>(
                "python3", std::vector<std::string>{"-c", kPythonHttpServer});
            port_ = static_cast<uint16_t>(std::stoi(server_->wait_ready().fields.at("port")));
        } catch (const std::exception& e) {
            skip_reason_ = std::string("python3 http.server unavailable: ") + e.what();
            server_.reset();
        }
    }
    static void TearDownTestSuite() { server_.reset(); }
    void SetUp() override {
        if (!server_) GTEST_SKIP() << skip_reason_;
    }

    static inline std::unique_ptr<ChildProcess> server_;
    static inline uint16_t port_ = 0;
    static inline std::string skip_reason_;
};

TEST_F(SupportHttp, ReadsContentLengthBodyAndHeaders) {
    const HttpResponse resp = http_get(port_, "/echo?x=1");
    EXPECT_EQ(resp.status, 200);
    EXPECT_EQ(resp.header("Content-Type"), "application/json");
    EXPECT_EQ(resp.headers.at("set-cookie"), "a=1, b=2");
    const auto body = resp.json();
    EXPECT_EQ(body["method"], "GET");
    EXPECT_EQ(body["path"], "/echo?x=1");
    EXPECT_EQ(body["headers"]["connection"], "close");
    EXPECT_EQ(body["headers"]["host"], "127.0.0.1:" + std::to_string(port_));
}

TEST_F(SupportHttp, PostsJson) {
    const nlohmann::json sent = {{"event", "sendMessageTo_Id"}, {"msg", "héllo"}};
    const HttpResponse resp = http_post_json(port_, "/api", sent);
    EXPECT_EQ(resp.status, 201);
    const auto body = resp.json();
    EXPECT_EQ(body["method"], "POST");
    EXPECT_EQ(nlohmann::json::parse(body["body"].get<std::string>()), sent);
    EXPECT_EQ(body["headers"]["content-type"], "application/json");
}

TEST_F(SupportHttp, DecodesChunkedBodyWithExtensionsAndTrailers) {
    const HttpResponse resp = http_get(port_, "/chunked");
    EXPECT_EQ(resp.status, 200);
    EXPECT_EQ(resp.body, R"({"parts":[1,2,3]})");
    EXPECT_EQ(resp.json()["parts"].size(), 3u);
}

TEST_F(SupportHttp, ReadsBodyDelimitedByClose) {
    const HttpResponse resp = http_get(port_, "/until-close");
    EXPECT_EQ(resp.status, 200);
    EXPECT_EQ(resp.body, "streamed until close");
}

TEST_F(SupportHttp, SendsMethodAndCustomHeaders) {
    const HttpResponse resp =
        http_request(port_, "DELETE", "/thing", "", {{"X-Token", "t1"}, {"Connection", "close"}});
    EXPECT_EQ(resp.status, 200);
    const auto body = resp.json();
    EXPECT_EQ(body["method"], "DELETE");
    EXPECT_EQ(body["headers"]["x-token"], "t1");
}

TEST_F(SupportHttp, RawExchangeReturnsTheServersAnswerToJunk) {
    // An unknown method: http.server answers 501 with a status line, then closes.
    const std::string reply = raw_exchange(port_, "JUNK / HTTP/1.1\r\n\r\n");
    EXPECT_EQ(reply.rfind("HTTP/1.", 0), 0u) << reply;
    EXPECT_NE(reply.find(" 501 "), std::string::npos) << reply;
}

TEST(SupportHttpErrors, ConnectRefusedThrows) {
    EXPECT_THROW(http_get(closed_port(), "/"), std::runtime_error);
    EXPECT_THROW(raw_exchange(closed_port(), "x"), std::runtime_error);
}

TEST(SupportHttpErrors, SilentServerTimesOut) {
    SilentListener silent;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(http_request(silent.port(), "GET", "/", "", {}, 200ms), std::runtime_error);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_EQ(raw_exchange(silent.port(), "hello", 100ms), "");
}

TEST(SupportHttpErrors, MalformedInputIsReported) {
    EXPECT_THROW(parse_response_head("SSH-2.0-OpenSSH\r\n\r\n"), std::runtime_error);
    EXPECT_THROW(parse_response_head("HTTP/1.1 2x0 OK\r\n\r\n"), std::runtime_error);
    EXPECT_THROW(parse_response_head("HTTP/1.1 200 OK\r\nno colon\r\n\r\n"), std::runtime_error);
    EXPECT_EQ(parse_response_head("HTTP/1.1 404 Not Found\r\nX-A:  b \r\n\r\n").header("x-a"), "b");
    HttpResponse not_json;
    not_json.body = "nope";
    EXPECT_THROW(not_json.json(), nlohmann::json::parse_error);
}

TEST(SupportHttpErrors, UrlEncodeKeepsOnlyUnreserved) {
    EXPECT_EQ(url_encode("AZaz09-._~"), "AZaz09-._~");
    EXPECT_EQ(url_encode("a b&c=d/e?f"), "a%20b%26c%3Dd%2Fe%3Ff");
    EXPECT_EQ(url_encode("é[]"), "%C3%A9%5B%5D");
}

// ---------------------------------------------------------------- WsClient

class SupportWs : public ::testing::Test {
  protected:
    EchoWsServer server_;
    WsClient client_;

    void open(const std::string& target = "/") {
        ASSERT_EQ(client_.connect(server_.port(), target), 101);
    }
    void TearDown() override { EXPECT_EQ(server_.errors(), std::vector<std::string>{}); }
};

TEST_F(SupportWs, HandshakeThenEchoTextAndBinary) {
    open();
    EXPECT_TRUE(client_.is_open());
    client_.send_text("hello");
    EXPECT_EQ(client_.recv(), "hello");
    const std::string binary("\x00\xff\x01 bin", 7);
    client_.send_binary(binary);
    EXPECT_EQ(client_.recv(), binary);
}

TEST_F(SupportWs, EveryLengthEncodingRoundTripsMasked) {
    open();
    for (const std::size_t n : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 70000u, 300000u}) {
        std::string text(n, 'a');
        for (std::size_t i = 0; i < n; ++i) text[i] = static_cast<char>('a' + i % 26);
        client_.send_text(text);
        const auto echoed = client_.recv();
        ASSERT_TRUE(echoed.has_value()) << n;
        EXPECT_EQ(echoed->size(), n);
        EXPECT_TRUE(*echoed == text) << "payload of " << n << " bytes differs";
    }
    EXPECT_EQ(server_.unmasked_frames(), 0);
}

TEST_F(SupportWs, ReceivesAMessageOver64KiBFromTheServer) {
    open();
    client_.send_text("big:200000");
    const auto big = client_.recv();
    ASSERT_TRUE(big.has_value());
    ASSERT_EQ(big->size(), 200000u);
    for (std::size_t i = 0; i < big->size(); ++i) {
        ASSERT_EQ(static_cast<unsigned char>((*big)[i]), i % 251) << "at " << i;
    }
}

TEST_F(SupportWs, ReassemblesFragmentsAndAnswersAnInterleavedPing) {
    open();
    client_.send_text("fragment");
    EXPECT_EQ(client_.recv(), "fragmented");
    EXPECT_TRUE(wait_until([&] { return server_.pongs() == std::vector<std::string>{"mid"}; }));
}

TEST_F(SupportWs, AnswersServerPingWithPong) {
    open();
    client_.send_text("ping-me");
    EXPECT_EQ(client_.recv(), "got-pong:are-you-there");
}

TEST_F(SupportWs, CountsPongsForItsOwnPings) {
    open();
    client_.send_ping("p1");
    client_.send_text("after");
    EXPECT_EQ(client_.recv(), "after");
    EXPECT_EQ(client_.pongs_received(), 1);
}

TEST_F(SupportWs, SendsFragmentedMessages) {
    open();
    client_.send_fragmented_text("abcdefghij", 3);
    EXPECT_EQ(client_.recv(), "abcdefghij");
}

TEST_F(SupportWs, KeepsAFrameSentTogetherWithTheHandshake) {
    open("/greet");
    EXPECT_EQ(client_.recv(), "welcome");
}

TEST_F(SupportWs, RefusedHandshakeReturnsTheStatus) {
    EXPECT_EQ(client_.connect(server_.port(), "/deny"), 401);
    EXPECT_FALSE(client_.is_open());
    EXPECT_EQ(client_.handshake_response().body, "no token");
    EXPECT_THROW(client_.send_text("x"), std::runtime_error);
}

TEST_F(SupportWs, WrongAcceptKeyThrows) {
    EXPECT_THROW(client_.connect(server_.port(), "/badaccept"), std::runtime_error);
    EXPECT_FALSE(client_.is_open());
}

TEST_F(SupportWs, ServerCloseIsReportedAndEchoed) {
    open();
    client_.send_text("close-me");
    EXPECT_EQ(client_.wait_closed(), 4001);
    EXPECT_EQ(client_.close_code(), 4001);
    EXPECT_EQ(client_.close_reason(), "bye");
    EXPECT_FALSE(client_.is_open());
    EXPECT_TRUE(wait_until([&] { return server_.close_codes() == std::vector<int>{4001}; }));
}

TEST_F(SupportWs, ClientCloseSendsTheCode) {
    open();
    client_.close(4321);
    EXPECT_FALSE(client_.is_open());
    EXPECT_TRUE(wait_until([&] { return server_.close_codes() == std::vector<int>{4321}; }));
}

TEST_F(SupportWs, DestructorClosesNormally) {
    {
        WsClient scoped;
        ASSERT_EQ(scoped.connect(server_.port()), 101);
    }
    EXPECT_TRUE(wait_until([&] { return server_.close_codes() == std::vector<int>{1000}; }));
}

TEST_F(SupportWs, EofWithoutCloseFrameEndsTheConnection) {
    open();
    client_.send_text("drop");
    EXPECT_EQ(client_.wait_closed(2s), std::nullopt);
    EXPECT_FALSE(client_.is_open());
    EXPECT_EQ(client_.close_code(), std::nullopt);
}

TEST_F(SupportWs, RecvTimesOutAndStaysOpen) {
    open();
    EXPECT_EQ(client_.recv(50ms), std::nullopt);
    EXPECT_TRUE(client_.is_open());
}

TEST_F(SupportWs, RecvUntilKeepsSkippedMessagesAndDrainCollectsAWindow) {
    open();
    for (const char* m : {"a", "b", "c"}) client_.send_text(m);
    EXPECT_EQ(client_.recv_until([](const std::string& m) { return m == "c"; }), "c");
    EXPECT_EQ(client_.discarded(), (std::vector<std::string>{"a", "b"}));
    client_.send_text("x");
    client_.send_text("y");
    EXPECT_EQ(client_.drain(300ms), (std::vector<std::string>{"x", "y"}));
}

TEST(SupportWsErrors, ConnectRefusedThrows) {
    WsClient client;
    EXPECT_THROW(client.connect(closed_port()), std::runtime_error);
}

TEST(SupportWsErrors, SilentServerHandshakeTimesOut) {
    SilentListener silent;
    WsClient client;
    EXPECT_THROW(client.connect(silent.port(), "/", 200ms), std::runtime_error);
}

}  // namespace
}  // namespace wsc::test
