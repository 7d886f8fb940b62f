// Counters the registry exposes on /metrics. Written on the registry's
// thread (broker and HTTP side), readable from any thread: plain relaxed
// atomics, no other shared state.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "api/ApiCallMetrics.hpp"

namespace wsc {

struct RegistryMetrics {
    std::atomic<std::uint64_t> nodes{0};
    std::atomic<std::uint64_t> connections{0};         // sum of the nodes' last reported counts
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
    std::atomic<std::uint64_t> unauthenticated{0};     // node/peer messages ignored: no proof
    std::atomic<std::uint64_t> claims_refused{0};      // node ids claimed while live elsewhere
    std::atomic<std::uint64_t> upstream_refused{0};    // client events with an impossible seq
    std::atomic<std::uint64_t> latency_us_sum{0};      // total call latency
    // The routing directory (Directory, DirectoryAcks).
    std::atomic<std::uint64_t> directory_messages{
        0};                                         // Directory messages taken (deltas, snapshots)
    std::atomic<std::uint64_t> directory_wants{0};  // snapshots asked by this registry
    std::atomic<std::uint64_t> directory_unsettled{0};  // calls answered before every ack came
    std::atomic<std::uint64_t> directory_nodes{0};      // nodes known in the directory
    std::atomic<std::uint64_t> directory_synced{0};     // of which in sync (routed exactly)
    // Presence and node loss (Presence).
    std::atomic<std::uint64_t> presence_online{0};      // online events this registry made
    std::atomic<std::uint64_t> presence_offline{0};     // offline events this registry made
    std::atomic<std::uint64_t> node_lost_closes{0};     // node_lost closes this registry made
    std::atomic<std::uint64_t> cluster_events{0};       // cluster events delivered here (any maker)
    std::atomic<std::uint64_t> users_online{0};         // users with a bound connection anywhere
    std::atomic<std::uint64_t> cluster_connections{0};  // connections known in the directory
    // Webhooks (WebhookSender): POSTs by result, events delivered, events
    // waiting over all endpoints, events dropped (an endpoint's queue full).
    std::atomic<std::uint64_t> webhook_ok{0};           // answered 2xx
    std::atomic<std::uint64_t> webhook_http_errors{0};  // answered, not 2xx
    std::atomic<std::uint64_t> webhook_failed{0};       // no answer: refused, timed out, ...
    std::atomic<std::uint64_t> webhook_events{0};
    std::atomic<std::uint64_t> webhook_queue_depth{0};
    std::atomic<std::uint64_t> webhook_dropped{0};
    // Calls of every kind, answered or refused, by event and result.
    ApiCallMetrics api;
    std::atomic<std::uint64_t> latency_buckets[ApiCallMetrics::kBuckets + 1]{};  // ..., +Inf

    static constexpr auto& kBucketMs = ApiCallMetrics::kBucketMs;

    void observe_latency_us(std::uint64_t us);
    // Prometheus text exposition format.
    std::string render() const;
};

}  // namespace wsc
