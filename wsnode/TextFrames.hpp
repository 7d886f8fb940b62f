// Server-to-client WebSocket text frames (RFC 6455 §5.2: FIN set, no mask),
// written back to back into one buffer so that everything queued for a
// connection leaves in one send() instead of one per message. Without this
// the node spends most of a broadcast in the kernel, one syscall per frame.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace wsc {

// The most a frame header takes: 2 bytes plus a 64-bit length.
inline constexpr std::size_t kMaxFrameHeaderBytes = 10;

// Appends one whole text frame carrying `payload` to `out`.
void append_text_frame(std::vector<unsigned char>& out, std::string_view payload);

// The frame's size on the wire.
std::size_t text_frame_size(std::size_t payload_bytes);

}  // namespace wsc
