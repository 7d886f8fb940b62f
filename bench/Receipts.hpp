// Delivery receipts in API answers. A send made with `ack` has, per node,
// {"sent":N,"acked":M,"_ids":[...]} (keys in any order) instead of a count;
// a call is acked when every connection it should reach acked it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wsc::bench {

struct ReceiptCounts {
    std::uint64_t sent = 0;  // summed over the answer's per-node results
    std::uint64_t acked = 0;
    std::uint64_t slots = 0;  // per-node results that carried receipts
};

// Sums the "sent" and "acked" of every receipt result in an answer envelope.
ReceiptCounts count_receipts(std::string_view envelope);

// The receipts of a run's calls.
struct ReceiptTally {
    std::uint64_t calls_acked = 0;      // every target acked
    std::uint64_t calls_not_acked = 0;  // fewer acks than targets, or no receipts at all
    std::uint64_t acks = 0;             // acks reported, all calls
    std::string first_not_acked;        // the start of the first such answer

    // One accepted answer of a call that should reach `targets` connections.
    void add(std::string_view envelope, std::uint64_t targets);
};

}  // namespace wsc::bench
