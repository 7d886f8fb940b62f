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
