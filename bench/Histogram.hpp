// A fixed-size log-linear histogram of non-negative durations (nanoseconds):
// 64 linear sub-buckets per power of two, so a percentile is exact to within
// 1.6 %, recording is a few instructions and memory never grows.
#pragma once

#include <array>
#include <cstdint>

namespace wsc::bench {

class Histogram {
  public:
    void record(std::int64_t value);
    void merge(const Histogram& other);

    std::uint64_t count() const { return count_; }
    std::int64_t max() const { return max_; }
    double mean() const;
    // The upper bound of the bucket holding the p-th percentile (0 < p <= 100);
    // 0 when empty. Never above max().
    std::int64_t percentile(double p) const;

  private:
    static constexpr int kSubBits = 7;  // values below 2^kSubBits are exact
    static constexpr int kHalf = 1 << (kSubBits - 1);
    static constexpr std::size_t kBuckets = (64 - kSubBits + 2) * kHalf;

    static std::size_t index_of(std::uint64_t value);
    static std::uint64_t upper_bound_of(std::size_t index);

    std::array<std::uint64_t, kBuckets> counts_{};
    std::uint64_t count_ = 0;
    std::int64_t max_ = 0;
    long double sum_ = 0;
};

}  // namespace wsc::bench
