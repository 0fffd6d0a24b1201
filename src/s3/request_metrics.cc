#include "s3/request_metrics.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace cairn::s3 {
namespace {

void Family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

void S3Metrics::Record(Op op, int status, std::uint64_t received_bytes, std::uint64_t sent_bytes,
                       std::chrono::microseconds duration) {
  const auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(0, duration.count()));
  std::size_t bucket = 0;
  while (us > kLatencyBoundsUs[bucket]) {
    ++bucket;  // the last bound is the largest value: the loop ends there
  }
  latency_[bucket].fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(us, std::memory_order_relaxed);
  Counters& c = ops_[static_cast<std::size_t>(op)];
  c.requests.fetch_add(1, std::memory_order_relaxed);
  if (status >= 500) {
    c.errors_5xx.fetch_add(1, std::memory_order_relaxed);
  } else if (status >= 400) {
    c.errors_4xx.fetch_add(1, std::memory_order_relaxed);
  }
  received_.fetch_add(received_bytes, std::memory_order_relaxed);
  sent_.fetch_add(sent_bytes, std::memory_order_relaxed);
}

S3MetricsSnapshot S3Metrics::Snapshot() const {
  S3MetricsSnapshot s;
  for (std::size_t i = 0; i < kOpCount; ++i) {
    const std::uint64_t n = ops_[i].requests.load(std::memory_order_relaxed);
    if (n > 0) {
      s.requests.emplace_back(ApiLabel(static_cast<Op>(i)), n);
    }
    s.errors_4xx += ops_[i].errors_4xx.load(std::memory_order_relaxed);
    s.errors_5xx += ops_[i].errors_5xx.load(std::memory_order_relaxed);
  }
  s.received = received_.load(std::memory_order_relaxed);
  s.sent = sent_.load(std::memory_order_relaxed);
  for (std::size_t b = 0; b < latency_.size(); ++b) {
    s.latency[b] = latency_[b].load(std::memory_order_relaxed);
  }
  return s;
}

std::string S3Metrics::ApiLabel(Op op) {
  std::string label(OpName(op));
  for (char& c : label) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return label;
}

void S3Metrics::AppendPrometheus(std::string& out, std::size_t inflight) const {
  struct Column {
    std::string_view name;
    std::string_view help;
    std::uint64_t (*value)(const Counters&);
  };

  static constexpr Column kColumns[] = {
      {"minio_s3_requests_total", "Total number of S3 requests",
       [](const Counters& c) { return c.requests.load(std::memory_order_relaxed); }},
      {"minio_s3_requests_errors_total", "Total number of S3 requests with (4xx and 5xx) errors",
       [](const Counters& c) {
         return c.errors_4xx.load(std::memory_order_relaxed) +
                c.errors_5xx.load(std::memory_order_relaxed);
       }},
      {"minio_s3_requests_4xx_errors_total", "Total number of S3 requests with (4xx) errors",
       [](const Counters& c) { return c.errors_4xx.load(std::memory_order_relaxed); }},
      {"minio_s3_requests_5xx_errors_total", "Total number of S3 requests with (5xx) errors",
       [](const Counters& c) { return c.errors_5xx.load(std::memory_order_relaxed); }},
  };
  for (const Column& col : kColumns) {
    Family(out, col.name, "counter", col.help);
    for (std::size_t i = 0; i < kOpCount; ++i) {
      const std::uint64_t v = col.value(ops_[i]);
      if (v > 0) {
        out += fmt::format("{}{{api=\"{}\"}} {}\n", col.name, ApiLabel(static_cast<Op>(i)), v);
      }
    }
  }
  Family(out, "minio_s3_requests_inflight_total", "gauge", "Total number of S3 requests in flight");
  out += fmt::format("minio_s3_requests_inflight_total {}\n", inflight);
  Family(out, "minio_s3_traffic_received_bytes", "counter", "Total number of S3 bytes received");
  out += fmt::format("minio_s3_traffic_received_bytes {}\n",
                     received_.load(std::memory_order_relaxed));
  Family(out, "minio_s3_traffic_sent_bytes", "counter", "Total number of S3 bytes sent");
  out += fmt::format("minio_s3_traffic_sent_bytes {}\n", sent_.load(std::memory_order_relaxed));
  Family(out, "cairn_s3_request_duration_seconds", "histogram",
         "S3 requests by time from arrival to the end of the response");
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < latency_.size(); ++b) {
    cumulative += latency_[b].load(std::memory_order_relaxed);
    const std::string le = b + 1 == latency_.size()
                               ? std::string("+Inf")
                               : fmt::format("{}", static_cast<double>(kLatencyBoundsUs[b]) / 1e6);
    out +=
        fmt::format("cairn_s3_request_duration_seconds_bucket{{le=\"{}\"}} {}\n", le, cumulative);
  }
  out += fmt::format("cairn_s3_request_duration_seconds_sum {}\n",
                     static_cast<double>(latency_sum_us_.load(std::memory_order_relaxed)) / 1e6);
  out += fmt::format("cairn_s3_request_duration_seconds_count {}\n", cumulative);
}

}  // namespace cairn::s3
