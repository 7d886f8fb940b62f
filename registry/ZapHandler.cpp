#include "registry/ZapHandler.hpp"

#include <stdexcept>
#include <vector>

#include "bus/ZapRequest.hpp"
#include "common/Log.hpp"

namespace wsc {

namespace {

constexpr const char* kLog = "bus-auth";
constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
constexpr auto kRefusalLogInterval = std::chrono::seconds(10);
// Requests answered per drain() call; libzmq sends one per handshake.
constexpr int kBurst = 256;

}  // namespace

ZapHandler::ZapHandler(zmq::context_t& ctx, std::set<std::string> authorized_keys,
                       RegistryMetrics& metrics)
    : socket_(ctx, zmq::socket_type::rep),
      authorized_(std::move(authorized_keys)),
      metrics_(metrics),
      log_throttle_(kRefusalLogInterval) {
    socket_.set(zmq::sockopt::linger, 0);
    try {
        socket_.bind(kZapEndpoint);
    } catch (const zmq::error_t& e) {
        throw std::runtime_error(std::string("cannot bind the ZAP handler: ") + e.what());
    }
}

bool ZapHandler::drain() {
    for (int i = 0; i < kBurst; ++i) {
        std::vector<std::string> request;
        zmq::message_t frame;
        if (!socket_.recv(frame, zmq::recv_flags::dontwait)) return false;
        request.push_back(frame.to_string());
        while (frame.more()) {
            if (!socket_.recv(frame, zmq::recv_flags::none)) break;
            request.push_back(frame.to_string());
        }
        const auto verdict = bus::judge_zap_request(request, authorized_);
        for (std::size_t f = 0; f < verdict.reply.size(); ++f) {
            const auto more =
                f + 1 < verdict.reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
            socket_.send(zmq::buffer(verdict.reply[f]), more);
        }
        if (verdict.allowed) {
            log_debug(kLog, "CURVE client " + verdict.client_key + " from " + verdict.address +
                                " let in");
        } else {
            metrics_.auth_refused.fetch_add(1, std::memory_order_relaxed);
            log_refusal(verdict.address, verdict.reason);
        }
    }
    return true;
}

void ZapHandler::log_refusal(const std::string& address, const std::string& reason) {
    if (!log_throttle_.admit(LogThrottle::Clock::now())) return;
    log_warn(kLog, "refused bus client " + address + ": " + reason +
                       log_throttle_.held_back_note("refused"));
}

}  // namespace wsc
