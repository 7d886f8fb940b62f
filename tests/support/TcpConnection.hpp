// A blocking TCP connection to a loopback port, with deadlines and a read buffer.
//
// Shared by the HTTP and WebSocket test clients: both read a header block up to
// "\r\n\r\n" and then a body or frames, so the bytes read past the headers must
// stay available to the caller; hence the buffer is part of the connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct ssl_st;

namespace wsc::test {

class TlsClientContext;

using Clock = std::chrono::steady_clock;

class TcpConnection {
  public:
    enum class Fill { Data, Eof, Timeout };

    // Connects to 127.0.0.1:port, and with `tls` completes a TLS handshake
    // (checking the server's certificate); throws std::runtime_error on
    // refusal, a failed handshake or timeout.
    TcpConnection(uint16_t port, Clock::time_point deadline, const TlsClientContext* tls = nullptr);
    ~TcpConnection();
    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;

    // Writes every byte; throws std::runtime_error on a socket error or the deadline.
    void send_all(std::string_view bytes, Clock::time_point deadline);

    // Reads what is available (waiting until the deadline) and appends it to buffer().
    // A reset by the peer counts as Eof: tests care that the stream ended, not how.
    Fill fill(Clock::time_point deadline);

    // Returns buffered bytes up to and including delim, consuming them; nullopt on EOF
    // before delim; throws on timeout or when more than max_bytes pile up without delim.
    std::optional<std::string> read_until(std::string_view delim, Clock::time_point deadline,
                                          std::size_t max_bytes);
    // Returns exactly n bytes, consuming them; nullopt on EOF first; throws on timeout.
    std::optional<std::string> read_exact(std::size_t n, Clock::time_point deadline);
    // Returns everything until the peer closes; throws on timeout.
    std::string read_to_eof(Clock::time_point deadline);

    // Bytes received but not consumed yet.
    std::string& buffer() { return buffer_; }

    void shutdown_write();
    bool eof() const { return eof_; }
    uint16_t port() const { return port_; }
    // The TLS session; null on a plain connection.
    ssl_st* tls() const { return ssl_; }

  private:
    void handshake(const TlsClientContext& tls, Clock::time_point deadline);
    // What a TLS call that failed with `rc` means: wait for readability
    // (POLLIN) or writability (POLLOUT), 0 for the end of the stream;
    // throws on a real error.
    short tls_wait_for(int rc, const char* what);

    int fd_ = -1;
    ssl_st* ssl_ = nullptr;
    uint16_t port_;
    bool eof_ = false;
    std::string buffer_;
};

}  // namespace wsc::test
