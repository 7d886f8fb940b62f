// DeliveryLedger: per-client, per-stream order bookkeeping.
#include "bench/DeliveryLedger.hpp"

namespace wsc::bench {

void DeliveryLedger::reset(std::size_t clients, std::size_t streams) {
    streams_ = streams;
    next_.assign(clients * streams, 0);
    received_.assign(clients, 0);
    totals_ = LedgerTotals{};
}

void DeliveryLedger::record(std::size_t client, std::uint32_t stream, std::uint32_t seq) {
    ++totals_.delivered;
    if (client >= received_.size()) return;
    ++received_[client];
    if (stream >= streams_) {
        ++totals_.bad_stream;
        return;
    }
    std::uint32_t& next = next_[client * streams_ + stream];
    if (seq < next) {
        ++totals_.behind;
        return;
    }
    totals_.skipped += seq - next;
    next = seq + 1;
}

}  // namespace wsc::bench
