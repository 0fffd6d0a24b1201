// SetWalker: the walk every heal sequence is made of. It lists a set's buckets in key order
// (ErasureSet::ListForHeal: every key that any drive holds), skips keys whose copies agree on
// every drive without taking a lock, runs HealObject on each version that differs (or on
// every version with deep_scan), then heals the bucket's multipart uploads in progress. One
// key at a time on the heal strand; checks the sequence's stop flag between keys. Counts
// into the sequence and into the process-wide totals the metrics show.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"
#include "heal/heal_admin.h"
#include "heal/heal_runner.h"
#include "heal/heal_sequence.h"
#include "object/server_pools.h"

namespace cairn::heal {

// What one walk over a set does.
struct WalkParams {
  HealScope scope;  // scope.bucket is not used: the caller passes the buckets
  object::HealOptions heal;
  std::string resume_bucket;  // start at this bucket, after resume_key
  std::string resume_key;
  // The scanner's throttle: after each object sleep `sleep_factor` times what the object
  // took (at most a second), and wait while writes hold memory.
  bool throttle = false;
  double sleep_factor = 1.0;
  // remove_dangling only while every drive of the set is online ("never" is then certain).
  bool dangling_needs_all_online = false;
  // Called after each key (the drive heal saves its tracker); may be empty.
  std::function<Task<void>()> after_key;
  // When set, each key listed is counted into its bucket (the scanner's data usage).
  std::map<std::string, BucketUsage>* usage = nullptr;
};

// What every walk of the process counted, for the metrics.
struct WalkTotals {
  std::atomic<std::uint64_t> scanned{0};
  std::atomic<std::uint64_t> healed{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> bytes_healed{0};
};

class SetWalker {
 public:
  // `pools` and `runner` outlive the walker; `page_size` keys are listed at a time.
  SetWalker(object::ServerPools& pools, const HealRunner& runner, std::size_t page_size);

  // Walks `set` over `buckets` (sorted) and heals what the drives disagree on, counting into
  // `seq`. Errors: kCancelled (stopped), the listing's errors (kNoSuchBucket when a scoped
  // bucket vanished, kReadQuorum).
  Task<Status> Walk(const RequestContext& ctx, object::ErasureSet& set,
                    const std::vector<std::string>& buckets, const WalkParams& p,
                    HealSequence& seq);
  // Every bucket that some set knows by quorum, sorted.
  Task<std::vector<std::string>> BucketNames(const RequestContext& ctx);
  // Keys a walk will visit in `buckets` of `sets` (a quick listing), for objects_total.
  Task<std::uint64_t> CountKeys(const RequestContext& ctx,
                                const std::vector<object::ErasureSet*>& sets,
                                const std::vector<std::string>& buckets, std::string_view prefix,
                                const HealSequence& seq);

  const WalkTotals& totals() const { return totals_; }

 private:
  object::ServerPools& pools_;
  const HealRunner& runner_;
  const std::size_t page_size_;
  WalkTotals totals_;
};

}  // namespace cairn::heal
