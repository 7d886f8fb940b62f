// WebhookSender against real HTTP receivers on loopback: batches in order,
// signed and named; retries of the same batch; a receiver down and back; a
// slow or dead endpoint beside a healthy one; the queue's bound.
#include "registry/WebhookSender.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "registry/WebhookSignature.hpp"
#include "tests/support/WaitUntil.hpp"
#include "tests/support/WebhookReceiver.hpp"

namespace wsc {
namespace {

using namespace std::chrono_literals;
using test::ReceivedRequest;
using test::wait_until;
using test::WebhookReceiver;
using Clock = std::chrono::steady_clock;

std::string event(int n) {
    return R"({"event":"online","n":)" + std::to_string(n) + "}";
}

// The n of every event of every request, in arrival order.
std::vector<int> numbers(const std::vector<ReceivedRequest>& requests) {
    std::vector<int> out;
    for (const auto& r : requests) {
        const auto body = nlohmann::json::parse(r.body);
        for (const auto& e : body.at("events")) out.push_back(e.at("n").get<int>());
    }
    return out;
}

std::vector<int> range(int from, int to) {
    std::vector<int> out;
    for (int i = from; i < to; ++i) out.push_back(i);
    return out;
}

WebhookConfig config_for(std::vector<std::string> urls) {
    WebhookConfig c;
    c.urls = std::move(urls);
    return c;
}

TEST(WebhookSender, BatchesArriveInOrderSignedAndNamed) {
    WebhookReceiver rx;
    RegistryMetrics metrics;
    auto config = config_for({rx.url("/hooks/a")});
    config.secret = "s3cret";
    config.max_batch = 3;
    WebhookSender sender(config, "reg1", metrics);
    for (int i = 0; i < 10; ++i) sender.post(event(i));  // one hand-off: exact batches
    sender.start();
    ASSERT_TRUE(wait_until([&] { return metrics.webhook_events.load() == 10; }));

    const auto requests = rx.requests();
    ASSERT_EQ(requests.size(), 4u);
    EXPECT_EQ(numbers(requests), range(0, 10));
    std::set<std::string> ids;
    const std::size_t sizes[] = {3, 3, 3, 1};
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto& r = requests[i];
        EXPECT_EQ(r.method, "POST");
        EXPECT_EQ(r.target, "/hooks/a");
        EXPECT_EQ(r.header("content-type"), "application/json");
        EXPECT_EQ(r.header("x-wscenter-signature"), "sha256=" + hmac_sha256_hex("s3cret", r.body));
        EXPECT_EQ(r.header("user-agent"), "wscenter/" WSC_VERSION);
        EXPECT_EQ(r.header("expect"), "");
        EXPECT_EQ(nlohmann::json::parse(r.body).at("events").size(), sizes[i]);
        EXPECT_EQ(r.body.rfind(R"({"events":[{"event":"online","n":)", 0), 0u) << r.body;
        const std::string id = r.header("x-wscenter-delivery");
        EXPECT_EQ(id.rfind("reg1-0-", 0), 0u) << id;
        ids.insert(id);
    }
    EXPECT_EQ(ids.size(), 4u);  // a fresh id per batch
    EXPECT_EQ(metrics.webhook_ok.load(), 4u);
    EXPECT_EQ(metrics.webhook_http_errors.load() + metrics.webhook_failed.load(), 0u);
    EXPECT_EQ(metrics.webhook_queue_depth.load(), 0u);
}

TEST(WebhookSender, NoSecretNoSignature) {
    WebhookReceiver rx;
    RegistryMetrics metrics;
    WebhookSender sender(config_for({rx.url()}), "reg1", metrics);
    sender.start();
    sender.post(event(1));
    ASSERT_TRUE(wait_until([&] { return rx.request_count() == 1; }));
    EXPECT_EQ(rx.requests()[0].header("x-wscenter-signature"), "");
    EXPECT_NE(rx.requests()[0].header("x-wscenter-delivery"), "");
}

TEST(WebhookSender, AFailedBatchIsRetriedUnderItsIdWithoutLossOrDuplicate) {
    WebhookReceiver rx;
    rx.set_status(500);
    RegistryMetrics metrics;
    WebhookSender sender(config_for({rx.url()}), "reg1", metrics);
    for (int i = 0; i < 5; ++i) sender.post(event(i));  // one batch
    sender.start();
    ASSERT_TRUE(wait_until([&] { return metrics.webhook_http_errors.load() >= 3; }));
    rx.set_status(200);
    ASSERT_TRUE(wait_until([&] { return metrics.webhook_events.load() >= 5; }));
    sender.post(event(5));
    ASSERT_TRUE(wait_until([&] { return metrics.webhook_events.load() >= 6; }));

    const auto requests = rx.requests();
    ASSERT_GE(requests.size(), 5u);
    const auto& first = requests.front();
    std::size_t tries = 0;
    for (const auto& r : requests) {
        if (r.header("x-wscenter-delivery") != first.header("x-wscenter-delivery")) continue;
        ++tries;
        EXPECT_EQ(r.body, first.body);  // the same batch, byte for byte
    }
    EXPECT_EQ(tries, requests.size() - 1);  // all but the last POST
    EXPECT_NE(requests.back().header("x-wscenter-delivery"), first.header("x-wscenter-delivery"));
    EXPECT_EQ(numbers({requests.back()}), std::vector<int>{5});
    EXPECT_EQ(metrics.webhook_events.load(), 6u);  // each event delivered once
    EXPECT_EQ(metrics.webhook_ok.load(), 2u);
    EXPECT_EQ(metrics.webhook_http_errors.load(), tries - 1);
}

TEST(WebhookSender, ARedirectIsNotFollowedButRetried) {
    WebhookReceiver rx;
    rx.set_status(301);
    RegistryMetrics metrics;
    WebhookSender sender(config_for({rx.url()}), "reg1", metrics);
    sender.start();
    sender.post(event(0));
    ASSERT_TRUE(wait_until([&] { return metrics.webhook_http_errors.load() >= 2; }));
    EXPECT_EQ(metrics.webhook_events.load(), 0u);
    EXPECT_EQ(metrics.webhook_queue_depth.load(), 1u);
}

TEST(WebhookSender, AReceiverDownForSecondsGetsEverythingInOrderOnceBack) {
    WebhookReceiver rx;
    rx.stop();  // the port now refuses connections
    RegistryMetrics metrics;
    WebhookSender sender(config_for({rx.url()}), "reg1", metrics);
    sender.start();
    const auto down_at = Clock::now();
    for (int i = 0; i < 5; ++i) sender.post(event(i));
    std::this_thread::sleep_for(1500ms);
    for (int i = 5; i < 10; ++i) sender.post(event(i));
    std::this_thread::sleep_until(down_at + 3s);
    EXPECT_GE(metrics.webhook_failed.load(), 3u);
    EXPECT_EQ(metrics.webhook_queue_depth.load(), 10u);

    rx.start();
    const auto back_at = Clock::now();
    ASSERT_TRUE(wait_until([&] { return metrics.webhook_events.load() == 10; }, 10s));
    // The backoff had reached at most 1.6-3.2 s: served within seconds.
    EXPECT_LT(Clock::now() - back_at, 5s);
    EXPECT_EQ(numbers(rx.requests()), range(0, 10));
    EXPECT_EQ(metrics.webhook_queue_depth.load(), 0u);
}

TEST(WebhookSender, ASlowAndADeadEndpointDoNotDelayAHealthyOne) {
    WebhookReceiver slow;
    slow.set_delay(30s);  // answers long after the POST's timeout
    WebhookReceiver dead;
    dead.stop();
    WebhookReceiver healthy;
    RegistryMetrics metrics;
    auto config = config_for({slow.url(), dead.url(), healthy.url()});
    config.timeout_ms = 10000;
    WebhookSender sender(config, "reg1", metrics);
    sender.start();
    for (int i = 0; i < 3; ++i) {
        const auto posted = Clock::now();
        sender.post(event(i));
        ASSERT_TRUE(wait_until([&] { return healthy.request_count() == std::size_t(i) + 1; }));
        EXPECT_LT(Clock::now() - posted, 1s) << i;
        std::this_thread::sleep_for(300ms);
    }
    EXPECT_EQ(numbers(healthy.requests()), range(0, 3));
    EXPECT_EQ(slow.request_count(), 1u);           // its first POST still waits for an answer
    EXPECT_GE(metrics.webhook_failed.load(), 2u);  // the dead one's refusals
    EXPECT_EQ(metrics.webhook_queue_depth.load(), 6u);

    // Stopping without grace does not wait for the slow POST.
    const auto stopping = Clock::now();
    sender.stop();
    EXPECT_LT(Clock::now() - stopping, 1s);
}

TEST(WebhookSender, TheQueueIsBoundedAndDropsAreCounted) {
    WebhookReceiver rx;
    rx.stop();
    RegistryMetrics metrics;
    auto config = config_for({rx.url()});
    config.max_queue = 5;
    WebhookSender sender(config, "reg1", metrics);
    sender.start();
    for (int i = 0; i < 20; ++i) sender.post(event(i));
    ASSERT_TRUE(wait_until([&] {
        return metrics.webhook_dropped.load() == 15 && metrics.webhook_queue_depth.load() == 5;
    }));
    EXPECT_NE(metrics.render().find("wscenter_webhook_dropped_total 15\n"), std::string::npos);
    rx.start();
    ASSERT_TRUE(wait_until([&] { return metrics.webhook_events.load() == 5; }, 10s));
    EXPECT_EQ(numbers(rx.requests()), range(0, 5));  // the oldest are kept
}

TEST(WebhookSender, StopWithGraceDeliversWhatIsQueued) {
    WebhookReceiver rx;
    rx.set_delay(100ms);
    RegistryMetrics metrics;
    auto config = config_for({rx.url()});
    config.max_batch = 1;
    WebhookSender sender(config, "reg1", metrics);
    sender.start();
    for (int i = 0; i < 4; ++i) sender.post(event(i));
    sender.stop(3s);
    EXPECT_EQ(metrics.webhook_events.load(), 4u);
    EXPECT_EQ(numbers(rx.requests()), range(0, 4));
    sender.post(event(9));  // after stop: dropped, counted
    EXPECT_EQ(metrics.webhook_dropped.load(), 1u);
}

TEST(WebhookSender, WantsTheConfiguredKindsOnly) {
    RegistryMetrics metrics;
    auto config = config_for({"http://127.0.0.1:9/"});
    config.events = {"online", "close"};
    const WebhookSender on(config, "reg1", metrics);
    EXPECT_TRUE(on.wants("online"));
    EXPECT_TRUE(on.wants("close"));
    EXPECT_FALSE(on.wants("offline"));
    EXPECT_FALSE(on.wants("message"));
    const WebhookSender off(WebhookConfig{}, "reg1", metrics);
    EXPECT_FALSE(off.wants("online"));
}

TEST(WebhookSender, MetricsAreRendered) {
    RegistryMetrics metrics;
    metrics.webhook_ok = 3;
    metrics.webhook_http_errors = 2;
    metrics.webhook_failed = 1;
    metrics.webhook_events = 7;
    metrics.webhook_queue_depth = 4;
    const std::string text = metrics.render();
    for (const char* line :
         {"wscenter_webhook_deliveries_total{result=\"ok\"} 3\n",
          "wscenter_webhook_deliveries_total{result=\"http_error\"} 2\n",
          "wscenter_webhook_deliveries_total{result=\"failed\"} 1\n",
          "wscenter_webhook_events_total 7\n", "wscenter_webhook_queue_depth 4\n",
          "# TYPE wscenter_webhook_queue_depth gauge\n", "wscenter_webhook_dropped_total 0\n"})
        EXPECT_NE(text.find(line), std::string::npos) << line;
}

}  // namespace
}  // namespace wsc
