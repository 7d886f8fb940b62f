// Ids: shape of random ids, uniqueness across calls and threads, validation.
#include "common/Ids.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace wsc {
namespace {

TEST(Ids, RandomIdIs32LowercaseHex) {
    for (int i = 0; i < 100; ++i) {
        const std::string id = random_hex_id();
        EXPECT_EQ(id.size(), 32u);
        EXPECT_TRUE(is_hex_id(id)) << id;
    }
}

TEST(Ids, RandomIdsAreUnique) {
    constexpr int kCount = 10000;
    std::set<std::string> ids;
    for (int i = 0; i < kCount; ++i) ids.insert(random_hex_id());
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(kCount));
}

TEST(Ids, EveryHexDigitAppearsInEveryPosition) {
    // A digit stuck at one value (e.g. unused high bits) would show here.
    std::vector<std::set<char>> seen(32);
    for (int i = 0; i < 2000; ++i) {
        const std::string id = random_hex_id();
        for (std::size_t p = 0; p < id.size(); ++p) seen[p].insert(id[p]);
    }
    for (std::size_t p = 0; p < seen.size(); ++p) EXPECT_EQ(seen[p].size(), 16u) << p;
}

TEST(Ids, ThreadsGetDistinctIds) {
    constexpr int kThreads = 4;
    constexpr int kPerThread = 1000;
    std::mutex mutex;
    std::set<std::string> ids;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            std::vector<std::string> mine;
            for (int i = 0; i < kPerThread; ++i) mine.push_back(random_hex_id());
            const std::lock_guard lock(mutex);
            ids.insert(mine.begin(), mine.end());
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kPerThread));
}

TEST(Ids, IsHexIdChecksLengthAndAlphabet) {
    EXPECT_TRUE(is_hex_id("0123456789abcdef0123456789abcdef"));
    EXPECT_FALSE(is_hex_id(""));
    EXPECT_FALSE(is_hex_id("0123456789abcdef0123456789abcde"));    // 31
    EXPECT_FALSE(is_hex_id("0123456789abcdef0123456789abcdef0"));  // 33
    EXPECT_FALSE(is_hex_id("0123456789ABCDEF0123456789abcdef"));   // uppercase
    EXPECT_FALSE(is_hex_id("0123456789abcdeg0123456789abcdef"));   // g
    EXPECT_FALSE(is_hex_id("0123456789abcdef 123456789abcdef"));   // space
    EXPECT_FALSE(
        is_hex_id(std::string_view("0123456789abcdef\0"
                                   "123456789abcdef",
                                   32)));
}

}  // namespace
}  // namespace wsc
