// Standard base64 (RFC 4648, with padding).
//
// Used for the WebSocket handshake keys and for binary client data, which
// upstream events carry base64-encoded.
#pragma once

#include <string>
#include <string_view>

namespace wsc {

std::string base64_encode(std::string_view data);
// Throws std::runtime_error on characters outside the alphabet or bad padding.
std::string base64_decode(std::string_view text);

}  // namespace wsc
