// Prometheus metrics (text exposition format 0.0.4) for /minio/v2/metrics/cluster and
// /minio/v2/metrics/node, with MinIO's v2 metric names where one exists (drive totals and
// space, heal counters, process) and cairn_* for the rest (per-drive state, MRF queue, heal
// sequences). Pure rendering over a snapshot: the caller gathers the numbers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "heal/heal_admin.h"

namespace cairn::admin {

// Appends one metric family: its # HELP and # TYPE lines, then one sample per call of
// Sample(). Label values are escaped as the format asks (\\, \", \n).
class PrometheusWriter {
 public:
  explicit PrometheusWriter(std::string& out) : out_(out) {}

  // `type` is "counter" or "gauge".
  void Family(std::string_view name, std::string_view type, std::string_view help);
  // A sample of the last family; `labels` are name/value pairs.
  void Sample(std::string_view name,
              std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
              double value);

  void Sample(std::string_view name, double value) { Sample(name, {}, value); }

 private:
  std::string& out_;
};

enum class MetricsScope { kCluster, kNode };

struct MetricsSnapshot {
  std::vector<heal::DriveStatus> drives;
  heal::HealCounters counters;
  std::vector<heal::HealProgress> sequences;
  std::int64_t now_ns = 0;  // wall clock, for the time since the last heal activity
  double uptime_seconds = 0;
  std::uint64_t resident_bytes = 0;  // 0: unknown (left out)
};

// The whole page for `scope` (without the S3 request counters, which s3/ renders).
// Cluster: drive totals by state, raw capacity, heal and MRF counters, heal sequences.
// Node: per-drive state and space, process uptime and memory, heal counters.
std::string RenderMetrics(MetricsScope scope, const MetricsSnapshot& snap);

// This process's resident set size in bytes (/proc/self/statm); 0 when unreadable.
std::uint64_t ResidentMemoryBytes();

}  // namespace cairn::admin
