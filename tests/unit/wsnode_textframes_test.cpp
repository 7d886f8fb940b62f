// Server text frames: header forms at each length boundary, and frames
// written back to back stay separable.
#include "wsnode/TextFrames.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace wsc {
namespace {

std::vector<unsigned char> frame_of(const std::string& payload) {
    std::vector<unsigned char> out;
    append_text_frame(out, payload);
    return out;
}

TEST(TextFrames, ShortPayloadHasTwoByteHeader) {
    const auto out = frame_of("hi");
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[0], 0x81);  // FIN, text
    EXPECT_EQ(out[1], 2);     // unmasked, length 2
    EXPECT_EQ(out[2], 'h');
    EXPECT_EQ(out[3], 'i');
    EXPECT_EQ(text_frame_size(2), out.size());
}

TEST(TextFrames, EmptyPayload) {
    const auto out = frame_of("");
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[1], 0);
}

TEST(TextFrames, LengthBoundaries) {
    const auto at125 = frame_of(std::string(125, 'a'));
    EXPECT_EQ(at125[1], 125);
    EXPECT_EQ(at125.size(), 127u);

    const auto at126 = frame_of(std::string(126, 'a'));
    EXPECT_EQ(at126[1], 126);
    EXPECT_EQ(at126[2], 0);
    EXPECT_EQ(at126[3], 126);
    EXPECT_EQ(at126.size(), 130u);

    const auto at65535 = frame_of(std::string(65535, 'a'));
    EXPECT_EQ(at65535[1], 126);
    EXPECT_EQ(at65535[2], 0xFF);
    EXPECT_EQ(at65535[3], 0xFF);
    EXPECT_EQ(at65535.size(), 65539u);

    const auto at65536 = frame_of(std::string(65536, 'a'));
    EXPECT_EQ(at65536[1], 127);
    const std::vector<unsigned char> length(at65536.begin() + 2, at65536.begin() + 10);
    EXPECT_EQ(length, (std::vector<unsigned char>{0, 0, 0, 0, 0, 1, 0, 0}));
    EXPECT_EQ(at65536.size(), 65546u);

    for (std::size_t n : {0u, 125u, 126u, 65535u, 65536u})
        EXPECT_EQ(text_frame_size(n), frame_of(std::string(n, 'x')).size()) << n;
}

TEST(TextFrames, BackToBackFramesSplitAgain) {
    std::vector<unsigned char> out;
    const std::vector<std::string> payloads = {"one", std::string(300, 'b'), "", "three"};
    for (const auto& p : payloads) append_text_frame(out, p);

    std::size_t at = 0;
    for (const auto& expected : payloads) {
        ASSERT_LT(at + 1, out.size());
        EXPECT_EQ(out[at], 0x81);
        std::size_t len = out[at + 1];
        std::size_t header = 2;
        if (len == 126) {
            len = (std::size_t{out[at + 2]} << 8) | out[at + 3];
            header = 4;
        }
        ASSERT_LE(at + header + len, out.size());
        EXPECT_EQ(std::string(out.begin() + static_cast<long>(at + header),
                              out.begin() + static_cast<long>(at + header + len)),
                  expected);
        at += header + len;
    }
    EXPECT_EQ(at, out.size());
}

TEST(TextFrames, CloseFrameCarriesCodeAndReason) {
    std::vector<unsigned char> out;
    append_frame(out, WsOpcode::Close, close_payload(1000, "bye"));
    const std::vector<unsigned char> expected{0x88, 5, 0x03, 0xE8, 'b', 'y', 'e'};
    EXPECT_EQ(out, expected);
}

TEST(TextFrames, EmptyCloseAndPongFrames) {
    std::vector<unsigned char> out;
    append_frame(out, WsOpcode::Close, "");
    append_frame(out, WsOpcode::Pong, "ab");
    const std::vector<unsigned char> expected{0x88, 0, 0x8A, 2, 'a', 'b'};
    EXPECT_EQ(out, expected);
}

TEST(TextFrames, ControlPayloadOver125BytesIsRefused) {
    std::vector<unsigned char> out;
    EXPECT_THROW(append_frame(out, WsOpcode::Pong, std::string(126, 'x')), std::invalid_argument);
    EXPECT_NO_THROW(append_frame(out, WsOpcode::Ping, std::string(125, 'x')));
    EXPECT_EQ(out.size(), 127u);
    EXPECT_EQ(out[0], 0x89);
}

TEST(TextFrames, BinaryFrameUsesTheLongLength) {
    std::vector<unsigned char> out;
    append_frame(out, WsOpcode::Binary, std::string(70000, 'z'));
    ASSERT_EQ(out.size(), 70010u);
    EXPECT_EQ(out[0], 0x82);
    EXPECT_EQ(out[1], 127);
}

TEST(TextFrames, CloseReasonIsCutAtACharacterBoundary) {
    // 61 two-byte characters = 122 bytes; 2 more would pass 123 in the middle of one.
    std::string reason;
    for (int i = 0; i < 62; ++i) reason += "\xC3\xA9";
    const std::string p = close_payload(1008, reason);
    EXPECT_EQ(p.size(), 2u + 122u);
    EXPECT_EQ(p.substr(2), reason.substr(0, 122));
    EXPECT_EQ(close_payload(1000, std::string(200, 'a')).size(), 125u);
}

}  // namespace
}  // namespace wsc
