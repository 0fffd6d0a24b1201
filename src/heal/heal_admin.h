// HealAdmin: what the admin API and the metrics see of healing. The heal sequences (a walk
// over the cluster, a bucket or a prefix: admin heals, drive heals, scanner cycles), their
// progress, the state of every drive and the cumulative heal counters. heal::Healer
// implements it; the admin API holds only this interface, so it needs no object layer.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"

namespace cairn::heal {

// What a heal sequence walks: the whole cluster (bucket empty), one bucket, or the keys of
// a bucket that start with prefix.
struct HealScope {
  std::string bucket;
  std::string prefix;
};

struct HealSequenceOptions {
  bool deep_scan = false;        // verify every shard's bitrot hash (reads all data)
  bool remove_dangling = false;  // purge versions that can never reach read quorum again
  bool dry_run = false;          // only count what needs healing; change nothing
};

enum class HealSequenceKind : std::uint8_t {
  kAdmin,    // started through the admin API (`cairn admin heal`)
  kDrive,    // a replaced or wiped drive being filled with its set's objects
  kScanner,  // the background scanner's current cycle
};

enum class HealSequenceState : std::uint8_t { kRunning, kDone, kFailed, kStopped };

// Progress of one heal sequence; a snapshot, copied out under the sequence's lock.
struct HealProgress {
  std::string id;  // unique per sequence (a uuid)
  HealSequenceKind kind = HealSequenceKind::kAdmin;
  HealSequenceState state = HealSequenceState::kRunning;
  HealScope scope;
  HealSequenceOptions options;
  std::string drive;                   // kDrive: the endpoint of the drive being healed
  std::int64_t started_ns = 0;         // wall clock, ns since the epoch
  std::int64_t ended_ns = 0;           // 0 while running
  std::uint64_t objects_scanned = 0;   // versions looked at
  std::uint64_t objects_healed = 0;    // versions that some drive needed and now has
  std::uint64_t objects_failed = 0;    // versions that needed healing and still do
  std::uint64_t objects_dangling = 0;  // dangling versions found (purged when asked)
  std::uint64_t bytes_scanned = 0;     // object bytes of the versions looked at
  std::uint64_t bytes_healed = 0;      // object bytes of the versions healed
  // Versions the sequence expects to look at in all (an estimate, for the time left;
  // 0 = unknown).
  std::uint64_t objects_total = 0;
  std::string last_bucket;  // where the walk is (also where a restart resumes)
  std::string last_key;
  std::string error;  // kFailed: why
};

enum class DriveState : std::uint8_t { kOk, kOffline, kHealing, kFaulty };

// One drive as the admin API and metrics show it.
struct DriveStatus {
  std::string endpoint;
  int pool = 0;
  int set = 0;
  int index = 0;  // in its set
  DriveState state = DriveState::kOk;
  std::uint64_t total = 0;  // bytes; 0 when offline
  std::uint64_t free = 0;
  std::string heal_id;  // kHealing: the drive heal sequence's id
  int parity = 0;       // its set's parity (drives the set can lose and still read)
};

// Cumulative counters since the process started, for metrics.
struct HealCounters {
  std::uint64_t mrf_pushed = 0;
  std::uint64_t mrf_dropped = 0;
  std::uint64_t mrf_healed = 0;
  std::uint64_t mrf_failed = 0;
  std::uint64_t mrf_queued = 0;       // now
  std::uint64_t scanner_cycles = 0;   // complete scanner passes
  std::uint64_t objects_scanned = 0;  // by every sequence (scanner, admin, drive)
  std::uint64_t objects_healed = 0;
  std::uint64_t objects_failed = 0;
  std::uint64_t bytes_healed = 0;
  // The scanner's cleanup (StorageApi::RemoveOrphanData): unreferenced data folders and
  // stale tmp entries removed from drives, and their bytes.
  std::uint64_t orphans_removed = 0;
  std::uint64_t orphan_bytes_removed = 0;
  // Lifecycle rules the scanner applied (LifecycleCounters): current versions expired,
  // noncurrent versions and expired delete markers removed, incomplete uploads aborted.
  std::uint64_t lifecycle_expired_objects = 0;
  std::uint64_t lifecycle_expired_versions = 0;
  std::uint64_t lifecycle_expired_delete_markers = 0;
  std::uint64_t lifecycle_uploads_aborted = 0;
};

// What the scanner last counted in one bucket: keys whose newest copy it listed, and the
// bytes of those copies (older versions not counted).
struct BucketUsage {
  std::uint64_t objects = 0;
  std::uint64_t bytes = 0;
};

// The data usage of every bucket, summed over the sets' last scans (MinIO's
// datausageinfo); `updated_ns` is the oldest of those scans (0: no set scanned yet).
struct DataUsage {
  std::int64_t updated_ns = 0;
  std::map<std::string, BucketUsage> buckets;
};

class HealAdmin {
 public:
  HealAdmin() = default;
  HealAdmin(const HealAdmin&) = delete;
  HealAdmin& operator=(const HealAdmin&) = delete;
  virtual ~HealAdmin() = default;

  // Starts a heal sequence over `scope` in the background and returns its id; when an admin
  // sequence over the same scope is still running, returns that one's id instead of starting
  // another. Errors: kNoSuchBucket, kInvalidArgument (a prefix without a bucket),
  // kCancelled (the healer is stopping).
  virtual Task<Result<std::string>> StartHeal(const RequestContext& ctx, const HealScope& scope,
                                              const HealSequenceOptions& opts) = 0;

  // A snapshot of sequence `id`'s progress (finished sequences are kept a while).
  // Errors: kNotFound.
  virtual Result<HealProgress> GetHealProgress(std::string_view id) const = 0;

  // Stops sequence `id` (it ends in kStopped). Errors: kNotFound.
  virtual Status StopHeal(std::string_view id) = 0;

  // Every running sequence and those finished lately (admin, drive heals, the scanner's).
  virtual std::vector<HealProgress> ListHeals() const = 0;

  // Every drive of every set, with its state and space (probes the drives).
  virtual Task<std::vector<DriveStatus>> GetDriveStatus(const RequestContext& ctx) = 0;

  // Cumulative counters since the process started.
  virtual HealCounters GetHealCounters() const = 0;

  // What the scanner's last pass over each set counted (read from the sets' drives, so every
  // node answers the same). The default: nothing known.
  virtual Task<DataUsage> GetDataUsage(const RequestContext&) { co_return DataUsage{}; }
};

}  // namespace cairn::heal
