// Unit conversions the metrics renderers share (Prometheus wants seconds,
// the counters hold microseconds, bucket bounds are in milliseconds).
#pragma once

#include <cstdint>

namespace wsc {

inline constexpr std::uint64_t kUsPerMs = 1000;
inline constexpr double kMsPerSecond = 1000.0;
inline constexpr double kUsPerSecond = 1e6;

}  // namespace wsc
