// A tiny in-process WebSocket server for the WsClient self-test (see EchoWsServer.hpp).
#include "tests/support/EchoWsServer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <utility>

#include "tests/support/WsFrame.hpp"

namespace wsc::test {

namespace {

constexpr int kPollMs = 50;  // how often the server thread notices stopping_
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr int kServerCloseCode = 4001;
constexpr std::string_view kServerPingPayload = "are-you-there";
constexpr std::string_view kBigPrefix = "big:";
constexpr unsigned kBigPatternModulus = 251;  // prime, so the pattern does not align with frames

std::string lowercase(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// Value of a request header (name given in lowercase), or "".
std::string find_header(const std::string& head, const std::string& name) {
    const std::string lower = lowercase(head);
    const auto pos = lower.find("\r\n" + name + ":");
    if (pos == std::string::npos) return {};
    auto start = pos + name.size() + 3;
    const auto end = head.find("\r\n", start);
    while (start < end && head[start] == ' ') ++start;
    return head.substr(start, end - start);
}

}  // namespace

EchoWsServer::EchoWsServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, SOMAXCONN) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        throw std::runtime_error(std::string("EchoWsServer: listen: ") + std::strerror(errno));
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
}

EchoWsServer::~EchoWsServer() {
    stopping_ = true;
    thread_.join();
    ::close(listen_fd_);
}

std::vector<int> EchoWsServer::close_codes() const {
    std::lock_guard lock(mutex_);
    return close_codes_;
}

std::vector<std::string> EchoWsServer::pongs() const {
    std::lock_guard lock(mutex_);
    return pongs_;
}

std::vector<std::string> EchoWsServer::errors() const {
    std::lock_guard lock(mutex_);
    return errors_;
}

void EchoWsServer::record_error(const std::string& what) {
    std::lock_guard lock(mutex_);
    errors_.push_back(what);
}

void EchoWsServer::run() {
    while (!stopping_) {
        pollfd pfd{listen_fd_, POLLIN, 0};
        if (::poll(&pfd, 1, kPollMs) <= 0) continue;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        try {
            serve(fd);
        } catch (const std::exception& e) {
            record_error(e.what());
        }
        ::close(fd);
    }
}

bool EchoWsServer::read_more(int fd, std::string& buffer) {
    char chunk[kReadChunk];
    while (!stopping_) {
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, kPollMs) <= 0) continue;
        const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
        if (n <= 0) return false;
        buffer.append(chunk, static_cast<std::size_t>(n));
        return true;
    }
    return false;
}

void EchoWsServer::send_raw(int fd, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error(std::string("EchoWsServer: send: ") + strerror(errno));
        sent += static_cast<std::size_t>(n);
    }
}

bool EchoWsServer::handshake(int fd, std::string& buffer) {
    std::size_t end = std::string::npos;
    while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
        if (!read_more(fd, buffer)) return false;
    }
    const std::string head = buffer.substr(0, end + 2);
    buffer.erase(0, end + 4);
    const auto target_start = head.find(' ') + 1;
    const std::string target =
        head.substr(target_start, head.find(' ', target_start) - target_start);
    const std::string key = find_header(head, "sec-websocket-key");

    if (target == "/deny") {
        send_raw(fd,
                 "HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\n"
                 "Content-Length: 8\r\n\r\nno token");
        return false;
    }
    if (key.empty() || lowercase(find_header(head, "upgrade")) != "websocket") {
        send_raw(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        return false;
    }
    const std::string accept = ws_accept_key(target == "/badaccept" ? "not-the-key" : key);
    std::string response =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
        accept + "\r\n\r\n";
    if (target == "/greet") response += encode_ws_frame(WsOpcode::Text, "welcome");
    send_raw(fd, response);
    return true;
}

void EchoWsServer::serve(int fd) {
    std::string buffer;
    if (!handshake(fd, buffer)) return;

    bool close_sent = false;
    std::optional<WsOpcode> fragment_opcode;
    std::string fragments;
    while (!stopping_) {
        std::optional<WsFrame> frame;
        try {
            frame = parse_ws_frame(buffer);
        } catch (const std::runtime_error& e) {
            record_error(e.what());
            return;
        }
        if (!frame) {
            if (!read_more(fd, buffer)) return;
            continue;
        }
        if (!frame->masked) ++unmasked_frames_;

        std::optional<std::pair<WsOpcode, std::string>> message;
        switch (frame->opcode) {
            case WsOpcode::Ping:
                send_raw(fd, encode_ws_frame(WsOpcode::Pong, frame->payload));
                break;
            case WsOpcode::Pong: {
                std::lock_guard lock(mutex_);
                pongs_.push_back(frame->payload);
                if (frame->payload == kServerPingPayload) {
                    send_raw(fd, encode_ws_frame(WsOpcode::Text, "got-pong:" + frame->payload));
                }
                break;
            }
            case WsOpcode::Close: {
                const int code = frame->payload.size() >= 2
                                     ? (static_cast<unsigned char>(frame->payload[0]) << 8) |
                                           static_cast<unsigned char>(frame->payload[1])
                                     : kWsCloseNoStatus;
                {
                    std::lock_guard lock(mutex_);
                    close_codes_.push_back(code);
                }
                if (!close_sent)
                    send_raw(fd, encode_ws_frame(WsOpcode::Close, frame->payload.substr(0, 2)));
                return;
            }
            case WsOpcode::Text:
            case WsOpcode::Binary:
                if (frame->fin) {
                    message.emplace(frame->opcode, std::move(frame->payload));
                } else {
                    fragment_opcode = frame->opcode;
                    fragments = std::move(frame->payload);
                }
                break;
            case WsOpcode::Continuation:
                if (!fragment_opcode) {
                    record_error("continuation without a message");
                    return;
                }
                fragments += frame->payload;
                if (frame->fin)
                    message.emplace(*std::exchange(fragment_opcode, std::nullopt),
                                    std::exchange(fragments, {}));
                break;
        }
        if (!message) continue;

        const auto& [opcode, text] = *message;
        if (text == "drop") return;
        if (text == "close-me") {
            send_raw(fd, encode_ws_frame(WsOpcode::Close,
                                         encode_ws_close_payload(kServerCloseCode, "bye")));
            close_sent = true;
        } else if (text == "ping-me") {
            send_raw(fd, encode_ws_frame(WsOpcode::Ping, kServerPingPayload));
        } else if (text == "fragment") {
            // Control frames may arrive between the fragments of a message.
            send_raw(fd, encode_ws_frame(WsOpcode::Text, "frag", false) +
                             encode_ws_frame(WsOpcode::Ping, "mid") +
                             encode_ws_frame(WsOpcode::Continuation, "men", false) +
                             encode_ws_frame(WsOpcode::Continuation, "ted", true));
        } else if (text.rfind(kBigPrefix, 0) == 0) {
            std::string big(std::stoul(text.substr(kBigPrefix.size())), '\0');
            for (std::size_t i = 0; i < big.size(); ++i) {
                big[i] = static_cast<char>(i % kBigPatternModulus);
            }
            send_raw(fd, encode_ws_frame(WsOpcode::Binary, big));
        } else {
            send_raw(fd, encode_ws_frame(opcode, text));
        }
    }
}

}  // namespace wsc::test
