// A blocking TCP connection to a loopback port (see TcpConnection.hpp).
#include "tests/support/TcpConnection.hpp"

#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "tests/support/TlsClient.hpp"

namespace wsc::test {

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

std::string errno_text(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

// Milliseconds left until the deadline, for poll(); 0 once it has passed.
int poll_timeout_ms(Clock::time_point deadline) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    return static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, left.count()));
}

// Waits for events on fd; false when the deadline passes first.
bool wait_fd(int fd, short events, Clock::time_point deadline) {
    while (true) {
        pollfd pfd{fd, events, 0};
        const int rc = ::poll(&pfd, 1, poll_timeout_ms(deadline));
        if (rc > 0) return true;
        if (rc == 0) return false;
        if (errno != EINTR) throw std::runtime_error(errno_text("poll"));
    }
}

}  // namespace

TcpConnection::TcpConnection(uint16_t port, Clock::time_point deadline, const TlsClientContext* tls)
    : port_(port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) throw std::runtime_error(errno_text("socket"));
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const std::string where = "connect to 127.0.0.1:" + std::to_string(port);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
        if (errno != EINPROGRESS) {
            const std::string msg = errno_text(where);
            ::close(fd_);
            throw std::runtime_error(msg);
        }
        if (!wait_fd(fd_, POLLOUT, deadline)) {
            ::close(fd_);
            throw std::runtime_error(where + ": timed out");
        }
        int err = 0;
        socklen_t len = sizeof(err);
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) {
            ::close(fd_);
            throw std::runtime_error(where + ": " + std::strerror(err));
        }
    }
    if (!tls) return;
    try {
        handshake(*tls, deadline);
    } catch (...) {
        if (ssl_) SSL_free(ssl_);
        ::close(fd_);
        throw;
    }
}

TcpConnection::~TcpConnection() {
    if (ssl_) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
}

void TcpConnection::handshake(const TlsClientContext& tls, Clock::time_point deadline) {
    ssl_ = SSL_new(tls.native());
    if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1)
        throw std::runtime_error("TLS set-up: " + tls_error_text());
    while (true) {
        const int rc = SSL_connect(ssl_);
        if (rc == 1) return;
        const short wait = tls_wait_for(rc, "TLS handshake");
        if (wait == 0)
            throw std::runtime_error("TLS handshake with port " + std::to_string(port_) +
                                     ": the server closed the connection");
        if (!wait_fd(fd_, wait, deadline))
            throw std::runtime_error("TLS handshake with port " + std::to_string(port_) +
                                     ": timed out");
    }
}

short TcpConnection::tls_wait_for(int rc, const char* what) {
    const int saved_errno = errno;
    switch (SSL_get_error(ssl_, rc)) {
        case SSL_ERROR_WANT_READ:
            return POLLIN;
        case SSL_ERROR_WANT_WRITE:
            return POLLOUT;
        case SSL_ERROR_ZERO_RETURN:
            return 0;
        case SSL_ERROR_SYSCALL:
            // An end of stream without close_notify, or a reset: the stream ended.
            if (saved_errno == 0 || saved_errno == ECONNRESET || saved_errno == EPIPE) return 0;
            errno = saved_errno;
            throw std::runtime_error(
                errno_text(std::string(what) + " on port " + std::to_string(port_)));
        default:
            throw std::runtime_error(std::string(what) + " on port " + std::to_string(port_) +
                                     ": " + tls_error_text());
    }
}

void TcpConnection::send_all(std::string_view bytes, Clock::time_point deadline) {
    while (ssl_ && !bytes.empty()) {
        errno = 0;
        const int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        const short wait = tls_wait_for(n, "TLS send");
        if (wait == 0)
            throw std::runtime_error("send to port " + std::to_string(port_) + ": closed");
        if (!wait_fd(fd_, wait, deadline))
            throw std::runtime_error("send to port " + std::to_string(port_) + ": timed out");
    }
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!wait_fd(fd_, POLLOUT, deadline)) {
                throw std::runtime_error("send to port " + std::to_string(port_) + ": timed out");
            }
            continue;
        }
        throw std::runtime_error(errno_text("send to port " + std::to_string(port_)));
    }
}

TcpConnection::Fill TcpConnection::fill(Clock::time_point deadline) {
    if (eof_) return Fill::Eof;
    char chunk[kReadChunk];
    while (ssl_) {
        errno = 0;
        const int n = SSL_read(ssl_, chunk, sizeof(chunk));
        if (n > 0) {
            buffer_.append(chunk, static_cast<std::size_t>(n));
            return Fill::Data;
        }
        const short wait = tls_wait_for(n, "TLS receive");
        if (wait == 0) {
            eof_ = true;
            return Fill::Eof;
        }
        if (!wait_fd(fd_, wait, deadline)) return Fill::Timeout;
    }
    while (true) {
        const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
        if (n > 0) {
            buffer_.append(chunk, static_cast<std::size_t>(n));
            return Fill::Data;
        }
        if (n == 0 || (errno == ECONNRESET || errno == EPIPE)) {
            eof_ = true;
            return Fill::Eof;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            throw std::runtime_error(errno_text("recv from port " + std::to_string(port_)));
        }
        if (!wait_fd(fd_, POLLIN, deadline)) return Fill::Timeout;
    }
}

std::optional<std::string> TcpConnection::read_until(std::string_view delim,
                                                     Clock::time_point deadline,
                                                     std::size_t max_bytes) {
    std::size_t searched = 0;
    while (true) {
        const auto pos = buffer_.find(delim, searched);
        if (pos != std::string::npos) {
            std::string out = buffer_.substr(0, pos + delim.size());
            buffer_.erase(0, pos + delim.size());
            return out;
        }
        if (buffer_.size() > max_bytes) {
            throw std::runtime_error("port " + std::to_string(port_) + ": more than " +
                                     std::to_string(max_bytes) + " bytes without a delimiter");
        }
        // Re-scan only the tail that might complete a delimiter split across reads.
        searched = buffer_.size() >= delim.size() ? buffer_.size() - delim.size() + 1 : 0;
        switch (fill(deadline)) {
            case Fill::Data:
                break;
            case Fill::Eof:
                return std::nullopt;
            case Fill::Timeout:
                throw std::runtime_error("read from port " + std::to_string(port_) + ": timed out");
        }
    }
}

std::optional<std::string> TcpConnection::read_exact(std::size_t n, Clock::time_point deadline) {
    while (buffer_.size() < n) {
        switch (fill(deadline)) {
            case Fill::Data:
                break;
            case Fill::Eof:
                return std::nullopt;
            case Fill::Timeout:
                throw std::runtime_error("read from port " + std::to_string(port_) + ": timed out");
        }
    }
    std::string out = buffer_.substr(0, n);
    buffer_.erase(0, n);
    return out;
}

std::string TcpConnection::read_to_eof(Clock::time_point deadline) {
    while (true) {
        switch (fill(deadline)) {
            case Fill::Data:
                break;
            case Fill::Eof:
                return std::exchange(buffer_, {});
            case Fill::Timeout:
                throw std::runtime_error("read from port " + std::to_string(port_) + ": timed out");
        }
    }
}

void TcpConnection::shutdown_write() {
    ::shutdown(fd_, SHUT_WR);
}

}  // namespace wsc::test
