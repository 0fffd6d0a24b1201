// audit::Logger: the one audit log of a node, owned by the server and shared by the S3 and
// admin front ends. Log() renders an entry once on the caller's thread and offers it to every
// target's bounded queue; it never blocks on I/O and never waits for a slow target. The
// targets' counters are the audit metrics (AppendMetrics).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "audit/entry.h"
#include "audit/target.h"

namespace cairn::audit {

struct LoggerOptions {
  std::string node;                  // requestNode: this node's host:port
  std::vector<std::string> headers;  // HeaderFilter patterns (CAIRN_AUDIT_HEADERS)
};

class Logger {
 public:
  explicit Logger(LoggerOptions options);
  ~Logger();  // Stop()
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // Adds a target and starts its delivery thread. Before the first Log() only.
  void AddTarget(std::unique_ptr<Target> target);

  bool empty() const { return targets_.empty(); }

  // The deployment id of records logged from now on (known once the drives' formats are read).
  // Any thread.
  void SetDeploymentId(std::string id);
  // The node (requestNode) of records logged from now on (known once the listener is bound).
  void SetNode(std::string node);

  // Renders `entry` and queues it on every target. Any thread; never blocks on I/O.
  void Log(const Entry& entry);

  // A request id for requests that have none of their own (admin requests): 16 hex digits,
  // as S3's x-amz-request-id.
  std::string NewRequestId();

  std::vector<TargetStats> Stats() const;
  // Prometheus text: minio_audit_total_messages, minio_audit_failed_messages,
  // minio_audit_target_queue_length and cairn_audit_dropped_messages, by target_id.
  void AppendMetrics(std::string& out) const;

  // Delivers what the targets can within `grace` (together), then stops their threads.
  // Idempotent; records logged afterwards are dropped.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(2));

 private:
  const HeaderFilter filter_;
  std::vector<std::unique_ptr<Target>> targets_;  // fixed once logging starts
  mutable std::mutex mu_;
  std::string deployment_id_;  // GUARDED_BY(mu_)
  std::string node_;           // GUARDED_BY(mu_)
  const std::uint64_t id_base_;
  std::atomic<std::uint64_t> id_counter_{0};
};

}  // namespace cairn::audit
