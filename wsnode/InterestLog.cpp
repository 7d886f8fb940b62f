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
    return changes;
}

}  // namespace wsc
