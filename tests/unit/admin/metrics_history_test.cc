// MetricsHistory: readings of cumulative counters become per-interval rates, percentiles and
// levels, in a ring of bounded size; Quantile over latency buckets.
#include "admin/metrics_history.h"

#include <gtest/gtest.h>

namespace cairn::admin {
namespace {

const std::vector<double> kBounds = {1, 2, 5, 10, 1e300};

MetricsReading At(std::int64_t ms, std::uint64_t gets, std::vector<std::uint64_t> latency) {
  MetricsReading r;
  r.time_ms = ms;
  r.requests = {{"getobject", gets}, {"putobject", 5}};
  r.latency = std::move(latency);
  r.latency_bounds_ms = kBounds;
  r.received = ms * 10;
  r.sent = ms * 20;
  r.errors_4xx = gets / 10;
  r.capacity_total = 1000;
  r.capacity_free = 400;
  r.drives_online = 3;
  r.drives_total = 4;
  r.objects_healed = gets / 2;
  return r;
}

TEST(MetricsQuantile, InterpolatesWithinItsBucket) {
  EXPECT_EQ(Quantile({0, 0, 0, 0, 0}, kBounds, 0.5), std::nullopt);
  // 10 samples in (1, 2]: the median is half way.
  EXPECT_DOUBLE_EQ(*Quantile({0, 10, 0, 0, 0}, kBounds, 0.5), 1.5);
  EXPECT_DOUBLE_EQ(*Quantile({10, 0, 0, 0, 0}, kBounds, 1.0), 1.0);
  // 90 fast, 10 slow: p50 among the fast ones, p99 among the slow.
  EXPECT_LE(*Quantile({90, 0, 0, 10, 0}, kBounds, 0.5), 1.0);
  EXPECT_GT(*Quantile({90, 0, 0, 10, 0}, kBounds, 0.99), 5.0);
  // The unbounded bucket reports its lower end.
  EXPECT_DOUBLE_EQ(*Quantile({0, 0, 0, 0, 4}, kBounds, 0.5), 10.0);
}

TEST(MetricsHistory, RatesPerInterval) {
  MetricsHistory h(3, 10);
  h.Add(At(1000, 100, {10, 0, 0, 0, 0}));
  EXPECT_TRUE(h.ToJson()["points"].empty());  // the first reading is the base
  h.Add(At(11000, 300, {10, 200, 0, 0, 0}));
  const nlohmann::json p = h.ToJson()["points"][0];
  EXPECT_EQ(p["t"], 11000);
  EXPECT_DOUBLE_EQ(p["seconds"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(p["api"]["getobject"].get<double>(), 20.0);
  EXPECT_FALSE(p["api"].contains("putobject"));  // unchanged
  EXPECT_DOUBLE_EQ(p["rps"].get<double>(), 20.0);
  EXPECT_DOUBLE_EQ(p["errors4xx"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(p["rxBps"].get<double>(), 10000.0);
  EXPECT_DOUBLE_EQ(p["p50Ms"].get<double>(), 1.5);
  EXPECT_EQ(p["capacityUsed"], 600);
  EXPECT_EQ(p["drivesOnline"], 3);
  EXPECT_EQ(p["healedObjects"], 100);
  EXPECT_EQ(h.ToJson()["intervalSeconds"], 10.0);
}

TEST(MetricsHistory, KeepsTheLastPointsOnly) {
  MetricsHistory h(3, 10);
  for (int i = 0; i < 10; ++i) {
    h.Add(At(1000 + i * 10000, 100 + i, {std::uint64_t(i), 0, 0, 0, 0}));
  }
  const nlohmann::json points = h.ToJson()["points"];
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[2]["t"], 91000);
  EXPECT_TRUE(points[2]["p99Ms"].is_number());
}

TEST(MetricsHistory, ACounterThatWentDownCountsFromZero) {
  MetricsHistory h(3, 10);
  h.Add(At(1000, 500, {0, 0, 0, 0, 0}));
  h.Add(At(11000, 50, {0, 0, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(h.ToJson()["points"][0]["api"]["getobject"].get<double>(), 5.0);
  EXPECT_TRUE(h.ToJson()["points"][0]["p50Ms"].is_null());
}

}  // namespace
}  // namespace cairn::admin
