// Server-to-client WebSocket frames (RFC 6455 §5.2: FIN set, no mask),
// written back to back into one buffer so that everything queued for a
// connection leaves in one send() instead of one per message. Without this
// the node spends most of a broadcast in the kernel, one syscall per frame.
// Control frames (close, pong) are written the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wsc {

// The most a frame header takes: 2 bytes plus a 64-bit length.
inline constexpr std::size_t kMaxFrameHeaderBytes = 10;

// Appends one whole text frame carrying `payload` to `out`.
void append_text_frame(std::vector<unsigned char>& out, std::string_view payload);

// The frame's size on the wire.
std::size_t text_frame_size(std::size_t payload_bytes);

// Frame opcodes (RFC 6455 §5.2).
enum class WsOpcode : std::uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

// The most a control frame (close, ping, pong) may carry.
inline constexpr std::size_t kMaxControlPayloadBytes = 125;

// Appends one whole frame, FIN set and unmasked, as a server sends it. A control
// frame's payload must be at most kMaxControlPayloadBytes (std::invalid_argument).
void append_frame(std::vector<unsigned char>& out, WsOpcode opcode, std::string_view payload);

// A close frame's payload (RFC 6455 §5.5.1): the code, big-endian, then the
// reason, cut at a character boundary so that the whole fits in a control frame.
std::string close_payload(std::uint16_t code, std::string_view reason = {});

}  // namespace wsc
