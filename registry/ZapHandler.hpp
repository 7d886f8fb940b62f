// The registry's ZAP handler: which CURVE clients may use the bus.
//
// During every CURVE handshake on the ROUTER, libzmq asks the ZAP endpoint
// (inproc://zeromq.zap.01) of the same context. The handler must be bound
// before the ROUTER accepts anything: with no handler libzmq lets every
// client in. Created in Broker::bind(), then owned and polled by the broker
// thread like every other broker socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <zmq.hpp>

#include "common/LogThrottle.hpp"
#include "registry/RegistryMetrics.hpp"

namespace wsc {

class ZapHandler {
  public:
    // Binds the ZAP endpoint of `ctx`; throws std::runtime_error when another
    // handler holds it.
    ZapHandler(zmq::context_t& ctx, std::set<std::string> authorized_keys,
               RegistryMetrics& metrics);

    zmq::socket_t& socket() { return socket_; }

    // Answers every request waiting on the socket (registry's thread).
    // Handles what waits, a burst at most; true when it stopped at the burst.
    bool drain();

  private:
    void log_refusal(const std::string& address, const std::string& reason);

    zmq::socket_t socket_;
    std::set<std::string> authorized_;
    RegistryMetrics& metrics_;
    // A client with a wrong key retries every reconnect interval: one log
    // line per interval, the rest only counted.
    LogThrottle log_throttle_;
};

}  // namespace wsc
