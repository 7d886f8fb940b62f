// A fixed list of unmeasured calls that prepare a run (join groups, bind
// user ids), sent through the same callers as the measured ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/ApiCall.hpp"

namespace wsc::bench {

class SetupCalls : public CallSource {
  public:
    explicit SetupCalls(std::vector<ApiCall> calls) : calls_(std::move(calls)) {}

    // client i joins group i % groups (joinGroupBy_Id), one call per client.
    static SetupCalls join_groups(const std::vector<std::string>& conn_ids, std::size_t groups);
    // client i is bound to user CallPlan::user_name(i) (bindId), one call per client.
    static SetupCalls bind_users(const std::vector<std::string>& conn_ids);

    bool next(std::size_t lane, std::int64_t intended_ns, ApiCall& out) override;
    void done(const ApiCall& call, bool ok) override;

    std::size_t size() const { return calls_.size(); }
    std::uint64_t failed() const { return failed_; }
    std::uint64_t answered() const { return answered_; }

  private:
    std::vector<ApiCall> calls_;
    std::size_t next_ = 0;
    std::uint64_t answered_ = 0;
    std::uint64_t failed_ = 0;
};

}  // namespace wsc::bench
