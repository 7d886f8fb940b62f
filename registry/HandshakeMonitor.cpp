#include "registry/HandshakeMonitor.hpp"

#include <cstring>
#include <stdexcept>

#include "common/Log.hpp"

namespace wsc {

namespace {

constexpr const char* kLog = "bus-auth";
constexpr auto kLogInterval = std::chrono::seconds(10);
constexpr int kEvents = ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
// First frame of a monitor event: a 16-bit event id, then a 32-bit value.
constexpr std::size_t kEventFrameBytes = 6;
constexpr int kBurst = 256;

const char* describe(std::uint32_t value) {
    switch (value) {
        case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
            return "a client without CURVE keys";
        case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
            return "a CURVE client with the wrong server key";
        default:  // e.g. the connection closed mid-handshake (no detail from libzmq)
            return "a client that did not complete the CURVE handshake";
    }
}

}  // namespace

HandshakeMonitor::HandshakeMonitor(zmq::context_t& ctx, zmq::socket_t& router,
                                   const std::string& address, RegistryMetrics& metrics)
    : socket_(ctx, zmq::socket_type::pair), metrics_(metrics), log_throttle_(kLogInterval) {
    if (zmq_socket_monitor(router.handle(), address.c_str(), kEvents) != 0)
        throw std::runtime_error(std::string("cannot monitor the bus socket: ") +
                                 zmq_strerror(zmq_errno()));
    socket_.set(zmq::sockopt::linger, 0);
    socket_.connect(address);
}

bool HandshakeMonitor::drain() {
    for (int i = 0; i < kBurst; ++i) {
        zmq::message_t event;
        if (!socket_.recv(event, zmq::recv_flags::dontwait)) return false;
        // The second frame names our own endpoint, not the client: skipped.
        for (bool more = event.more(); more;) {
            zmq::message_t rest;
            if (!socket_.recv(rest, zmq::recv_flags::none)) break;
            more = rest.more();
        }
        if (event.size() != kEventFrameBytes) continue;
        std::uint32_t value = 0;
        std::memcpy(&value, event.data<char>() + sizeof(std::uint16_t), sizeof(value));
        metrics_.handshake_failures.fetch_add(1, std::memory_order_relaxed);
        if (!log_throttle_.admit(LogThrottle::Clock::now())) continue;
        log_warn(kLog, std::string("bus handshake failed: ") + describe(value) +
                           log_throttle_.held_back_note("failed"));
    }
    return true;
}

}  // namespace wsc
