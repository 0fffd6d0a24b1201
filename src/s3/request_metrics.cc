#include "s3/request_metrics.h"

#include <cctype>

#include <fmt/format.h>

namespace cairn::s3 {
namespace {

void Family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

void S3Metrics::Record(Op op, int status, std::uint64_t received_bytes, std::uint64_t sent_bytes) {
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
}

}  // namespace cairn::s3
