// The interest transitions of a node since they were last taken.
#include "wsnode/InterestLog.hpp"

#include <algorithm>
#include <utility>

namespace wsc {

namespace {

void split(std::unordered_map<std::string, bool>& log, std::vector<std::string>& added,
           std::vector<std::string>& deleted) {
    for (auto& [id, held] : log) (held ? added : deleted).push_back(id);
    log.clear();
    std::sort(added.begin(), added.end());
    std::sort(deleted.begin(), deleted.end());
}

}  // namespace

InterestChanges InterestLog::take() {
    InterestChanges changes;
    split(users_, changes.users_add, changes.users_del);
    split(groups_, changes.groups_add, changes.groups_del);
    std::vector<std::pair<std::string, std::string>> open;
    for (auto& [conn, user] : conns_) {
        if (user)
            open.emplace_back(conn, std::move(*user));
        else
            changes.conns_del.push_back(conn);
    }
    conns_.clear();
    std::sort(open.begin(), open.end());
    std::sort(changes.conns_del.begin(), changes.conns_del.end());
    changes.conns_add.reserve(open.size());
    changes.conns_user.reserve(open.size());
    for (auto& [conn, user] : open) {
        changes.conns_add.push_back(std::move(conn));
        changes.conns_user.push_back(std::move(user));
    }
    return changes;
}

}  // namespace wsc
