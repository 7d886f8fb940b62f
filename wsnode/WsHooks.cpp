// WsServer: the WebSocket upgrade and its checks (built-in limits and tokens,
// then the embedding program's middleware) and the open / message / close
// handler chains.
#include "wsnode/WsServer.hpp"

#include <algorithm>
#include <cctype>

#include "api/ParamTree.hpp"
#include "common/Base64.hpp"
#include "common/Log.hpp"
#include "net/WsHandshake.hpp"

namespace wsc {

namespace {

constexpr std::string_view kComponent = "wsnode";
constexpr const char* kSubprotocol = "wscenter";

// The upgrade request as the embedding program's middleware sees it.
class RawUpgradeRequest final : public UpgradeRequest {
  public:
    RawUpgradeRequest(const HttpRequest& request, lws* wsi)
        : request_(request), wsi_(wsi), query_(parse_query_lenient(request.query)) {}

    const std::string& path() const override { return request_.path; }
    const nlohmann::json& query() const override { return query_; }
    std::string header(std::string_view name) const override {
        std::string key(name);
        std::transform(key.begin(), key.end(), key.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return std::string(request_.header(key));
    }
    std::string peer_address() const override { return wsc::peer_address(wsi_); }

  private:
    const HttpRequest& request_;
    lws* wsi_;
    nlohmann::json query_;
};

}  // namespace

bool WsServer::token_ok(const HttpRequest& request) const {
    const nlohmann::json query = parse_query_lenient(request.query);
    const auto it = query.find("token");
    return it != query.end() && it->is_string() &&
           std::find(tokens_.begin(), tokens_.end(), it->get_ref<const std::string&>()) !=
               tokens_.end();
}

int WsServer::upgrade_refusal(const HttpRequest& request, lws* wsi) {
    if (stopping_) return HTTP_STATUS_SERVICE_UNAVAILABLE;
    if (index_.connection_count() >= max_connections_) {
        counters_.limit_rejects.fetch_add(1, std::memory_order_relaxed);
        return HTTP_STATUS_SERVICE_UNAVAILABLE;
    }
    if (!rate_limiter_.allow(peer_address(wsi), ConnectRateLimiter::Clock::now())) {
        counters_.rate_rejects.fetch_add(1, std::memory_order_relaxed);
        return 429;
    }
    if (!tokens_.empty() && !token_ok(request)) {
        counters_.token_rejects.fetch_add(1, std::memory_order_relaxed);
        log_debug(kComponent, "upgrade refused: token error");
        return HTTP_STATUS_UNAUTHORIZED;
    }
    if (!handlers_.has_middleware()) return 0;
    const RawUpgradeRequest view(request, wsi);
    const std::optional<int> refusal = handlers_.upgrade(view);
    if (!refusal) return 0;
    counters_.middleware_rejects.fetch_add(1, std::memory_order_relaxed);
    log_debug(kComponent, "upgrade of " + request.path + " refused by middleware with " +
                              std::to_string(*refusal));
    return *refusal;
}

bool WsServer::upgrade(Peer& peer) {
    HttpExchange& http = *peer.http;
    const HttpRequest& request = http.request();
    const UpgradeCheck check = check_upgrade(request, kSubprotocol);
    HttpResponse refusal;
    if (check.status != 0) {
        counters_.http_refused.fetch_add(1, std::memory_order_relaxed);
        refusal.status = check.status;
        refusal.body = check.reason + "\n";
        if (check.status == 426) refusal.headers.emplace_back("sec-websocket-version", "13");
    } else if (const int status = upgrade_refusal(request, peer.wsi); status != 0) {
        refusal.status = status;
        refusal.body = status == HTTP_STATUS_UNAUTHORIZED ? "token error\n"
                       : status == 429 ? "too many connections from your address\n"
                       : status == HTTP_STATUS_SERVICE_UNAVAILABLE ? "node full\n"
                                                                   : "upgrade refused\n";
    } else {
        nlohmann::json query = parse_query_lenient(request.query);
        query.erase("token");  // a secret, not connection data
        open_session(peer, std::move(query), switching_protocols(check));
        return true;
    }
    // A refused upgrade ends the connection: the client would not reuse it.
    refusal.close = true;
    http.answer(std::move(refusal));
    return false;
}

Connection WsServer::view(const Session& session) const {
    return Connection(session.id, index_, &session.user_at_close, &session.query_at_close);
}

void WsServer::run_open_handlers(Session& session) {
    if (handlers_.open(handler_context_, view(session)).failed) handler_failed(session);
}

void WsServer::run_close_handlers(Session& session) {
    handlers_.close(handler_context_, view(session));
}

void WsServer::on_client_message(Session& session, std::string_view data, bool binary) {
    if (!binary && take_ack(session, data)) return;
    const Connection conn = view(session);
    const HandlerChain::Outcome outcome = handlers_.message(handler_context_, conn, data, binary);
    if (outcome.failed) handler_failed(session);
    if (outcome.handled) return;
    counters_.client_messages.fetch_add(1, std::memory_order_relaxed);
    // The bound id as the handlers left it: a login message is published
    // with the user it bound.
    if (!bus_.upstream(
            "message", session.id, conn.user(),
            binary ? nlohmann::json(base64_encode(data)) : nlohmann::json(std::string(data)),
            binary))
        counters_.upstream_dropped.fetch_add(1, std::memory_order_relaxed);
    if (log_enabled(LogLevel::debug))
        log_debug(kComponent, "message from " + session.id + ": " + std::to_string(data.size()) +
                                  (binary ? " bytes binary" : " bytes text"));
}

void WsServer::handler_failed(Session& session) {
    counters_.handler_failures.fetch_add(1, std::memory_order_relaxed);
    session.blame(bus::kCloseServer);
    // The handler's own state for this client is unknown now: end the connection.
    if (!session.gone) mark_closing(session, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION);
}

}  // namespace wsc
