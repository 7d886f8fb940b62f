// The receive side of a server's WebSocket connection (RFC 6455 §5): client
// frames in, complete messages and control frames out. Socket-free: the
// transport feeds whatever bytes arrived and takes events until next() needs
// more.
//
// It fails fast and never buffers without bound: a frame that breaks the
// protocol ends the parse with an Error event carrying the close code to send
// (1002 protocol error, 1007 invalid UTF-8, 1009 too big), decided as soon as
// the offending header or byte is seen. A message larger than the limit is
// refused on the header that announces it, before any of it is held. Text is
// checked as UTF-8 while it arrives.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "common/Utf8Validator.hpp"

namespace wsc {

// Close codes (RFC 6455 §7.4.1) a server parser reports or checks.
inline constexpr std::uint16_t kWsCloseNormal = 1000;
inline constexpr std::uint16_t kWsCloseProtocolError = 1002;
inline constexpr std::uint16_t kWsCloseNoStatus = 1005;
inline constexpr std::uint16_t kWsCloseInvalidPayload = 1007;
inline constexpr std::uint16_t kWsClosePolicyViolation = 1008;
inline constexpr std::uint16_t kWsCloseTooBig = 1009;

// Whether a peer may put `code` in a close frame (RFC 6455 §7.4): 1000-1003,
// 1007-1011 and the range 3000-4999 for libraries and applications.
bool ws_close_code_valid(std::uint16_t code);

// One thing the client sent, as RFC 6455 defines it.
struct WsEvent {
    enum class Kind { Message, Ping, Pong, Close, Error };
    Kind kind = Kind::Message;
    bool binary = false;           // Message: binary (else text, already UTF-8 valid)
    std::string data;              // Message payload; Ping/Pong payload; Close reason
    std::uint16_t close_code = 0;  // Close: the code received (1005 when the frame had none)
                                   // Error: the code to close with (1002, 1007 or 1009)
    std::string error;             // Error: a short human reason for the log / close reason
};

// Incremental server-side parser of client frames (RFC 6455 §5): feed bytes as
// they arrive, take events until next() says it needs more.
class WsFrameParser {
  public:
    explicit WsFrameParser(std::size_t max_message_bytes);
    void feed(const char* data, std::size_t len);
    // The next complete event, or std::nullopt when more bytes are needed.
    // After an Error or a Close event, the parser is finished: next() returns nullopt forever
    // and feed() ignores input.
    std::optional<WsEvent> next();
    // Bytes held now for a message not yet complete (fragments so far plus the current
    // frame's payload so far) — the node sums these into a node-wide budget.
    std::size_t partial_bytes() const;
    // True while a message has started and is not complete (an unfinished fragmented
    // message, or a data frame whose payload is still arriving).
    bool in_message() const;

    // What the message in progress will hold once the current frame's payload has
    // arrived: partial_bytes() plus what the frame's header announced and is still
    // to come. A budget can refuse a large frame on its header with this.
    std::uint64_t announced_bytes() const;
    // Memory held by the parser's buffers (their capacity), for accounting and tests.
    std::size_t capacity_bytes() const;

    // True once an Error or Close event was returned.
    bool finished() const { return finished_; }
    // Bytes fed but not parsed yet (at most a frame header once next() returned nullopt).
    std::size_t buffered_bytes() const { return in_.size() - pos_; }

  private:
    // Parses a frame header at in_[pos_]; false when it is still incomplete.
    // Sets error_ when the header breaks a rule.
    bool take_header();
    // Moves available payload of the current frame into msg_ or ctrl_.
    void take_payload();
    std::optional<WsEvent> finish_control();
    WsEvent fail(std::uint16_t code, std::string why);
    void compact();

    std::size_t max_message_bytes_;
    std::string in_;       // fed bytes; in_[pos_..] not parsed yet
    std::size_t pos_ = 0;  // first unparsed byte of in_
    bool finished_ = false;

    // The frame being read, once its header is complete.
    bool have_header_ = false;
    bool fin_ = false;
    std::uint8_t opcode_ = 0;
    std::array<unsigned char, 4> mask_{};
    std::uint64_t remaining_ = 0;  // payload bytes of the frame still to come
    std::size_t mask_pos_ = 0;     // payload bytes of the frame already unmasked

    // The data message being assembled.
    bool in_message_ = false;
    bool binary_ = false;
    std::string msg_;
    Utf8Validator utf8_;

    std::string ctrl_;  // payload of the current control frame (at most 125 bytes)
    std::optional<WsEvent> error_;
};

}  // namespace wsc
