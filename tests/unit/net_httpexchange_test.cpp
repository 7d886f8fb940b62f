#include "net/HttpExchange.hpp"

#include <gtest/gtest.h>

#include "net/WsHandshake.hpp"

namespace wsc {
namespace {

using Step = HttpExchange::Step;
using Phase = HttpExchange::Phase;

HttpResponse ok(std::string body) {
    HttpResponse r;
    r.body = std::move(body);
    return r;
}

TEST(HttpExchange, PipelinedRequestsAreAnsweredOneAtATimeInOrder) {
    HttpExchange ex;
    ex.feed("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
    ASSERT_EQ(ex.poll(), Step::Request);
    EXPECT_EQ(ex.request().path, "/a");
    // While /a waits for its answer, /b is not handed out.
    EXPECT_EQ(ex.poll(), Step::Idle);
    EXPECT_EQ(ex.phase(), Phase::Busy);
    ex.answer(ok("first"));
    ASSERT_EQ(ex.poll(), Step::Request);
    EXPECT_EQ(ex.request().path, "/b");
    ex.answer(ok("second"));
    EXPECT_EQ(ex.poll(), Step::Idle);
    const std::string& out = ex.output();
    const auto first = out.find("first");
    const auto second = out.find("second");
    ASSERT_NE(first, std::string::npos);
    ASSERT_NE(second, std::string::npos);
    EXPECT_LT(first, second);
    EXPECT_EQ(out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
    EXPECT_EQ(ex.phase(), Phase::Idle);
}

TEST(HttpExchange, ASecondAnswerForOneRequestIsIgnored) {
    HttpExchange ex;
    ex.feed("GET /a HTTP/1.1\r\n\r\n");
    ASSERT_EQ(ex.poll(), Step::Request);
    ex.answer(ok("one"));
    const std::size_t size = ex.output().size();
    ex.answer(ok("two"));
    EXPECT_EQ(ex.output().size(), size);
}

TEST(HttpExchange, MalformedRequestIsRefusedAndClosesTheConnection) {
    HttpExchange ex;
    ex.feed("BROKEN\r\n\r\nGET / HTTP/1.1\r\n\r\n");
    EXPECT_EQ(ex.poll(), Step::Refused);
    EXPECT_EQ(ex.output().rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u);
    EXPECT_NE(ex.output().find("connection: close"), std::string::npos);
    EXPECT_TRUE(ex.closing());
    EXPECT_EQ(ex.poll(), Step::Idle);  // nothing after the refusal is read
}

TEST(HttpExchange, ConnectionCloseRequestClosesAfterItsAnswer) {
    HttpExchange ex;
    ex.feed("GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
    ASSERT_EQ(ex.poll(), Step::Request);
    ex.answer(ok("x"));
    EXPECT_TRUE(ex.closing());
    EXPECT_EQ(ex.poll(), Step::Idle);
}

TEST(HttpExchange, ContinueIsSentOnceForABodyThatWaits) {
    HttpExchange ex;
    ex.feed("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
    EXPECT_EQ(ex.poll(), Step::Continue);
    EXPECT_EQ(ex.output(), kContinue);
    EXPECT_EQ(ex.poll(), Step::Idle);
    EXPECT_EQ(ex.phase(), Phase::Body);
    ex.feed("{}");
    ASSERT_EQ(ex.poll(), Step::Request);
    EXPECT_EQ(ex.request().body, "{}");
}

TEST(HttpExchange, PhasesFollowTheRequest) {
    HttpExchange ex;
    EXPECT_EQ(ex.phase(), Phase::Idle);
    ex.feed("GET / HT");
    EXPECT_EQ(ex.poll(), Step::Idle);
    EXPECT_EQ(ex.phase(), Phase::Head);
}

TEST(HttpExchange, HeadAnswersCarryNoBody) {
    HttpExchange ex;
    ex.feed("HEAD /healthz HTTP/1.1\r\n\r\n");
    ASSERT_EQ(ex.poll(), Step::Request);
    ex.answer(ok("body"));
    EXPECT_NE(ex.output().find("content-length: 4"), std::string::npos);
    EXPECT_EQ(ex.output().find("body"), std::string::npos);
}

TEST(WsHandshake, ValidUpgradeGetsTheRfcAcceptKey) {
    HttpParser p;
    p.feed(
        "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Protocol: chat, wscenter\r\nSec-WebSocket-Version: 13\r\n\r\n");
    ASSERT_EQ(p.next(), HttpParser::Status::Request);
    const HttpRequest r = p.take();
    ASSERT_TRUE(wants_websocket(r));
    const UpgradeCheck check = check_upgrade(r, "wscenter");
    EXPECT_EQ(check.status, 0);
    EXPECT_EQ(check.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");  // RFC 6455 §1.3
    EXPECT_EQ(check.protocol, "wscenter");
    const std::string answer = switching_protocols(check);
    EXPECT_EQ(answer.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
    EXPECT_NE(answer.find("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
              std::string::npos);
}

TEST(WsHandshake, BadUpgradesAreRefused) {
    const std::string good_key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    const struct {
        std::string head;
        int status;
    } cases[] = {
        {"POST / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + good_key +
             "Sec-WebSocket-Version: 13\r\n",
         405},
        {"GET / HTTP/1.1\r\nUpgrade: websocket\r\n" + good_key + "Sec-WebSocket-Version: 13\r\n",
         400},
        {"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + good_key +
             "Sec-WebSocket-Version: 8\r\n",
         426},
        {"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n",
         400},
        {"GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + good_key +
             "Sec-WebSocket-Version: 13\r\n",
         400},
    };
    for (const auto& c : cases) {
        HttpParser p;
        p.feed(c.head + "\r\n");
        ASSERT_EQ(p.next(), HttpParser::Status::Request) << c.head;
        EXPECT_EQ(check_upgrade(p.take(), "wscenter").status, c.status) << c.head;
    }
}

}  // namespace
}  // namespace wsc
