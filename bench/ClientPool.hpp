// Many WebSocket clients driven by one epoll loop on the calling thread.
//
// Each client binds a loopback source address (127.0.0.2, .3, ... in turn)
// before connecting, so tens of thousands of connections never exhaust the
// ephemeral ports of one address pair. Reads are large (one buffer shared by
// every client) and every whole frame in a read is handled before the next
// read; only a frame cut by the end of a read is copied aside. Each bench
// payload is checked for order in a DeliveryLedger and its latency recorded;
// one that asks for a delivery receipt is acked at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bench/BenchArgs.hpp"
#include "bench/ClientProtocol.hpp"
#include "bench/DeliveryLedger.hpp"
#include "bench/Histogram.hpp"

namespace wsc::bench {

struct PoolConfig {
    std::vector<HostPort> nodes;  // client i connects to nodes[i % nodes.size()]
    std::size_t clients = 0;
    int sources = 16;                   // source addresses 127.0.0.2 .. 127.0.0.(1+sources)
    std::size_t connect_window = 256;   // handshakes in progress at once
    std::uint64_t max_frame = 1 << 24;  // larger server frames are a protocol error
    ClientProtocol protocol = ClientProtocol::wscenter;
    bool acks = false;  // opt in to delivery receipts and answer each one
};

struct ConnectStats {
    std::size_t opened = 0;
    std::size_t failed = 0;
    double seconds = 0;       // first connect() to the last open frame (or the timeout)
    Histogram latency;        // connect() to the node's open frame, per client
    std::string first_error;  // the first failure, for the report
};

struct PoolCounters {
    std::uint64_t reads = 0;
    std::uint64_t bytes = 0;
    std::uint64_t frames = 0;
    std::uint64_t other_frames = 0;     // frames that are not bench payloads (open, pong, ...)
    std::uint64_t protocol_errors = 0;  // bad frames, fragmented messages, bad handshakes
    std::uint64_t server_closes = 0;    // close frames or EOF from the server after open
    std::uint64_t acks_sent = 0;        // delivery receipts answered
    int last_close_code = 0;
};

class ClientPool {
  public:
    explicit ClientPool(PoolConfig config);
    ~ClientPool();
    ClientPool(const ClientPool&) = delete;
    ClientPool& operator=(const ClientPool&) = delete;

    // Opens every client, at most connect_window handshakes at once; returns
    // when each has its open frame or failed, or at the deadline.
    ConnectStats connect_all(std::int64_t deadline_ns);

    // Serves reads until done() holds (checked at least every few ms) or the
    // deadline passes; true when done() held.
    bool serve_until(const std::function<bool()>& done, std::int64_t deadline_ns);

    // Clears delivery state before a measured phase.
    void reset_measurements(std::size_t streams);

    const DeliveryLedger& ledger() const { return ledger_; }
    const Histogram& latency() const { return latency_; }
    const PoolCounters& counters() const { return counters_; }
    std::int64_t last_delivery_ns() const { return last_delivery_ns_; }

    std::size_t size() const { return clients_.size(); }
    std::size_t open_clients() const { return open_; }
    bool is_open(std::size_t client) const;
    // The connection id the server gave the client ("" until opened).
    std::string conn_id(std::size_t client) const;

  private:
    // handshaking: upgrade request sent; upgraded: 101 seen, waiting for the open frame.
    enum class State : std::uint8_t { waiting, connecting, handshaking, upgraded, open, closed };
    // A wscenter id is 32 hex digits, a Socket.IO socket id 20 characters.
    static constexpr std::size_t kIdBytes = 32;

    struct Client {
        int fd = -1;
        State state = State::waiting;
        std::uint8_t id_size = 0;
        char id[kIdBytes] = {};
        std::int64_t started_ns = 0;
        std::string pending;  // bytes of a cut frame or an unfinished handshake
    };

    void start_next();
    bool start(std::size_t index);
    void on_event(std::size_t index, std::uint32_t events);
    void on_connected(std::size_t index);
    void on_readable(std::size_t index);
    // Handles bytes after the handshake; returns how many were used.
    std::size_t consume_frames(std::size_t index, std::string_view data, std::int64_t now);
    bool consume_handshake(std::size_t index, std::string_view data, std::size_t& used);
    // Acts on a text frame; false when it closed the client.
    bool on_text(std::size_t index, std::string_view text, std::int64_t now);
    void on_open(std::size_t index, std::string_view id);
    void send_text(std::size_t index, std::string_view text);
    void fail(std::size_t index, const std::string& why);
    void close_client(std::size_t index);
    void poll_once(int timeout_ms);

    PoolConfig config_;
    int epoll_fd_ = -1;
    std::vector<Client> clients_;
    std::vector<char> read_buffer_;
    std::size_t next_start_ = 0;
    std::size_t in_progress_ = 0;
    std::size_t open_ = 0;
    ConnectStats connect_;
    PoolCounters counters_;
    DeliveryLedger ledger_;
    Histogram latency_;
    std::int64_t last_delivery_ns_ = 0;
};

}  // namespace wsc::bench
