// WebSocket framing as a client sees it (RFC 6455 §5.2): parsing the
// unmasked frames a server sends, and building the masked frames a client
// must send. No allocation: the parser only points into the caller's bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wsc::bench {

enum class Opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

struct FrameView {
    Opcode opcode = Opcode::text;
    bool fin = true;
    std::string_view payload;
};

enum class ParseStatus { frame, incomplete, error };

struct ParseResult {
    ParseStatus status = ParseStatus::incomplete;
    std::size_t consumed = 0;  // bytes of the frame when status == frame
    FrameView frame;
    const char* error = "";  // why, when status == error
};

// Looks at the start of `data` for one whole server frame. A masked frame,
// reserved bits, a control frame over 125 bytes or a payload over
// `max_payload` is an error.
ParseResult parse_server_frame(std::string_view data, std::uint64_t max_payload);

// A client frame (FIN set) with an all-zero mask key: valid, and the payload
// bytes stay as they are.
std::string client_frame(Opcode opcode, std::string_view payload);

// A close frame's status code, or 1005 (none given) when it has no payload.
int close_code(std::string_view close_payload);

}  // namespace wsc::bench
