// At most one log line per interval for a repeating event (refused bus
// clients, failed handshakes): a flood of bad peers must not flood the log,
// yet the line that does go out says how many were held back.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace wsc {

class LogThrottle {
  public:
    using Clock = std::chrono::steady_clock;

    explicit LogThrottle(Clock::duration interval) : interval_(interval) {}

    // True when a line may be written at `now`; false counts the event as
    // held back.
    bool admit(Clock::time_point now);
    // What to append to an admitted line: " (N more <what> since the last
    // report)" when events were held back, else nothing. Resets the count.
    std::string held_back_note(const std::string& what);

  private:
    Clock::duration interval_;
    Clock::time_point next_{};
    std::uint64_t held_back_ = 0;
};

}  // namespace wsc
