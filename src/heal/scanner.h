// Scanner: one background loop that runs a heal sequence (kind kScanner) per cycle over every
// set and bucket: throttled, it heals what differs between the drives, purges dangling
// versions while every drive of the set is online, verifies every shard's bitrot hash every
// Nth cycle, and at the end of each set's pass removes what no metadata references from its
// drives (StorageApi::RemoveOrphanData). In a cluster each node runs it; a per-set lock and
// the set's "scanner-last" record make one node scan a set per cycle. After the sets, it
// applies the buckets' lifecycle rules (LifecycleApplier), one node at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"
#include "heal/heal_runner.h"
#include "heal/lifecycle_applier.h"
#include "heal/set_walker.h"
#include "object/server_pools.h"

namespace cairn::heal {

struct ScannerOptions {
  // Pause between cycles.
  std::chrono::milliseconds interval = std::chrono::minutes(1);
  // After each object the scanner sleeps this many times what the object took (and waits
  // while writes hold memory), so it never starves clients.
  double sleep_factor = 1.0;
  // Every deep_every-th cycle also verifies every shard's bitrot hash (0 = never).
  int deep_every = 0;
  // Data folders and tmp entries untouched for this long and referenced by nothing are
  // removed: long enough that no write in flight is between its rename into data/ and its
  // metadata commit.
  std::chrono::seconds orphan_min_age = std::chrono::hours(1);
  // Lifecycle rules, applied at the end of every cycle when a parser is set (its
  // sleep_factor is the scanner's).
  LifecycleOptions lifecycle;
};

// The usage record the scanner writes on every drive of a set after a clean pass over it.
inline constexpr std::string_view kScanUsageRecord = "scanner-usage";

struct SetUsage {
  std::int64_t time_ns = 0;  // when the pass ended
  std::map<std::string, BucketUsage> buckets;
};

std::string EncodeSetUsage(const std::map<std::string, BucketUsage>& usage, std::int64_t time_ns);
std::optional<SetUsage> DecodeSetUsage(std::string_view text);
// Best effort on every online drive of `set`.
Task<void> WriteSetUsage(const RequestContext& ctx, const object::ErasureSet& set,
                         std::string text);
// The newest record the set's online drives hold; nullopt when none.
Task<std::optional<SetUsage>> ReadSetUsage(const RequestContext& ctx,
                                           const object::ErasureSet& set);

class Scanner {
 public:
  // Everything passed outlives the scanner.
  Scanner(object::ServerPools& pools, HealRunner& runner, SetWalker& walker, ScannerOptions opts);

  // Starts the loop on the runner (it ends when the runner stops).
  void Start();

  std::uint64_t cycles() const { return cycles_; }

  std::uint64_t orphans_removed() const { return orphans_removed_; }

  std::uint64_t orphan_bytes_removed() const { return orphan_bytes_removed_; }

  LifecycleCounters lifecycle_counters() const { return lifecycle_.counters(); }

 private:
  Task<void> Loop();
  Task<Status> Cycle(const RequestContext& ctx, HealSequence& seq);
  // RemoveOrphanData on every online drive of `set`, step by step; counts what went.
  Task<void> RemoveSetOrphans(const RequestContext& ctx, const object::ErasureSet& set);
  // The lifecycle pass, on the node that takes its lock.
  Task<void> ApplyLifecycle(const RequestContext& ctx, HealSequence& seq);
  Task<std::uint64_t> LoadCycles(const RequestContext& ctx);
  Task<void> SaveCycles(const RequestContext& ctx, std::uint64_t cycles);

  object::ServerPools& pools_;
  HealRunner& runner_;
  SetWalker& walker_;
  const ScannerOptions opts_;
  LifecycleApplier lifecycle_;
  std::atomic<std::uint64_t> cycles_{0};  // complete passes since the process started
  std::atomic<std::uint64_t> orphans_removed_{0};
  std::atomic<std::uint64_t> orphan_bytes_removed_{0};
};

}  // namespace cairn::heal
