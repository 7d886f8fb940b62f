// A deliberately trivial WebSocket server, forked into its own process, for
// measuring the bench's own ceiling: it accepts, answers the upgrade with a
// fixed 101 and an open frame like a wsnode's, and once every client is in,
// writes `messages` bench payloads to each, `batch` pre-framed messages per
// write. Whatever rate the bench reaches here is the most it can measure.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

namespace wsc::bench {

struct TrivialSpec {
    std::size_t clients = 0;
    std::uint64_t messages = 0;  // per client
    std::size_t size = 64;
    std::size_t batch = 16;
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

  private:
    pid_t pid_ = -1;
    std::uint16_t port_ = 0;
};

// The child's main loop (exposed for the fork only); never returns.
[[noreturn]] void run_trivial_server(const TrivialSpec& spec, int listen_fd);

}  // namespace wsc::bench
