// S3Metrics: request counters of the S3 port for the Prometheus pages (admin/), per
// operation: requests, 4xx and 5xx errors, bytes received and sent. Relaxed atomics bumped
// once per request: no lock on the request path. Rendered with MinIO's v2 names
// (minio_s3_requests_total{api="getobject"}, minio_s3_traffic_sent_bytes, ...).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "s3/router.h"

namespace cairn::s3 {

// Request latency (arrival to the end of the response) buckets: upper bounds in microseconds,
// the last one unbounded.
inline constexpr std::array<std::uint64_t, 16> kLatencyBoundsUs = {
    500,     1000,     2000,     5000,
    10000,   20000,    50000,    100000,
    200000,  500000,   1000000,  2000000,
    5000000, 10000000, 30000000, std::numeric_limits<std::uint64_t>::max()};

// The counters at one moment (cumulative since the process started).
struct S3MetricsSnapshot {
  std::vector<std::pair<std::string, std::uint64_t>> requests;  // api label, count (> 0 only)
  std::uint64_t errors_4xx = 0;
  std::uint64_t errors_5xx = 0;
  std::uint64_t received = 0;
  std::uint64_t sent = 0;
  std::array<std::uint64_t, kLatencyBoundsUs.size()> latency{};  // requests per bucket
};

class S3Metrics {
 public:
  // One finished request of `op` answered with `status`, `duration` after it arrived. Any
  // thread.
  void Record(Op op, int status, std::uint64_t received_bytes, std::uint64_t sent_bytes,
              std::chrono::microseconds duration);
  S3MetricsSnapshot Snapshot() const;

  // Appends the families in Prometheus text format (a snapshot; counters read relaxed), with
  // `inflight` as the requests in flight now.
  void AppendPrometheus(std::string& out, std::size_t inflight) const;

  // MinIO's api label: the operation's name in lowercase ("getobject").
  static std::string ApiLabel(Op op);

 private:
  struct Counters {
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> errors_4xx{0};
    std::atomic<std::uint64_t> errors_5xx{0};
  };

  std::array<Counters, kOpCount> ops_;
  std::array<std::atomic<std::uint64_t>, kLatencyBoundsUs.size()> latency_{};
  std::atomic<std::uint64_t> latency_sum_us_{0};
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::uint64_t> sent_{0};
};

}  // namespace cairn::s3
