// WsServer: what clients send once upgraded — messages, pings, closes,
// protocol errors — and the limits on messages that arrive slowly.
#include "wsnode/WsServer.hpp"

#include "common/Log.hpp"

namespace wsc {

namespace {

constexpr std::string_view kComponent = "wsnode";

}  // namespace

int WsServer::on_frames(Session& session, std::string_view data) {
    if (session.gone) return -1;
    session.parser.feed(data.data(), data.size());
    while (auto event = session.parser.next()) {
        switch (event->kind) {
            case WsEvent::Kind::Message:
                if (session.close_code == 0) on_client_message(session, event->data, event->binary);
                break;
            case WsEvent::Kind::Ping:
                if (session.note_ping(std::move(event->data)))
                    lws_callback_on_writable(session.peer->wsi);
                break;
            case WsEvent::Kind::Pong:
                break;
            case WsEvent::Kind::Close:
                release_partial(session);
                if (session.close_sent) return -1;  // the answer to our close: done
                // The client is leaving: echo its code (1000 for none) at once.
                session.blame(bus::kCloseClient);
                end_session(
                    session,
                    event->close_code == kWsCloseNoStatus ? kWsCloseNormal : event->close_code, "");
                return 0;
            case WsEvent::Kind::Error:
                if (event->close_code == LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE) {
                    session.blame(bus::kCloseOversize);
                    counters_.too_large_closes.fetch_add(1, std::memory_order_relaxed);
                    log_info(kComponent, "closing " + session.id + ": message over " +
                                             std::to_string(max_message_bytes_) + " bytes");
                } else {
                    session.blame(bus::kCloseClient);
                    counters_.protocol_closes.fetch_add(1, std::memory_order_relaxed);
                    log_info(kComponent, "closing " + session.id + ": " + event->error);
                }
                end_session(session, event->close_code, event->error);
                return 0;
        }
        if (session.gone || session.drop_after_close) return 0;
    }
    if (!account_partial(session)) {
        counters_.partial_closes.fetch_add(1, std::memory_order_relaxed);
        log_info(kComponent, "closing " + session.id + ": unfinished messages over " +
                                 std::to_string(partial_budget_bytes_) + " bytes on the node");
        session.blame(bus::kCloseOversize);
        end_session(session, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "node busy");
    }
    return 0;
}

bool WsServer::account_partial(Session& session) {
    switch (sessions_.account_partial(session)) {
        case SessionTable::PartialTimer::Arm:
            set_deadline(*session.peer, Peer::Timer::Partial, partial_timeout_ms_);
            break;
        case SessionTable::PartialTimer::Disarm:
            clear_deadline(*session.peer);
            break;
        case SessionTable::PartialTimer::Keep:
            break;
    }
    return sessions_.partial_total() <= partial_budget_bytes_;
}

void WsServer::release_partial(Session& session) {
    if (sessions_.release_partial(session)) clear_deadline(*session.peer);
}

void WsServer::end_session(Session& session, int code, std::string reason) {
    release_partial(session);
    session.end(code, std::move(reason));
    close_flush(session);
}

}  // namespace wsc
