// An incremental HTTP/1.1 request parser (RFC 9112) for the registry's API
// and a node's port, written for hostile input: every size is bounded, every
// ambiguity that could smuggle a second request (two lengths, a length and
// chunking, folded headers) is refused, and pipelined requests come out one
// at a time, in order, so that each gets exactly one answer.
//
// No sockets here: the connection code feeds the bytes it reads and takes
// complete requests out.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wsc {

struct HttpLimits {
    std::size_t max_head_bytes = 8 * 1024;  // request line and headers
    std::size_t max_headers = 64;
    std::size_t max_body_bytes = 1 << 20;
};

struct HttpRequest {
    std::string method;  // as sent, e.g. "GET"
    std::string target;  // the request target, e.g. "/x?a=1"
    std::string path;    // the target before '?', not decoded
    std::string query;   // the target after '?', not decoded
    int minor_version = 1;
    std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
    std::string body;                                          // decoded from chunks when chunked
    bool keep_alive = true;

    // The first value of a header ("" when absent); `name` in lower case.
    std::string_view header(std::string_view name) const;
    bool has_header(std::string_view name) const;
    // True when a comma-separated header lists `token` (case-insensitive).
    bool header_has_token(std::string_view name, std::string_view token) const;
};

// Why a request was refused; `status` is the HTTP status to answer with
// before closing the connection.
struct HttpError {
    int status = 400;
    std::string reason;
};

class HttpParser {
  public:
    explicit HttpParser(HttpLimits limits = {}) : limits_(limits) {}

    // Appends received bytes. Nothing is parsed until next().
    void feed(std::string_view data) { buffer_.append(data); }

    enum class Status { NeedMore, Request, Error };
    // Parses what was fed: a whole request (taken with take()), an error
    // (error()), or NeedMore. After an error the parser stays in error.
    Status next();
    HttpRequest take() { return std::exchange(request_, HttpRequest{}); }
    const HttpError& error() const { return error_; }

    // True once the head of the current request is in and its body is not:
    // whether it asked for "100 Continue" tells expects_continue().
    bool in_body() const { return state_ == State::Body || state_ == State::Chunks; }
    bool expects_continue() const { return in_body() && expect_continue_; }
    // True while part of a request has arrived (its head or body unfinished).
    bool mid_request() const { return state_ != State::Head || buffered() > 0; }
    // Bytes received and not yet taken as part of a request (pipelined
    // requests, or data after an upgrade request: the first WebSocket frames).
    std::size_t buffered() const { return buffer_.size() - pos_; }
    std::string take_buffered();

  private:
    enum class State { Head, Body, Chunks, Failed };
    Status fail(int status, std::string reason);
    Status parse_head(std::string_view head);
    Status parse_chunks();
    void compact();

    HttpLimits limits_;
    std::string buffer_;
    std::size_t pos_ = 0;  // bytes of buffer_ already consumed
    State state_ = State::Head;
    HttpRequest request_;
    HttpError error_;
    std::size_t body_left_ = 0;  // Body: bytes still to come
    bool expect_continue_ = false;
    // Chunks: what the chunk parser waits for.
    enum class ChunkPart { Size, Data, DataEnd, Trailer } chunk_part_ = ChunkPart::Size;
    std::size_t chunk_left_ = 0;
    std::size_t trailer_bytes_ = 0;
};

}  // namespace wsc
