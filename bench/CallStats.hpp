// What a caller measured: answers, failures and the call latency, plus how
// calls are paced. Shared by the HTTP and the bus caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "bench/Clock.hpp"
#include "bench/Histogram.hpp"

namespace wsc::bench {

struct Pacing {
    std::size_t concurrency = 1;  // HTTP connections, or bus calls in flight
    double rate = 0;              // calls per second in total; 0 = as fast as possible
    // The registry answers by the call deadline (3 s by default): 10 s means it is gone.
    std::int64_t answer_timeout_ns = 10 * kNsPerSecond;
};

struct CallStats {
    std::uint64_t ok = 0;      // answered with code 0 everywhere
    std::uint64_t failed = 0;  // answered with an error, or not at all
    std::uint64_t late = 0;    // calls that started after their due time (pacing fell behind)
    Histogram latency;         // due time to answer, in ns (includes any lateness)
    std::int64_t first_send_ns = 0;
    std::int64_t last_answer_ns = 0;
    std::string first_error;

    double seconds() const {
        return first_send_ns == 0 ? 0.0 : seconds_between(first_send_ns, last_answer_ns);
    }
    void fail(const std::string& why) {
        ++failed;
        if (first_error.empty()) first_error = why;
    }
};

}  // namespace wsc::bench
