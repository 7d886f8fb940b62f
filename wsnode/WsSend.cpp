// WsServer: sessions opened, sent to, closed and retired — the lws side of
// what Session and SessionTable keep.
#include "wsnode/WsServer.hpp"

#include <algorithm>

#include "bus/ConnIds.hpp"
#include "common/Log.hpp"

namespace wsc {

namespace {

constexpr std::string_view kComponent = "wsnode";
// Bytes of frames one writable callback sends at most (one send()): large
// enough to carry a burst of broadcasts in one syscall, small enough to be
// fair between clients. A single larger message still goes out whole.
constexpr std::size_t kCoalesceBytes = 64 * 1024;
constexpr std::size_t kScratchKeepBytes = 1 << 20;  // larger scratch buffers are released

// The ordering of the keys is part of the client protocol, so the frame is
// written as text rather than through nlohmann::json (which sorts keys).
std::string client_frame(std::string_view cmd, const std::string& conn_id) {
    return R"({"cmd":")" + std::string(cmd) + R"(","_id":")" + conn_id + R"("})";
}

}  // namespace

Session& WsServer::open_session(Peer& peer, nlohmann::json query, std::string handshake) {
    // The id starts with this node's tag, so registries route events for it
    // here only. Its 96 random bits colliding is not going to happen; if
    // they did, fresh ones would.
    std::string id = bus::new_conn_id(conn_tag_);
    while (sessions_.find(id) || !index_.add(id, query)) id = bus::new_conn_id(conn_tag_);
    Session& session = *sessions_.add(id, &peer, max_message_bytes_);
    session.handshake = std::move(handshake);
    peer.session = &session;
    // WebSocket connections have no idle timeout: clients keep them open.
    clear_deadline(peer);
    conns_.store(index_.connection_count(), std::memory_order_relaxed);
    counters_.opened.fetch_add(1, std::memory_order_relaxed);
    queue(session, std::make_shared<const std::string>(client_frame("open", id)));
    const nlohmann::json* data = index_.query_data(id);
    bus_.upstream("open", id, std::nullopt, data ? *data : nlohmann::json::object(), false);
    run_open_handlers(session);
    return session;
}

bool WsServer::queue(Session& session, const Payload& text) {
    switch (session.enqueue(text, send_queue_bytes_)) {
        case Session::Enqueued::First:
            // Written at the end of the loop turn (flush_corked()): whatever
            // else the turn queues for it goes in the same send().
            cork(session);
            return true;
        case Session::Enqueued::Behind:
            return true;
        case Session::Enqueued::Refused:
            break;
    }
    session.blame(bus::kCloseSlow);
    counters_.overflow_closes.fetch_add(1, std::memory_order_relaxed);
    log_info(kComponent, "closing " + session.id + ": send queue over " +
                             std::to_string(send_queue_bytes_) + " bytes (slow client)");
    // The client does not read, so no writable callback may come: the close
    // frame goes behind what the socket holds now, and the connection leaves
    // the node (index, close event) at the next sweep — not here, where the
    // executor may be walking the index.
    std::vector<unsigned char> frame = Session::overflow_close();
    lws_write(session.peer->wsi, frame.data(), frame.size(), LWS_WRITE_RAW);
    set_deadline(*session.peer, Peer::Timer::Retire, 0);
    return false;
}

void WsServer::mark_closing(Session& session, int code) {
    if (session.mark_closing(code)) close_flush(session);
}

void WsServer::close_flush(Session& session) {
    // A client that stops reading would keep the queue from flushing
    // forever, and one that never answers our close frame would keep the
    // connection: both get this long.
    set_deadline(*session.peer, Peer::Timer::Close, kCloseFlushMs);
    lws_callback_on_writable(session.peer->wsi);
}

bool WsServer::send(const std::string& conn_id, const Payload& text) {
    Session* session = sessions_.find(conn_id);
    if (!session || !session->accepts_sends() || !text) return false;
    return queue(*session, text);
}

std::size_t WsServer::send_to_all(const Payload& text,
                                  const std::unordered_set<std::string>& excluded) {
    if (!text) return 0;
    std::size_t sent = 0;
    // The open sessions are the index's connections, so walking them
    // reaches the same set as the index, without a lookup per connection.
    sessions_.for_each_open(excluded, [&](Session& session) {
        if (queue(session, text)) ++sent;
    });
    return sent;
}

void WsServer::close(const std::string& conn_id) {
    Session* found = sessions_.find(conn_id);
    if (!found) return;
    Session& session = *found;
    // The executor removes it from the index right after: keep what the
    // close event and the handlers report.
    if (index_.has(conn_id)) {
        session.user_at_close = index_.user_of(conn_id);
        if (const nlohmann::json* query = index_.query_data(conn_id))
            session.query_at_close = *query;
    }
    // A close handler's connection is already closing.
    session.blame(bus::kCloseServer);
    if (!session.gone) mark_closing(session, LWS_CLOSE_STATUS_NORMAL);
}

void WsServer::cork(Session& session) {
    if (session.corked) return;
    session.corked = true;
    corked_.push_back(&session);
}

void WsServer::flush_corked() {
    // Most connections take the whole write at once: one send() each, and
    // no writable callback, no epoll_ctl to arm and disarm one. Only what
    // the socket does not take waits for a writable callback (lws keeps
    // the rest and asks for it).
    for (Session* session : corked_) {
        if (!session) continue;  // closed since it was queued to
        session->corked = false;
        lws* wsi = session->peer->wsi;
        if (session->close_sent) continue;
        if (lws_partial_buffered(wsi)) {
            lws_callback_on_writable(wsi);  // lws writes what it holds first
            continue;
        }
        if (!write_queued(*session)) {
            kill(wsi);  // the socket failed: lws sees its end and closes it
            continue;
        }
        if (session->wants_write()) lws_callback_on_writable(wsi);
    }
    corked_.clear();
}

void WsServer::uncork(Session& session) {
    if (!session.corked) return;
    session.corked = false;
    std::replace(corked_.begin(), corked_.end(), &session, static_cast<Session*>(nullptr));
}

bool WsServer::write_queued(Session& session) {
    // Everything queued (up to kCoalesceBytes) leaves as back-to-back frames
    // in one raw write: one send() per connection per burst, not per frame.
    // One scratch buffer serves every connection: a broadcast is copied into
    // it per write, never duplicated per connection.
    const std::size_t frames = session.queued_frames();
    session.take_write(scratch_, kCoalesceBytes);
    if (scratch_.empty()) return true;
    counters_.writes.fetch_add(1, std::memory_order_relaxed);
    // Queued frames only: a pong or a close frame of this write is not a delivery.
    counters_.frames_sent.fetch_add(frames - session.queued_frames(), std::memory_order_relaxed);
    if (lws_write(session.peer->wsi, scratch_.data(), scratch_.size(), LWS_WRITE_RAW) <
        static_cast<int>(scratch_.size())) {
        log_debug(kComponent, "write to " + session.id + " failed");
        return false;
    }
    if (scratch_.capacity() > kScratchKeepBytes) {
        scratch_.clear();
        scratch_.shrink_to_fit();
    }
    return true;
}

int WsServer::on_writeable(Session& session) {
    if (session.close_sent) {
        // Our close frame is out (lws has sent all of it before calling
        // back): after a protocol error, or once the client has answered
        // it, the connection ends here; otherwise the client's close frame
        // (or the close timeout) ends it.
        return session.drop_after_close ? -1 : 0;
    }
    if (!write_queued(session)) return -1;
    if (session.wants_write()) lws_callback_on_writable(session.peer->wsi);
    return 0;
}

void WsServer::on_closed(Peer* peer) {
    if (!peer) return;
    const std::unique_ptr<Peer> owned(peer);
    clear_deadline(*peer);
    if (!peer->session) return;  // it never upgraded
    const std::string id = peer->session->id;
    uncork(*peer->session);
    retire(*peer->session);
    sessions_.erase(id);
}

void WsServer::retire(Session& session) {
    if (session.gone) return;
    release_partial(session);
    const std::string& id = session.id;
    auto user = index_.has(id) ? index_.user_of(id) : session.user_at_close;
    session.gone = true;
    if (!session.close_published)
        bus_.upstream("close", id, user, nullptr, false,
                      session.ended_by ? session.ended_by : bus::kCloseClient);
    run_close_handlers(session);
    index_.remove(id);  // may already be gone (closeBy_Id)
    conns_.store(index_.connection_count(), std::memory_order_relaxed);
    // Not acked, and never will be: the sends waiting on it need not wait.
    acks_.closed(id);
    if (acks_.open_waits() != 0) settle_acks();
}

}  // namespace wsc
