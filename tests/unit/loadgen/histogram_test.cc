#include "loadgen/histogram.h"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

namespace cairn::loadgen {
namespace histogram_test_internal {

TEST(LatencyHistogramTest, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.Percentile(0.5), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(LatencyHistogramTest, BucketsAreContiguousAndTight) {
  std::size_t previous = 0;
  for (std::uint64_t v = 0; v < (1u << 20); v += 1 + v / 1000) {
    std::size_t b = LatencyHistogram::BucketOf(v);
    ASSERT_GE(b, previous) << v;
    ASSERT_LE(b, previous + 1) << v;
    previous = b;
    ASSERT_LE(LatencyHistogram::BucketLow(b), v);
    ASSERT_GE(LatencyHistogram::BucketHigh(b), v);
    // Relative width of a bucket is at most 1/128.
    double width =
        static_cast<double>(LatencyHistogram::BucketHigh(b) - LatencyHistogram::BucketLow(b) + 1);
    ASSERT_LE(width, std::max(1.0, static_cast<double>(v) / 128.0)) << v;
  }
  for (std::size_t b = 1; b + 1 < LatencyHistogram::BucketCount(); ++b) {
    ASSERT_EQ(LatencyHistogram::BucketHigh(b - 1) + 1, LatencyHistogram::BucketLow(b)) << b;
  }
  EXPECT_EQ(LatencyHistogram::BucketOf(UINT64_MAX), LatencyHistogram::BucketCount() - 1);
}

TEST(LatencyHistogramTest, UniformPercentilesWithinOnePercent) {
  LatencyHistogram h;
  // 1 us .. 100 ms in 1 us steps.
  for (std::uint64_t us = 1; us <= 100000; ++us) {
    h.Record(us * 1000);
  }
  EXPECT_EQ(h.count(), 100000u);
  EXPECT_EQ(h.min(), 1000u);
  EXPECT_EQ(h.max(), 100000u * 1000);
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    double expected = q * 100000 * 1000;
    double got = static_cast<double>(h.Percentile(q));
    EXPECT_NEAR(got, expected, expected * 0.01) << q;
  }
  EXPECT_EQ(h.Percentile(1.0), h.max());
  EXPECT_NEAR(h.mean(), 50000.5 * 1000, 1);
}

TEST(LatencyHistogramTest, SkewedDistributionTail) {
  LatencyHistogram h;
  for (int i = 0; i < 990; ++i) {
    h.Record(200'000);  // 200 us
  }
  for (int i = 0; i < 10; ++i) {
    h.Record(50'000'000);  // 50 ms
  }
  EXPECT_NEAR(static_cast<double>(h.Percentile(0.5)), 200'000, 2'000);
  EXPECT_NEAR(static_cast<double>(h.Percentile(0.99)), 200'000, 2'000);
  EXPECT_NEAR(static_cast<double>(h.Percentile(0.995)), 50'000'000, 500'000);
  EXPECT_EQ(h.max(), 50'000'000u);
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverything) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(13, 1);
  LatencyHistogram all;
  LatencyHistogram a;
  LatencyHistogram b;
  for (int i = 0; i < 20000; ++i) {
    auto v = static_cast<std::uint64_t>(dist(rng));
    all.Record(v);
    (i % 3 == 0 ? a : b).Record(v);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_EQ(a.min(), all.min());
  for (double q : {0.1, 0.5, 0.9, 0.99}) {
    EXPECT_EQ(a.Percentile(q), all.Percentile(q)) << q;
  }
  a.Reset();
  EXPECT_EQ(a.count(), 0u);
  EXPECT_EQ(a.Percentile(0.5), 0u);
}

TEST(LatencyHistogramTest, HugeValuesAreClampedButMaxIsExact) {
  LatencyHistogram h;
  h.Record(std::uint64_t{1} << 50);
  EXPECT_EQ(h.max(), std::uint64_t{1} << 50);
  EXPECT_EQ(h.Percentile(0.5), std::uint64_t{1} << 50);
}

}  // namespace histogram_test_internal
}  // namespace cairn::loadgen
