#include "net/WsHandshake.hpp"

#include <stdexcept>

#include "common/Base64.hpp"
#include "common/Sha1.hpp"

namespace wsc {

namespace {
constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 §1.3
constexpr std::size_t kKeyBytes = 16;  // a Sec-WebSocket-Key is a 16-byte nonce

UpgradeCheck refuse(int status, std::string reason) {
    UpgradeCheck check;
    check.status = status;
    check.reason = std::move(reason);
    return check;
}
}  // namespace

bool wants_websocket(const HttpRequest& request) {
    return request.header_has_token("upgrade", "websocket");
}

UpgradeCheck check_upgrade(const HttpRequest& request, std::string_view protocol) {
    if (request.method != "GET") return refuse(405, "a WebSocket upgrade is a GET");
    if (request.minor_version < 1) return refuse(400, "a WebSocket upgrade needs HTTP/1.1");
    if (!request.header_has_token("connection", "upgrade"))
        return refuse(400, "missing 'Connection: Upgrade'");
    if (request.header("sec-websocket-version") != "13")
        return refuse(426, "only WebSocket version 13 is spoken");
    if (!request.body.empty() || request.has_header("content-length") ||
        request.has_header("transfer-encoding"))
        return refuse(400, "a WebSocket upgrade has no body");
    const std::string_view key = request.header("sec-websocket-key");
    try {
        if (base64_decode(key).size() != kKeyBytes) throw std::runtime_error("size");
    } catch (const std::exception&) {
        return refuse(400, "malformed Sec-WebSocket-Key");
    }
    UpgradeCheck check;
    check.accept = websocket_accept(key);
    if (!protocol.empty() && request.header_has_token("sec-websocket-protocol", protocol))
        check.protocol = std::string(protocol);
    return check;
}

std::string websocket_accept(std::string_view key) {
    std::string input(key);
    input += kGuid;
    return base64_encode(sha1(input));
}

std::string switching_protocols(const UpgradeCheck& check) {
    std::string out =
        "HTTP/1.1 101 Switching Protocols\r\n"
        "upgrade: websocket\r\n"
        "connection: Upgrade\r\n"
        "sec-websocket-accept: ";
    out += check.accept;
    if (!check.protocol.empty()) {
        out += "\r\nsec-websocket-protocol: ";
        out += check.protocol;
    }
    out += "\r\n\r\n";
    return out;
}

}  // namespace wsc
