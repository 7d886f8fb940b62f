// The sessions of one loop, by connection id, and the bytes their
// unfinished messages hold together.
//
// Why a second set of connections besides ConnectionIndex: the index is what
// the API sees (users, groups, query data) and loses a connection the moment
// an event closes it (closeBy_Id), while the connection still has its queue
// and its close frame to send. The table is the one home of per-connection
// transport state, from the upgrade until the socket is closed; the index
// stays the one source of truth for who is bound to what.
//
// Pure bookkeeping, no global state: one table per loop, used by that loop's
// thread only, so that connections can later be spread over several loops.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "wsnode/Session.hpp"

namespace wsc {

class SessionTable {
  public:
    // A new session; nullptr when `id` is taken (the caller picks another).
    Session* add(std::string id, Peer* peer, std::size_t max_message_bytes);
    Session* find(const std::string& id);
    // Forgets the session (its socket is closed): releases what its
    // unfinished message held.
    void erase(const std::string& id);
    std::size_t size() const { return sessions_.size(); }
    bool empty() const { return sessions_.empty(); }

    // Calls fn(Session&) for every session, closing ones included.
    template <class Fn>
    void for_each(Fn&& fn) {
        for (auto& entry : sessions_) fn(*entry.second);
    }
    // Calls fn(Session&) for every session that accepts sends and is not in
    // `excluded`: a broadcast's recipients, without a lookup per connection.
    template <class Fn>
    void for_each_open(const std::unordered_set<std::string>& excluded, Fn&& fn) {
        for (auto& [id, session] : sessions_) {
            if (!session->accepts_sends()) continue;
            if (!excluded.empty() && excluded.count(id) != 0) continue;
            fn(*session);
        }
    }

    // What the deadline of a session's unfinished message must do.
    enum class PartialTimer { Keep, Arm, Disarm };
    // Counts what the session's parser holds of an unfinished message in the
    // total and says what its deadline must do: armed when a message starts
    // (unless it is closing), disarmed when none is unfinished any more.
    PartialTimer account_partial(Session& session);
    // Takes the session's unfinished bytes out of the total; true when its
    // deadline was armed (the caller clears it).
    bool release_partial(Session& session);
    // Bytes held for unfinished messages by all the sessions.
    std::size_t partial_total() const { return partial_total_; }

  private:
    std::unordered_map<std::string, std::unique_ptr<Session>> sessions_;
    std::size_t partial_total_ = 0;
};

}  // namespace wsc
