#include "net/HttpParser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace wsc {

namespace {

constexpr std::size_t kMaxChunkLine = 1024;     // a chunk size with its extensions
constexpr std::size_t kMaxTrailerBytes = 8192;  // trailer fields after the last chunk

bool is_token_char(unsigned char c) {
    return std::isalnum(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// The next line of `text` from `pos` (without its CRLF or LF), advancing pos.
std::string_view next_line(std::string_view text, std::size_t& pos) {
    const auto nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

}  // namespace

std::string_view HttpRequest::header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (key == name) return value;
    return {};
}

bool HttpRequest::has_header(std::string_view name) const {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto& h) { return h.first == name; });
}

bool HttpRequest::header_has_token(std::string_view name, std::string_view token) const {
    for (const auto& [key, value] : headers) {
        if (key != name) continue;
        std::string_view rest = value;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            if (iequals(trim_ows(rest.substr(0, comma)), token)) return true;
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    return false;
}

HttpParser::Status HttpParser::fail(int status, std::string reason) {
    state_ = State::Failed;
    error_ = HttpError{status, std::move(reason)};
    buffer_.clear();
    pos_ = 0;
    return Status::Error;
}

std::string HttpParser::take_buffered() {
    std::string out = buffer_.substr(pos_);
    buffer_.clear();
    pos_ = 0;
    return out;
}

void HttpParser::compact() {
    // Consumed bytes are dropped once they are the bigger part, so a long
    // pipelined stream costs linear time and bounded memory.
    if (pos_ > 0 && pos_ * 2 >= buffer_.size()) {
        buffer_.erase(0, pos_);
        pos_ = 0;
    }
}

HttpParser::Status HttpParser::next() {
    switch (state_) {
        case State::Failed:
            return Status::Error;
        case State::Head: {
            // Empty lines before a request line are allowed (RFC 9112 §2.2).
            while (pos_ < buffer_.size() && (buffer_[pos_] == '\r' || buffer_[pos_] == '\n'))
                ++pos_;
            const std::string_view rest = std::string_view(buffer_).substr(pos_);
            std::size_t end = std::string_view::npos;
            for (std::size_t i = rest.find('\n'); i != std::string_view::npos;
                 i = rest.find('\n', i + 1)) {
                if (i + 1 < rest.size() && rest[i + 1] == '\n') {
                    end = i + 2;
                    break;
                }
                if (i + 2 < rest.size() && rest[i + 1] == '\r' && rest[i + 2] == '\n') {
                    end = i + 3;
                    break;
                }
                if (i > limits_.max_head_bytes) break;
            }
            if (end == std::string_view::npos || end > limits_.max_head_bytes) {
                if (rest.size() > limits_.max_head_bytes)
                    return fail(431, "request head over " + std::to_string(limits_.max_head_bytes) +
                                         " bytes");
                compact();
                return Status::NeedMore;
            }
            const Status head = parse_head(rest.substr(0, end));
            if (head == Status::Error) return head;
            pos_ += end;
            if (state_ == State::Head) {
                compact();
                return Status::Request;
            }
            return next();  // the body may be here already
        }
        case State::Body: {
            const std::size_t n = std::min(body_left_, buffer_.size() - pos_);
            request_.body.append(buffer_, pos_, n);
            pos_ += n;
            body_left_ -= n;
            compact();
            if (body_left_ > 0) return Status::NeedMore;
            state_ = State::Head;
            return Status::Request;
        }
        case State::Chunks: {
            const Status chunks = parse_chunks();
            compact();
            return chunks;
        }
    }
    return Status::NeedMore;
}

HttpParser::Status HttpParser::parse_head(std::string_view head) {
    request_ = HttpRequest{};
    expect_continue_ = false;
    std::size_t pos = 0;
    const std::string_view line = next_line(head, pos);
    const auto sp1 = line.find(' ');
    const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
        return fail(400, "malformed request line");
    const std::string_view method = line.substr(0, sp1);
    const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = line.substr(sp2 + 1);
    if (method.empty() || !std::all_of(method.begin(), method.end(),
                                       [](unsigned char c) { return is_token_char(c); }))
        return fail(400, "malformed method");
    if (target.empty() || std::any_of(target.begin(), target.end(),
                                      [](unsigned char c) { return c <= 0x20 || c == 0x7f; }))
        return fail(400, "malformed request target");
    if (version.size() != 8 || version.substr(0, 7) != "HTTP/1." || version[7] < '0' ||
        version[7] > '9')
        return fail(505, "only HTTP/1.x is served");
    request_.method = std::string(method);
    request_.target = std::string(target);
    const auto q = target.find('?');
    request_.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) request_.query = std::string(target.substr(q + 1));
    request_.minor_version = version[7] - '0';

    while (pos < head.size()) {
        const std::string_view field = next_line(head, pos);
        if (field.empty()) break;
        if (field.front() == ' ' || field.front() == '\t')
            return fail(400, "folded header lines are not accepted");
        const auto colon = field.find(':');
        if (colon == std::string_view::npos || colon == 0) return fail(400, "malformed header");
        const std::string_view name = field.substr(0, colon);
        if (!std::all_of(name.begin(), name.end(),
                         [](unsigned char c) { return is_token_char(c); }))
            return fail(400, "malformed header name");
        const std::string_view value = trim_ows(field.substr(colon + 1));
        if (std::any_of(value.begin(), value.end(),
                        [](unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; }))
            return fail(400, "control character in a header");
        if (request_.headers.size() == limits_.max_headers)
            return fail(431, "more than " + std::to_string(limits_.max_headers) + " headers");
        request_.headers.emplace_back(lower(name), std::string(value));
    }

    request_.keep_alive = request_.minor_version >= 1
                              ? !request_.header_has_token("connection", "close")
                              : request_.header_has_token("connection", "keep-alive");

    // Message framing (RFC 9112 §6.3). Anything ambiguous is refused: a
    // second reading of the same bytes is how requests get smuggled.
    std::optional<std::size_t> length;
    bool chunked = false;
    for (const auto& [key, value] : request_.headers) {
        if (key == "content-length") {
            std::size_t n = 0;
            const auto* end = value.data() + value.size();
            const auto [ptr, ec] = std::from_chars(value.data(), end, n);
            if (value.empty() || ec != std::errc() || ptr != end)
                return fail(400, "malformed content-length");
            if (length && *length != n) return fail(400, "conflicting content-length headers");
            length = n;
        } else if (key == "transfer-encoding") {
            if (chunked || !iequals(trim_ows(value), "chunked"))
                return fail(501, "only the chunked transfer coding is accepted");
            chunked = true;
        }
    }
    if (chunked && length) return fail(400, "both content-length and transfer-encoding");
    if (request_.minor_version == 0 && chunked)
        return fail(400, "transfer-encoding in an HTTP/1.0 request");
    if (length && *length > limits_.max_body_bytes)
        return fail(413, "body over " + std::to_string(limits_.max_body_bytes) + " bytes");
    expect_continue_ = request_.header_has_token("expect", "100-continue");
    if (chunked) {
        state_ = State::Chunks;
        chunk_part_ = ChunkPart::Size;
        trailer_bytes_ = 0;
    } else if (length && *length > 0) {
        state_ = State::Body;
        body_left_ = *length;
        request_.body.reserve(*length);
    } else {
        state_ = State::Head;
    }
    return Status::Request;
}

HttpParser::Status HttpParser::parse_chunks() {
    for (;;) {
        const std::string_view rest = std::string_view(buffer_).substr(pos_);
        switch (chunk_part_) {
            case ChunkPart::Size: {
                const auto nl = rest.find('\n');
                if (nl == std::string_view::npos) {
                    if (rest.size() > kMaxChunkLine) return fail(400, "chunk size line too long");
                    return Status::NeedMore;
                }
                if (nl > kMaxChunkLine) return fail(400, "chunk size line too long");
                std::size_t p = 0;
                std::string_view line = next_line(rest, p);
                line = line.substr(0, line.find(';'));  // chunk extensions are ignored
                line = trim_ows(line);
                std::size_t size = 0;
                const auto [ptr, ec] =
                    std::from_chars(line.data(), line.data() + line.size(), size, 16);
                if (line.empty() || ec != std::errc() || ptr != line.data() + line.size())
                    return fail(400, "malformed chunk size");
                if (size > limits_.max_body_bytes - request_.body.size())
                    return fail(413,
                                "body over " + std::to_string(limits_.max_body_bytes) + " bytes");
                pos_ += p;
                chunk_left_ = size;
                chunk_part_ = size == 0 ? ChunkPart::Trailer : ChunkPart::Data;
                break;
            }
            case ChunkPart::Data: {
                const std::size_t n = std::min(chunk_left_, rest.size());
                request_.body.append(rest.substr(0, n));
                pos_ += n;
                chunk_left_ -= n;
                if (chunk_left_ > 0) return Status::NeedMore;
                chunk_part_ = ChunkPart::DataEnd;
                break;
            }
            case ChunkPart::DataEnd: {
                if (rest.empty()) return Status::NeedMore;
                if (rest[0] == '\n') {
                    pos_ += 1;
                } else if (rest[0] == '\r') {
                    if (rest.size() < 2) return Status::NeedMore;
                    if (rest[1] != '\n') return fail(400, "malformed chunk end");
                    pos_ += 2;
                } else {
                    return fail(400, "chunk longer than its size");
                }
                chunk_part_ = ChunkPart::Size;
                break;
            }
            case ChunkPart::Trailer: {
                const auto nl = rest.find('\n');
                if (nl == std::string_view::npos) {
                    if (trailer_bytes_ + rest.size() > kMaxTrailerBytes)
                        return fail(431, "trailer too long");
                    return Status::NeedMore;
                }
                std::size_t p = 0;
                const std::string_view line = next_line(rest, p);
                pos_ += p;
                trailer_bytes_ += p;
                if (trailer_bytes_ > kMaxTrailerBytes) return fail(431, "trailer too long");
                if (line.empty()) {  // trailer fields are read and ignored
                    state_ = State::Head;
                    return Status::Request;
                }
                break;
            }
        }
    }
}

}  // namespace wsc
