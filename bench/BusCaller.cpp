// BusCaller: ClientCall/ClientResult on a DEALER socket.
#include "bench/BusCaller.hpp"

#include <chrono>
#include <stdexcept>
#include <unordered_map>

#include "bench/PaceTimer.hpp"
#include "bus/Frames.hpp"
#include "bus/Messages.hpp"
#include "bus/MsgpackJson.hpp"

namespace wsc::bench {

namespace {

constexpr std::size_t kErrorExcerpt = 200;  // bytes of a failed answer kept for the report
constexpr int kIdlePollMs = 50;
// Generous queues: the window, not zmq's high-water mark, limits calls in flight.
constexpr int kHighWaterMark = 1'000'000;

struct Pending {
    ApiCall call;
    std::int64_t sent_ns = 0;
};

}  // namespace

CallStats BusCaller::run(CallSource& source, const Pacing& pacing) {
    CallStats stats;
    zmq::context_t context(1);
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    bus::configure_socket(socket);
    socket.set(zmq::sockopt::sndhwm, kHighWaterMark);
    socket.set(zmq::sockopt::rcvhwm, kHighWaterMark);
    try {
        socket.connect(endpoint_);
    } catch (const zmq::error_t& e) {
        throw std::runtime_error("bus endpoint '" + endpoint_ + "': " + e.what());
    }
    PaceTimer timer(pacing.rate);
    const std::size_t window = std::max<std::size_t>(pacing.concurrency, 1);
    std::unordered_map<std::uint64_t, Pending> pending;
    std::uint64_t next_req = 1;
    bool exhausted = false;

    auto finish = [&](Pending& p, bool ok, const std::string& why) {
        const std::int64_t now = now_ns();
        stats.latency.record(now - p.call.intended_ns);
        stats.last_answer_ns = now;
        if (ok) {
            ++stats.ok;
        } else {
            stats.fail(why);
        }
        source.done(p.call, ok);
    };
    auto on_result = [&](const std::string& body) {
        const auto result = bus::decode<bus::ClientResult>(body);
        const auto req = result.req.get<std::uint64_t>();
        const auto it = pending.find(req);
        if (it == pending.end()) return;  // answered after its timeout
        const auto& envelope = result.envelope;
        std::string why = envelope_ok(envelope) ? source.check(it->second.call, envelope)
                                                : "bus: " + envelope.substr(0, kErrorExcerpt);
        finish(it->second, why.empty(), why);
        pending.erase(it);
    };

    timer.start(now_ns());
    stats.first_send_ns = now_ns();
    for (;;) {
        bool waiting = false;
        while (!exhausted && pending.size() < window) {
            const std::int64_t now = now_ns();
            const std::int64_t due = timer.due(now);
            if (due > now) {
                waiting = true;
                break;
            }
            Pending p;
            if (!source.next(0, due, p.call)) {
                exhausted = true;
                break;
            }
            if (timer.paced() && now - due > kNsPerMs) ++stats.late;
            timer.advance();
            p.sent_ns = now;
            const std::uint64_t req = next_req++;
            const auto body = bus::encode(bus::ClientCall{req, bus_params(p.call)});
            if (!bus::send_message(socket, bus::Command::ClientCall, body)) {
                finish(p, false, "bus: the DEALER refused the call (queue full)");
                continue;
            }
            pending.emplace(req, std::move(p));
        }
        if (exhausted && pending.empty()) break;
        if (waiting) {
            timer.arm();
        } else {
            timer.disarm();
        }
        zmq::pollitem_t items[] = {{socket.handle(), 0, ZMQ_POLLIN, 0},
                                   {nullptr, timer.fd(), ZMQ_POLLIN, 0}};
        zmq::poll(items, timer.paced() ? 2 : 1, std::chrono::milliseconds(kIdlePollMs));
        if (items[1].revents & ZMQ_POLLIN) timer.drain();
        for (;;) {
            std::optional<bus::Incoming> in;
            try {
                in = bus::receive(socket, false);
                if (!in) break;
                if (in->command == bus::Command::ClientResult) on_result(in->body);
            } catch (const std::exception& e) {
                stats.fail(std::string("bus: bad answer: ") + e.what());
            }
        }
        const std::int64_t now = now_ns();
        for (auto it = pending.begin(); it != pending.end();) {
            if (now - it->second.sent_ns > pacing.answer_timeout_ns) {
                // A registry that lets a call time out is gone or stuck:
                // stop calling rather than wait out every remaining call.
                exhausted = true;
                finish(it->second, false, "bus: no answer in time");
                it = pending.erase(it);
            } else {
                ++it;
            }
        }
    }
    return stats;
}

}  // namespace wsc::bench
