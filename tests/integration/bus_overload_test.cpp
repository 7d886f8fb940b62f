// max_pending bounds the calls that come over the bus as well as the HTTP
// ones: past it a ClientCall is answered "overloaded" at once, so a flood of
// calls to a node that never answers cannot grow the registry without end.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "bus/Frames.hpp"
#include "tests/integration/Cluster.hpp"
#include "tests/support/WaitUntil.hpp"

using namespace wsc::test;
using nlohmann::json;

namespace {

long metric(std::uint16_t http_port, const std::string& name) {
    const std::string text = http_get(http_port, "/metrics").body;
    const std::string key = "\n" + name + " ";
    const auto at = text.find(key);
    return at == std::string::npos ? -1 : std::stol(text.substr(at + key.size()));
}

}  // namespace

TEST(BusOverload, ClientCallsPastMaxPendingAreAnsweredOverloaded) {
    constexpr int kMaxPending = 50;
    constexpr int kCalls = 400;
    // A long liveness: the stopped node stays "alive", so calls wait on it.
    auto reg = start_registry(
        {}, {{"registry.max_pending", std::to_string(kMaxPending)}, {"registry.liveness", "100"}});
    auto node = start_wsnode({reg.bus_port});
    ASSERT_TRUE(wait_for_nodes(reg.http_port, 1));
    node.proc->signal(SIGSTOP);

    zmq::context_t ctx;
    zmq::socket_t caller(ctx, zmq::socket_type::dealer);
    wsc::bus::configure_socket(caller);
    caller.connect(reg.bus_endpoint());
    for (int i = 0; i < kCalls; ++i) {
        const json body{{"req", i}, {"params", {{"event", "getIds"}, {"timeout", 20000}}}};
        ASSERT_TRUE(wsc::bus::send_message(caller, wsc::bus::Command::ClientCall,
                                           wsc::bus::to_msgpack(body)));
    }
    int overloaded = 0;
    int other = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (overloaded + other < kCalls - kMaxPending && std::chrono::steady_clock::now() < until) {
        zmq::pollitem_t item{caller.handle(), 0, ZMQ_POLLIN, 0};
        zmq::poll(&item, 1, std::chrono::milliseconds(100));
        while (auto in = wsc::bus::receive(caller, false)) {
            ASSERT_EQ(in->command, wsc::bus::Command::ClientResult);
            const auto envelope =
                json::parse(wsc::bus::from_msgpack(in->body).at("envelope").get<std::string>());
            if (envelope.value("msg", "") == "overloaded, try again" && envelope["code"] == 1)
                ++overloaded;
            else
                ++other;
        }
    }
    EXPECT_EQ(overloaded, kCalls - kMaxPending);
    EXPECT_EQ(other, 0);
    // Still serving, and the refusals are counted like the HTTP ones.
    EXPECT_EQ(http_get(reg.http_port, "/healthz").status, 200);
    const std::string text = http_get(reg.http_port, "/metrics").body;
    EXPECT_NE(text.find("wscenter_api_calls_total{event=\"getIds\",code=\"503\"} " +
                        std::to_string(kCalls - kMaxPending)),
              std::string::npos)
        << text.substr(text.find("wscenter_api_calls_total"), 2000);
    EXPECT_GE(metric(reg.http_port, "wscenter_nodes"), 1);
    node.proc->signal(SIGCONT);
}
