// Work that shares the HTTP server's thread and loop: the registry's
// broker. Its zmq sockets are watched beside the HTTP connections and it is
// served after every loop turn, so that an API call goes from its HTTP
// connection to the bus, and its answer back, without a thread hop.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace wsc {

class LoopGuest {
  public:
    using Clock = std::chrono::steady_clock;

    virtual ~LoopGuest() = default;

    // The descriptors to watch for reading (zmq's ZMQ_FD: a socket must be
    // served whenever one is readable, and after any send on it); they
    // change only when descriptors_version() does.
    virtual std::vector<int> descriptors() = 0;
    virtual std::uint64_t descriptors_version() const = 0;
    // After every loop turn. True when work is left: the next turn must
    // not sleep.
    virtual bool service() = 0;
    // When service() has timed work next.
    virtual Clock::time_point next_due() const = 0;
    // On the loop's thread as it ends: the guest closes what it owns.
    virtual void close() = 0;
};

}  // namespace wsc
