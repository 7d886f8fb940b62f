// A blocking HTTP/1.1 client for integration tests, talking to 127.0.0.1.
//
// Each request uses a fresh connection with "Connection: close", so a test never
// depends on keep-alive behaviour it did not ask for. Bodies may come with a
// Content-Length, chunked, or delimited by the server closing the connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace wsc::test {

class TlsClientContext;

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // lowercased names; repeats joined by ", "
    std::string body;

    // Parses body as JSON; throws nlohmann::json::parse_error if it is not JSON.
    nlohmann::json json() const;
    // Header value, or "" when absent; name is matched case-insensitively.
    std::string header(std::string_view name) const;
};

// One request on a fresh connection. Adds Host, Connection: close and (when there is a
// body or the method is POST/PUT/PATCH) Content-Length unless headers already set them.
// Throws std::runtime_error on connect failure, timeout, or a malformed response.
HttpResponse http_request(uint16_t port, std::string method, std::string target,
                          std::string body = "", std::map<std::string, std::string> headers = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));
// The same over TLS (https://), trusting what `tls` trusts.
HttpResponse https_request(const TlsClientContext& tls, uint16_t port, std::string method,
                           std::string target, std::string body = "",
                           std::map<std::string, std::string> headers = {},
                           std::chrono::milliseconds timeout = std::chrono::seconds(10));
HttpResponse http_get(uint16_t port, std::string target);
// POSTs body.dump() with Content-Type: application/json.
HttpResponse http_post_json(uint16_t port, std::string target, const nlohmann::json& body);

// RFC 3986 percent-encoding of every byte except the unreserved A-Z a-z 0-9 - . _ ~
std::string url_encode(std::string_view text);

// Sends raw bytes on a fresh connection, then returns whatever comes back until the
// server closes or the timeout passes (for junk-input tests). Throws on connect failure.
std::string raw_exchange(uint16_t port, std::string_view bytes,
                         std::chrono::milliseconds timeout = std::chrono::seconds(2));

// Parses a response head (status line and headers, up to and including the blank line).
// Throws std::runtime_error when it is not HTTP/1.x. Shared with the WebSocket handshake.
HttpResponse parse_response_head(std::string_view head);

}  // namespace wsc::test
