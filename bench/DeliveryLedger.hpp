// Which messages each client got: the next expected sequence number per
// (client, stream), and counts of duplicates, reorderings and gaps, so a run
// can say "every client got every message once, in order" — or how it did not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wsc::bench {

struct LedgerTotals {
    std::uint64_t delivered = 0;   // bench messages received, all counted
    std::uint64_t behind = 0;      // seq below the next expected: a duplicate or reordering
    std::uint64_t skipped = 0;     // messages jumped over when a seq arrived early
    std::uint64_t bad_stream = 0;  // a stream number outside the plan
};

class DeliveryLedger {
  public:
    // One row per client, one column per stream; all expect seq 0 first.
    void reset(std::size_t clients, std::size_t streams);

    void record(std::size_t client, std::uint32_t stream, std::uint32_t seq);

    const LedgerTotals& totals() const { return totals_; }
    std::uint64_t received_by(std::size_t client) const { return received_[client]; }
    // The next seq a client expects on a stream = how many it got in order.
    std::uint32_t next_seq(std::size_t client, std::size_t stream) const {
        return next_[client * streams_ + stream];
    }
    std::size_t streams() const { return streams_; }

  private:
    std::size_t streams_ = 0;
    std::vector<std::uint32_t> next_;
    std::vector<std::uint32_t> received_;
    LedgerTotals totals_;
};

}  // namespace wsc::bench
