// Plain HTTP requests to a node's port: see LocalHttp.hpp.
#include "wsnode/LocalHttp.hpp"

#include <utility>

#include "api/Envelope.hpp"
#include "api/ParamTree.hpp"
#include "wsnode/LocalApi.hpp"
#include "wsnode/MetricsText.hpp"

namespace wsc {

namespace {

constexpr const char* kJson = "application/json";
constexpr int kOk = 200;
constexpr int kNoContent = 204;
constexpr int kForbidden = 403;
constexpr int kMethodNotAllowed = 405;

HttpResponse response(int status, std::string body, const char* type = kJson) {
    HttpResponse r;
    r.status = status;
    r.content_type = type;
    r.body = std::move(body);
    return r;
}

}  // namespace

LocalHttp::LocalHttp(std::vector<std::string> tokens, std::vector<std::string> api_tokens,
                     CommandExecutor& executor, const ConnectionIndex& index,
                     NodeCounters& counters)
    : tokens_(std::move(tokens)),
      api_tokens_(std::move(api_tokens)),
      executor_(executor),
      index_(index),
      counters_(counters) {}

HttpResponse LocalHttp::answer(const HttpRequest& request, bool from_loopback) {
    const std::string& method = request.method;
    if (method == "OPTIONS") return response(kNoContent, "", "text/plain");
    if (method != "GET" && method != "POST")
        return response(kMethodNotAllowed, "method not allowed\n", "text/plain");
    if (request.path == "/metrics")
        return response(kOk,
                        metrics_text(counters_, {.connections = index_.connection_count(),
                                                 .users = index_.user_count(),
                                                 .groups = index_.group_count()}),
                        "text/plain; version=0.0.4");
    // The node-local API: the events run on this node alone. Who may call it
    // is decided before anything of the request is looked at.
    if (auto refused = refusal(from_loopback)) return std::move(*refused);
    nlohmann::json merged;
    try {
        merged = parse_query_string(request.query);
        if (!request.body.empty())
            merge_params(merged,
                         parse_body(std::string(request.header("content-type")), request.body));
    } catch (const ParamError& e) {
        return response(kOk, error_envelope(kCodeError, e.what()));
    }
    return response(kOk, run_local_api(merged, api_tokens_, executor_));
}

std::optional<HttpResponse> LocalHttp::refusal(bool from_loopback) {
    if (!api_tokens_.empty()) return std::nullopt;  // the tokens decide, in run_local_api
    if (!tokens_.empty()) {
        counters_.api_refused.fetch_add(1, std::memory_order_relaxed);
        return response(
            kForbidden,
            error_envelope(kCodeError, "the node-local API is off: no api_tokens configured"));
    }
    if (!from_loopback) {
        counters_.api_refused.fetch_add(1, std::memory_order_relaxed);
        return response(kForbidden, error_envelope(kCodeError,
                                                   "without api_tokens the node-local API answers "
                                                   "loopback clients only"));
    }
    return std::nullopt;
}

}  // namespace wsc
