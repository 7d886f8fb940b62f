#include "registry/RegistryMetrics.hpp"

#include <sstream>
#include <utility>

#include "common/TimeUnits.hpp"

namespace wsc {

void RegistryMetrics::observe_latency_us(std::uint64_t us) {
    latency_us_sum.fetch_add(us, std::memory_order_relaxed);
    std::size_t i = 0;
    while (i < ApiCallMetrics::kBuckets && us > kBucketMs[i] * kUsPerMs) ++i;
    latency_buckets[i].fetch_add(1, std::memory_order_relaxed);
}

std::string RegistryMetrics::render() const {
    std::ostringstream out;
    auto counter = [&](const char* name, const char* help, const char* type,
                       const std::atomic<std::uint64_t>& v) {
        out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n'
            << name << ' ' << v.load(std::memory_order_relaxed) << '\n';
    };
    counter("wscenter_nodes", "Live wsnodes known to this registry.", "gauge", nodes);
    counter("wscenter_connections", "WebSocket connections on the known nodes.", "gauge",
            connections);
    counter("wscenter_bus_requests_total", "Requests sent to nodes.", "counter", requests_sent);
    counter("wscenter_bus_replies_total", "Replies received from nodes.", "counter", replies);
    counter("wscenter_node_timeouts_total", "Per-node results that timed out.", "counter",
            node_timeouts);
    counter("wscenter_bus_bad_messages_total", "Malformed bus messages dropped.", "counter",
            bad_messages);
    counter("wscenter_bus_send_failures_total", "Bus sends refused by a gone or slow peer.",
            "counter", send_failures);
    counter("wscenter_subscribers", "Bus clients subscribed to upstream events.", "gauge",
            subscribers);
    counter("wscenter_upstream_events_total", "Client events handled by this registry.", "counter",
            upstream_events);
    counter("wscenter_upstream_dropped_total",
            "Client events not delivered to a subscriber whose queue was full.", "counter",
            upstream_dropped);
    counter("wscenter_bus_auth_refused_total", "Bus connections refused: CURVE key not authorized.",
            "counter", auth_refused);
    counter("wscenter_bus_handshake_failures_total",
            "Bus handshakes failed: no CURVE keys, or the wrong server key.", "counter",
            handshake_failures);
    counter("wscenter_bus_unauthenticated_total",
            "Node or peer messages ignored: their link has not proved the cluster secret.",
            "counter", unauthenticated);
    counter("wscenter_bus_node_claims_refused_total",
            "Node registrations refused: the node id is live on another link.", "counter",
            claims_refused);
    counter("wscenter_upstream_refused_total",
            "Client events refused: seq not possible for that node.", "counter", upstream_refused);
    counter("wscenter_directory_messages_total",
            "Directory changes and snapshots taken from nodes and peers.", "counter",
            directory_messages);
    counter("wscenter_directory_snapshots_asked_total",
            "Snapshots this registry asked for (a node joined, restarted or a change was lost).",
            "counter", directory_wants);
    counter("wscenter_directory_unsettled_total",
            "API calls answered at their deadline before every registry acknowledged their"
            " directory change.",
            "counter", directory_unsettled);
    counter("wscenter_directory_nodes", "Nodes known to the routing directory.", "gauge",
            directory_nodes);
    counter("wscenter_directory_synced_nodes",
            "Nodes routed exactly; the others get every event that could concern them.", "gauge",
            directory_synced);
    out << "# HELP wscenter_presence_events_total Presence events this registry decided and made.\n"
        << "# TYPE wscenter_presence_events_total counter\n"
        << "wscenter_presence_events_total{event=\"online\"} "
        << presence_online.load(std::memory_order_relaxed) << '\n'
        << "wscenter_presence_events_total{event=\"offline\"} "
        << presence_offline.load(std::memory_order_relaxed) << '\n';
    counter("wscenter_node_lost_closes_total",
            "Close events (reason node_lost) this registry made for the connections of lost nodes.",
            "counter", node_lost_closes);
    counter("wscenter_cluster_events_total",
            "Presence and node-loss events delivered here, whichever registry made them.",
            "counter", cluster_events);
    counter("wscenter_users_online", "Users with a bound connection somewhere in the cluster.",
            "gauge", users_online);
    counter("wscenter_cluster_connections",
            "Connections of the whole cluster, as the directory knows them.", "gauge",
            cluster_connections);
    out << "# HELP wscenter_webhook_deliveries_total Webhook POSTs by result: ok (2xx),"
           " http_error (another status), failed (no answer: refused, timed out, ...).\n"
        << "# TYPE wscenter_webhook_deliveries_total counter\n";
    const std::pair<const char*, const std::atomic<std::uint64_t>*> results[] = {
        {"ok", &webhook_ok}, {"http_error", &webhook_http_errors}, {"failed", &webhook_failed}};
    for (const auto& [result, n] : results)
        out << "wscenter_webhook_deliveries_total{result=\"" << result << "\"} "
            << n->load(std::memory_order_relaxed) << '\n';
    counter("wscenter_webhook_events_total", "Events delivered to webhook endpoints.", "counter",
            webhook_events);
    counter("wscenter_webhook_queue_depth",
            "Events waiting for webhook endpoints (summed over them), those in flight included.",
            "gauge", webhook_queue_depth);
    counter("wscenter_webhook_dropped_total",
            "Events not sent to a webhook endpoint: its queue was full.", "counter",
            webhook_dropped);
    out << "# HELP wscenter_api_latency_seconds Time from an API call to its answer.\n"
        << "# TYPE wscenter_api_latency_seconds histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= ApiCallMetrics::kBuckets; ++i) {
        cumulative += latency_buckets[i].load(std::memory_order_relaxed);
        out << "wscenter_api_latency_seconds_bucket{le=\"";
        if (i < ApiCallMetrics::kBuckets)
            out << static_cast<double>(kBucketMs[i]) / kMsPerSecond;
        else
            out << "+Inf";
        out << "\"} " << cumulative << '\n';
    }
    out << "wscenter_api_latency_seconds_sum "
        << static_cast<double>(latency_us_sum.load(std::memory_order_relaxed)) / kUsPerSecond
        << '\n'
        << "wscenter_api_latency_seconds_count " << cumulative << '\n'
        << api.render();
    return out.str();
}

}  // namespace wsc
