// The measured calls of a run: what each call targets, the payload it
// carries (stream, seq, send time), and how many messages each client should
// therefore receive.
//
// Order is checkable because each stream has one sender in order: a
// broadcast stream is one lane (HTTP connection, or the bus); a group stream
// is (lane, group); for unicast, each client is the target of one lane only,
// numbered per target.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/ApiCall.hpp"
#include "bench/Receipts.hpp"

namespace wsc::bench {

enum class PlanKind { broadcast, group, conn_id, user_id };

struct PlanSpec {
    PlanKind kind = PlanKind::broadcast;
    std::size_t groups = 1;       // group: client i is in group i % groups
    std::size_t lanes = 1;        // concurrent senders
    std::size_t size = 64;        // message bytes
    std::uint64_t max_calls = 0;  // 0 = no limit
    std::int64_t stop_ns = 0;     // no call starts after this; 0 = no limit
    int ack_ms = 0;               // > 0: every call asks for delivery receipts (`ack`)
    // Checks an accepted answer's results (CallSource::check); unset = none.
    std::function<std::string(const ApiCall&, std::string_view)> check;
};

class CallPlan : public CallSource {
  public:
    // conn_ids[i] is client i's connection id, "" for a client that is not
    // open (never targeted, expects nothing).
    CallPlan(PlanSpec spec, std::vector<std::string> conn_ids);

    bool next(std::size_t lane, std::int64_t intended_ns, ApiCall& out) override;
    void done(const ApiCall& call, bool ok) override;
    std::string check(const ApiCall& call, std::string_view envelope) override;

    std::size_t streams() const;
    std::uint64_t issued() const { return issued_; }
    std::uint64_t succeeded() const { return succeeded_; }
    // Messages client i should have received from the calls that succeeded.
    std::uint64_t expected_for(std::size_t client) const;
    std::uint64_t expected_total() const;
    // Clients one call reaches (for deliveries/s of a fixed call rate).
    double targets_per_call() const;
    // With ack_ms: the receipts of the accepted answers (read once the
    // caller is done).
    int ack_ms() const { return spec_.ack_ms; }
    const ReceiptTally& receipts() const { return receipts_; }

    static std::string group_name(std::size_t group);
    static std::string user_name(std::size_t client);

  private:
    bool pick_target(std::size_t lane, std::size_t& target);
    std::uint64_t targets_of(const ApiCall& call) const;

    PlanSpec spec_;
    std::vector<std::string> conn_ids_;
    std::vector<std::size_t> group_members_;  // open clients per group
    std::size_t open_clients_ = 0;
    std::vector<std::uint32_t> seq_;        // per stream, or per target for unicast
    std::vector<std::uint64_t> ok_;         // successes, indexed like seq_
    std::vector<std::size_t> lane_cursor_;  // per lane: next group or next target
    std::uint64_t issued_ = 0;
    std::uint64_t succeeded_ = 0;
    ReceiptTally receipts_;
};

}  // namespace wsc::bench
