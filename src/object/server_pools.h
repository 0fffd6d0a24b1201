// ServerPools: the ObjectLayer of a cluster, pools of erasure sets. A key's set within a
// pool is SipHash-2-4 of the key keyed with the deployment id, modulo the set count; a new
// object goes to the pool with the most free space, an existing one stays in its pool.
// Listing merges every set of every pool. Built by the server once format.json is checked.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "object/erasure_set.h"
#include "object/heal_sequence.h"
#include "object/mrf_queue.h"
#include "object/ns_lock.h"
#include "object/object_layer.h"
#include "storage/storage_api.h"

namespace cairn::object {

struct PoolSpec {
  // Each set's drives in set order (null = absent drive); every set has the same size.
  std::vector<std::vector<std::shared_ptr<storage::StorageApi>>> sets;
  int parity = 0;
};

struct ServerPoolsOptions {
  std::string deployment_id;  // a uuid; keys the placement hash
  std::uint32_t block_size = 1 << 20;
  std::size_t inline_threshold = 128 << 10;
  std::int64_t min_part_size = 5 << 20;
  int compute_threads = 0;  // erasure coding workers; 0 = one per core
  // The namespace locker; null = a LocalNsLocker with `lock_timeout`.
  std::shared_ptr<NsLocker> locker;
  std::chrono::milliseconds lock_timeout = std::chrono::seconds(30);
  // The block buffers that writes in flight may hold at once (a streaming PUT holds two
  // erasure blocks of every shard, about 4 MiB with EC 2+2); 0 = unbounded. Past it a
  // write waits up to `memory_wait`, then gets kSlowDown (503 SlowDown).
  std::size_t memory_budget_bytes = std::size_t{512} << 20;
  std::chrono::milliseconds memory_wait = std::chrono::seconds(10);
  // Reactive healing: writes and reads that met a missing, stale or corrupt drive queue the
  // object, and a worker on the compute pool heals it (the server turns this on).
  bool background_heal = false;
  std::size_t heal_queue_capacity = 10000;
  std::chrono::milliseconds heal_idle_poll{100};    // how often an idle worker looks again
  std::chrono::milliseconds drive_poll{1000};       // how often drives' IsOnline is polled
  std::chrono::milliseconds heal_retry_base{500};   // first retry of a failed heal; doubles
  std::chrono::milliseconds heal_retry_max{30000};  // cap of the retry delay
  int heal_max_attempts = 10;                       // failed heals before an entry is dropped
  std::size_t heal_concurrency = 4;                 // objects healed at once
  // The queue survives restarts (server_pools_mrf.cc): the heal worker saves it as the system
  // record "mrf/<node_id>" on the drives of each set, at most every `mrf_save_interval` while
  // it changes and when it stops, and queues the saved entries again when it starts.
  std::string node_id = "local";  // this node's host:port; "local" on a single node
  std::chrono::milliseconds mrf_save_interval{5000};
  // Heal sequences (admin heals, drive heals, scanner cycles): keys listed per page, and the
  // finished sequences kept for GetHealProgress (at most this many, for at most an hour).
  std::size_t heal_page_size = 500;
  std::size_t heal_finished_kept = 64;
  std::chrono::milliseconds heal_tracker_interval{5000};  // a drive heal saves its tracker
  // The scanner: a background pass over every set and bucket that heals what differs between
  // the drives. After each object it sleeps `scanner_sleep_factor` times what the object took
  // (and waits while writes hold memory), so it never starves clients; it pauses
  // `scanner_interval` between cycles; every `scanner_deep_every`th cycle (0 = never) also
  // verifies every shard's bitrot hash.
  bool scanner = false;
  std::chrono::milliseconds scanner_interval = std::chrono::minutes(1);
  double scanner_sleep_factor = 1.0;
  int scanner_deep_every = 0;
  // At the end of a set's pass the scanner removes, on each drive of the set, the data
  // folders no metadata references and stale tmp/ entries (StorageApi::RemoveOrphanData)
  // when untouched for this long: long enough that no write in flight is between its rename
  // into data/ and its metadata commit.
  std::chrono::seconds orphan_min_age = std::chrono::hours(1);
};

// A drive's place: pool, set within the pool, index within the set.
struct DriveSlot {
  std::size_t pool = 0;
  std::size_t set = 0;
  std::size_t index = 0;
};

class ServerPools final : public ObjectLayer {
 public:
  ServerPools(std::vector<PoolSpec> pools, ServerPoolsOptions opts);
  ~ServerPools() override;

  Task<Status> MakeBucket(const RequestContext& ctx, std::string_view bucket,
                          std::string_view location) override;
  Task<Result<BucketInfo>> GetBucketInfo(const RequestContext& ctx,
                                         std::string_view bucket) override;
  Task<Result<std::vector<BucketInfo>>> ListBuckets(const RequestContext& ctx) override;
  Task<Status> DeleteBucket(const RequestContext& ctx, std::string_view bucket,
                            bool force) override;

  Task<Result<ObjectInfo>> PutObject(const RequestContext& ctx, std::string_view bucket,
                                     std::string_view key, HashReader& body,
                                     const PutOptions& opts) override;
  Task<Result<std::unique_ptr<ObjectReader>>> GetObject(const RequestContext& ctx,
                                                        std::string_view bucket,
                                                        std::string_view key,
                                                        const GetOptions& opts) override;
  Task<Result<ObjectInfo>> GetObjectInfo(const RequestContext& ctx, std::string_view bucket,
                                         std::string_view key, const GetOptions& opts) override;
  Task<Result<ObjectInfo>> DeleteObject(const RequestContext& ctx, std::string_view bucket,
                                        std::string_view key, const DeleteOptions& opts) override;
  Task<Result<ListResult>> ListObjects(const RequestContext& ctx, std::string_view bucket,
                                       const ListOptions& opts) override;

  Task<Result<std::string>> NewMultipartUpload(const RequestContext& ctx, std::string_view bucket,
                                               std::string_view key,
                                               const PutOptions& opts) override;
  Task<Result<PartInfo>> PutObjectPart(const RequestContext& ctx, std::string_view bucket,
                                       std::string_view key, std::string_view upload_id,
                                       int part_number, HashReader& body) override;
  Task<Result<ListPartsResult>> ListObjectParts(const RequestContext& ctx, std::string_view bucket,
                                                std::string_view key, std::string_view upload_id,
                                                int part_number_marker, int max_parts) override;
  Task<Result<ListUploadsResult>> ListMultipartUploads(
      const RequestContext& ctx, std::string_view bucket, std::string_view prefix,
      std::string_view key_marker, std::string_view upload_id_marker, std::string_view delimiter,
      int max_uploads) override;
  Task<Result<ObjectInfo>> CompleteMultipartUpload(const RequestContext& ctx,
                                                   std::string_view bucket, std::string_view key,
                                                   std::string_view upload_id,
                                                   const std::vector<CompletePart>& parts,
                                                   const PutOptions& opts) override;
  Task<Status> AbortMultipartUpload(const RequestContext& ctx, std::string_view bucket,
                                    std::string_view key, std::string_view upload_id) override;

  Task<HealthInfo> GetHealth(const RequestContext& ctx) override;

  // Heal sequences (server_pools_scan.cc): run in the background on the heal strand.
  Task<Result<std::string>> StartHeal(const RequestContext& ctx, const HealScope& scope,
                                      const HealSequenceOptions& opts) override;
  Result<HealProgress> GetHealProgress(std::string_view id) const override;
  Status StopHeal(std::string_view id) override;
  std::vector<HealProgress> ListHeals() const override;
  Task<std::vector<DriveStatus>> GetDriveStatus(const RequestContext& ctx) override;
  HealCounters GetHealCounters() const override;

  // Drive heals (server_pools_drive_heal.cc). Starts a drive heal for `slot` (a drive that
  // was replaced or wiped and freshly formatted): writes its heal tracker, then walks its
  // set and heals every object onto it. The caller owns the drive (it is on this node).
  // Returns the sequence id. Errors: kInvalidArgument (no such slot), the drive's errors.
  Task<Result<std::string>> StartDriveHeal(const RequestContext& ctx, DriveSlot slot);
  // Resumes the drive heal of every drive in `slots` that holds a heal tracker (a heal that a
  // restart interrupted), from where its tracker says. Drives without one are left alone.
  Task<void> ResumeDriveHeals(const RequestContext& ctx, const std::vector<DriveSlot>& slots);

  // Recreates every bucket on the drives that lack it (replaced or wiped drives), so that
  // writes reach every drive again. Called at startup; cheap when nothing is missing.
  Task<void> HealBuckets(const RequestContext& ctx);

  // Heals bucket/key (a version; empty = the latest) in the pool that holds it; see
  // ErasureSet::HealObject.
  Task<Result<HealResult>> HealObject(const RequestContext& ctx, std::string_view bucket,
                                      std::string_view key, std::string_view version_id,
                                      const HealOptions& opts);

  // The reactive heal queue (its stats are for tests and metrics).
  const MrfQueue& mrf() const { return *mrf_; }

  // The set of `key` within pool `pool` (index into that pool's sets).
  std::size_t SetIndex(std::string_view key, std::size_t pool) const;

  ErasureSet& SetForTest(std::size_t pool, std::size_t set) { return *pools_[pool][set]; }

  // The budget of erasure buffers of writes in flight; the S3 front door reserves request
  // XML bodies in it too.
  MemoryBudget& budget() { return *budget_; }

  std::size_t pool_count() const { return pools_.size(); }

 private:
  ErasureSet& SetOf(std::size_t pool, std::string_view key) const;
  // The pool that holds bucket/key (any version), or the pool with the most free space.
  Task<Result<std::size_t>> PoolForWrite(const RequestContext& ctx, std::string_view bucket,
                                         std::string_view key);
  // The pool that holds bucket/key; kNoSuchKey (or the read error) when none does.
  Task<Result<std::size_t>> PoolForRead(const RequestContext& ctx, std::string_view bucket,
                                        std::string_view key, std::string_view version_id);
  // Where a new object goes: the pool with the most free space among those with no drive
  // over 99% full. Errors: kDiskFull (every pool has one). Cached for 5 s.
  Task<Result<std::size_t>> PoolWithMostSpace(const RequestContext& ctx);
  // Upload ids end in ".<pool>"; the pool that issued `upload_id`.
  Result<std::size_t> PoolOfUpload(std::string_view upload_id) const;
  std::vector<ErasureSet*> AllSets() const;
  // The heal worker (server_pools_heal.cc): drains the MRF queue, polls the drives and heals
  // buckets onto a drive that comes back online. Runs on the compute pool until StopHealing.
  void StartHealing();
  void StopHealing();
  Task<void> HealLoop();
  Task<void> HealEntry(MrfQueue::Entry& e);
  // MRF persistence (server_pools_mrf.cc), on the heal strand. LoadMrf queues the union of
  // the records on each set's drives; SaveMrf writes each set's changed record to its online
  // drives when the queue changed and (`force` or the save interval passed).
  Task<void> LoadMrf(const RequestContext& ctx);
  Task<void> SaveMrf(const RequestContext& ctx, bool force);

  // Heal sequences. What one walk over a set does, and how it reports.
  struct WalkParams {
    HealScope scope;
    HealOptions heal;
    std::string resume_bucket;  // start at this bucket, after resume_key
    std::string resume_key;
    bool throttle = false;  // the scanner's: sleep after each object, yield to writes
    // remove_dangling only while every drive of the set is online ("never" is then certain).
    bool dangling_needs_all_online = false;
    // Called after each key (the drive heal saves its tracker); may be empty.
    std::function<Task<void>()> after_key;
  };

  // Walks `set` over `buckets` (sorted) and heals what the drives disagree on, counting into
  // `seq`. Errors: kCancelled (stopped), kNoSuchBucket (a scoped bucket vanished).
  Task<Status> WalkSet(const RequestContext& ctx, ErasureSet& set,
                       const std::vector<std::string>& buckets, const WalkParams& p,
                       HealSequence& seq);
  Task<std::vector<std::string>> HealBucketNames(const RequestContext& ctx);
  // Keys the walk will visit in `buckets` of `sets` (a quick listing), for objects_total.
  Task<std::uint64_t> CountKeys(const RequestContext& ctx, const std::vector<ErasureSet*>& sets,
                                const std::vector<std::string>& buckets, std::string_view prefix,
                                const HealSequence& seq);
  // Registers `seq` and runs `body` on the heal strand; the sequence ends in kDone, kFailed
  // (body's error) or kStopped.
  void SpawnSequence(std::shared_ptr<HealSequence> seq, std::function<Task<Status>()> body);
  void RegisterSequence(std::shared_ptr<HealSequence> seq);
  static void FinishSequence(HealSequence& seq, const Status& st);
  void PruneSequencesLocked();

  bool Stopping(const HealSequence& seq) const { return heal_stop_ || seq.stopping(); }

  void StopSequences();
  Task<void> ScannerLoop();
  Task<Status> ScanCycle(const RequestContext& ctx, HealSequence& seq);
  Task<std::uint64_t> LoadScannerCycles(const RequestContext& ctx);
  // RemoveOrphanData on every online drive of `set`, step by step; counts what went.
  Task<void> RemoveSetOrphans(const RequestContext& ctx, const ErasureSet& set);
  Task<void> SaveScannerCycles(const RequestContext& ctx, std::uint64_t cycles);
  Task<Status> RunDriveHeal(DriveSlot slot, std::shared_ptr<HealSequence> seq);
  Result<ErasureSet*> SetAt(DriveSlot slot) const;

  ServerPoolsOptions opts_;
  std::uint64_t sip_key_[2] = {0, 0};
  std::unique_ptr<boost::asio::thread_pool> compute_;
  std::shared_ptr<NsLocker> locker_;
  std::unique_ptr<MemoryBudget> budget_;
  std::vector<std::vector<std::unique_ptr<ErasureSet>>> pools_;
  std::unique_ptr<MrfQueue> mrf_;
  std::atomic<bool> heal_stop_{false};
  std::mutex heal_mu_;
  std::condition_variable heal_cv_;
  bool heal_done_ = false;     // GUARDED_BY(heal_mu_): HealLoop has returned
  bool heal_running_ = false;  // HealLoop was started (constructor and destructor only)
  // Heal strand only: the MRF record last written per set (AllSets order; nullopt = unknown),
  // the queue generation it reflects, and when SaveMrf may write next.
  std::vector<std::optional<std::string>> mrf_saved_;
  std::uint64_t mrf_saved_gen_ = 0;
  std::chrono::steady_clock::time_point mrf_next_save_{};

  // The heal worker, heal sequences and the scanner run here (set in the constructor).
  std::optional<boost::asio::strand<boost::asio::thread_pool::executor_type>> heal_strand_;
  mutable std::mutex seq_mu_;
  std::condition_variable seq_cv_;
  // Running sequences and those finished lately, oldest first. GUARDED_BY(seq_mu_).
  std::vector<std::shared_ptr<HealSequence>> seqs_;
  int seq_tasks_ = 0;  // GUARDED_BY(seq_mu_): coroutines spawned and not yet returned
  std::atomic<std::uint64_t> scanner_cycles_{0};
  std::atomic<std::uint64_t> seq_scanned_{0};
  std::atomic<std::uint64_t> seq_healed_{0};
  std::atomic<std::uint64_t> seq_failed_{0};
  std::atomic<std::uint64_t> seq_bytes_healed_{0};
  std::atomic<std::uint64_t> orphans_removed_{0};
  std::atomic<std::uint64_t> orphan_bytes_removed_{0};

  std::mutex space_mu_;
  // Cached free bytes per pool and when they were measured. GUARDED_BY(space_mu_).
  std::vector<std::uint64_t> free_space_;
  std::chrono::steady_clock::time_point space_time_{};
};

}  // namespace cairn::object
