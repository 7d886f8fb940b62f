// The due times of paced calls (start + k / rate) and a timerfd that wakes a
// poll loop exactly then: epoll and zmq_poll only time out in milliseconds,
// too coarse for 1 000 calls/s.
#pragma once

#include <cstdint>

namespace wsc::bench {

class PaceTimer {
  public:
    explicit PaceTimer(double rate);  // calls per second; 0 = unpaced
    ~PaceTimer();
    PaceTimer(const PaceTimer&) = delete;
    PaceTimer& operator=(const PaceTimer&) = delete;

    bool paced() const { return rate_ > 0; }
    int fd() const { return fd_; }
    void start(std::int64_t now_ns) { start_ns_ = now_ns; }
    // Due time of the next call; `now` when unpaced.
    std::int64_t due(std::int64_t now_ns) const;
    void advance() { ++count_; }
    // Arms the timer for the next due time; clears a past expiry.
    void arm();
    void disarm();
    void drain();

  private:
    double rate_;
    int fd_ = -1;
    std::int64_t start_ns_ = 0;
    std::uint64_t count_ = 0;
};

}  // namespace wsc::bench
