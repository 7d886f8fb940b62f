// WsServer: plain HTTP requests (not upgrades) to the WebSocket port: the
// node-local API, which runs the events on this node alone (SPEC §5), and
// /metrics.
#include "wsnode/WsServer.hpp"

#include "api/Envelope.hpp"
#include "api/ParamTree.hpp"
#include "net/Loopback.hpp"
#include "wsnode/LocalApi.hpp"

namespace wsc {

namespace {

constexpr const char* kJson = "application/json";

HttpResponse answer(int status, std::string body, const char* type = kJson) {
    HttpResponse r;
    r.status = status;
    r.content_type = type;
    r.body = std::move(body);
    return r;
}

}  // namespace

HttpResponse WsServer::local_http(const HttpRequest& request, lws* wsi) {
    const std::string& method = request.method;
    if (method == "OPTIONS") return answer(HTTP_STATUS_NO_CONTENT, "", "text/plain");
    if (method != "GET" && method != "POST")
        return answer(HTTP_STATUS_METHOD_NOT_ALLOWED, "method not allowed\n", "text/plain");
    if (request.path == "/metrics")
        return answer(HTTP_STATUS_OK, metrics_text(), "text/plain; version=0.0.4");
    // The node-local API: the events run on this node alone. Who may call it
    // is decided before anything of the request is looked at.
    if (api_tokens_.empty()) {
        if (!tokens_.empty()) {
            counters_.api_refused.fetch_add(1, std::memory_order_relaxed);
            return answer(
                HTTP_STATUS_FORBIDDEN,
                error_envelope(kCodeError, "the node-local API is off: no api_tokens configured"));
        }
        if (!is_loopback_address(peer_address(wsi))) {
            counters_.api_refused.fetch_add(1, std::memory_order_relaxed);
            return answer(HTTP_STATUS_FORBIDDEN,
                          error_envelope(kCodeError,
                                         "without api_tokens the node-local API answers "
                                         "loopback clients only"));
        }
    }
    nlohmann::json merged;
    try {
        merged = parse_query_string(request.query);
        if (!request.body.empty())
            merge_params(merged,
                         parse_body(std::string(request.header("content-type")), request.body));
    } catch (const ParamError& e) {
        return answer(HTTP_STATUS_OK, error_envelope(kCodeError, e.what()));
    }
    std::string body = run_local_api(merged, api_tokens_, executor_);
    return answer(HTTP_STATUS_OK, std::move(body));
}

}  // namespace wsc

namespace wsc {

std::string WsServer::metrics_text() const {
    std::string out;
    auto metric = [&](const char* name, const char* help, const char* type, std::uint64_t value) {
        out += std::string("# HELP ") + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n' +
               name + ' ' + std::to_string(value) + '\n';
    };
    auto count = [](const std::atomic<std::uint64_t>& c) {
        return c.load(std::memory_order_relaxed);
    };
    metric("wscenter_node_connections", "WebSocket connections open now.", "gauge",
           index_.connection_count());
    metric("wscenter_node_opened_total", "WebSocket connections accepted.", "counter",
           count(counters_.opened));
    metric("wscenter_node_client_messages_total", "Client messages received (not ping).", "counter",
           count(counters_.client_messages));
    metric("wscenter_node_requests_total", "Bus requests run.", "counter",
           count(counters_.requests));
    metric("wscenter_node_slow_consumer_closes_total",
           "Connections closed (1008) for a full send queue.", "counter",
           count(counters_.overflow_closes));
    metric("wscenter_node_too_large_closes_total",
           "Connections closed (1009) for a message over the limit.", "counter",
           count(counters_.too_large_closes));
    metric("wscenter_node_protocol_closes_total",
           "Connections closed for breaking RFC 6455 (1002, 1007).", "counter",
           count(counters_.protocol_closes));
    metric("wscenter_node_partial_closes_total",
           "Connections closed for an unfinished message too slow (1008) or over the node's "
           "budget (1009).",
           "counter", count(counters_.partial_closes));
    metric("wscenter_node_http_refused_total", "Malformed HTTP requests and upgrades refused.",
           "counter", count(counters_.http_refused));
    metric("wscenter_node_api_refused_total",
           "Node-local API calls refused: API off, or not loopback without api_tokens.", "counter",
           count(counters_.api_refused));
    metric("wscenter_node_token_rejects_total", "Upgrades refused for a bad token.", "counter",
           count(counters_.token_rejects));
    metric("wscenter_node_limit_rejects_total", "Upgrades refused: node at max_connections.",
           "counter", count(counters_.limit_rejects));
    metric("wscenter_node_rate_rejects_total", "Upgrades refused: address over its rate.",
           "counter", count(counters_.rate_rejects));
    metric("wscenter_node_upstream_dropped_total", "Client events not published on the bus.",
           "counter", count(counters_.upstream_dropped));
    return out;
}

}  // namespace wsc
