// WebhookQueue: batches, order across failures, backoff and its cap, jitter,
// the bound and its drops, batch ids.
#include "registry/WebhookQueue.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace wsc {
namespace {

using namespace std::chrono_literals;
using Clock = WebhookQueue::Clock;

const Clock::time_point t0{1000s};

WebhookQueue::Random fixed(double r) {
    return [r] { return r; };
}

std::string event(int i) {
    return "{\"n\":" + std::to_string(i) + "}";
}

TEST(WebhookQueue, BatchesTakeUpToMaxBatchFromTheHead) {
    WebhookQueue q("reg", 3, 100, fixed(0));
    EXPECT_EQ(q.next_batch(t0), nullptr);  // nothing queued
    EXPECT_FALSE(q.next_due().has_value());
    for (int i = 0; i < 7; ++i) ASSERT_TRUE(q.push(event(i)));
    EXPECT_EQ(q.depth(), 7u);
    ASSERT_TRUE(q.next_due().has_value());
    EXPECT_LE(*q.next_due(), t0);  // due already

    const auto* b = q.next_batch(t0);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->events, 3u);
    EXPECT_EQ(b->body, R"({"events":[{"n":0},{"n":1},{"n":2}]})");
    EXPECT_EQ(q.next_batch(t0), nullptr);  // one in flight at a time
    EXPECT_FALSE(q.next_due().has_value());
    EXPECT_EQ(q.depth(), 7u);  // the batch in flight still counts
    q.done(true, t0);
    EXPECT_EQ(q.depth(), 4u);
    EXPECT_EQ(q.delivered(), 3u);

    b = q.next_batch(t0);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->body, R"({"events":[{"n":3},{"n":4},{"n":5}]})");
    q.done(true, t0);
    b = q.next_batch(t0);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->body, R"({"events":[{"n":6}]})");
    q.done(true, t0);
    EXPECT_EQ(q.depth(), 0u);
    EXPECT_EQ(q.delivered(), 7u);
    EXPECT_EQ(q.next_batch(t0), nullptr);
}

TEST(WebhookQueue, EventTextsAreConcatenatedNotReencoded) {
    WebhookQueue q("reg", 10, 100, fixed(0));
    q.push(R"({"b": 1,  "a":"\u00e9"})");
    q.push("{}");
    const auto* b = q.next_batch(t0);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->body, R"({"events":[{"b": 1,  "a":"\u00e9"},{}]})");
}

TEST(WebhookQueue, AFailedBatchIsRetriedWithItsIdAndNothingPassesIt) {
    WebhookQueue q("reg", 2, 100, fixed(0));
    for (int i = 0; i < 3; ++i) q.push(event(i));
    const auto* b = q.next_batch(t0);
    ASSERT_NE(b, nullptr);
    const std::string id = b->id;
    const std::string body = b->body;
    q.done(false, t0);
    EXPECT_EQ(q.failed_attempts(), 1u);
    EXPECT_EQ(q.depth(), 3u);

    // Events queued meanwhile wait behind the failed batch, which keeps its body.
    q.push(event(3));
    const auto due = q.next_due();
    ASSERT_TRUE(due.has_value());
    EXPECT_GT(*due, t0);
    EXPECT_EQ(q.next_batch(*due - 1ms), nullptr);  // still backing off
    b = q.next_batch(*due);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->id, id);
    EXPECT_EQ(b->body, body);
    q.done(false, *due);
    const auto due2 = *q.next_due();
    b = q.next_batch(due2);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->id, id);
    q.done(true, due2);
    EXPECT_EQ(q.failures_in_row(), 0u);
    EXPECT_EQ(q.delivered(), 2u);

    // After a success: a fresh id, the next events in order, and no waiting.
    ASSERT_TRUE(q.next_due().has_value());
    EXPECT_LE(*q.next_due(), due2);
    b = q.next_batch(due2);
    ASSERT_NE(b, nullptr);
    EXPECT_NE(b->id, id);
    EXPECT_EQ(b->body, R"({"events":[{"n":2},{"n":3}]})");
}

TEST(WebhookQueue, BatchIdsAreFreshAfterEachSuccess) {
    WebhookQueue q("ab12-0", 1, 100, fixed(0));
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) q.push(event(i));
    for (int i = 0; i < 3; ++i) {
        const auto* b = q.next_batch(t0);
        ASSERT_NE(b, nullptr);
        ids.push_back(b->id);
        q.done(true, t0);
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"ab12-0-1", "ab12-0-2", "ab12-0-3"}));
}

TEST(WebhookQueue, BackoffDoublesFromTheFirstAndStopsAtTheCap) {
    // r = 0: exactly half the ceiling; r -> 1: the whole ceiling.
    for (const double r : {0.0, 0.999999}) {
        WebhookQueue q("reg", 1, 10, fixed(r));
        q.push(event(0));
        auto now = t0;
        std::vector<Clock::duration> waits;
        for (int i = 0; i < 12; ++i) {
            ASSERT_NE(q.next_batch(now), nullptr);
            q.done(false, now);
            waits.push_back(q.last_backoff());
            EXPECT_EQ(*q.next_due(), now + q.last_backoff());
            now = *q.next_due();
        }
        const auto ceiling = [](int i) {
            const Clock::duration c = WebhookQueue::kFirstBackoff * (1LL << std::min(i, 20));
            return std::min<Clock::duration>(c, WebhookQueue::kMaxBackoff);
        };
        for (int i = 0; i < 12; ++i) {
            EXPECT_GE(waits[i], ceiling(i) / 2) << i;
            EXPECT_LE(waits[i], ceiling(i)) << i;
            if (r == 0.0) {
                EXPECT_EQ(waits[i], ceiling(i) / 2) << i;
            }
        }
        EXPECT_GE(waits[0], 100ms);
        EXPECT_LE(waits[0], 200ms);
        EXPECT_LE(waits.back(), 10s);  // capped
        EXPECT_GE(waits.back(), 5s);
        EXPECT_EQ(q.failed_attempts(), 12u);
    }
}

TEST(WebhookQueue, JitterStaysWithinItsBoundsAndSpreads) {
    std::mt19937_64 engine(42);
    WebhookQueue q("reg", 1, 10,
                   [&] { return std::uniform_real_distribution<double>(0.0, 1.0)(engine); });
    q.push(event(0));
    Clock::duration lowest = 1h;
    Clock::duration highest{};
    for (int i = 0; i < 500; ++i) {
        ASSERT_NE(q.next_batch(t0 + 1h * i), nullptr);
        q.done(false, t0 + 1h * i);
        if (q.failures_in_row() < 7) continue;  // from the 7th on, the ceiling is the cap
        EXPECT_GE(q.last_backoff(), 5s);
        EXPECT_LE(q.last_backoff(), 10s);
        lowest = std::min(lowest, q.last_backoff());
        highest = std::max(highest, q.last_backoff());
    }
    EXPECT_LT(lowest, 5500ms);  // the draws cover the range
    EXPECT_GT(highest, 9500ms);
}

TEST(WebhookQueue, ASuccessStartsTheBackoffOver) {
    WebhookQueue q("reg", 1, 10, fixed(0));
    for (int i = 0; i < 2; ++i) q.push(event(i));
    auto now = t0;
    for (int i = 0; i < 5; ++i) {
        ASSERT_NE(q.next_batch(now), nullptr);
        q.done(false, now);
        now = *q.next_due();
    }
    EXPECT_EQ(q.last_backoff(), 1600ms);
    ASSERT_NE(q.next_batch(now), nullptr);
    q.done(true, now);
    EXPECT_EQ(q.last_backoff(), Clock::duration{});
    ASSERT_NE(q.next_batch(now), nullptr);
    q.done(false, now);
    EXPECT_EQ(q.last_backoff(), 100ms);
}

TEST(WebhookQueue, BoundedNewEventsAreDroppedAndCounted) {
    WebhookQueue q("reg", 2, 3, fixed(0));
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(q.push(event(i)));
    EXPECT_FALSE(q.push(event(3)));
    EXPECT_FALSE(q.push(event(4)));
    EXPECT_EQ(q.dropped(), 2u);
    EXPECT_EQ(q.depth(), 3u);

    // The batch in flight still holds its place; room comes once it is delivered.
    ASSERT_NE(q.next_batch(t0), nullptr);
    EXPECT_FALSE(q.push(event(5)));
    q.done(true, t0);
    EXPECT_TRUE(q.push(event(6)));
    EXPECT_EQ(q.dropped(), 3u);
    const auto* b = q.next_batch(t0);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->body, R"({"events":[{"n":2},{"n":6}]})");  // the oldest kept, in order
}

TEST(WebhookQueue, DoneWithoutABatchInFlightIsIgnored) {
    WebhookQueue q("reg", 2, 3, fixed(0));
    q.done(true, t0);
    q.done(false, t0);
    EXPECT_EQ(q.failed_attempts(), 0u);
    q.push(event(0));
    q.done(false, t0);
    EXPECT_NE(q.next_batch(t0), nullptr);  // not backing off
}

}  // namespace
}  // namespace wsc
