// Counts the bus connections whose handshake failed on the registry's ROUTER.
//
// With CURVE on, a client with no keys or the wrong server key never reaches
// the ZAP handler: the handshake itself fails. libzmq reports that only
// through a socket monitor, which this class reads (an inproc PAIR owned and
// polled by the registry's thread). The monitor does not name the client, so the
// log line says what is wrong, not who.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <zmq.hpp>

#include "common/LogThrottle.hpp"
#include "registry/RegistryMetrics.hpp"

namespace wsc {

class HandshakeMonitor {
  public:
    // Starts monitoring `router` (on the thread that owns it, before it binds).
    HandshakeMonitor(zmq::context_t& ctx, zmq::socket_t& router, const std::string& address,
                     RegistryMetrics& metrics);

    zmq::socket_t& socket() { return socket_; }

    // Reads every waiting event (registry's thread).
    // Handles what waits, a burst at most; true when it stopped at the burst.
    bool drain();

  private:
    zmq::socket_t socket_;
    RegistryMetrics& metrics_;
    // A misconfigured wsnode retries every reconnect interval: one log line
    // per interval, the rest only counted.
    LogThrottle log_throttle_;
};

}  // namespace wsc
