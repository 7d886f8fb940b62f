// WsServer: what clients send once upgraded — messages, pings, closes,
// protocol errors — and the limits on messages that arrive slowly.
#include "wsnode/WsServer.hpp"

#include "common/Log.hpp"

namespace wsc {

namespace {

constexpr std::string_view kComponent = "wsnode";
constexpr std::int64_t kUsPerMs = 1000;

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
                // Several pings waiting for one write get one pong, for the
                // latest (RFC 6455 §5.5.3): a ping flood cannot grow a queue.
                session.pong = std::move(event->data);
                if (!session.pong_due) lws_callback_on_writable(session.wsi);
                session.pong_due = true;
                break;
            case WsEvent::Kind::Pong:
                break;
            case WsEvent::Kind::Close:
                release_partial(session);
                if (session.close_sent) return -1;  // the answer to our close: done
                // The client is leaving: echo its code (1000 for none) at once.
                end_session(
                    session,
                    event->close_code == kWsCloseNoStatus ? kWsCloseNormal : event->close_code, "");
                return 0;
            case WsEvent::Kind::Error:
                if (event->close_code == LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE) {
                    counters_.too_large_closes.fetch_add(1, std::memory_order_relaxed);
                    log_info(kComponent, "closing " + session.id + ": message over " +
                                             std::to_string(max_message_bytes_) + " bytes");
                } else {
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
        end_session(session, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "node busy");
    }
    return 0;
}

bool WsServer::account_partial(Session& session) {
    const std::size_t held = session.parser.partial_bytes();
    partial_total_ = partial_total_ - session.partial_held + held;
    session.partial_held = held;
    const bool unfinished = session.parser.in_message();
    if (unfinished && !session.partial_armed) {
        session.partial_armed = true;
        lws_sul_schedule(context_, 0, &session.partial_timer.sul, &WsServer::on_partial_timeout,
                         static_cast<lws_usec_t>(partial_timeout_ms_) * kUsPerMs);
    } else if (!unfinished && session.partial_armed) {
        session.partial_armed = false;
        lws_sul_cancel(&session.partial_timer.sul);
    }
    return partial_total_ <= partial_budget_bytes_;
}

void WsServer::release_partial(Session& session) {
    partial_total_ -= session.partial_held;
    session.partial_held = 0;
    if (session.partial_armed) {
        session.partial_armed = false;
        lws_sul_cancel(&session.partial_timer.sul);
    }
}

void WsServer::on_partial_timeout(lws_sorted_usec_list_t* sul) {
    auto* timer = reinterpret_cast<PartialTimer*>(sul);
    WsServer& self = *timer->owner;
    Session& session = *timer->session;
    session.partial_armed = false;
    self.counters_.partial_closes.fetch_add(1, std::memory_order_relaxed);
    log_info(kComponent, "closing " + session.id + ": a message unfinished after " +
                             std::to_string(self.partial_timeout_ms_) + " ms");
    self.end_session(session, LWS_CLOSE_STATUS_POLICY_VIOLATION, "message too slow");
}

void WsServer::end_session(Session& session, int code, std::string reason) {
    release_partial(session);
    // What was queued is dropped: the close frame leaves now, and last.
    session.queue.clear();
    session.queue_head = 0;
    session.queued_bytes = 0;
    session.close_reason = std::move(reason);
    session.drop_after_close = true;
    session.close_code = 0;  // a close already pending gives way to this one
    mark_closing(session, code);
}

}  // namespace wsc
