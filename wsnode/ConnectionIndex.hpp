// The connections of one WebSocket node, their user-id bindings and groups.
//
// Pure state, no sockets: the node's lws thread owns one instance and the
// CommandExecutor reads and changes it. One user id may have many
// connections; a connection has at most one user id. Groups hold
// connections. Every lookup is a hash lookup so that events stay O(1) or
// O(k) in the size of the answer, not in the number of connections.
//
// Invariants: a user id with no connection left and a group with no member
// left are erased at once, so listings never show empty entries. Empty user
// ids and group ids are refused (bind/join return false).
//
// The index also records its interest transitions (a user id or group
// gaining its first connection, or losing its last) until take_changes():
// they are what the node publishes in its interest directory.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "wsnode/InterestLog.hpp"

namespace wsc {

class ConnectionIndex {
  public:
    // Registers a connection with the query parameters of its upgrade URL
    // (`acks=1` among them: it takes delivery receipts, see wants_acks()).
    // False if the connection id is already known.
    bool add(const std::string& conn_id, nlohmann::json query_data);
    // Unbinds the connection and makes it leave all its groups. False if unknown.
    bool remove(const std::string& conn_id);
    bool has(const std::string& conn_id) const;

    size_t connection_count() const { return conns_.size(); }
    size_t user_count() const { return users_.size(); }    // bound user ids
    size_t group_count() const { return groups_.size(); }  // non-empty groups
    std::vector<std::string> conn_ids() const;             // sorted
    std::vector<std::string> user_ids() const;             // sorted, bound ids only
    std::vector<std::string> group_ids() const;            // sorted, non-empty groups only

    // Binds the connection to the user; a connection bound to another user
    // moves. False if the connection is unknown or the user id is empty.
    bool bind(const std::string& user_id, const std::string& conn_id);
    size_t unbind_user(const std::string& user_id);  // connections unbound
    bool unbind_conn(const std::string& conn_id);    // true if it was bound
    std::optional<std::string> user_of(const std::string& conn_id) const;
    std::vector<std::string> conns_of(const std::string& user_id) const;  // sorted
    bool is_user_online(const std::string& user_id) const;

    // True if newly joined; false if already in, the connection is unknown or
    // the group id is empty.
    bool join(const std::string& group_id, const std::string& conn_id);
    bool leave(const std::string& group_id, const std::string& conn_id);        // true if it was in
    size_t leave_all(const std::string& conn_id);                               // memberships left
    std::vector<std::string> groups_of_conn(const std::string& conn_id) const;  // sorted
    // Sorted union of the groups of all the user's connections.
    std::vector<std::string> groups_of_user(const std::string& user_id) const;
    bool in_group(const std::string& group_id, const std::string& conn_id) const;
    // The member connections, or nullptr if the group does not exist. The
    // pointer is invalidated by the next change to the index.
    const std::unordered_set<std::string>* members(const std::string& group_id) const;
    size_t group_user_count(const std::string& group_id) const;  // distinct bound users
    size_t group_conn_count(const std::string& group_id) const;

    // Whether the connection opted in to delivery receipts (?acks=1): it is
    // sent ack-requested messages wrapped with a token, and is awaited.
    bool wants_acks(const std::string& conn_id) const { return ack_conns_.count(conn_id) != 0; }
    const std::unordered_set<std::string>& ack_conns() const { return ack_conns_; }

    // The stored upgrade query of the connection, or nullptr if unknown.
    const nlohmann::json* query_data(const std::string& conn_id) const;

    // The interest transitions since the last call (see InterestLog: per
    // id, the last one wins); the record is then empty.
    InterestChanges take_changes() { return changes_.take(); }
    bool has_changes() const { return !changes_.empty(); }
    // Everything held, as additions (a directory snapshot): every user id,
    // group id and connection with its user id, each list sorted.
    InterestChanges everything() const;

    // Calls f(const std::string& conn_id) for every connection, in no
    // particular order. f must not change the index.
    template <class F>
    void for_each_conn(F&& f) const {
        for (const auto& entry : conns_) f(entry.first);
    }

  private:
    struct Conn {
        nlohmann::json query;
        std::optional<std::string> user;
        std::unordered_set<std::string> groups;
    };

    // Removes conn_id from the group's member set, erasing an emptied group.
    void drop_member(const std::string& group_id, const std::string& conn_id);

    std::unordered_map<std::string, Conn> conns_;
    std::unordered_map<std::string, std::unordered_set<std::string>> users_;   // user -> conns
    std::unordered_map<std::string, std::unordered_set<std::string>> groups_;  // group -> conns
    std::unordered_set<std::string> ack_conns_;
    InterestLog changes_;
};

}  // namespace wsc
