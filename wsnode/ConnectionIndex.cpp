// The connections of one WebSocket node, their user-id bindings and groups.
#include "wsnode/ConnectionIndex.hpp"

#include <algorithm>
#include <utility>

namespace wsc {

namespace {

template <class Map>
std::vector<std::string> sorted_keys(const Map& map) {
    std::vector<std::string> keys;
    keys.reserve(map.size());
    for (const auto& entry : map) keys.push_back(entry.first);
    std::sort(keys.begin(), keys.end());
    return keys;
}

std::vector<std::string> sorted(const std::unordered_set<std::string>& set) {
    std::vector<std::string> out(set.begin(), set.end());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

bool ConnectionIndex::add(const std::string& conn_id, nlohmann::json query_data) {
    const auto acks = query_data.is_object() ? query_data.find("acks") : query_data.end();
    const bool wants_acks = acks != query_data.end() && (*acks == "1" || *acks == "true");
    if (!conns_.try_emplace(conn_id, Conn{std::move(query_data), std::nullopt, {}}).second)
        return false;
    if (wants_acks) ack_conns_.insert(conn_id);
    changes_.conn(conn_id, {});
    return true;
}

bool ConnectionIndex::remove(const std::string& conn_id_ref) {
    // A copy: the caller may pass a reference into one of our own sets,
    // which the steps below erase.
    const std::string conn_id = conn_id_ref;
    if (!has(conn_id)) return false;
    unbind_conn(conn_id);
    leave_all(conn_id);
    conns_.erase(conn_id);
    ack_conns_.erase(conn_id);
    changes_.conn_closed(conn_id);
    return true;
}

bool ConnectionIndex::has(const std::string& conn_id) const {
    return conns_.count(conn_id) != 0;
}

std::vector<std::string> ConnectionIndex::conn_ids() const {
    return sorted_keys(conns_);
}

std::vector<std::string> ConnectionIndex::user_ids() const {
    return sorted_keys(users_);
}

std::vector<std::string> ConnectionIndex::group_ids() const {
    return sorted_keys(groups_);
}

bool ConnectionIndex::bind(const std::string& user_id, const std::string& conn_id) {
    if (user_id.empty()) return false;
    auto it = conns_.find(conn_id);
    if (it == conns_.end()) return false;
    if (it->second.user == user_id) return true;
    unbind_conn(conn_id);
    it->second.user = user_id;
    auto [user_it, first] = users_.try_emplace(user_id);
    user_it->second.insert(conn_id);
    if (first) changes_.user(user_id, true);
    changes_.conn(conn_id, user_id);
    return true;
}

size_t ConnectionIndex::unbind_user(const std::string& user_id) {
    auto it = users_.find(user_id);
    if (it == users_.end()) return 0;
    const size_t count = it->second.size();
    for (const auto& conn_id : it->second) {
        conns_.at(conn_id).user.reset();
        changes_.conn(conn_id, {});
    }
    changes_.user(user_id, false);
    users_.erase(it);
    return count;
}

bool ConnectionIndex::unbind_conn(const std::string& conn_id) {
    auto it = conns_.find(conn_id);
    if (it == conns_.end() || !it->second.user) return false;
    auto user_it = users_.find(*it->second.user);
    if (user_it != users_.end()) {
        user_it->second.erase(conn_id);
        if (user_it->second.empty()) {
            changes_.user(user_it->first, false);
            users_.erase(user_it);
        }
    }
    it->second.user.reset();
    changes_.conn(conn_id, {});
    return true;
}

InterestChanges ConnectionIndex::everything() const {
    InterestChanges all;
    all.users_add = user_ids();
    all.groups_add = group_ids();
    all.conns_add = conn_ids();
    all.conns_user.reserve(all.conns_add.size());
    for (const auto& conn : all.conns_add)
        all.conns_user.push_back(conns_.at(conn).user.value_or(""));
    return all;
}

std::optional<std::string> ConnectionIndex::user_of(const std::string& conn_id) const {
    auto it = conns_.find(conn_id);
    if (it == conns_.end()) return std::nullopt;
    return it->second.user;
}

std::vector<std::string> ConnectionIndex::conns_of(const std::string& user_id) const {
    auto it = users_.find(user_id);
    if (it == users_.end()) return {};
    return sorted(it->second);
}

bool ConnectionIndex::is_user_online(const std::string& user_id) const {
    return users_.count(user_id) != 0;
}

bool ConnectionIndex::join(const std::string& group_id, const std::string& conn_id) {
    if (group_id.empty()) return false;
    auto it = conns_.find(conn_id);
    if (it == conns_.end()) return false;
    if (!it->second.groups.insert(group_id).second) return false;
    auto [group_it, first] = groups_.try_emplace(group_id);
    group_it->second.insert(conn_id);
    if (first) changes_.group(group_id, true);
    return true;
}

bool ConnectionIndex::leave(const std::string& group_id, const std::string& conn_id) {
    auto it = conns_.find(conn_id);
    if (it == conns_.end() || it->second.groups.count(group_id) == 0) return false;
    // Copies: either argument may point into a set erased from below.
    const std::string group = group_id;
    const std::string conn = conn_id;
    it->second.groups.erase(group);
    drop_member(group, conn);
    return true;
}

size_t ConnectionIndex::leave_all(const std::string& conn_id_ref) {
    const std::string conn_id = conn_id_ref;  // may point into a member set we erase from
    auto it = conns_.find(conn_id);
    if (it == conns_.end()) return 0;
    const size_t count = it->second.groups.size();
    for (const auto& group_id : it->second.groups) drop_member(group_id, conn_id);
    it->second.groups.clear();
    return count;
}

std::vector<std::string> ConnectionIndex::groups_of_conn(const std::string& conn_id) const {
    auto it = conns_.find(conn_id);
    if (it == conns_.end()) return {};
    return sorted(it->second.groups);
}

std::vector<std::string> ConnectionIndex::groups_of_user(const std::string& user_id) const {
    auto it = users_.find(user_id);
    if (it == users_.end()) return {};
    std::unordered_set<std::string> all;
    for (const auto& conn_id : it->second) {
        const auto& groups = conns_.at(conn_id).groups;
        all.insert(groups.begin(), groups.end());
    }
    return sorted(all);
}

bool ConnectionIndex::in_group(const std::string& group_id, const std::string& conn_id) const {
    auto it = conns_.find(conn_id);
    return it != conns_.end() && it->second.groups.count(group_id) != 0;
}

const std::unordered_set<std::string>* ConnectionIndex::members(const std::string& group_id) const {
    auto it = groups_.find(group_id);
    return it == groups_.end() ? nullptr : &it->second;
}

size_t ConnectionIndex::group_user_count(const std::string& group_id) const {
    auto it = groups_.find(group_id);
    if (it == groups_.end()) return 0;
    std::unordered_set<std::string_view> users;
    for (const auto& conn_id : it->second) {
        const auto& user = conns_.at(conn_id).user;
        if (user) users.insert(*user);
    }
    return users.size();
}

size_t ConnectionIndex::group_conn_count(const std::string& group_id) const {
    auto it = groups_.find(group_id);
    return it == groups_.end() ? 0 : it->second.size();
}

const nlohmann::json* ConnectionIndex::query_data(const std::string& conn_id) const {
    auto it = conns_.find(conn_id);
    return it == conns_.end() ? nullptr : &it->second.query;
}

void ConnectionIndex::drop_member(const std::string& group_id, const std::string& conn_id) {
    auto it = groups_.find(group_id);
    if (it == groups_.end()) return;
    it->second.erase(conn_id);
    if (it->second.empty()) {
        changes_.group(it->first, false);
        groups_.erase(it);
    }
}

}  // namespace wsc
