// What a node counts: written on the lws thread, readable from any thread
// (/metrics, the embedding program, tests).
#pragma once

#include <atomic>
#include <cstdint>

namespace wsc {

struct NodeCounters {
    std::atomic<std::uint64_t> opened{0};
    std::atomic<std::uint64_t> client_messages{0};   // not taken by a handler (ping is)
    std::atomic<std::uint64_t> upstream_dropped{0};  // client events not queued for the bus
    std::atomic<std::uint64_t> overflow_closes{0};   // send queue over the cap (1008)
    std::atomic<std::uint64_t> too_large_closes{0};  // client message over the cap (1009)
    std::atomic<std::uint64_t> protocol_closes{0};   // RFC 6455 violations (1002, 1007)
    std::atomic<std::uint64_t> partial_closes{0};    // unfinished message too slow or over budget
    std::atomic<std::uint64_t> http_refused{0};      // malformed HTTP requests and upgrades
    std::atomic<std::uint64_t> api_refused{0};    // node-local API calls from whom it is closed to
    std::atomic<std::uint64_t> token_rejects{0};  // upgrades refused with 401
    std::atomic<std::uint64_t> middleware_rejects{0};   // upgrades refused by middleware
    std::atomic<std::uint64_t> limit_rejects{0};        // upgrades refused: node full (503)
    std::atomic<std::uint64_t> rate_rejects{0};         // upgrades refused: address too fast (429)
    std::atomic<std::uint64_t> handler_failures{0};     // handlers that threw (1011)
    std::atomic<std::uint64_t> http_requests{0};        // plain HTTP, not an upgrade
    std::atomic<std::uint64_t> requests{0};             // bus requests run
    std::atomic<std::uint64_t> frames_sent{0};          // frames written to clients
    std::atomic<std::uint64_t> writes{0};               // writes to client sockets
    std::atomic<std::uint64_t> directory_deltas{0};     // directory changes sent
    std::atomic<std::uint64_t> directory_snapshots{0};  // directory snapshots sent
    std::atomic<std::uint64_t> acks_counted{0};         // client acks that counted
    std::atomic<std::uint64_t> acks_ignored{0};         // forged, repeated or late acks
    std::atomic<std::uint64_t> ack_overflow{0};         // connections not awaited: bounds
    std::atomic<std::uint64_t> ack_waits{0};            // sends waiting for acks now
};

}  // namespace wsc
