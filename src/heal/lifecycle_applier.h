// LifecycleApplier: the scanner's lifecycle pass. For every bucket with a lifecycle document
// (BucketInfo::Config(bucket_config::kLifecycle)) it parses the document with the parser the
// server injects (s3's XML parser; heal/ cannot include s3/), walks the bucket's versions a
// page at a time and its multipart uploads, and applies what object/lifecycle.h says is due:
// Expiration of current versions (a delete, or a delete marker in a versioned bucket),
// expired object delete markers, NoncurrentVersionExpiration, AbortIncompleteMultipartUpload.
// A version that object lock retains (legal hold ON, retain-until in the future) is never
// removed. Work per cycle is bounded: a bucket left unfinished resumes at the next key.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/request_context.h"
#include "common/task.h"
#include "object/lifecycle.h"
#include "object/object_layer.h"

namespace cairn::heal {

struct LifecycleOptions {
  // Parses a bucket's lifecycle document; unset: the scanner applies no lifecycle.
  object::lifecycle::ConfigurationParser parser;
  // Seconds in a rule's "day" (--lifecycle-day-seconds; tests shorten it).
  std::int64_t day_seconds = object::lifecycle::kDefaultDaySeconds;
  // Versions (and uploads) listed per page.
  int page_size = 500;
  // Versions and uploads looked at per cycle, over every bucket; past it the pass stops at
  // the next key and the following cycle resumes there.
  std::size_t max_entries_per_cycle = 200000;
  // After each removal the pass sleeps this many times what it took (at most a second).
  double sleep_factor = 1.0;
};

// What lifecycle removed since the process started.
struct LifecycleCounters {
  std::uint64_t expired_objects = 0;         // current versions expired (deleted / marked)
  std::uint64_t expired_versions = 0;        // noncurrent versions removed
  std::uint64_t expired_delete_markers = 0;  // expired object delete markers removed
  std::uint64_t uploads_aborted = 0;         // incomplete multipart uploads aborted
};

// True when object lock forbids removing the version: metadata "x-amz-object-lock-legal-hold"
// is "ON", or "x-amz-object-lock-retain-until-date" (ISO 8601) is after `now_ns` or cannot be
// read (kept rather than lost).
bool RetainedByObjectLock(const object::Metadata& metadata, std::int64_t now_ns);

// Nanoseconds since the epoch of an ISO 8601 UTC time ("2026-01-02T03:04:05Z", fractional
// seconds allowed), or nullopt.
std::optional<std::int64_t> ParseIso8601Ns(std::string_view text);

class LifecycleApplier {
 public:
  // `layer` outlives the applier.
  LifecycleApplier(object::ObjectLayer& layer, LifecycleOptions opts);

  bool enabled() const { return static_cast<bool>(opts_.parser); }

  // One pass over every bucket at time `now_ns` (bounded by max_entries_per_cycle); ends
  // early when `stopping` says so. Errors are logged, never fatal.
  Task<void> RunCycle(const RequestContext& ctx, std::int64_t now_ns,
                      const std::function<bool()>& stopping);

  LifecycleCounters counters() const;

 private:
  // Applies the rules to the bucket's versions, from where the last cycle stopped; false when
  // the cycle's budget ran out first.
  Task<bool> ApplyVersions(const RequestContext& ctx, const std::string& bucket,
                           const object::lifecycle::Configuration& config, std::int64_t now_ns,
                           const std::function<bool()>& stopping, std::size_t& budget);
  // One key's versions (newest first).
  Task<void> ApplyKey(const RequestContext& ctx, const std::string& bucket,
                      const object::lifecycle::Configuration& config,
                      const std::vector<object::ObjectInfo>& versions, std::int64_t now_ns);
  Task<void> AbortUploads(const RequestContext& ctx, const std::string& bucket,
                          const object::lifecycle::Configuration& config, std::int64_t now_ns,
                          const std::function<bool()>& stopping, std::size_t& budget);
  Task<void> Pace(std::chrono::steady_clock::time_point t0);

  object::ObjectLayer& layer_;
  const LifecycleOptions opts_;
  // Where each bucket's walk resumes (keys after this one); absent: from the start.
  std::map<std::string, std::string, std::less<>> resume_;
  std::atomic<std::uint64_t> expired_objects_{0};
  std::atomic<std::uint64_t> expired_versions_{0};
  std::atomic<std::uint64_t> expired_delete_markers_{0};
  std::atomic<std::uint64_t> uploads_aborted_{0};
};

}  // namespace cairn::heal
