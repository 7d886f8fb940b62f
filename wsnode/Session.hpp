// One upgraded client connection's transport state: its send queue, the
// pong and the close it owes, what its next write carries, its unfinished
// message and what it had when it was closed.
//
// Pure bookkeeping: no lws call and no socket here. The transport asks a
// session what to write and tells it what was written, so that the rules
// (the queue cap, the coalescing of frames, when the close frame leaves)
// are unit tested, and a frame can later be written at once when the queue
// is empty without this state changing.
//
// Owned by a SessionTable and used by that table's thread only (the lws
// thread of the loop that serves the connection).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "wsnode/Transport.hpp"
#include "wsnode/WsFrameParser.hpp"

namespace wsc {

struct Peer;  // the transport's side of the connection: never looked into here

class Session {
  public:
    Session(std::string conn_id, Peer* owner, std::size_t max_message_bytes);

    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // What enqueue() did with a frame.
    enum class Enqueued {
        First,   // queued into an empty queue: the transport must ask for a write
        Behind,  // queued behind others: a write is already asked for
        Refused  // over the cap: the queue is dropped and the session closes (see enqueue)
    };
    // Queues one text frame unless the queue would then hold more than
    // `cap_bytes` of payload. Refusing a frame gives up on the client (it
    // does not read): the queue is dropped and the session becomes closing
    // with 1008, its close frame counted as sent and the connection to end
    // after it; the transport writes that frame itself (overflow_close()),
    // behind what the socket holds, since no writable callback may come.
    Enqueued enqueue(const Payload& text, std::size_t cap_bytes);
    // The close frame a Refused enqueue() leaves for the transport to write.
    static std::vector<unsigned char> overflow_close();

    // Sends to it are queued: it is neither closing nor gone.
    bool accepts_sends() const { return close_code == 0 && !gone; }
    bool has_queued() const { return queue_head_ < queue_.size(); }
    std::size_t queued_frames() const { return queue_.size() - queue_head_; }
    std::size_t queued_bytes() const { return queued_bytes_; }
    // Something is left to write after the current write.
    bool wants_write() const { return has_queued() || close_code != 0; }

    // Replaces `out` with what one write sends: the 101 answer (first
    // write only), the pong owed, queued frames back to back up to
    // `coalesce_bytes` (at least one, however large), then, when closing
    // and nothing queued is left, the close frame. The frames taken leave
    // the queue. Not to be called once close_sent.
    void take_write(std::vector<unsigned char>& out, std::size_t coalesce_bytes);

    // Starts closing with `code` after what is queued; false when it was
    // closing already (the first code stands). The transport then arms the
    // close deadline and asks for a write.
    bool mark_closing(int code);
    // Ends the session (a protocol error, the client's close): what was
    // queued leaves, then the close frame with `code` and `reason` (a close
    // already pending gives way to this one), then the TCP connection ends.
    void end(int code, std::string reason);
    // Notes a ping to answer; true when a write must be asked for. Several
    // pings waiting for one write get one pong, for the latest (RFC 6455
    // §5.5.3): a ping flood cannot grow a queue.
    bool note_ping(std::string payload);

    const std::string id;
    Peer* const peer;  // the connection it belongs to
    WsFrameParser parser;
    std::size_t partial_held = 0;  // parser.partial_bytes() as counted by the table
    bool partial_armed = false;    // its deadline is the unfinished message's
    std::string handshake;         // the 101 answer, written before any frame
    int close_code = 0;            // non-zero once closing
    std::string close_reason;
    bool close_sent = false;        // our close frame is written
    bool drop_after_close = false;  // close the TCP connection once the close frame is out
    bool gone = false;              // the client has gone: close handlers run, sends are dropped
    bool corked = false;            // the transport writes it at the end of the loop turn
    // What the connection had when an event closed it (and removed it
    // from the index): for the close event and the handlers.
    std::optional<std::string> user_at_close;
    // Why it ended (bus::kClose*), set by the first cause; a connection
    // that simply vanished is the client's doing.
    const char* ended_by = nullptr;
    void blame(const char* reason) {
        if (!ended_by) ended_by = reason;
    }
    // Its close event is already published (at a drain, before leaving the bus).
    bool close_published = false;
    std::optional<nlohmann::json> query_at_close;

  private:
    // Drops the first `frames` unsent frames after a write.
    void release_sent(std::size_t frames, std::size_t payload_bytes);

    std::string pong_;  // payload of the ping to answer (the latest one)
    bool pong_due_ = false;
    // Frames waiting for a write: queue_[queue_head_..] are unsent. A
    // vector, not a deque: an idle connection's empty vector allocates
    // nothing, a deque allocates ~600 bytes up front.
    std::vector<Payload> queue_;
    std::size_t queue_head_ = 0;
    std::size_t queued_bytes_ = 0;
};

}  // namespace wsc
