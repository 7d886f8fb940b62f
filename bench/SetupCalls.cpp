// SetupCalls: the preparation calls of group and user-id runs.
#include "bench/SetupCalls.hpp"

#include "bench/CallPlan.hpp"

namespace wsc::bench {

SetupCalls SetupCalls::join_groups(const std::vector<std::string>& conn_ids, std::size_t groups) {
    std::vector<ApiCall> calls;
    for (std::size_t i = 0; i < conn_ids.size(); ++i) {
        if (conn_ids[i].empty()) continue;
        ApiCall call;
        call.event = "joinGroupBy_Id";
        call.args = {{"groupId", CallPlan::group_name(i % groups)}, {"_id", conn_ids[i]}};
        calls.push_back(std::move(call));
    }
    return SetupCalls(std::move(calls));
}

SetupCalls SetupCalls::bind_users(const std::vector<std::string>& conn_ids) {
    std::vector<ApiCall> calls;
    for (std::size_t i = 0; i < conn_ids.size(); ++i) {
        if (conn_ids[i].empty()) continue;
        ApiCall call;
        call.event = "bindId";
        call.args = {{"id", CallPlan::user_name(i)}, {"_id", conn_ids[i]}};
        calls.push_back(std::move(call));
    }
    return SetupCalls(std::move(calls));
}

bool SetupCalls::next(std::size_t /*lane*/, std::int64_t intended_ns, ApiCall& out) {
    if (next_ >= calls_.size()) return false;
    out = calls_[next_++];
    out.intended_ns = intended_ns;
    return true;
}

void SetupCalls::done(const ApiCall& /*call*/, bool ok) {
    ++answered_;
    if (!ok) ++failed_;
}

}  // namespace wsc::bench
