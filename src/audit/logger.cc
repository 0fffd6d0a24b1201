#include "audit/logger.h"

#include <cstdio>
#include <exception>

#include <fmt/format.h>

#include "common/log.h"

namespace cairn::audit {

Logger::Logger(LoggerOptions options)
    : filter_(std::move(options.headers)),
      node_(std::move(options.node)),
      id_base_(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count()) ^
               (std::uint64_t{0xA5} << 56)) {}

Logger::~Logger() {
  Stop();
}

void Logger::AddTarget(std::unique_ptr<Target> target) {
  target->Start();
  targets_.push_back(std::move(target));
}

void Logger::SetDeploymentId(std::string id) {
  std::lock_guard<std::mutex> lock(mu_);
  deployment_id_ = std::move(id);
}

void Logger::SetNode(std::string node) {
  std::lock_guard<std::mutex> lock(mu_);
  node_ = std::move(node);
}

void Logger::Log(const Entry& entry) {
  if (targets_.empty()) {
    return;
  }
  std::string deployment;
  std::string node;
  {
    std::lock_guard<std::mutex> lock(mu_);
    deployment = deployment_id_;
    node = node_;
  }
  Record record;
  try {
    record = std::make_shared<const std::string>(RenderEntry(entry, filter_, deployment, node));
  } catch (const std::exception& e) {
    // Never an exception into the request path: the record is lost, the request is not.
    LOG_ERROR("audit: cannot render a record of {}: {}", entry.api_name, e.what());
    return;
  }
  for (const auto& target : targets_) {
    target->Offer(record);
  }
}

std::string Logger::NewRequestId() {
  const std::uint64_t n = id_base_ + id_counter_.fetch_add(1, std::memory_order_relaxed);
  return fmt::format("{:016X}", n);
}

std::vector<TargetStats> Logger::Stats() const {
  std::vector<TargetStats> out;
  for (const auto& target : targets_) {
    out.push_back(target->stats());
  }
  return out;
}

void Logger::AppendMetrics(std::string& out) const {
  if (targets_.empty()) {
    return;
  }
  const std::vector<TargetStats> stats = Stats();

  struct Family {
    const char* name;
    const char* type;
    const char* help;
    std::uint64_t TargetStats::*value;
  };

  static constexpr Family kFamilies[] = {
      {"minio_audit_total_messages", "counter", "Audit records delivered since start",
       &TargetStats::sent},
      {"minio_audit_failed_messages", "counter",
       "Audit records of failed deliveries since start (a retried batch counts again)",
       &TargetStats::failed},
      {"minio_audit_target_queue_length", "gauge", "Audit records waiting in the target's queue",
       &TargetStats::queued},
      {"cairn_audit_dropped_messages", "counter",
       "Audit records dropped because the target's queue was full", &TargetStats::dropped},
  };
  for (const Family& f : kFamilies) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", f.name, f.help, f.name, f.type);
    for (const TargetStats& s : stats) {
      out += fmt::format("{}{{target_id=\"{}\"}} {}\n", f.name, s.id, s.*(f.value));
    }
  }
}

void Logger::Stop(std::chrono::milliseconds grace) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  for (const auto& target : targets_) {
    target->Stop(deadline);
  }
}

}  // namespace cairn::audit
