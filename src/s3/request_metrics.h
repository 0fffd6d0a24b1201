// S3Metrics: request counters of the S3 port for the Prometheus pages (admin/), per
// operation: requests, 4xx and 5xx errors, bytes received and sent. Relaxed atomics bumped
// once per request: no lock on the request path. Rendered with MinIO's v2 names
// (minio_s3_requests_total{api="getobject"}, minio_s3_traffic_sent_bytes, ...).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "s3/router.h"

namespace cairn::s3 {

class S3Metrics {
 public:
  // One finished request of `op` answered with `status`. Any thread.
  void Record(Op op, int status, std::uint64_t received_bytes, std::uint64_t sent_bytes);

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
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::uint64_t> sent_{0};
};

}  // namespace cairn::s3
