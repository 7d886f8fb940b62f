// A blocking RFC 6455 WebSocket client for integration tests (see WsClient.hpp).
#include "tests/support/WsClient.hpp"

#include <stdexcept>
#include <utility>

#include "common/Base64.hpp"
#include "tests/support/TcpConnection.hpp"

namespace wsc::test {

namespace {

constexpr int kHttpSwitchingProtocols = 101;
constexpr std::size_t kKeyBytes = 16;  // RFC 6455: a random 16-byte nonce, base64-encoded
constexpr std::size_t kMaxHeadBytes = 64 * 1024;
constexpr std::size_t kMaxRefusalBodyBytes = 1024 * 1024;
constexpr std::size_t kCloseCodeBytes = 2;
// How long a send may block on a server that does not read; tests fail rather than hang.
constexpr std::chrono::seconds kSendTimeout{10};
// How long close() waits for the server's close reply before dropping the connection.
constexpr std::chrono::milliseconds kCloseReplyWait{500};

}  // namespace

WsClient::WsClient() : rng_(std::random_device{}()) {}

WsClient::~WsClient() {
    close();
}

int WsClient::connect(uint16_t port, std::string target, std::chrono::milliseconds timeout,
                      const TlsClientContext* tls) {
    close();
    open_ = false;
    close_sent_ = false;
    handshake_ = {};
    fragment_opcode_.reset();
    message_.clear();
    pongs_ = 0;
    close_code_.reset();
    close_reason_.clear();

    const auto deadline = Clock::now() + timeout;
    conn_ = std::make_unique<TcpConnection>(port, deadline, tls);

    std::string nonce;
    for (std::size_t i = 0; i < kKeyBytes; ++i) nonce += static_cast<char>(rng_() & 0xFF);
    const std::string key = base64_encode(nonce);
    const std::string request = "GET " + target + " HTTP/1.1\r\n" +
                                "Host: 127.0.0.1:" + std::to_string(port) + "\r\n" +
                                "Upgrade: websocket\r\n"
                                "Connection: Upgrade\r\n"
                                "Sec-WebSocket-Key: " +
                                key + "\r\n" + "Sec-WebSocket-Version: 13\r\n\r\n";
    conn_->send_all(request, deadline);

    const auto head = conn_->read_until("\r\n\r\n", deadline, kMaxHeadBytes);
    if (!head) {
        conn_.reset();
        throw std::runtime_error("websocket handshake with port " + std::to_string(port) +
                                 ": connection closed before a response");
    }
    handshake_ = parse_response_head(*head);
    if (handshake_.status != kHttpSwitchingProtocols) {
        // Keep the refusal's body for the test to inspect, when it is small and says
        // how long it is; a refusal that never ends is not worth waiting for.
        const std::string length = handshake_.header("content-length");
        try {
            const std::size_t n = length.empty() ? 0 : std::stoul(length);
            if (n <= kMaxRefusalBodyBytes) {
                handshake_.body = conn_->read_exact(n, deadline).value_or("");
            }
        } catch (const std::exception&) {
        }
        conn_.reset();
        return handshake_.status;
    }
    const std::string expected = ws_accept_key(key);
    if (handshake_.header("sec-websocket-accept") != expected) {
        conn_.reset();
        throw std::runtime_error("websocket handshake with port " + std::to_string(port) +
                                 ": Sec-WebSocket-Accept is '" +
                                 handshake_.header("sec-websocket-accept") + "', expected '" +
                                 expected + "'");
    }
    open_ = true;
    return handshake_.status;
}

void WsClient::send_text(std::string_view text) {
    send_frame(WsOpcode::Text, text);
}

void WsClient::send_binary(std::string_view data) {
    send_frame(WsOpcode::Binary, data);
}

void WsClient::send_ping(std::string_view payload) {
    send_frame(WsOpcode::Ping, payload);
}

void WsClient::send_fragmented_text(std::string_view text, std::size_t fragment_size) {
    if (fragment_size == 0) throw std::invalid_argument("send_fragmented_text: fragment_size 0");
    WsOpcode opcode = WsOpcode::Text;
    do {
        const std::string_view part = text.substr(0, fragment_size);
        text.remove_prefix(part.size());
        send_frame(opcode, part, text.empty());
        opcode = WsOpcode::Continuation;
    } while (!text.empty());
}

void WsClient::send_frame(WsOpcode opcode, std::string_view payload, bool fin) {
    if (!open_ || !conn_) {
        throw std::runtime_error(std::string("websocket: cannot send ") + to_string(opcode) +
                                 ", the connection is not open");
    }
    conn_->send_all(encode_ws_frame(opcode, payload, fin, new_mask()), Clock::now() + kSendTimeout);
}

WsMask WsClient::new_mask() {
    WsMask mask{};
    const uint32_t bits = rng_();
    for (std::size_t i = 0; i < mask.size(); ++i) {
        mask[i] = static_cast<unsigned char>((bits >> (8 * i)) & 0xFF);
    }
    return mask;
}

void WsClient::send_raw(std::string_view bytes) {
    if (!open_ || !conn_)
        throw std::runtime_error("websocket: cannot send, the connection is not open");
    conn_->send_all(bytes, Clock::now() + kSendTimeout);
}

std::optional<WsFrame> WsClient::recv_frame(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (conn_) {
        if (auto frame = parse_ws_frame(conn_->buffer())) {
            if (frame->opcode == WsOpcode::Close) {
                if (frame->payload.size() >= kCloseCodeBytes) {
                    close_code_ = (static_cast<unsigned char>(frame->payload[0]) << 8) |
                                  static_cast<unsigned char>(frame->payload[1]);
                    close_reason_ = frame->payload.substr(kCloseCodeBytes);
                } else {
                    close_code_ = kWsCloseNoStatus;
                }
            }
            return frame;
        }
        if (!fill_until(deadline)) return std::nullopt;
    }
    return std::nullopt;
}

bool WsClient::fill_until(std::chrono::steady_clock::time_point deadline) {
    switch (conn_->fill(deadline)) {
        case TcpConnection::Fill::Data:
            return true;
        case TcpConnection::Fill::Eof:
            drop_connection();
            return false;
        case TcpConnection::Fill::Timeout:
            break;
    }
    return false;
}

bool WsClient::wait_eof(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (conn_) {
        conn_->buffer().clear();
        switch (conn_->fill(deadline)) {
            case TcpConnection::Fill::Data:
                break;
            case TcpConnection::Fill::Eof:
                drop_connection();
                return true;
            case TcpConnection::Fill::Timeout:
                return false;
        }
    }
    return true;
}

std::optional<std::string> WsClient::recv(std::chrono::milliseconds timeout) {
    return read_message(Clock::now() + timeout);
}

std::optional<std::string> WsClient::recv_until(const std::function<bool(const std::string&)>& pred,
                                                std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (auto msg = read_message(deadline)) {
        if (pred(*msg)) return msg;
        discarded_.push_back(std::move(*msg));
    }
    return std::nullopt;
}

std::vector<std::string> WsClient::drain(std::chrono::milliseconds window) {
    const auto deadline = Clock::now() + window;
    std::vector<std::string> out;
    while (auto msg = read_message(deadline)) out.push_back(std::move(*msg));
    return out;
}

std::optional<int> WsClient::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (open_) {
        auto msg = read_message(deadline);
        if (msg) {
            discarded_.push_back(std::move(*msg));
        } else if (open_) {
            return std::nullopt;  // timed out, still open
        }
    }
    return close_code_;
}

void WsClient::close(int code) {
    if (!conn_) return;
    try {
        if (open_ && !close_sent_) {
            send_frame(WsOpcode::Close, encode_ws_close_payload(code));
            close_sent_ = true;
        }
        const auto deadline = Clock::now() + kCloseReplyWait;
        while (open_ && Clock::now() < deadline) {
            if (auto msg = read_message(deadline)) discarded_.push_back(std::move(*msg));
        }
    } catch (const std::exception&) {
        // Closing is best effort: the server may already be gone.
    }
    drop_connection();
}

std::optional<std::string> WsClient::read_message(Clock::time_point deadline) {
    while (open_ && conn_) {
        std::optional<WsFrame> frame;
        try {
            frame = parse_ws_frame(conn_->buffer());
            if (frame && frame->masked) {
                throw std::runtime_error("websocket: the server sent a masked frame");
            }
        } catch (const std::runtime_error&) {
            try {
                send_frame(WsOpcode::Close, encode_ws_close_payload(kWsCloseProtocolError));
            } catch (const std::runtime_error&) {
            }
            drop_connection();
            throw;
        }
        if (frame) {
            if (handle_frame(*frame)) return std::exchange(message_, {});
            continue;
        }
        if (!fill_until(deadline)) return std::nullopt;
    }
    return std::nullopt;
}

bool WsClient::handle_frame(WsFrame& frame) {
    const auto protocol_error = [this](const std::string& what) {
        try {
            send_frame(WsOpcode::Close, encode_ws_close_payload(kWsCloseProtocolError));
        } catch (const std::runtime_error&) {
        }
        drop_connection();
        return std::runtime_error("websocket: " + what);
    };
    switch (frame.opcode) {
        case WsOpcode::Ping:
            try {
                send_frame(WsOpcode::Pong, frame.payload);
            } catch (const std::runtime_error&) {
                // The connection is failing; the next read reports it.
            }
            return false;
        case WsOpcode::Pong:
            ++pongs_;
            return false;
        case WsOpcode::Close:
            if (frame.payload.size() == 1) throw protocol_error("close frame with a 1-byte body");
            if (frame.payload.size() >= kCloseCodeBytes) {
                close_code_ = (static_cast<unsigned char>(frame.payload[0]) << 8) |
                              static_cast<unsigned char>(frame.payload[1]);
                close_reason_ = frame.payload.substr(kCloseCodeBytes);
            } else {
                close_code_ = kWsCloseNoStatus;
            }
            if (!close_sent_) {
                // Echo the code, as RFC 6455 section 5.5.1 asks.
                try {
                    send_frame(WsOpcode::Close, frame.payload.substr(0, kCloseCodeBytes));
                } catch (const std::runtime_error&) {
                }
                close_sent_ = true;
            }
            drop_connection();
            return false;
        case WsOpcode::Text:
        case WsOpcode::Binary:
            if (fragment_opcode_) throw protocol_error("new message inside a fragmented one");
            message_ = std::move(frame.payload);
            if (!frame.fin) fragment_opcode_ = frame.opcode;
            return frame.fin;
        case WsOpcode::Continuation:
            if (!fragment_opcode_) throw protocol_error("continuation frame without a message");
            if (message_.size() + frame.payload.size() > kWsMaxFramePayload) {
                throw protocol_error("fragmented message exceeds the test limit");
            }
            message_ += frame.payload;
            if (frame.fin) fragment_opcode_.reset();
            return frame.fin;
    }
    return false;
}

void WsClient::drop_connection() {
    open_ = false;
    conn_.reset();
}

}  // namespace wsc::test
