// The node's /metrics page: see MetricsText.hpp.
#include "wsnode/MetricsText.hpp"

namespace wsc {

std::string metrics_text(const NodeCounters& counters, const IndexSizes& sizes) {
    std::string out;
    auto metric = [&](const char* name, const char* help, const char* type, std::uint64_t value) {
        out += std::string("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n' +
               name + ' ' + std::to_string(value) + '\n';
    };
    auto count = [](const std::atomic<std::uint64_t>& c) {
        return c.load(std::memory_order_relaxed);
    };
    metric("wscenter_node_connections", "WebSocket connections open now.", "gauge",
           sizes.connections);
    metric("wscenter_node_users", "User ids bound to a connection here now.", "gauge", sizes.users);
    metric("wscenter_node_groups", "Groups with a member here now.", "gauge", sizes.groups);
    metric("wscenter_node_opened_total", "WebSocket connections accepted.", "counter",
           count(counters.opened));
    metric("wscenter_node_client_messages_total", "Client messages received (not ping).", "counter",
           count(counters.client_messages));
    metric("wscenter_node_requests_total", "Bus requests run.", "counter",
           count(counters.requests));
    metric("wscenter_node_frames_sent_total",
           "Queued frames written to clients: messages, and each connection's open frame.",
           "counter", count(counters.frames_sent));
    metric("wscenter_node_writes_total", "Writes to client sockets (one send() each).", "counter",
           count(counters.writes));
    metric("wscenter_node_directory_deltas_total",
           "Changes of the users and groups held here, sent to the registries.", "counter",
           count(counters.directory_deltas));
    metric("wscenter_node_directory_snapshots_total",
           "Snapshots of the users and groups held here, sent when a registry wanted one.",
           "counter", count(counters.directory_snapshots));
    metric("wscenter_node_acks_total", "Client acks of ack-requested messages that counted.",
           "counter", count(counters.acks_counted));
    metric("wscenter_node_acks_ignored_total",
           "Client acks ignored: forged, repeated or after their send was answered.", "counter",
           count(counters.acks_ignored));
    metric("wscenter_node_ack_overflow_total",
           "Connections sent an ack-requested message but not awaited: pending acks over a "
           "bound.",
           "counter", count(counters.ack_overflow));
    metric("wscenter_node_ack_waits", "Sends waiting for client acks now.", "gauge",
           count(counters.ack_waits));
    metric("wscenter_node_slow_consumer_closes_total",
           "Connections closed (1008) for a full send queue.", "counter",
           count(counters.overflow_closes));
    metric("wscenter_node_too_large_closes_total",
           "Connections closed (1009) for a message over the limit.", "counter",
           count(counters.too_large_closes));
    metric("wscenter_node_protocol_closes_total",
           "Connections closed for breaking RFC 6455 (1002, 1007).", "counter",
           count(counters.protocol_closes));
    metric("wscenter_node_partial_closes_total",
           "Connections closed for an unfinished message too slow (1008) or over the node's "
           "budget (1009).",
           "counter", count(counters.partial_closes));
    metric("wscenter_node_http_refused_total", "Malformed HTTP requests and upgrades refused.",
           "counter", count(counters.http_refused));
    metric("wscenter_node_api_refused_total",
           "Node-local API calls refused: API off, or not loopback without api_tokens.", "counter",
           count(counters.api_refused));
    metric("wscenter_node_token_rejects_total", "Upgrades refused for a bad token.", "counter",
           count(counters.token_rejects));
    metric("wscenter_node_limit_rejects_total", "Upgrades refused: node at max_connections.",
           "counter", count(counters.limit_rejects));
    metric("wscenter_node_rate_rejects_total", "Upgrades refused: address over its rate.",
           "counter", count(counters.rate_rejects));
    metric("wscenter_node_upstream_dropped_total", "Client events not published on the bus.",
           "counter", count(counters.upstream_dropped));
    return out;
}

}  // namespace wsc
