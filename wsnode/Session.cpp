// One connection's transport state: see Session.hpp.
#include "wsnode/Session.hpp"

#include <utility>

#include "wsnode/TextFrames.hpp"

namespace wsc {

namespace {

// A drained queue that grew past this many slots gives its memory back.
constexpr std::size_t kQueueKeepSlots = 64;
constexpr std::string_view kOverflowReason = "send queue full";

}  // namespace

Session::Session(std::string conn_id, Peer* owner, std::size_t max_message_bytes)
    : id(std::move(conn_id)), peer(owner), parser(max_message_bytes) {}

Session::Enqueued Session::enqueue(const Payload& text, std::size_t cap_bytes) {
    if (queued_bytes_ + text->size() > cap_bytes) {
        queue_.clear();
        queue_head_ = 0;
        queued_bytes_ = 0;
        close_code = kWsClosePolicyViolation;
        close_sent = true;
        drop_after_close = true;
        partial_armed = false;  // the connection leaves the node: its other deadlines go
        return Enqueued::Refused;
    }
    const bool was_idle = !has_queued();
    queued_bytes_ += text->size();
    queue_.push_back(text);
    return was_idle ? Enqueued::First : Enqueued::Behind;
}

std::vector<unsigned char> Session::overflow_close() {
    std::vector<unsigned char> frame;
    append_frame(frame, WsOpcode::Close, close_payload(kWsClosePolicyViolation, kOverflowReason));
    return frame;
}

void Session::take_write(std::vector<unsigned char>& out, std::size_t coalesce_bytes) {
    out.clear();
    if (!handshake.empty()) {
        out.assign(handshake.begin(), handshake.end());
        handshake.clear();
        handshake.shrink_to_fit();
    }
    if (pong_due_) {
        append_frame(out, WsOpcode::Pong, pong_);
        pong_due_ = false;
        pong_.clear();
    }
    std::size_t taken = 0;
    std::size_t payload_bytes = 0;
    for (std::size_t i = queue_head_; i < queue_.size(); ++i) {
        const std::string& text = *queue_[i];
        if (taken > 0 && out.size() + text_frame_size(text.size()) > coalesce_bytes) break;
        append_text_frame(out, text);
        payload_bytes += text.size();
        ++taken;
    }
    release_sent(taken, payload_bytes);
    // A close leaves after what was queued before it (an overflow close
    // cleared the queue: it leaves at once).
    if (close_code != 0 && !has_queued()) {
        append_frame(out, WsOpcode::Close,
                     close_payload(static_cast<std::uint16_t>(close_code), close_reason));
        close_sent = true;
    }
}

void Session::release_sent(std::size_t frames, std::size_t payload_bytes) {
    for (std::size_t i = 0; i < frames; ++i) queue_[queue_head_ + i].reset();
    queue_head_ += frames;
    queued_bytes_ -= payload_bytes;
    if (!has_queued()) {
        queue_.clear();
        queue_head_ = 0;
        if (queue_.capacity() > kQueueKeepSlots) queue_.shrink_to_fit();
    } else if (queue_head_ * 2 >= queue_.size()) {
        // Moving the unsent half down keeps a busy queue from growing forever.
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(queue_head_));
        queue_head_ = 0;
    }
}

bool Session::mark_closing(int code) {
    if (close_code != 0) return false;
    close_code = code;
    partial_armed = false;  // the close deadline replaces an unfinished message's
    return true;
}

void Session::end(int code, std::string reason) {
    // What was queued before still leaves (answers to messages that were
    // fine), then the close frame; nothing new is queued.
    close_reason = std::move(reason);
    drop_after_close = true;
    close_code = 0;  // a close already pending gives way to this one
    mark_closing(code);
}

bool Session::note_ping(std::string payload) {
    pong_ = std::move(payload);
    const bool first = !pong_due_;
    pong_due_ = true;
    return first;
}

}  // namespace wsc
