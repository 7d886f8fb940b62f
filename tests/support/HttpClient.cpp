// A blocking HTTP/1.1 client for integration tests (see HttpClient.hpp).
#include "tests/support/HttpClient.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>
#include <utility>

#include "tests/support/TcpConnection.hpp"

namespace wsc::test {

namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kHeadEnd = "\r\n\r\n";
// Caps on what a response may send before we call it broken.
constexpr std::size_t kMaxHeadBytes = 64 * 1024;
constexpr std::size_t kMaxChunkLineBytes = 4 * 1024;
// More hex digits than this would overflow a size_t (and no test sends such a body).
constexpr std::size_t kMaxChunkSizeDigits = 15;
constexpr std::size_t kMaxContentLengthDigits = 18;
constexpr int kHttpContinue = 100;
constexpr int kHttpSwitchingProtocols = 101;
constexpr int kHttpOk = 200;
constexpr int kHttpNoContent = 204;
constexpr int kHttpNotModified = 304;
constexpr std::size_t kStatusCodeDigits = 3;

std::string lowercase(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

bool has_header(const std::map<std::string, std::string>& headers, std::string_view name) {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto& kv) { return lowercase(kv.first) == lowercase(name); });
}

std::runtime_error closed_early(uint16_t port) {
    return std::runtime_error("HTTP response from port " + std::to_string(port) +
                              ": connection closed before the response was complete");
}

std::string read_chunked_body(TcpConnection& conn, Clock::time_point deadline) {
    std::string body;
    while (true) {
        const auto line = conn.read_until(kCrlf, deadline, kMaxChunkLineBytes);
        if (!line) throw closed_early(conn.port());
        const std::string_view size_text = trim(std::string_view(*line).substr(
            0, std::min(line->find(';'), line->size() - kCrlf.size())));
        if (size_text.empty() || size_text.size() > kMaxChunkSizeDigits ||
            !std::all_of(size_text.begin(), size_text.end(),
                         [](unsigned char c) { return std::isxdigit(c); })) {
            throw std::runtime_error("HTTP response: bad chunk size line '" + *line + "'");
        }
        const std::size_t size = std::stoul(std::string(size_text), nullptr, 16);
        if (size == 0) break;
        const auto data = conn.read_exact(size, deadline);
        const auto end = conn.read_exact(kCrlf.size(), deadline);
        if (!data || !end) throw closed_early(conn.port());
        if (*end != kCrlf) throw std::runtime_error("HTTP response: chunk not followed by CRLF");
        body += *data;
    }
    // Trailer fields, if any, end with an empty line; we do not keep them.
    while (true) {
        const auto trailer = conn.read_until(kCrlf, deadline, kMaxHeadBytes);
        if (!trailer) throw closed_early(conn.port());
        if (*trailer == kCrlf) return body;
    }
}

std::string read_body(TcpConnection& conn, const HttpResponse& resp, bool head_request,
                      Clock::time_point deadline) {
    if (head_request || resp.status < kHttpOk || resp.status == kHttpNoContent ||
        resp.status == kHttpNotModified) {
        return {};
    }
    if (lowercase(resp.header("transfer-encoding")).find("chunked") != std::string::npos) {
        return read_chunked_body(conn, deadline);
    }
    const std::string length_text = resp.header("content-length");
    if (!length_text.empty()) {
        if (length_text.size() > kMaxContentLengthDigits ||
            !std::all_of(length_text.begin(), length_text.end(),
                         [](unsigned char c) { return std::isdigit(c); })) {
            throw std::runtime_error("HTTP response: bad Content-Length '" + length_text + "'");
        }
        const auto body = conn.read_exact(std::stoull(length_text), deadline);
        if (!body) throw closed_early(conn.port());
        return *body;
    }
    return conn.read_to_eof(deadline);
}

HttpResponse request_over(const TlsClientContext* tls, uint16_t port, std::string method,
                          std::string target, std::string body,
                          std::map<std::string, std::string> headers,
                          std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    TcpConnection conn(port, deadline, tls);

    std::string request = method + " " + target + " HTTP/1.1\r\n";
    if (!has_header(headers, "host")) request += "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
    if (!has_header(headers, "connection")) request += "Connection: close\r\n";
    const bool sends_body =
        !body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
    if (sends_body && !has_header(headers, "content-length") &&
        !has_header(headers, "transfer-encoding")) {
        request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    request += "\r\n";
    request += body;
    // A server may answer (e.g. 413) and close before reading a large body; the send then
    // fails but the answer is what the test wants, so only report the send error if no
    // response head arrives.
    std::optional<std::runtime_error> send_error;
    try {
        conn.send_all(request, deadline);
    } catch (const std::runtime_error& e) {
        send_error = e;
    }

    HttpResponse resp;
    // Interim 1xx responses (other than a protocol switch) precede the real one.
    do {
        const auto head = conn.read_until(kHeadEnd, deadline, kMaxHeadBytes);
        if (!head && send_error) throw *send_error;
        if (!head) throw closed_early(port);
        resp = parse_response_head(*head);
    } while (resp.status >= kHttpContinue && resp.status < kHttpOk &&
             resp.status != kHttpSwitchingProtocols);
    resp.body = read_body(conn, resp, method == "HEAD", deadline);
    return resp;
}

}  // namespace

nlohmann::json HttpResponse::json() const {
    return nlohmann::json::parse(body);
}

std::string HttpResponse::header(std::string_view name) const {
    const auto it = headers.find(lowercase(name));
    return it == headers.end() ? std::string() : it->second;
}

HttpResponse parse_response_head(std::string_view head) {
    HttpResponse resp;
    auto line_end = head.find(kCrlf);
    const std::string_view status_line = head.substr(0, line_end);
    // "HTTP/1.1 200 OK": version, a space, three digits, then an optional reason.
    const auto space = status_line.find(' ');
    const std::string_view digits = space == std::string_view::npos
                                        ? std::string_view{}
                                        : status_line.substr(space + 1, kStatusCodeDigits);
    if (status_line.substr(0, 7) != "HTTP/1." || digits.size() != kStatusCodeDigits ||
        !std::all_of(digits.begin(), digits.end(),
                     [](unsigned char c) { return std::isdigit(c); })) {
        throw std::runtime_error("HTTP response: bad status line '" + std::string(status_line) +
                                 "'");
    }
    resp.status = std::stoi(std::string(digits));

    while (line_end != std::string_view::npos) {
        const auto start = line_end + kCrlf.size();
        line_end = head.find(kCrlf, start);
        const std::string_view line = head.substr(start, line_end - start);
        if (line.empty()) break;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            throw std::runtime_error("HTTP response: bad header line '" + std::string(line) + "'");
        }
        const std::string name = lowercase(trim(line.substr(0, colon)));
        const std::string value(trim(line.substr(colon + 1)));
        auto [it, inserted] = resp.headers.emplace(name, value);
        if (!inserted) it->second += ", " + value;
    }
    return resp;
}

HttpResponse http_request(uint16_t port, std::string method, std::string target, std::string body,
                          std::map<std::string, std::string> headers,
                          std::chrono::milliseconds timeout) {
    return request_over(nullptr, port, std::move(method), std::move(target), std::move(body),
                        std::move(headers), timeout);
}

HttpResponse https_request(const TlsClientContext& tls, uint16_t port, std::string method,
                           std::string target, std::string body,
                           std::map<std::string, std::string> headers,
                           std::chrono::milliseconds timeout) {
    return request_over(&tls, port, std::move(method), std::move(target), std::move(body),
                        std::move(headers), timeout);
}

HttpResponse http_get(uint16_t port, std::string target) {
    return http_request(port, "GET", std::move(target));
}

HttpResponse http_post_json(uint16_t port, std::string target, const nlohmann::json& body) {
    return http_request(port, "POST", std::move(target), body.dump(),
                        {{"Content-Type", "application/json"}});
}

std::string url_encode(std::string_view text) {
    static constexpr std::string_view kHex = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved) {
            out += ch;
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0x0F];
        }
    }
    return out;
}

std::string raw_exchange(uint16_t port, std::string_view bytes, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    TcpConnection conn(port, deadline);
    try {
        conn.send_all(bytes, deadline);
    } catch (const std::runtime_error&) {
        // The server may reject junk and close before reading it all; what it sent
        // back is still the interesting part.
    }
    while (conn.fill(deadline) == TcpConnection::Fill::Data) {
    }
    return std::exchange(conn.buffer(), {});
}

}  // namespace wsc::test
