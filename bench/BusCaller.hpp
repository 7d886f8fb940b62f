// Calls the API over the bus: one DEALER to a registry's bus port sending
// ClientCall and reading ClientResult (bus/PROTOCOL.md), with up to
// `concurrency` calls in flight, paced or as fast as possible. All calls
// share one ordered zmq connection, so they are lane 0 of the CallSource.
#pragma once

#include <string>

#include "bench/ApiCall.hpp"
#include "bench/CallStats.hpp"

namespace wsc::bench {

class BusCaller {
  public:
    explicit BusCaller(std::string endpoint) : endpoint_(std::move(endpoint)) {}

    CallStats run(CallSource& source, const Pacing& pacing);

  private:
    std::string endpoint_;
};

}  // namespace wsc::bench
