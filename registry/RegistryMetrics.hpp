// Counters the registry exposes on /metrics. Written by the broker thread,
// read by the HTTP thread: plain relaxed atomics, no other shared state.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace wsc {

struct RegistryMetrics {
    std::atomic<std::uint64_t> nodes{0};
    std::atomic<std::uint64_t> connections{0};         // sum of the nodes' last reported counts
    std::atomic<std::uint64_t> api_calls{0};           // calls completed (HTTP and bus clients)
    std::atomic<std::uint64_t> api_errors{0};          // calls refused by validation
    std::atomic<std::uint64_t> requests_sent{0};       // Request messages sent to nodes
    std::atomic<std::uint64_t> replies{0};             // Reply messages received
    std::atomic<std::uint64_t> node_timeouts{0};       // per-node timeout slots
    std::atomic<std::uint64_t> bad_messages{0};        // malformed bus input dropped
    std::atomic<std::uint64_t> send_failures{0};       // bus sends refused (peer gone or slow)
    std::atomic<std::uint64_t> subscribers{0};         // bus clients receiving upstream events
    std::atomic<std::uint64_t> upstream_events{0};     // client events delivered here
    std::atomic<std::uint64_t> upstream_dropped{0};    // not sent: a subscriber too slow
    std::atomic<std::uint64_t> auth_refused{0};        // CURVE clients refused by the ZAP handler
    std::atomic<std::uint64_t> handshake_failures{0};  // no CURVE keys, or the wrong server key
    std::atomic<std::uint64_t> latency_us_sum{0};      // total call latency
    std::atomic<std::uint64_t> latency_buckets[8]{};   // <=1,2,5,10,50,250,1000 ms, +Inf

    static constexpr std::uint64_t kBucketMs[7] = {1, 2, 5, 10, 50, 250, 1000};

    void observe_latency_us(std::uint64_t us);
    // Prometheus text exposition format.
    std::string render() const;
};

}  // namespace wsc
