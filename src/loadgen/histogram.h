// LatencyHistogram: an HDR-style histogram of latencies in nanoseconds, in fixed memory.
// Buckets are log-linear (each power of two split into 128 sub-buckets), so a percentile is
// within 0.8% of the true value from 1 ns up to 2^40 ns (18 minutes); recording is a few
// instructions and never allocates. One histogram per worker thread, merged at the end.
#pragma once

#include <cstdint>
#include <vector>

namespace cairn::loadgen {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 7;
  static constexpr int kMaxBits = 40;  // values from 2^40 ns on land in the last bucket

  LatencyHistogram();

  void Record(std::uint64_t ns);
  void Merge(const LatencyHistogram& other);
  void Reset();

  std::uint64_t count() const { return count_; }

  std::uint64_t min() const { return count_ == 0 ? 0 : min_; }

  std::uint64_t max() const { return max_; }

  double mean() const;
  // The value at quantile q in [0, 1]: the upper edge of the bucket holding the
  // ceil(q * count)-th smallest value, clamped to [min, max]. 0 when empty.
  std::uint64_t Percentile(double q) const;

  // Bucket arithmetic, exposed for tests.
  static std::size_t BucketOf(std::uint64_t ns);
  static std::uint64_t BucketLow(std::size_t bucket);
  static std::uint64_t BucketHigh(std::size_t bucket);
  static std::size_t BucketCount();

 private:
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace cairn::loadgen
