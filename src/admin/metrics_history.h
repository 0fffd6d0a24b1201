// MetricsHistory: the time series the console's metrics page draws, kept by the server
// itself so that the graphs need no Prometheus: a reading every interval (10 s) of the
// cumulative counters, turned into per-interval rates, percentiles and levels, the last
// 360 intervals (an hour) in a ring. Served as JSON by the admin API
// (GET /minio/admin/v3/metrics-history, admin:Prometheus or admin:ServerInfo).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace cairn::admin {

// Cumulative counters and levels at one moment.
struct MetricsReading {
  std::int64_t time_ms = 0;                                     // wall clock
  std::vector<std::pair<std::string, std::uint64_t>> requests;  // S3 API label -> requests
  std::uint64_t errors_4xx = 0;
  std::uint64_t errors_5xx = 0;
  std::uint64_t received = 0;  // bytes
  std::uint64_t sent = 0;
  std::vector<std::uint64_t> latency;     // requests per latency bucket
  std::vector<double> latency_bounds_ms;  // each bucket's upper bound (the last: unbounded)
  std::uint64_t capacity_total = 0;       // bytes over every drive online
  std::uint64_t capacity_free = 0;
  int drives_online = 0;
  int drives_total = 0;
  std::uint64_t objects_healed = 0;  // by every heal sequence
  std::uint64_t mrf_healed = 0;
  std::uint64_t mrf_queued = 0;  // now
};

// The q-quantile (0 < q <= 1) of a bucketed distribution, interpolated linearly within its
// bucket (the unbounded bucket reports its lower bound); nullopt when there is no sample.
std::optional<double> Quantile(const std::vector<std::uint64_t>& counts,
                               const std::vector<double>& upper_bounds, double q);

class MetricsHistory {
 public:
  explicit MetricsHistory(std::size_t capacity = 360, double interval_seconds = 10)
      : capacity_(capacity), interval_seconds_(interval_seconds) {}

  // Adds the interval since the previous reading (the first reading only sets the base; a
  // counter that went down, as after a restart of the counters, counts from zero). Any thread.
  void Add(MetricsReading reading);

  // {"intervalSeconds", "points": [{"t" (ms), "seconds", "rps", "api": {label: rps},
  // "errors4xx", "errors5xx" (per s), "rxBps", "txBps", "p50Ms", "p90Ms", "p99Ms" (null without
  // requests), "capacityTotal", "capacityUsed", "drivesOnline", "drivesTotal", "healedObjects",
  // "mrfHealed" (in the interval), "mrfQueued"}]}, oldest first.
  nlohmann::json ToJson() const;

 private:
  const std::size_t capacity_;
  const double interval_seconds_;
  mutable std::mutex mu_;
  std::optional<MetricsReading> last_;  // GUARDED_BY(mu_)
  std::deque<nlohmann::json> points_;   // GUARDED_BY(mu_)
};

}  // namespace cairn::admin
