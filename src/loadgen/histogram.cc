#include "loadgen/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace cairn::loadgen {
namespace {

constexpr std::uint64_t kSub = std::uint64_t{1} << LatencyHistogram::kSubBits;

}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(BucketCount(), 0) {}

std::size_t LatencyHistogram::BucketCount() {
  return static_cast<std::size_t>(kMaxBits - kSubBits + 1) * kSub;
}

std::size_t LatencyHistogram::BucketOf(std::uint64_t ns) {
  if (ns < kSub) {
    return static_cast<std::size_t>(ns);
  }
  int msb = 63 - std::countl_zero(ns);
  if (msb >= kMaxBits) {
    return BucketCount() - 1;
  }
  int shift = msb - kSubBits;
  return static_cast<std::size_t>((static_cast<std::uint64_t>(shift) + 1) * kSub +
                                  ((ns >> shift) - kSub));
}

std::uint64_t LatencyHistogram::BucketLow(std::size_t bucket) {
  if (bucket < kSub) {
    return bucket;
  }
  std::uint64_t shift = bucket / kSub - 1;
  std::uint64_t mantissa = kSub + bucket % kSub;
  return mantissa << shift;
}

std::uint64_t LatencyHistogram::BucketHigh(std::size_t bucket) {
  if (bucket < kSub) {
    return bucket;
  }
  std::uint64_t shift = bucket / kSub - 1;
  std::uint64_t mantissa = kSub + bucket % kSub;
  return ((mantissa + 1) << shift) - 1;
}

void LatencyHistogram::Record(std::uint64_t ns) {
  ++buckets_[BucketOf(ns)];
  ++count_;
  min_ = std::min(min_, ns);
  max_ = std::max(max_, ns);
  sum_ += static_cast<long double>(ns);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    buckets_[i] += other.buckets_[i];
  }
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

void LatencyHistogram::Reset() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  sum_ = 0;
}

double LatencyHistogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::uint64_t LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) {
    return 0;
  }
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      return std::clamp(BucketHigh(i), min(), max_);
    }
  }
  return max_;
}

}  // namespace cairn::loadgen
