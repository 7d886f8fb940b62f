// SHA-1, only for the WebSocket handshake's Sec-WebSocket-Accept key (the
// node computes it, the test clients check it).
//
// RFC 6455 fixes SHA-1 for the accept key; a small local version needs no
// crypto library. Not for anything security-related.
#pragma once

#include <string>
#include <string_view>

namespace wsc {

// The 20-byte raw digest of data.
std::string sha1(std::string_view data);

}  // namespace wsc
