// The one clock of the load tool: CLOCK_MONOTONIC in nanoseconds. It is the
// same clock in every process of the machine, so a send time written into a
// message by one process can be compared with the receive time in another.
#pragma once

#include <chrono>
#include <cstdint>

namespace wsc::bench {

inline std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

inline constexpr std::int64_t kNsPerMs = 1'000'000;
inline constexpr std::int64_t kNsPerSecond = 1'000'000'000;

inline double seconds_between(std::int64_t from_ns, std::int64_t to_ns) {
    return static_cast<double>(to_ns - from_ns) / static_cast<double>(kNsPerSecond);
}

}  // namespace wsc::bench
