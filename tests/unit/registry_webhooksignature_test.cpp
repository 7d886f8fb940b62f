// WebhookSignature: HMAC-SHA256 against the test vectors of RFC 4231.
#include "registry/WebhookSignature.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wsc {
namespace {

std::string bytes(std::size_t n, unsigned char value) {
    return std::string(n, static_cast<char>(value));
}

TEST(WebhookSignature, Rfc4231TestVectors) {
    struct Case {
        std::string key;
        std::string data;
        std::string hex;
    };
    std::string key4;
    for (unsigned char b = 0x01; b <= 0x19; ++b) key4.push_back(static_cast<char>(b));
    const Case cases[] = {
        {bytes(20, 0x0b), "Hi There",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {"Jefe", "what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {bytes(20, 0xaa), bytes(50, 0xdd),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
        {key4, bytes(50, 0xcd), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
        {bytes(131, 0xaa), "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {bytes(131, 0xaa),
         "This is a test using a larger than block-size key and a larger than block-size "
         "data. The key needs to be hashed before being used by the HMAC algorithm.",
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
    for (const auto& c : cases) EXPECT_EQ(hmac_sha256_hex(c.key, c.data), c.hex) << c.data;
}

// Test case 5 of RFC 4231 gives only the first 128 bits of the MAC.
TEST(WebhookSignature, Rfc4231TruncatedVector) {
    EXPECT_EQ(hmac_sha256_hex(bytes(20, 0x0c), "Test With Truncation").substr(0, 32),
              "a3b6167473100ee06e0c796c2955552b");
}

TEST(WebhookSignature, EmptyKeyAndBodyAreStillSigned) {
    EXPECT_EQ(hmac_sha256_hex("", ""),
              "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(WebhookSignature, BytesOutsideAsciiAreSignedAsTheyAre) {
    const std::string body = std::string("{\"x\":\"\xc3\xa9\0\"}", 11);
    EXPECT_NE(hmac_sha256_hex("k", body), hmac_sha256_hex("k", body.substr(0, 10)));
    EXPECT_EQ(hmac_sha256_hex("k", body).size(), 64u);
}

}  // namespace
}  // namespace wsc
