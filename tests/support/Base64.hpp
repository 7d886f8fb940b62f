// Standard base64 (RFC 4648, with padding) for the test clients.
//
// Used for the WebSocket handshake key and to check binary client data, which
// upstream events carry base64-encoded.
#pragma once

#include <string>
#include <string_view>

namespace wsc::test {

std::string base64_encode(std::string_view data);
// Throws std::runtime_error on characters outside the alphabet or bad padding.
std::string base64_decode(std::string_view text);

}  // namespace wsc::test
