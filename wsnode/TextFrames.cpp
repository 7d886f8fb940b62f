// Server text frames written back to back; see TextFrames.hpp.
#include "wsnode/TextFrames.hpp"

#include <cstdint>

namespace wsc {

namespace {

constexpr unsigned char kFinText = 0x81;            // FIN + opcode 1 (text)
constexpr std::size_t kMaxShortLength = 125;        // fits the 7-bit length
constexpr std::size_t kMaxMediumLength = 0xFFFF;    // fits the 16-bit length
constexpr unsigned char kMediumLengthMarker = 126;  // a 16-bit length follows
constexpr unsigned char kLongLengthMarker = 127;    // a 64-bit length follows
constexpr int kBitsPerByte = 8;

void append_big_endian(std::vector<unsigned char>& out, std::uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; --i)
        out.push_back(static_cast<unsigned char>(value >> (i * kBitsPerByte)));
}

}  // namespace

std::size_t text_frame_size(std::size_t payload_bytes) {
    if (payload_bytes <= kMaxShortLength) return 2 + payload_bytes;
    if (payload_bytes <= kMaxMediumLength) return 4 + payload_bytes;
    return kMaxFrameHeaderBytes + payload_bytes;
}

void append_text_frame(std::vector<unsigned char>& out, std::string_view payload) {
    out.push_back(kFinText);
    const std::size_t n = payload.size();
    if (n <= kMaxShortLength) {
        out.push_back(static_cast<unsigned char>(n));
    } else if (n <= kMaxMediumLength) {
        out.push_back(kMediumLengthMarker);
        append_big_endian(out, n, 2);
    } else {
        out.push_back(kLongLengthMarker);
        append_big_endian(out, n, kBitsPerByte);
    }
    out.insert(out.end(), payload.begin(), payload.end());
}

}  // namespace wsc
