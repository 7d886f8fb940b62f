#include "net/HttpParser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wsc {
namespace {

using Status = HttpParser::Status;

// Feeds `bytes` one at a time (or whole) and returns every request parsed,
// stopping at an error.
std::vector<HttpRequest> parse_all(HttpParser& parser, const std::string& bytes, bool bytewise,
                                   Status* last = nullptr) {
    std::vector<HttpRequest> out;
    Status status = Status::NeedMore;
    auto drain = [&] {
        while ((status = parser.next()) == Status::Request) out.push_back(parser.take());
    };
    if (bytewise) {
        for (char c : bytes) {
            parser.feed(std::string_view(&c, 1));
            drain();
            if (status == Status::Error) break;
        }
    } else {
        parser.feed(bytes);
        drain();
    }
    if (last) *last = status;
    return out;
}

TEST(HttpParser, SimpleGetWithQueryAndHeaders) {
    HttpParser p;
    auto reqs =
        parse_all(p, "GET /api?event=x&a=1 HTTP/1.1\r\nHost: h\r\nX-Thing:  v  \r\n\r\n", false);
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].method, "GET");
    EXPECT_EQ(reqs[0].path, "/api");
    EXPECT_EQ(reqs[0].query, "event=x&a=1");
    EXPECT_EQ(reqs[0].header("host"), "h");
    EXPECT_EQ(reqs[0].header("x-thing"), "v");
    EXPECT_TRUE(reqs[0].keep_alive);
    EXPECT_TRUE(reqs[0].body.empty());
}

TEST(HttpParser, PipelinedGetThenPostComeOutInOrder) {
    // The bytes that hung lws: a GET and a POST with a body in one write.
    const std::string wire =
        "GET / HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nHost: x\r\nContent-Length: "
        "2\r\n\r\n{}";
    for (bool bytewise : {false, true}) {
        HttpParser p;
        Status last{};
        auto reqs = parse_all(p, wire, bytewise, &last);
        ASSERT_EQ(reqs.size(), 2u) << bytewise;
        EXPECT_EQ(reqs[0].method, "GET");
        EXPECT_EQ(reqs[1].method, "POST");
        EXPECT_EQ(reqs[1].body, "{}");
        EXPECT_EQ(last, Status::NeedMore);
        EXPECT_EQ(p.buffered(), 0u);
    }
}

TEST(HttpParser, GetWithBodyIsOneRequestWithItsBody) {
    HttpParser p;
    auto reqs = parse_all(p, "GET /?a=1 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", false);
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].body, "hello");
}

TEST(HttpParser, ChunkedBodyIsDecoded) {
    const std::string wire =
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        "4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\n"
        "GET /next HTTP/1.1\r\n\r\n";
    for (bool bytewise : {false, true}) {
        HttpParser p;
        auto reqs = parse_all(p, wire, bytewise);
        ASSERT_EQ(reqs.size(), 2u);
        EXPECT_EQ(reqs[0].body, "Wikipedia in\r\n\r\nchunks.");
        EXPECT_EQ(reqs[1].path, "/next");
    }
}

TEST(HttpParser, PostWithoutLengthHasAnEmptyBody) {
    HttpParser p;
    auto reqs = parse_all(p, "POST /?event=x HTTP/1.1\r\nHost: h\r\n\r\n", false);
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_TRUE(reqs[0].body.empty());
}

struct Refusal {
    std::string wire;
    int status;
};

class HttpParserRefuses : public ::testing::TestWithParam<Refusal> {};

TEST_P(HttpParserRefuses, WithTheRightStatus) {
    HttpLimits limits;
    limits.max_body_bytes = 100;
    limits.max_head_bytes = 256;
    HttpParser p(limits);
    Status last{};
    parse_all(p, GetParam().wire, false, &last);
    ASSERT_EQ(last, Status::Error) << GetParam().wire;
    EXPECT_EQ(p.error().status, GetParam().status);
    EXPECT_FALSE(p.error().reason.empty());
    // It stays failed whatever comes next.
    p.feed("GET / HTTP/1.1\r\n\r\n");
    EXPECT_EQ(p.next(), Status::Error);
}

INSTANTIATE_TEST_SUITE_P(
    Hostile, HttpParserRefuses,
    ::testing::Values(
        Refusal{"GET /\r\n\r\n", 400}, Refusal{"GET / HTTP/2.0\r\n\r\n", 505},
        Refusal{"GET  / HTTP/1.1\r\n\r\n", 400}, Refusal{"G\x01T / HTTP/1.1\r\n\r\n", 400},
        Refusal{"GET / HTTP/1.1\r\nNo colon\r\n\r\n", 400},
        Refusal{"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400},
        Refusal{"GET / HTTP/1.1\r\nBad Name: b\r\n\r\n", 400},
        Refusal{"GET / HTTP/1.1\r\nA: b\x01\r\n\r\n", 400},
        Refusal{"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 400},
        Refusal{"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
        Refusal{"POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n", 400},
        Refusal{"POST / HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
        Refusal{"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
        Refusal{"POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", 413},
        Refusal{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n", 413},
        Refusal{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
        Refusal{"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", 400},
        Refusal{"GET /" + std::string(300, 'a') + " HTTP/1.1\r\n\r\n", 431},
        Refusal{"GET / HTTP/1.1\r\n" + std::string(300, 'a'), 431}));

TEST(HttpParser, TooManyHeaders) {
    HttpLimits limits;
    limits.max_headers = 3;
    HttpParser p(limits);
    Status last{};
    parse_all(p, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", false, &last);
    ASSERT_EQ(last, Status::Error);
    EXPECT_EQ(p.error().status, 431);
}

TEST(HttpParser, KeepAliveFollowsVersionAndConnectionHeader) {
    HttpParser p;
    auto reqs = parse_all(p,
                          "GET / HTTP/1.1\r\nConnection: close\r\n\r\n"
                          "GET / HTTP/1.0\r\n\r\n"
                          "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
                          false);
    ASSERT_EQ(reqs.size(), 3u);
    EXPECT_FALSE(reqs[0].keep_alive);
    EXPECT_FALSE(reqs[1].keep_alive);
    EXPECT_TRUE(reqs[2].keep_alive);
}

TEST(HttpParser, ExpectContinueIsReportedWhileTheBodyIsAwaited) {
    HttpParser p;
    p.feed("POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
    EXPECT_EQ(p.next(), Status::NeedMore);
    EXPECT_TRUE(p.in_body());
    EXPECT_TRUE(p.expects_continue());
    p.feed("abc");
    ASSERT_EQ(p.next(), Status::Request);
    EXPECT_EQ(p.take().body, "abc");
    EXPECT_FALSE(p.expects_continue());
}

TEST(HttpParser, BytesAfterARequestStayBuffered) {
    HttpParser p;
    p.feed("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n\x81\x80");
    ASSERT_EQ(p.next(), Status::Request);
    EXPECT_EQ(p.buffered(), 2u);
    EXPECT_EQ(p.take_buffered(), "\x81\x80");
}

TEST(HttpParser, HeaderTokens) {
    HttpParser p;
    p.feed("GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\n\r\n");
    ASSERT_EQ(p.next(), Status::Request);
    const HttpRequest r = p.take();
    EXPECT_TRUE(r.header_has_token("connection", "upgrade"));
    EXPECT_FALSE(r.header_has_token("connection", "close"));
}

TEST(HttpParser, ManyPipelinedRequestsKeepMemoryBounded) {
    HttpParser p;
    std::string one = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n";
    std::size_t count = 0;
    for (int round = 0; round < 2000; ++round) {
        p.feed(one);
        while (p.next() == Status::Request) {
            p.take();
            ++count;
        }
        EXPECT_LE(p.buffered(), one.size());
    }
    EXPECT_EQ(count, 2000u);
}

}  // namespace
}  // namespace wsc
