// Receipts: reading "sent" and "acked" out of an answer without a JSON parse.
#include "bench/Receipts.hpp"

#include <charconv>

namespace wsc::bench {

namespace {

constexpr std::size_t kExcerpt = 200;  // bytes of a not-acked answer kept for the report
constexpr std::string_view kSent = R"("sent":)";
constexpr std::string_view kAcked = R"("acked":)";

// The sum of the numbers after every `key` in `text`, and how many there were.
std::uint64_t sum_of(std::string_view text, std::string_view key, std::uint64_t* count) {
    std::uint64_t total = 0;
    for (auto at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1)) {
        const char* begin = text.data() + at + key.size();
        std::uint64_t value = 0;
        const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
        if (ec != std::errc() || end == begin) continue;
        total += value;
        if (count != nullptr) ++*count;
    }
    return total;
}

}  // namespace

ReceiptCounts count_receipts(std::string_view envelope) {
    // Only receipt results have these keys (the _ids they list are hex), in
    // whatever order the node wrote them.
    ReceiptCounts out;
    out.sent = sum_of(envelope, kSent, nullptr);
    out.acked = sum_of(envelope, kAcked, &out.slots);
    return out;
}

void ReceiptTally::add(std::string_view envelope, std::uint64_t targets) {
    const ReceiptCounts c = count_receipts(envelope);
    acks += c.acked;
    if (c.slots > 0 && c.acked >= targets) {
        ++calls_acked;
        return;
    }
    ++calls_not_acked;
    if (first_not_acked.empty()) first_not_acked = std::string(envelope.substr(0, kExcerpt));
}

}  // namespace wsc::bench
