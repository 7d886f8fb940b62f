// WsServer: the node-local API. A plain HTTP request (not an upgrade) to the
// WebSocket port runs the events on this node alone (SPEC §5).
#include "wsnode/WsServer.hpp"

#include <cstdlib>

#include "httpapi/Envelope.hpp"
#include "httpapi/ParamTree.hpp"
#include "wsnode/LocalApi.hpp"
#include "wsnode/LwsRequest.hpp"

namespace wsc {

namespace {

constexpr const char* kJson = "application/json";
constexpr std::size_t kHeaderCopyBytes = 256;  // content type and length of a request

}  // namespace

int WsServer::on_http(lws* wsi) {
    counters_.http_requests.fetch_add(1, std::memory_order_relaxed);
    char* uri = nullptr;
    int uri_len = 0;
    const int method = lws_http_get_uri_and_method(wsi, &uri, &uri_len);
    if (method == LWSHUMETH_OPTIONS) return finish_http(wsi, HTTP_STATUS_NO_CONTENT, "");
    if (method != LWSHUMETH_GET && method != LWSHUMETH_POST)
        return finish_http(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED, "method not allowed\n");
    if (uri && std::string_view(uri, static_cast<std::size_t>(uri_len)) == "/metrics")
        return finish_http(wsi, HTTP_STATUS_OK, metrics_text(), "text/plain; version=0.0.4");
    // The node-local API: the events run on this node alone.
    LocalHttp req;
    for (auto& [key, value] : query_args(wsi)) {
        if (key.empty()) continue;
        try {
            add_param(req.query, key, std::move(value));
        } catch (const ParamError& e) {
            return finish_http(wsi, HTTP_STATUS_OK, error_envelope(kCodeError, e.what()), kJson);
        }
    }
    if (method == LWSHUMETH_GET) return finish_http(wsi, HTTP_STATUS_OK, run_local(req), kJson);
    char buf[kHeaderCopyBytes];
    if (lws_hdr_copy(wsi, buf, sizeof buf, WSI_TOKEN_HTTP_CONTENT_TYPE) > 0) req.content_type = buf;
    if (lws_hdr_copy(wsi, buf, sizeof buf, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 &&
        std::strtoull(buf, nullptr, 10) > max_message_bytes_) {
        write_http_response(wsi, HTTP_STATUS_REQ_ENTITY_TOO_LARGE, "body too large\n");
        return -1;  // the body will not be read
    }
    http_[wsi] = std::move(req);
    return 0;  // the body follows
}

int WsServer::on_http_body(lws* wsi, const char* data, size_t len) {
    auto it = http_.find(wsi);
    if (it == http_.end()) return -1;
    if (it->second.body.size() + len > max_message_bytes_)
        it->second.too_large = true;
    else
        it->second.body.append(data, len);
    return 0;
}

int WsServer::on_http_body_done(lws* wsi) {
    auto it = http_.find(wsi);
    if (it == http_.end()) return -1;
    LocalHttp req = std::move(it->second);
    http_.erase(it);
    if (req.too_large) {
        write_http_response(wsi, HTTP_STATUS_REQ_ENTITY_TOO_LARGE, "body too large\n");
        return -1;
    }
    try {
        merge_params(req.query, parse_body(req.content_type, req.body));
    } catch (const ParamError& e) {
        return finish_http(wsi, HTTP_STATUS_OK, error_envelope(kCodeError, e.what()), kJson);
    }
    return finish_http(wsi, HTTP_STATUS_OK, run_local(req), kJson);
}

std::string WsServer::run_local(const LocalHttp& req) {
    return run_local_api(req.query, tokens_, executor_);
}

int WsServer::finish_http(lws* wsi, unsigned status, std::string_view body,
                          const char* content_type) {
    if (!write_http_response(wsi, status, body, content_type)) return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
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
