// Histogram: bucket arithmetic and percentiles.
//
// Values below 128 have a bucket each. Above, a value with highest set bit m
// goes to exponent e = m - 6 and sub-bucket v >> e (in [64, 128)); index
// e * 64 + sub keeps the buckets contiguous and ordered.
#include "bench/Histogram.hpp"

#include <algorithm>
#include <bit>

namespace wsc::bench {

namespace {
constexpr double kPercentAll = 100.0;
}  // namespace

std::size_t Histogram::index_of(std::uint64_t value) {
    if (value < (1u << kSubBits)) return static_cast<std::size_t>(value);
    const int msb = 63 - std::countl_zero(value);
    const int e = msb - kSubBits + 1;
    return static_cast<std::size_t>(e) * kHalf + static_cast<std::size_t>(value >> e);
}

std::uint64_t Histogram::upper_bound_of(std::size_t index) {
    if (index < (1u << kSubBits)) return index;
    const std::size_t e = index / kHalf - 1;
    const std::uint64_t sub = index - e * kHalf;
    return ((sub + 1) << e) - 1;
}

void Histogram::record(std::int64_t value) {
    const std::uint64_t v = value < 0 ? 0 : static_cast<std::uint64_t>(value);
    ++counts_[index_of(v)];
    ++count_;
    max_ = std::max(max_, static_cast<std::int64_t>(v));
    sum_ += static_cast<long double>(v);
}

void Histogram::merge(const Histogram& other) {
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
}

double Histogram::mean() const {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::int64_t Histogram::percentile(double p) const {
    if (count_ == 0) return 0;
    const double wanted = p / kPercentAll * static_cast<double>(count_);
    std::uint64_t rank = static_cast<std::uint64_t>(wanted);
    if (static_cast<double>(rank) < wanted) ++rank;  // ceil
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        seen += counts_[i];
        if (seen >= rank) return std::min(static_cast<std::int64_t>(upper_bound_of(i)), max_);
    }
    return max_;
}

}  // namespace wsc::bench
