// HTTP/1.1 responses as bytes: the status line, the headers every wscenter
// answer carries (CORS, length, connection) and the body, ready for one write.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wsc {

struct HttpResponse {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    // Extra headers, e.g. {"location", "/ui/"}.
    std::vector<std::pair<std::string, std::string>> headers;
    bool close = false;  // "connection: close", and the connection ends after it
    // HEAD: the headers say the body's length, the body is not sent.
    bool head_only = false;
};

// The reason phrase of a status code ("OK", "Not Found"...).
std::string_view status_text(int status);

// The whole response on the wire. The API is called from browsers on other
// origins, so every answer allows every one (SPEC §4).
std::string serialize(const HttpResponse& response);

// "HTTP/1.1 100 Continue": the client may send the body it announced.
inline constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace wsc
