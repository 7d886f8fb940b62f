// RFC 6455 frame layout (see WsFrame.hpp).
#include "tests/support/WsFrame.hpp"

#include <stdexcept>

#include "common/Base64.hpp"
#include "common/Sha1.hpp"

namespace wsc::test {

namespace {

constexpr unsigned char kFinBit = 0x80;
constexpr unsigned char kRsvBits = 0x70;
constexpr unsigned char kOpcodeBits = 0x0F;
constexpr unsigned char kMaskBit = 0x80;
constexpr unsigned char kLengthBits = 0x7F;
// 7-bit length values that announce a 16-bit or a 64-bit extended length.
constexpr unsigned char kLength16 = 126;
constexpr unsigned char kLength64 = 127;
constexpr std::size_t kMax7BitLength = 125;
constexpr std::size_t kMax16BitLength = 0xFFFF;
constexpr unsigned char kControlOpcodeBit = 0x8;
constexpr std::string_view kHandshakeGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool known_opcode(unsigned op) {
    switch (static_cast<WsOpcode>(op)) {
        case WsOpcode::Continuation:
        case WsOpcode::Text:
        case WsOpcode::Binary:
        case WsOpcode::Close:
        case WsOpcode::Ping:
        case WsOpcode::Pong:
            return true;
    }
    return false;
}

}  // namespace

const char* to_string(WsOpcode op) {
    switch (op) {
        case WsOpcode::Continuation:
            return "continuation";
        case WsOpcode::Text:
            return "text";
        case WsOpcode::Binary:
            return "binary";
        case WsOpcode::Close:
            return "close";
        case WsOpcode::Ping:
            return "ping";
        case WsOpcode::Pong:
            return "pong";
    }
    return "unknown";
}

std::string encode_ws_frame(WsOpcode opcode, std::string_view payload, bool fin,
                            std::optional<WsMask> mask) {
    std::string out;
    out.reserve(payload.size() + 14);
    out += static_cast<char>((fin ? kFinBit : 0) | static_cast<unsigned char>(opcode));
    const unsigned char mask_bit = mask ? kMaskBit : 0;
    if (payload.size() <= kMax7BitLength) {
        out += static_cast<char>(mask_bit | payload.size());
    } else if (payload.size() <= kMax16BitLength) {
        out += static_cast<char>(mask_bit | kLength16);
        out += static_cast<char>((payload.size() >> 8) & 0xFF);
        out += static_cast<char>(payload.size() & 0xFF);
    } else {
        out += static_cast<char>(mask_bit | kLength64);
        const uint64_t len = payload.size();
        for (int i = 7; i >= 0; --i) out += static_cast<char>((len >> (8 * i)) & 0xFF);
    }
    if (!mask) {
        out.append(payload);
        return out;
    }
    for (const unsigned char b : *mask) out += static_cast<char>(b);
    const std::size_t start = out.size();
    out.append(payload);
    for (std::size_t i = 0; i < payload.size(); ++i) {
        out[start + i] = static_cast<char>(static_cast<unsigned char>(out[start + i]) ^
                                           (*mask)[i % mask->size()]);
    }
    return out;
}

std::string encode_raw_ws_frame(unsigned char first_byte, std::string_view payload,
                                std::optional<WsMask> mask, int length_bytes) {
    std::string out(1, static_cast<char>(first_byte));
    const unsigned char mask_bit = mask ? kMaskBit : 0;
    const uint64_t len = payload.size();
    if (length_bytes == 0 && len <= kMax7BitLength) {
        out += static_cast<char>(mask_bit | len);
    } else if (length_bytes != 8 && len <= kMax16BitLength) {
        out += static_cast<char>(mask_bit | kLength16);
        out += static_cast<char>((len >> 8) & 0xFF);
        out += static_cast<char>(len & 0xFF);
    } else {
        out += static_cast<char>(mask_bit | kLength64);
        for (int i = 7; i >= 0; --i) out += static_cast<char>((len >> (8 * i)) & 0xFF);
    }
    if (!mask) return out.append(payload);
    for (const unsigned char b : *mask) out += static_cast<char>(b);
    for (std::size_t i = 0; i < payload.size(); ++i) {
        out +=
            static_cast<char>(static_cast<unsigned char>(payload[i]) ^ (*mask)[i % mask->size()]);
    }
    return out;
}

std::string encode_ws_close_payload(int code, std::string_view reason) {
    std::string out;
    out += static_cast<char>((code >> 8) & 0xFF);
    out += static_cast<char>(code & 0xFF);
    out.append(reason);
    return out;
}

std::optional<WsFrame> parse_ws_frame(std::string& buffer) {
    const auto byte = [&buffer](std::size_t i) { return static_cast<unsigned char>(buffer[i]); };
    std::size_t header = 2;
    if (buffer.size() < header) return std::nullopt;

    const unsigned char b0 = byte(0);
    const unsigned char b1 = byte(1);
    if ((b0 & kRsvBits) != 0) {
        throw std::runtime_error("websocket: reserved bits set (no extension was negotiated)");
    }
    const unsigned op = b0 & kOpcodeBits;
    if (!known_opcode(op)) {
        throw std::runtime_error("websocket: unknown opcode " + std::to_string(op));
    }
    WsFrame frame;
    frame.fin = (b0 & kFinBit) != 0;
    frame.opcode = static_cast<WsOpcode>(op);
    frame.masked = (b1 & kMaskBit) != 0;

    uint64_t length = b1 & kLengthBits;
    if (length == kLength16) {
        header += 2;
        if (buffer.size() < header) return std::nullopt;
        length = (uint64_t{byte(2)} << 8) | byte(3);
    } else if (length == kLength64) {
        header += 8;
        if (buffer.size() < header) return std::nullopt;
        length = 0;
        for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | byte(i);
    }
    if ((op & kControlOpcodeBit) != 0 && (!frame.fin || length > kWsMaxControlPayload)) {
        throw std::runtime_error(std::string("websocket: invalid ") + to_string(frame.opcode) +
                                 " frame (fragmented or longer than 125 bytes)");
    }
    if (length > kWsMaxFramePayload) {
        throw std::runtime_error("websocket: frame of " + std::to_string(length) +
                                 " bytes exceeds the test limit");
    }
    WsMask mask{};
    if (frame.masked) {
        if (buffer.size() < header + mask.size()) return std::nullopt;
        for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = byte(header + i);
        header += mask.size();
    }
    const auto size = static_cast<std::size_t>(length);
    if (buffer.size() < header + size) return std::nullopt;

    frame.payload = buffer.substr(header, size);
    if (frame.masked) {
        for (std::size_t i = 0; i < size; ++i) {
            frame.payload[i] = static_cast<char>(static_cast<unsigned char>(frame.payload[i]) ^
                                                 mask[i % mask.size()]);
        }
    }
    buffer.erase(0, header + size);
    return frame;
}

std::string ws_accept_key(std::string_view client_key) {
    std::string input(client_key);
    input.append(kHandshakeGuid);
    return base64_encode(sha1(input));
}

}  // namespace wsc::test
