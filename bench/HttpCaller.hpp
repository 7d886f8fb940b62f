// Calls the registry's HTTP API from `concurrency` keep-alive connections,
// one call in flight per connection, paced or as fast as possible, on one
// epoll loop in the calling thread. Each answer is checked (status 200,
// envelope code 0) and its latency recorded from the call's due time.
#pragma once

#include "bench/ApiCall.hpp"
#include "bench/BenchArgs.hpp"
#include "bench/CallStats.hpp"

namespace wsc::bench {

class HttpCaller {
  public:
    HttpCaller(HostPort api, bool post) : api_(std::move(api)), post_(post) {}

    // Runs until the source has no more calls and every answer is in (or
    // timed out). Throws when no connection can be opened at all.
    CallStats run(CallSource& source, const Pacing& pacing);

  private:
    HostPort api_;
    bool post_;
};

}  // namespace wsc::bench
