#include "net/HttpResponse.hpp"

namespace wsc {

std::string_view status_text(int status) {
    switch (status) {
        case 100:
            return "Continue";
        case 101:
            return "Switching Protocols";
        case 200:
            return "OK";
        case 204:
            return "No Content";
        case 301:
            return "Moved Permanently";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 413:
            return "Content Too Large";
        case 426:
            return "Upgrade Required";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 501:
            return "Not Implemented";
        case 503:
            return "Service Unavailable";
        case 505:
            return "HTTP Version Not Supported";
        default:
            break;
    }
    if (status >= 200 && status < 300) return "OK";
    if (status >= 400 && status < 500) return "Client Error";
    return "Server Error";
}

std::string serialize(const HttpResponse& response) {
    std::string out;
    out.reserve(256 + response.body.size());
    out += "HTTP/1.1 ";
    out += std::to_string(response.status);
    out += ' ';
    out += status_text(response.status);
    out += "\r\ncontent-type: ";
    out += response.content_type;
    out += "\r\ncontent-length: ";
    out += std::to_string(response.body.size());
    out +=
        "\r\naccess-control-allow-origin: *"
        "\r\naccess-control-allow-methods: *"
        "\r\naccess-control-allow-headers: *"
        "\r\naccess-control-expose-headers: *";
    for (const auto& [name, value] : response.headers) {
        out += "\r\n";
        out += name;
        out += ": ";
        out += value;
    }
    if (response.close) out += "\r\nconnection: close";
    out += "\r\n\r\n";
    if (!response.head_only) out += response.body;
    return out;
}

}  // namespace wsc
