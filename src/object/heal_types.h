// Healing one object: the options a caller (the heal module's MRF worker, scanner, drive
// heals and admin sequences) passes to ErasureSet::HealObject and the per-drive answer it
// gets back. Pure data. What the admin API sees of healing is heal/heal_admin.h.
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

}  // namespace cairn::object
