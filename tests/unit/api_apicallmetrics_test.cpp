// API calls counted by event and result code, and their Prometheus text.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "api/ApiCallMetrics.hpp"

namespace wsc {
namespace {

using Result = ApiCallMetrics::Result;

constexpr int kWriters = 2;
constexpr int kCallsPerWriter = 20000;

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(ApiCallMetrics, NothingCountedPrintsNoSeries) {
    const std::string text = ApiCallMetrics().render();
    EXPECT_NE(text.find("# TYPE wscenter_api_calls_total counter\n"), std::string::npos) << text;
    EXPECT_NE(text.find("# TYPE wscenter_api_event_latency_seconds histogram\n"), std::string::npos)
        << text;
    EXPECT_EQ(text.find("wscenter_api_calls_total{"), std::string::npos) << text;
    EXPECT_EQ(text.find("wscenter_api_event_latency_seconds_bucket"), std::string::npos) << text;
}

TEST(ApiCallMetrics, EachResultHasItsCode) {
    ApiCallMetrics m;
    m.record("broadcast", Result::Ok);
    m.record("broadcast", Result::Ok);
    m.record("broadcast", Result::NodeTimeout);
    m.record("getIds", Result::Refused);
    m.record("getIds", Result::BadToken);
    m.record("getIds", Result::TooLarge);
    m.record("getIds", Result::Overloaded);
    const std::string text = m.render();
    EXPECT_TRUE(has_line(text, R"(wscenter_api_calls_total{event="broadcast",code="0"} 2)"))
        << text;
    EXPECT_TRUE(has_line(text, R"(wscenter_api_calls_total{event="broadcast",code="2"} 1)"))
        << text;
    for (const char* code : {"1", "401", "413", "503"})
        EXPECT_TRUE(has_line(
            text,
            std::string(R"(wscenter_api_calls_total{event="getIds",code=")") + code + "\"} 1"))
            << code << "\n"
            << text;
    EXPECT_EQ(m.calls("broadcast", Result::Ok), 2u);
    EXPECT_EQ(m.calls("getIds", Result::Ok), 0u);
}

TEST(ApiCallMetrics, ABatchCountsUnderEachEventAndNoEventUnderOther) {
    ApiCallMetrics m;
    m.record(std::vector<std::string>{"bindId", "sendToGroup"}, Result::Ok);
    m.record(std::vector<std::string>{}, Result::Refused);
    const std::string text = m.render();
    EXPECT_TRUE(has_line(text, R"(wscenter_api_calls_total{event="bindId",code="0"} 1)")) << text;
    EXPECT_TRUE(has_line(text, R"(wscenter_api_calls_total{event="sendToGroup",code="0"} 1)"))
        << text;
    EXPECT_TRUE(has_line(text, R"(wscenter_api_calls_total{event="other",code="1"} 1)")) << text;
}

TEST(ApiCallMetrics, UnknownNamesNeverBecomeLabels) {
    ApiCallMetrics m;
    m.record("evil\"} 99\nfake_metric", Result::Refused);
    const std::string text = m.render();
    EXPECT_EQ(text.find("evil"), std::string::npos) << text;
    EXPECT_TRUE(has_line(text, R"(wscenter_api_calls_total{event="other",code="1"} 1)")) << text;
}

TEST(ApiCallMetrics, LatencyHistogramPerEventIsCumulative) {
    ApiCallMetrics m;
    m.observe_latency_us("getIds", 500);        // <= 1 ms
    m.observe_latency_us("getIds", 3000);       // <= 5 ms
    m.observe_latency_us("getIds", 2'000'000);  // beyond 1 s
    m.observe_latency_us("route", 1000);        // exactly 1 ms: the first bucket
    const std::string text = m.render();
    const std::string b = "wscenter_api_event_latency_seconds_bucket{event=\"getIds\",le=\"";
    EXPECT_TRUE(has_line(text, b + "0.001\"} 1")) << text;
    EXPECT_TRUE(has_line(text, b + "0.002\"} 1")) << text;
    EXPECT_TRUE(has_line(text, b + "0.005\"} 2")) << text;
    EXPECT_TRUE(has_line(text, b + "1\"} 2")) << text;
    EXPECT_TRUE(has_line(text, b + "+Inf\"} 3")) << text;
    EXPECT_TRUE(has_line(text, R"(wscenter_api_event_latency_seconds_count{event="getIds"} 3)"))
        << text;
    EXPECT_TRUE(has_line(text, R"(wscenter_api_event_latency_seconds_sum{event="getIds"} 2.0035)"))
        << text;
    EXPECT_TRUE(
        has_line(text, R"(wscenter_api_event_latency_seconds_bucket{event="route",le="0.001"} 1)"))
        << text;
    EXPECT_EQ(text.find("event=\"broadcast\""), std::string::npos) << text;
}

// Two writers and a reader (an embedding program may read from any thread): nothing is lost.
// Also run under ThreadSanitizer by scripts/tsan.sh.
TEST(ApiCallMetrics, ConcurrentWritersLoseNothing) {
    ApiCallMetrics m;
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w)
        writers.emplace_back([&m] {
            for (int i = 0; i < kCallsPerWriter; ++i) {
                m.record("sendMessageToId", Result::Ok);
                m.observe_latency_us("sendMessageToId", static_cast<std::uint64_t>(i));
            }
        });
    std::thread reader([&m] {
        for (int i = 0; i < kCallsPerWriter / 1000; ++i) (void)m.render();
    });
    for (auto& t : writers) t.join();
    reader.join();
    EXPECT_EQ(m.calls("sendMessageToId", Result::Ok),
              static_cast<std::uint64_t>(kWriters * kCallsPerWriter));
    EXPECT_TRUE(has_line(m.render(),
                         R"(wscenter_api_event_latency_seconds_count{event="sendMessageToId"} )" +
                             std::to_string(kWriters * kCallsPerWriter)));
}

}  // namespace
}  // namespace wsc
