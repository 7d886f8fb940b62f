// Server-side parser of client WebSocket frames; see WsFrameParser.hpp.
#include "wsnode/WsFrameParser.hpp"

#include <algorithm>
#include <utility>

namespace wsc {

namespace {

constexpr unsigned char kFinBit = 0x80;
constexpr unsigned char kRsvBits = 0x70;
constexpr unsigned char kOpcodeBits = 0x0F;
constexpr unsigned char kMaskBit = 0x80;
constexpr unsigned char kLengthBits = 0x7F;
constexpr unsigned char kLength16 = 126;  // a 16-bit length follows
constexpr unsigned char kLength64 = 127;  // a 64-bit length follows
constexpr std::size_t kMaxControlPayload = 125;
constexpr std::size_t kMaskBytes = 4;
constexpr std::size_t kCloseCodeBytes = 2;
constexpr std::uint64_t kLength64TopBit = std::uint64_t{1} << 63;
constexpr int kBitsPerByte = 8;
// Input buffers larger than this are given back once they are drained.
constexpr std::size_t kKeepInputCapacity = 64 * 1024;

enum Opcode : std::uint8_t {
    kContinuation = 0x0,
    kText = 0x1,
    kBinary = 0x2,
    kClose = 0x8,
    kPing = 0x9,
    kPong = 0xA,
};

bool is_control(std::uint8_t op) {
    return (op & 0x8) != 0;
}

bool is_known(std::uint8_t op) {
    switch (op) {
        case kContinuation:
        case kText:
        case kBinary:
        case kClose:
        case kPing:
        case kPong:
            return true;
        default:
            return false;
    }
}

// Empties `s` and frees its memory (assigning an empty string may keep it).
void release(std::string& s) {
    std::string().swap(s);
}

}  // namespace

bool ws_close_code_valid(std::uint16_t code) {
    constexpr std::uint16_t kFirstPrivate = 3000;
    constexpr std::uint16_t kLastPrivate = 4999;
    switch (code) {
        case 1000:  // normal
        case 1001:  // going away
        case 1002:  // protocol error
        case 1003:  // unsupported data
        case 1007:  // invalid payload data
        case 1008:  // policy violation
        case 1009:  // message too big
        case 1010:  // mandatory extension
        case 1011:  // internal error
            return true;
        default:
            return code >= kFirstPrivate && code <= kLastPrivate;
    }
}

WsFrameParser::WsFrameParser(std::size_t max_message_bytes)
    : max_message_bytes_(max_message_bytes) {}

void WsFrameParser::feed(const char* data, std::size_t len) {
    if (finished_ || len == 0) return;
    in_.append(data, len);
}

std::size_t WsFrameParser::partial_bytes() const {
    return msg_.size();
}

bool WsFrameParser::in_message() const {
    return in_message_;
}

std::uint64_t WsFrameParser::announced_bytes() const {
    const bool data_frame = have_header_ && !is_control(opcode_);
    return msg_.size() + (data_frame ? remaining_ : 0);
}

std::size_t WsFrameParser::capacity_bytes() const {
    return in_.capacity() + msg_.capacity() + ctrl_.capacity();
}

WsEvent WsFrameParser::fail(std::uint16_t code, std::string why) {
    finished_ = true;
    in_message_ = false;
    release(in_);
    pos_ = 0;
    release(msg_);
    release(ctrl_);
    WsEvent e;
    e.kind = WsEvent::Kind::Error;
    e.close_code = code;
    e.error = std::move(why);
    return e;
}

void WsFrameParser::compact() {
    if (pos_ == 0) return;
    if (in_.capacity() > kKeepInputCapacity) {
        std::string(in_, pos_).swap(in_);  // a fresh, small buffer for the few bytes left
    } else {
        in_.erase(0, pos_);
    }
    pos_ = 0;
}

std::optional<WsEvent> WsFrameParser::next() {
    while (!finished_) {
        if (!have_header_ && !take_header()) {
            if (error_) {
                WsEvent e = std::move(*error_);
                error_.reset();
                return e;
            }
            compact();
            return std::nullopt;
        }
        take_payload();
        if (error_) {
            WsEvent e = std::move(*error_);
            error_.reset();
            return e;
        }
        if (remaining_ > 0) {
            compact();
            return std::nullopt;
        }
        have_header_ = false;
        if (is_control(opcode_)) return finish_control();
        if (!fin_) continue;  // more fragments to come
        if (!binary_ && !utf8_.complete()) {
            return fail(kWsCloseInvalidPayload, "text message ends inside a UTF-8 sequence");
        }
        WsEvent e;
        e.kind = WsEvent::Kind::Message;
        e.binary = binary_;
        e.data.swap(msg_);  // the message's memory leaves with it
        in_message_ = false;
        utf8_.reset();
        return e;
    }
    return std::nullopt;
}

bool WsFrameParser::take_header() {
    const std::size_t avail = in_.size() - pos_;
    if (avail < 2) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(in_.data()) + pos_;
    const bool fin = (p[0] & kFinBit) != 0;
    const auto op = static_cast<std::uint8_t>(p[0] & kOpcodeBits);
    const bool masked = (p[1] & kMaskBit) != 0;
    const unsigned len7 = p[1] & kLengthBits;

    // Everything the first two bytes can tell, before waiting for the rest.
    if ((p[0] & kRsvBits) != 0) {
        error_ = fail(kWsCloseProtocolError, "reserved bits set");
        return false;
    }
    if (!is_known(op)) {
        error_ = fail(kWsCloseProtocolError, "reserved opcode " + std::to_string(op));
        return false;
    }
    if (!masked) {
        error_ = fail(kWsCloseProtocolError, "unmasked client frame");
        return false;
    }
    if (is_control(op) && !fin) {
        error_ = fail(kWsCloseProtocolError, "fragmented control frame");
        return false;
    }
    if (op == kContinuation && !in_message_) {
        error_ = fail(kWsCloseProtocolError, "continuation frame without a message");
        return false;
    }
    if ((op == kText || op == kBinary) && in_message_) {
        error_ = fail(kWsCloseProtocolError, "new message inside a fragmented message");
        return false;
    }

    std::size_t length_bytes = 0;
    if (len7 == kLength16) length_bytes = 2;
    if (len7 == kLength64) length_bytes = kBitsPerByte;
    const std::size_t header = 2 + length_bytes + kMaskBytes;
    std::uint64_t len = len7;
    if (length_bytes > 0) {
        if (avail < 2 + length_bytes) return false;
        len = 0;
        for (std::size_t i = 0; i < length_bytes; ++i) len = (len << kBitsPerByte) | p[2 + i];
        if ((len & kLength64TopBit) != 0) {
            error_ = fail(kWsCloseProtocolError, "64-bit frame length with the top bit set");
            return false;
        }
    }
    // Checked on the decoded length: a longer encoding of a short length is allowed.
    if (is_control(op) && len > kMaxControlPayload) {
        error_ = fail(kWsCloseProtocolError, "control frame longer than 125 bytes");
        return false;
    }
    if (!is_control(op) &&
        (msg_.size() > max_message_bytes_ || len > max_message_bytes_ - msg_.size())) {
        error_ =
            fail(kWsCloseTooBig, "message over " + std::to_string(max_message_bytes_) + " bytes");
        return false;
    }
    if (avail < header) return false;

    std::copy_n(p + 2 + length_bytes, kMaskBytes, mask_.begin());
    pos_ += header;
    have_header_ = true;
    fin_ = fin;
    opcode_ = op;
    remaining_ = len;
    mask_pos_ = 0;
    if (is_control(op)) {
        ctrl_.clear();
    } else if (op != kContinuation) {
        in_message_ = true;
        binary_ = op == kBinary;
        utf8_.reset();
    }
    return true;
}

void WsFrameParser::take_payload() {
    const std::size_t avail = in_.size() - pos_;
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, avail));
    if (n == 0) return;
    const bool control = is_control(opcode_);
    std::string& out = control ? ctrl_ : msg_;
    const std::size_t old = out.size();
    if (!control && old + n > out.capacity()) {
        // Grow geometrically with what arrives, never past the end of this frame: a
        // header that announces a large frame reserves nothing it has not received.
        const auto frame_end = static_cast<std::size_t>(old + remaining_);
        const std::size_t want = std::min(std::max(old + n, 2 * old), frame_end);
        std::string grown;
        grown.reserve(want);
        grown.append(out);
        out.swap(grown);
    }
    out.resize(old + n);
    const auto* src = reinterpret_cast<const unsigned char*>(in_.data()) + pos_;
    auto* dst = reinterpret_cast<unsigned char*>(out.data()) + old;
    for (std::size_t i = 0; i < n; ++i) {
        dst[i] = static_cast<unsigned char>(src[i] ^ mask_[(mask_pos_ + i) % kMaskBytes]);
    }
    pos_ += n;
    remaining_ -= n;
    mask_pos_ = (mask_pos_ + n) % kMaskBytes;
    if (!control && !binary_ && !utf8_.feed(dst, n)) {
        error_ = fail(kWsCloseInvalidPayload, "invalid UTF-8 in a text message");
    }
}

std::optional<WsEvent> WsFrameParser::finish_control() {
    WsEvent e;
    if (opcode_ == kPing || opcode_ == kPong) {
        e.kind = opcode_ == kPing ? WsEvent::Kind::Ping : WsEvent::Kind::Pong;
        e.data = std::move(ctrl_);
        ctrl_.clear();
        return e;
    }
    // Close (RFC 6455 §5.5.1): nothing, or a 2-byte code and a UTF-8 reason.
    if (ctrl_.size() == 1) return fail(kWsCloseProtocolError, "close frame with a 1-byte payload");
    e.kind = WsEvent::Kind::Close;
    e.close_code = kWsCloseNoStatus;
    if (ctrl_.size() >= kCloseCodeBytes) {
        const auto* c = reinterpret_cast<const unsigned char*>(ctrl_.data());
        e.close_code = static_cast<std::uint16_t>((c[0] << kBitsPerByte) | c[1]);
        if (!ws_close_code_valid(e.close_code)) {
            return fail(kWsCloseProtocolError,
                        "invalid close code " + std::to_string(e.close_code));
        }
        e.data = ctrl_.substr(kCloseCodeBytes);
        if (!Utf8Validator::is_valid(e.data)) {
            return fail(kWsCloseInvalidPayload, "close reason is not valid UTF-8");
        }
    }
    WsEvent keep = std::move(e);
    (void)fail(0, {});  // finished: release the buffers
    return keep;
}

}  // namespace wsc
