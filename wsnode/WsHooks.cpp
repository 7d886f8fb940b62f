// WsServer: the upgrade checks (built-in tokens, then the embedding
// program's middleware) and the open / message / close handler chains.
#include "wsnode/WsServer.hpp"

#include <algorithm>

#include "common/Log.hpp"
#include "wsnode/LwsRequest.hpp"

namespace wsc {

namespace {

constexpr std::string_view kComponent = "wsnode";

std::string base64(std::string_view in) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                           (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        for (int k = 18; k >= 0; k -= 6) out.push_back(kAlphabet[(v >> k) & 63]);
    }
    if (i < in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        out.push_back(kAlphabet[(v >> 18) & 63]);
        out.push_back(kAlphabet[(v >> 12) & 63]);
        out.push_back(i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

}  // namespace

bool WsServer::token_ok(lws* wsi) const {
    for (const auto& [key, value] : query_args(wsi))
        if (key == "token" && std::find(tokens_.begin(), tokens_.end(), value) != tokens_.end())
            return true;
    return false;
}

int WsServer::on_confirm_upgrade(lws* wsi) {
    if (stopping_) return -1;
    if (index_.connection_count() >= max_connections_) {
        counters_.limit_rejects.fetch_add(1, std::memory_order_relaxed);
        return write_http_response(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE, "node full\n") ? 1 : -1;
    }
    char address[64] = {0};
    lws_get_peer_simple(wsi, address, sizeof address);
    if (!rate_limiter_.allow(address, ConnectRateLimiter::Clock::now())) {
        counters_.rate_rejects.fetch_add(1, std::memory_order_relaxed);
        return write_http_response(wsi, 429, "too many connections from your address\n") ? 1 : -1;
    }
    if (!tokens_.empty() && !token_ok(wsi)) {
        counters_.token_rejects.fetch_add(1, std::memory_order_relaxed);
        log_debug(kComponent, "upgrade refused: token error");
        // >0 tells lws the response is written and the upgrade is refused.
        return write_http_response(wsi, HTTP_STATUS_UNAUTHORIZED, "token error\n") ? 1 : -1;
    }
    if (!handlers_.has_middleware()) return 0;
    const LwsUpgradeRequest request(wsi);
    const std::optional<int> refusal = handlers_.upgrade(request);
    if (!refusal) return 0;
    counters_.middleware_rejects.fetch_add(1, std::memory_order_relaxed);
    log_debug(kComponent, "upgrade of " + request.path() + " refused by middleware with " +
                              std::to_string(*refusal));
    return write_http_response(wsi, static_cast<unsigned>(*refusal), "upgrade refused\n") ? 1 : -1;
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
    const Connection conn = view(session);
    const HandlerChain::Outcome outcome = handlers_.message(handler_context_, conn, data, binary);
    if (outcome.failed) handler_failed(session);
    if (outcome.handled) return;
    counters_.client_messages.fetch_add(1, std::memory_order_relaxed);
    // The bound id as the handlers left it: a login message is published
    // with the user it bound.
    if (!outbox_.upstream("message", session.id, conn.user(),
                          binary ? nlohmann::json(base64(data)) : nlohmann::json(std::string(data)),
                          binary))
        counters_.upstream_dropped.fetch_add(1, std::memory_order_relaxed);
    if (log_enabled(LogLevel::debug))
        log_debug(kComponent, "message from " + session.id + ": " + std::to_string(data.size()) +
                                  (binary ? " bytes binary" : " bytes text"));
}

void WsServer::handler_failed(Session& session) {
    counters_.handler_failures.fetch_add(1, std::memory_order_relaxed);
    // The handler's own state for this client is unknown now: end the connection.
    if (!session.gone) mark_closing(session, LWS_CLOSE_STATUS_UNEXPECTED_CONDITION);
}

}  // namespace wsc
