// WsFrame: header arithmetic of RFC 6455 frames.
#include "bench/WsFrame.hpp"

namespace wsc::bench {

namespace {

constexpr std::uint8_t kFin = 0x80;
constexpr std::uint8_t kReserved = 0x70;
constexpr std::uint8_t kOpcodeMask = 0x0F;
constexpr std::uint8_t kMasked = 0x80;
constexpr std::uint8_t kLenMask = 0x7F;
constexpr std::uint8_t kLen16 = 126;
constexpr std::uint8_t kLen64 = 127;
constexpr std::size_t kMaxControlPayload = 125;
constexpr std::size_t kMaskKeyBytes = 4;
constexpr std::size_t kHeader16 = 4;   // 2 bytes + 16-bit length
constexpr std::size_t kHeader64 = 10;  // 2 bytes + 64-bit length
constexpr std::uint8_t kFirstControlOpcode = 0x8;
constexpr int kNoStatus = 1005;

std::uint8_t byte_at(std::string_view data, std::size_t i) {
    return static_cast<std::uint8_t>(data[i]);
}

}  // namespace

ParseResult parse_server_frame(std::string_view data, std::uint64_t max_payload) {
    ParseResult r;
    if (data.size() < 2) return r;
    const std::uint8_t b0 = byte_at(data, 0);
    const std::uint8_t b1 = byte_at(data, 1);
    auto fail = [&r](const char* why) {
        r.status = ParseStatus::error;
        r.error = why;
        return r;
    };
    if (b0 & kReserved) return fail("reserved bits set");
    if (b1 & kMasked) return fail("masked frame from the server");
    const auto opcode = static_cast<Opcode>(b0 & kOpcodeMask);
    std::size_t header = 2;
    std::uint64_t len = b1 & kLenMask;
    if (len == kLen16) {
        if (data.size() < kHeader16) return r;
        len = (std::uint64_t{byte_at(data, 2)} << 8) | byte_at(data, 3);
        header = kHeader16;
    } else if (len == kLen64) {
        if (data.size() < kHeader64) return r;
        len = 0;
        for (std::size_t i = 2; i < kHeader64; ++i) len = (len << 8) | byte_at(data, i);
        header = kHeader64;
    }
    if ((b0 & kOpcodeMask) >= kFirstControlOpcode && (len > kMaxControlPayload || !(b0 & kFin)))
        return fail("bad control frame");
    if (len > max_payload) return fail("frame over the size limit");
    if (data.size() - header < len) return r;
    r.status = ParseStatus::frame;
    r.consumed = header + static_cast<std::size_t>(len);
    r.frame.opcode = opcode;
    r.frame.fin = (b0 & kFin) != 0;
    r.frame.payload = data.substr(header, static_cast<std::size_t>(len));
    return r;
}

std::string client_frame(Opcode opcode, std::string_view payload) {
    std::string out;
    out.push_back(static_cast<char>(kFin | static_cast<std::uint8_t>(opcode)));
    if (payload.size() < kLen16) {
        out.push_back(static_cast<char>(kMasked | payload.size()));
    } else if (payload.size() <= 0xFFFF) {
        out.push_back(static_cast<char>(kMasked | kLen16));
        out.push_back(static_cast<char>(payload.size() >> 8));
        out.push_back(static_cast<char>(payload.size() & 0xFF));
    } else {
        out.push_back(static_cast<char>(kMasked | kLen64));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.push_back(static_cast<char>((std::uint64_t{payload.size()} >> shift) & 0xFF));
    }
    out.append(kMaskKeyBytes, '\0');  // XOR with zero leaves the payload as is
    out.append(payload);
    return out;
}

int close_code(std::string_view close_payload) {
    if (close_payload.size() < 2) return kNoStatus;
    return (byte_at(close_payload, 0) << 8) | byte_at(close_payload, 1);
}

}  // namespace wsc::bench
