// Server text frames: header forms at each length boundary, and frames
// written back to back stay separable.
#include "wsnode/TextFrames.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace wsc
