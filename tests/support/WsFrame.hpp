// RFC 6455 frame layout for the test WebSocket client and the self-test server.
//
// The layout is known in this file pair only: encoding (with or without a mask),
// incremental parsing from a byte buffer, and the handshake's accept key.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wsc::test {

enum class WsOpcode : uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

const char* to_string(WsOpcode op);

// Largest payload a control frame (close, ping, pong) may carry.
constexpr std::size_t kWsMaxControlPayload = 125;
// Frames claiming more than this are treated as a protocol error instead of being
// buffered: a broken server must fail a test, not exhaust its memory.
constexpr uint64_t kWsMaxFramePayload = uint64_t{64} * 1024 * 1024;
// Close codes used by the clients (RFC 6455 section 7.4.1).
constexpr int kWsCloseNormal = 1000;
constexpr int kWsCloseProtocolError = 1002;
constexpr int kWsCloseNoStatus = 1005;

struct WsFrame {
    bool fin = true;
    WsOpcode opcode = WsOpcode::Text;
    bool masked = false;
    std::string payload;  // already unmasked
};

using WsMask = std::array<unsigned char, 4>;

// The bytes of one frame; a mask is required from clients and forbidden to servers.
std::string encode_ws_frame(WsOpcode opcode, std::string_view payload, bool fin = true,
                            std::optional<WsMask> mask = std::nullopt);

// The bytes of any frame, valid or not, for protocol tests: `first_byte` is sent as
// given (FIN, RSV1-3, opcode, even reserved ones), the length in its shortest form
// unless `length_bytes` asks for the 16-bit (2) or 64-bit (8) form.
std::string encode_raw_ws_frame(unsigned char first_byte, std::string_view payload,
                                std::optional<WsMask> mask, int length_bytes = 0);

// Close frame payload: 2-byte code then an optional reason.
std::string encode_ws_close_payload(int code, std::string_view reason = "");

// Takes one complete frame off the front of buffer; nullopt if it is still incomplete.
// Throws std::runtime_error on reserved bits, unknown opcodes, oversized or fragmented
// control frames, or lengths above kWsMaxFramePayload.
std::optional<WsFrame> parse_ws_frame(std::string& buffer);

// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(sha1(key + RFC 6455 GUID)).
std::string ws_accept_key(std::string_view client_key);

}  // namespace wsc::test
