// The sessions of one loop: see SessionTable.hpp.
#include "wsnode/SessionTable.hpp"

#include <utility>

namespace wsc {

Session* SessionTable::add(std::string id, Peer* peer, std::size_t max_message_bytes) {
    if (sessions_.count(id) != 0) return nullptr;
    auto session = std::make_unique<Session>(id, peer, max_message_bytes);
    Session* added = session.get();
    sessions_.emplace(std::move(id), std::move(session));
    return added;
}

Session* SessionTable::find(const std::string& id) {
    const auto it = sessions_.find(id);
    return it == sessions_.end() ? nullptr : it->second.get();
}

void SessionTable::erase(const std::string& id) {
    const auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    release_partial(*it->second);
    sessions_.erase(it);
}

SessionTable::PartialTimer SessionTable::account_partial(Session& session) {
    const std::size_t held = session.parser.partial_bytes();
    partial_total_ = partial_total_ - session.partial_held + held;
    session.partial_held = held;
    const bool unfinished = session.parser.in_message();
    if (unfinished && !session.partial_armed && session.close_code == 0) {
        session.partial_armed = true;
        return PartialTimer::Arm;
    }
    if (!unfinished && session.partial_armed) {
        session.partial_armed = false;
        return PartialTimer::Disarm;
    }
    return PartialTimer::Keep;
}

bool SessionTable::release_partial(Session& session) {
    partial_total_ -= session.partial_held;
    session.partial_held = 0;
    const bool armed = session.partial_armed;
    session.partial_armed = false;
    return armed;
}

}  // namespace wsc
