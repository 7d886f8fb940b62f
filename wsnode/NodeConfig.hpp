// Settings of one WebSocket node, filled by main() from the options or by a
// program that embeds the node as a library.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bus/CurveConfig.hpp"
#include "bus/Protocol.hpp"
#include "net/HttpExchange.hpp"
#include "net/TlsFiles.hpp"

namespace wsc {

// Defaults shared by NodeConfig and wscenter-wsnode's option table.
inline constexpr std::uint16_t kDefaultWsPort = 8090;
inline constexpr std::size_t kDefaultSendQueueBytes = 4u << 20;   // per connection
inline constexpr std::size_t kDefaultMaxMessageBytes = 1u << 20;  // one client message
// Unfinished client messages: bytes held for all of them on the node, and how
// long one may take to complete. Slow or stalled senders cannot pin memory.
inline constexpr std::size_t kDefaultPartialBudgetBytes = 16u << 20;
inline constexpr int kDefaultPartialTimeoutMs = 10'000;

struct NodeConfig {
    std::string host;                     // interface or address to listen on; "" = all
    std::uint16_t port = kDefaultWsPort;  // 0 = let the system pick (see Node::port())
    std::vector<std::string> registries;  // bus endpoints, e.g. "tcp://127.0.0.1:8010"
    std::vector<std::string> tokens;      // empty = clients need no token
    // Tokens of the node-local API. With any token configured (client or
    // API) the API needs one of these (none: the API is off); with no token
    // at all it answers loopback peers only.
    std::vector<std::string> api_tokens;
    std::string public_url;  // advertised URL; "" = ws(s)://127.0.0.1:<port>/
    std::string node_id;     // 32 lowercase hex; "" = a random one
    int heartbeat_ms = bus::kDefaultHeartbeatMs;
    int liveness = bus::kDefaultLiveness;  // silent intervals before a registry is lost
    std::size_t send_queue_bytes = kDefaultSendQueueBytes;
    std::size_t max_message_bytes = kDefaultMaxMessageBytes;
    std::size_t partial_budget_bytes = kDefaultPartialBudgetBytes;
    int partial_timeout_ms = kDefaultPartialTimeoutMs;
    int http_request_timeout_ms = kDefaultHttpRequestTimeoutMs;  // head, then body, of a request
    std::size_t max_connections = 100000;                        // upgrades past it get 503
    double connect_rate_per_ip = 200;  // new connections per second per address; 0 = no limit
    bus::CurveConfig curve;            // CURVE client keys for the registry links; off if empty
    std::string cluster_secret;        // proved to registries that ask; "" = none
    // Receipts a connection may be awaited for at once; past it a send goes
    // to it without waiting (counted).
    std::size_t max_pending_acks = 64;
    TlsFiles tls;  // wss:// (and https:// for the node API) when set
};

}  // namespace wsc
