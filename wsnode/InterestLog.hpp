// The interest transitions of a node since they were last taken: which user
// ids and group ids gained their first connection on the node (add) or lost
// their last one (del), and which connections opened, were (un)bound or
// closed (registries need them for presence and to close what a lost node
// held). They become the node's Directory messages (see
// bus/PROTOCOL.md, "Routing"), so that registries send each event only to
// the nodes concerned.
//
// Pure state, owned by the ConnectionIndex on the lws thread. Each id keeps
// only its last transition since the last take(): an id added then removed
// in one batch is reported as del (a del of an id a registry never had is
// harmless), one removed then added again as add. What is reported is
// therefore always the id's state at take() time, which is all a registry
// needs.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace wsc {

// One batch of transitions, each list sorted.
struct InterestChanges {
    std::vector<std::string> users_add;
    std::vector<std::string> users_del;
    std::vector<std::string> groups_add;
    std::vector<std::string> groups_del;
    // Connections opened or (un)bound, sorted, with their user id ("" when
    // unbound) at the same index; connections closed, sorted.
    std::vector<std::string> conns_add;
    std::vector<std::string> conns_user;
    std::vector<std::string> conns_del;

    bool empty() const {
        return users_add.empty() && users_del.empty() && groups_add.empty() && groups_del.empty() &&
               conns_add.empty() && conns_del.empty();
    }
    // True when a registry must learn of a new interest before it can route
    // to it (the caller of the change then waits for its acknowledgement).
    bool has_adds() const { return !users_add.empty() || !groups_add.empty(); }
};

class InterestLog {
  public:
    void user(const std::string& user_id, bool held) { users_[user_id] = held; }
    void group(const std::string& group_id, bool held) { groups_[group_id] = held; }
    // A connection is open with this user id ("" when unbound).
    void conn(const std::string& conn_id, const std::string& user_id) { conns_[conn_id] = user_id; }
    void conn_closed(const std::string& conn_id) { conns_[conn_id] = std::nullopt; }
    bool empty() const { return users_.empty() && groups_.empty() && conns_.empty(); }

    // The transitions since the last take(), sorted; the log is then empty.
    InterestChanges take();

  private:
    // id -> held after its last transition (true: add, false: del).
    std::unordered_map<std::string, bool> users_;
    std::unordered_map<std::string, bool> groups_;
    // conn id -> its user id after its last change; nullopt: closed.
    std::unordered_map<std::string, std::optional<std::string>> conns_;
};

}  // namespace wsc
