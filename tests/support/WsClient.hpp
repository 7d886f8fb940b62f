// A blocking RFC 6455 WebSocket client for integration tests, written over a raw socket.
//
// Written from scratch (no library) so the tests exercise the server with an
// independent implementation: masked client frames, 7/16/64-bit lengths,
// fragmented messages, automatic pong replies, and the close handshake.
// One WsClient is used from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/HttpClient.hpp"
#include "tests/support/WsFrame.hpp"

namespace wsc::test {

class TcpConnection;
class TlsClientContext;

class WsClient {
  public:
    WsClient();
    ~WsClient();  // closes with 1000 if still open
    WsClient(const WsClient&) = delete;
    WsClient& operator=(const WsClient&) = delete;

    // Connects to ws://127.0.0.1:port<target> and performs the upgrade handshake, checking
    // Sec-WebSocket-Accept. Returns the handshake's HTTP status: 101 when open, otherwise
    // the refusal (e.g. 401), leaving the client closed. Throws std::runtime_error on
    // connect failure, timeout, or a 101 with a wrong accept key. With `tls`:
    // wss://, the server's certificate checked against what `tls` trusts.
    int connect(uint16_t port, std::string target = "/",
                std::chrono::milliseconds timeout = std::chrono::seconds(5),
                const TlsClientContext* tls = nullptr);
    // The connection under the client (null when closed): TLS details.
    const TcpConnection* connection() const { return conn_.get(); }
    bool is_open() const { return open_; }
    // The handshake response (status, headers; the body too when it was refused).
    const HttpResponse& handshake_response() const { return handshake_; }

    // Throw std::runtime_error when not open or the connection fails.
    void send_text(std::string_view text);
    void send_binary(std::string_view data);
    void send_ping(std::string_view payload = "");
    // Sends one message as several frames of at most fragment_size bytes each.
    void send_fragmented_text(std::string_view text, std::size_t fragment_size);

    // Next text/binary message; nullopt on timeout or close. Pings are answered and
    // pongs counted on the way. Throws std::runtime_error on a server protocol error.
    std::optional<std::string> recv(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Reads messages until one satisfies pred; the others go to discarded().
    std::optional<std::string> recv_until(
        const std::function<bool(const std::string&)>& pred,
        std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Every message received during the next `window` (for "exactly once" checks).
    std::vector<std::string> drain(std::chrono::milliseconds window);
    // Messages skipped by recv_until and wait_closed, oldest first.
    const std::vector<std::string>& discarded() const { return discarded_; }

    int pongs_received() const { return pongs_; }
    // Code of a close frame received from the server (1005 if it carried none).
    std::optional<int> close_code() const { return close_code_; }
    std::string close_reason() const { return close_reason_; }
    // Waits until the server closes (close frame or EOF); returns the close code if any.
    std::optional<int> wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Raw access for protocol tests. send_raw writes bytes as they are (see
    // encode_raw_ws_frame); a random client mask for them comes from new_mask().
    // recv_frame returns the server's next frame of any kind, unhandled (a close
    // frame is recorded in close_code() but not answered); nullopt on timeout or
    // when the server ends the connection (then is_open() is false).
    void send_raw(std::string_view bytes);
    WsMask new_mask();
    std::optional<WsFrame> recv_frame(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Whether the server ended the TCP stream within `timeout` (reading and
    // dropping whatever else it sent).
    bool wait_eof(std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // Sends a close frame, waits briefly for the server's reply, then drops the
    // connection. Never throws: it also runs from the destructor.
    void close(int code = kWsCloseNormal);

  private:
    std::optional<std::string> read_message(std::chrono::steady_clock::time_point deadline);
    // Returns true when the frame completed a data message (left in message_).
    bool handle_frame(WsFrame& frame);
    void send_frame(WsOpcode opcode, std::string_view payload, bool fin = true);
    void drop_connection();
    // Reads more bytes; false at the deadline or at the end of the stream
    // (then the connection is dropped).
    bool fill_until(std::chrono::steady_clock::time_point deadline);

    std::unique_ptr<TcpConnection> conn_;
    bool open_ = false;
    bool close_sent_ = false;
    HttpResponse handshake_;
    std::optional<WsOpcode> fragment_opcode_;  // set while a fragmented message is arriving
    std::string message_;
    std::vector<std::string> discarded_;
    int pongs_ = 0;
    std::optional<int> close_code_;
    std::string close_reason_;
    std::mt19937 rng_;
};

}  // namespace wsc::test
