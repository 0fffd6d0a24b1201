// Healing: the options a caller (the MRF queue, the scanner, a drive heal, `cairn admin
// heal`) passes to ErasureSet::HealObject and the per-drive answer it gets back; the scope,
// options and progress of a heal sequence (a walk over the cluster, a bucket or a prefix);
// the state of every drive and the heal counters, for the admin API and metrics. Pure data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cairn::object {

struct HealOptions {
  // Also read every shard block and verify its bitrot hash (reads all the object's data);
  // without it, shard files are only checked to exist with the right size.
  bool deep_scan = false;
  // Purge a version below read quorum that can never be read again (a dangling version);
  // without it such a version is only reported. Each purge is logged.
  bool remove_dangling = false;
  // Only decide and report what would be done (drive reasons, `would_change`); change
  // nothing on any drive. Takes the object's read lock instead of its write lock.
  bool dry_run = false;
};

// Why a drive needed healing.
enum class HealReason : std::uint8_t {
  kNone,      // the drive held the version intact
  kMissing,   // no metadata for the version
  kStale,     // an older version than the one read quorum agrees on
  kCorrupt,   // corrupt metadata, or a shard file missing, short, or failing its hash
  kDangling,  // a version below read quorum that can never be read again
  kDeleted,   // a version that the quorum deleted
};

// What HealObject did on a drive.
enum class HealDriveState : std::uint8_t {
  kOk,        // nothing to do
  kHealed,    // now holds the version exactly as a drive that took the original write
  kPurged,    // a dangling or deleted version was removed
  kDangling,  // holds a dangling version, left in place (remove_dangling was not asked)
  kOffline,   // offline or unreadable: left for later
  kFailed,    // needed healing, but reading the sources or writing the drive failed
};

struct HealDriveResult {
  std::string endpoint;
  HealReason reason = HealReason::kNone;
  HealDriveState state = HealDriveState::kOk;
};

struct HealResult {
  std::string bucket;
  std::string key;
  std::string version_id;  // of the version healed (empty = the null version)
  bool deleted = false;    // a delete marker, or an object the quorum deleted
  bool dangling = false;   // no version has read quorum, and none can reach it again
  std::int64_t size = 0;
  std::vector<HealDriveResult> drives;  // in set order
  // Drives that needed a change (a rebuild or a purge), whether made or not (dry_run).
  int would_change = 0;

  int Count(HealDriveState s) const {
    int n = 0;
    for (const auto& d : drives) {
      n += d.state == s ? 1 : 0;
    }
    return n;
  }

  // True when some drive still lacks the object: it was offline, or healing it failed.
  bool Pending() const {
    return Count(HealDriveState::kOffline) + Count(HealDriveState::kFailed) > 0;
  }

  // True when some drive is left for later because it is offline (not because it failed).
  bool WaitsForDrive() const { return Count(HealDriveState::kOffline) > 0; }
};

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
};

}  // namespace cairn::object
