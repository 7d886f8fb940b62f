// Unit tests of Mailbox: the bounded queue of every thread bridge.
#include "common/Mailbox.hpp"

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace wsc {
namespace {

TEST(Mailbox, TakeAllReturnsItemsInOrderAndEmpties) {
    Mailbox<std::string> mailbox(10);
    EXPECT_TRUE(mailbox.push("a"));
    EXPECT_TRUE(mailbox.push("b"));
    EXPECT_TRUE(mailbox.push("c"));
    const auto first = mailbox.take_all();
    EXPECT_EQ(std::vector<std::string>(first.begin(), first.end()),
              (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_TRUE(mailbox.take_all().empty());
}

TEST(Mailbox, RefusesPastCapacityUntilDrained) {
    Mailbox<int> mailbox(2);
    EXPECT_TRUE(mailbox.push(1));
    EXPECT_TRUE(mailbox.push(2));
    EXPECT_FALSE(mailbox.push(3));
    EXPECT_EQ(mailbox.take_all().size(), 2u);
    EXPECT_TRUE(mailbox.push(4));
    const auto rest = mailbox.take_all();
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_EQ(rest.front(), 4);
}

TEST(Mailbox, ARefusedItemIsLeftToTheProducer) {
    Mailbox<std::string> mailbox(1);
    std::string first = "first";
    EXPECT_TRUE(mailbox.push(std::move(first)));
    std::string refused = "kept for the error message";
    EXPECT_FALSE(mailbox.push(std::move(refused)));
    EXPECT_EQ(refused, "kept for the error message");
}

TEST(Mailbox, ConcurrentProducersLoseNothingAndKeepPerProducerOrder) {
    constexpr int kProducers = 4;
    constexpr int kPerProducer = 5000;
    Mailbox<std::pair<int, int>> mailbox(kProducers * kPerProducer);
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p)
        producers.emplace_back([&mailbox, p] {
            for (int i = 0; i < kPerProducer; ++i) ASSERT_TRUE(mailbox.push({p, i}));
        });
    // The consumer drains while the producers run, as the lws thread does.
    std::vector<int> next(kProducers, 0);
    int received = 0;
    bool ordered = true;
    auto drain = [&] {
        for (const auto& [p, i] : mailbox.take_all()) {
            ordered = ordered && (i == next[p]);
            next[p] = i + 1;
            ++received;
        }
    };
    while (received < kProducers * kPerProducer / 2) drain();
    for (auto& t : producers) t.join();
    drain();
    EXPECT_EQ(received, kProducers * kPerProducer);
    EXPECT_TRUE(ordered);
}

}  // namespace
}  // namespace wsc
