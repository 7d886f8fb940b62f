// The server side of the WebSocket opening handshake (RFC 6455 §4.2): is a
// request an upgrade, is it a valid one, and the 101 answer that accepts it.
#pragma once

#include <string>
#include <string_view>

#include "net/HttpParser.hpp"

namespace wsc {

// True when the request asks for a WebSocket ("Upgrade: websocket").
bool wants_websocket(const HttpRequest& request);

struct UpgradeCheck {
    int status = 0;        // 0: valid; else the HTTP status to refuse with
    std::string reason;    // why it was refused
    std::string accept;    // Sec-WebSocket-Accept for a valid request
    std::string protocol;  // the subprotocol to confirm ("" for none)
};

// Checks an upgrade request. `protocol` is the one subprotocol the server
// speaks: it is confirmed when the client offers it, and a client that offers
// only others is still accepted, without one (RFC 6455 §4.2.2).
UpgradeCheck check_upgrade(const HttpRequest& request, std::string_view protocol);

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
std::string websocket_accept(std::string_view key);

// The "101 Switching Protocols" answer.
std::string switching_protocols(const UpgradeCheck& check);

}  // namespace wsc
