// A registry stopped or drained while API calls are waiting on a node.
//
// The registry runs in this process (the Registry class the program wraps),
// so that the sanitizer builds see its thread end: stop() and drain() come
// from other threads while the registry's thread answers calls, and nothing
// may outlive what it uses. The node is a real wscenter-wsnode, frozen with SIGSTOP so
// that the calls stay in flight.
#include <csignal>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "registry/Registry.hpp"
#include "tests/integration/Cluster.hpp"
#include "tests/support/TcpConnection.hpp"

namespace wsc::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kCalls = 40;
// Far longer than the test: a stop that waited for the calls would show.
constexpr int kLongCallMs = 30000;
constexpr int kShortCallMs = 800;
constexpr auto kStopBound = 10s;

std::unique_ptr<Registry> start_in_process() {
    RegistryConfig config;
    config.broker.bus_endpoint = "tcp://127.0.0.1:0";
    config.http.host = "127.0.0.1";
    config.http.port = 0;
    auto registry = std::make_unique<Registry>(config);
    registry->start();
    return registry;
}

// Sends one API call on its own connection and leaves it waiting.
std::unique_ptr<TcpConnection> send_call(std::uint16_t port, int timeout_ms) {
    auto conn = std::make_unique<TcpConnection>(port, Clock::now() + 5s);
    conn->send_all("GET /?event=getConnectionCount&timeout=" + std::to_string(timeout_ms) +
                       " HTTP/1.1\r\nHost: x\r\n\r\n",
                   Clock::now() + 5s);
    return conn;
}

class RegistryStop : public ::testing::Test {
  protected:
    void SetUp() override {
        registry_ = start_in_process();
        node_ = start_wsnode({registry_->bus_port()});
        ASSERT_TRUE(wait_for_nodes(registry_->http_port(), 1));
    }

    // Freezes the node (until the test ends) and leaves `count` calls
    // waiting on it, each on its own connection.
    std::vector<std::unique_ptr<TcpConnection>> calls_on_frozen_node(int count, int timeout_ms) {
        resume_ = std::make_unique<ResumeOnExit>(*node_.proc);
        node_.proc->signal(SIGSTOP);
        std::vector<std::unique_ptr<TcpConnection>> calls;
        for (int i = 0; i < count; ++i)
            calls.push_back(send_call(registry_->http_port(), timeout_ms));
        return calls;
    }

    std::unique_ptr<Registry> registry_;
    NodeProc node_;
    std::unique_ptr<ResumeOnExit> resume_;
};

TEST_F(RegistryStop, StopsAtOnceWithCallsInFlightAndClosesTheirConnections) {
    auto calls = calls_on_frozen_node(kCalls, kLongCallMs);
    // Every call has reached the broker and waits on the frozen node.
    std::this_thread::sleep_for(300ms);
    const auto before = Clock::now();
    registry_->stop();
    registry_.reset();
    EXPECT_LT(Clock::now() - before, kStopBound);
    // No answer, no hang: each waiting client sees its connection end.
    for (auto& c : calls) {
        const std::string rest = c->read_to_eof(Clock::now() + 5s);
        EXPECT_TRUE(c->eof());
        EXPECT_EQ(rest.find("HTTP/1.1 200"), std::string::npos) << rest;
    }
}

TEST_F(RegistryStop, DrainAnswersEveryCallInFlightBeforeReturning) {
    auto calls = calls_on_frozen_node(kCalls, kShortCallMs);
    std::this_thread::sleep_for(100ms);
    registry_->drain(20s);
    // drain() returned: every answer is written out, so it can be read
    // although the registry stops right now.
    registry_->stop();
    registry_.reset();
    for (auto& c : calls) {
        const std::string answer = c->read_to_eof(Clock::now() + 5s);
        EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
        // The frozen node's slot says it timed out.
        EXPECT_NE(answer.find(R"("code":2)"), std::string::npos) << answer;
    }
}

TEST_F(RegistryStop, CallsArrivingDuringDrainAreRefusedWith503) {
    auto early = std::move(calls_on_frozen_node(1, kShortCallMs).front());
    std::this_thread::sleep_for(100ms);
    std::thread drainer([&] { registry_->drain(20s); });
    std::this_thread::sleep_for(100ms);
    auto late = send_call(registry_->http_port(), kShortCallMs);
    const auto refused = late->read_until("\r\n", Clock::now() + 5s, 4096);
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->rfind("HTTP/1.1 503", 0), 0u) << *refused;
    drainer.join();
    const auto answered = early->read_until("\r\n", Clock::now() + 5s, 4096);
    ASSERT_TRUE(answered.has_value());
    EXPECT_EQ(answered->rfind("HTTP/1.1 200", 0), 0u) << *answered;
}

}  // namespace
}  // namespace wsc::test
