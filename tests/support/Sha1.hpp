// SHA-1, only for the WebSocket handshake's Sec-WebSocket-Accept check.
//
// RFC 6455 fixes SHA-1 for the accept key; a small local version keeps the test
// clients free of a crypto library. Not for anything security-related.
#pragma once

#include <string>
#include <string_view>

namespace wsc::test {

// The 20-byte raw digest of data.
std::string sha1(std::string_view data);

}  // namespace wsc::test
