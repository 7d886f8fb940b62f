// A deliberately trivial WebSocket server, forked into its own process. It
// accepts, answers the upgrade with a fixed 101 and an open frame like a
// wsnode's, ignores what clients send, and then, by mode:
//
// - ceiling: once every client is in, writes `messages` bench payloads to
//   each, `batch` pre-framed messages per write. Whatever rate the bench
//   reaches here is the most it can measure.
// - floor: from the time start_rounds() gives, `rounds` rounds at `rate` per
//   second; each round writes one payload to every client, one send() per
//   client, stamped with the round's due time. No server can deliver a
//   broadcast sooner on this machine: the floor under wscenter's latency.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace wsc::bench {

enum class TrivialMode { ceiling, floor };

struct TrivialSpec {
    TrivialMode mode = TrivialMode::ceiling;
    std::size_t clients = 0;
    std::size_t size = 64;
    std::uint64_t messages = 0;  // ceiling: per client
    std::size_t batch = 16;      // ceiling: frames per write
    double rate = 0;             // floor: rounds per second
    std::uint64_t rounds = 0;    // floor
};

class TrivialServer {
  public:
    // Forks the server and waits for its port. Call before starting threads.
    explicit TrivialServer(const TrivialSpec& spec);
    ~TrivialServer();  // SIGTERM and reap
    TrivialServer(const TrivialServer&) = delete;
    TrivialServer& operator=(const TrivialServer&) = delete;

    std::uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }

    // Floor: the first round is due at first_ns (now_ns() clock), the next
    // ones every 1 / rate after it.
    void start_rounds(std::int64_t first_ns);

  private:
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
    int go_fd_ = -1;  // write end of the pipe start_rounds() writes to
};

// The child's main loop (exposed for the fork only); never returns.
[[noreturn]] void run_trivial_server(const TrivialSpec& spec, int listen_fd, int go_fd);

}  // namespace wsc::bench
