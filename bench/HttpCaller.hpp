// Calls the registry's HTTP API from `concurrency` keep-alive connections,
// one call in flight per connection, paced or as fast as possible, on one
// epoll loop in the calling thread. Each answer is checked (status 200,
// envelope code 0) and its latency recorded from the call's due time.
// The same calls can go to Pushpin's publish endpoint instead (status 200 is
// success there; it closes the connection after each answer, and the caller
// reconnects).
#pragma once

#include "bench/ApiCall.hpp"
#include "bench/BenchArgs.hpp"
#include "bench/CallStats.hpp"
#include "bench/Clock.hpp"

namespace wsc::bench {

// How a call is written: wscenter's API as a GET query or a POST JSON body
// (the Socket.IO peer serves the same API), or a Pushpin publish command.
enum class HttpDialect { api_get, api_post, pushpin_publish };

class HttpCaller {
  public:
    HttpCaller(HostPort api, HttpDialect dialect) : api_(std::move(api)), dialect_(dialect) {}

    // Runs until the source has no more calls and every answer is in (or
    // timed out). Throws when no connection can be opened at all.
    CallStats run(CallSource& source, const Pacing& pacing);

  private:
    HostPort api_;
    HttpDialect dialect_;
};

// One plain GET (e.g. the registry's /metrics) on a connection of its own:
// the body of a 200 answer. Throws std::runtime_error for anything else or
// when no answer came within timeout_ns.
std::string http_get_body(const HostPort& server, const std::string& target,
                          std::int64_t timeout_ns = 5 * kNsPerSecond);

}  // namespace wsc::bench
