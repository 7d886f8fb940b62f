#include "net/Loopback.hpp"

#include <gtest/gtest.h>

namespace wsc {
namespace {

TEST(Loopback, LoopbackAddresses) {
    EXPECT_TRUE(is_loopback_address("127.0.0.1"));
    EXPECT_TRUE(is_loopback_address("127.1.2.3"));
    EXPECT_TRUE(is_loopback_address("::1"));
    EXPECT_TRUE(is_loopback_address("::ffff:127.0.0.1"));
}

TEST(Loopback, OtherAddresses) {
    EXPECT_FALSE(is_loopback_address(""));
    EXPECT_FALSE(is_loopback_address("10.0.0.1"));
    EXPECT_FALSE(is_loopback_address("128.0.0.1"));
    EXPECT_FALSE(is_loopback_address("127.evil.example"));
    EXPECT_FALSE(is_loopback_address("127.0.0"));
    EXPECT_FALSE(is_loopback_address("::ffff:10.0.0.1"));
    EXPECT_FALSE(is_loopback_address("fe80::1"));
    EXPECT_FALSE(is_loopback_address("::2"));
}

}  // namespace
}  // namespace wsc
