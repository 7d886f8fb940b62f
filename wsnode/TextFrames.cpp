// Server text frames written back to back; see TextFrames.hpp.
#include "wsnode/TextFrames.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace wsc {

namespace {

constexpr unsigned char kFin = 0x80;
constexpr unsigned char kControlBit = 0x08;  // opcodes 8-15 are control frames
constexpr std::size_t kCloseCodeBytes = 2;
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
    append_frame(out, WsOpcode::Text, payload);
}

void append_frame(std::vector<unsigned char>& out, WsOpcode opcode, std::string_view payload) {
    const auto op = static_cast<unsigned char>(opcode);
    if ((op & kControlBit) != 0 && payload.size() > kMaxControlPayloadBytes)
        throw std::invalid_argument("control frame payload over 125 bytes");
    out.push_back(static_cast<unsigned char>(kFin | op));
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

std::string close_payload(std::uint16_t code, std::string_view reason) {
    std::size_t keep = std::min(reason.size(), kMaxControlPayloadBytes - kCloseCodeBytes);
    // Do not cut a multi-byte character: back up over continuation bytes (10xxxxxx).
    constexpr unsigned char kContinuationMask = 0xC0;
    constexpr unsigned char kContinuationBits = 0x80;
    if (keep < reason.size()) {
        while (keep > 0 &&
               (static_cast<unsigned char>(reason[keep]) & kContinuationMask) == kContinuationBits)
            --keep;
    }
    std::string out;
    out.push_back(static_cast<char>(code >> kBitsPerByte));
    out.push_back(static_cast<char>(code & 0xFF));
    out.append(reason.substr(0, keep));
    return out;
}

}  // namespace wsc
