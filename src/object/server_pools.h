// ServerPools: the ObjectLayer of a cluster, pools of erasure sets. A key's set within a
// pool is SipHash-2-4 of the key keyed with the deployment id, modulo the set count; a new
// object goes to the pool with the most free space, an existing one stays in its pool.
// Listing merges every set of every pool. Built by the server once format.json is checked.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "object/erasure_set.h"
#include "object/heal_queue.h"
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
  // Where writes and reads that met a missing, stale or corrupt drive queue the object for
  // healing (the heal module's MRF queue); null = nothing is queued.
  std::shared_ptr<HealQueue> heal_queue;
  // Called after a bucket was created, deleted or reconfigured here, before the client is
  // answered: the server tells the other nodes (which then call ForgetBucket), so that none
  // serves a stale configuration from its cache. Null in a single node.
  std::function<Task<void>(const RequestContext&, std::string)> bucket_changed;
  // The parity of new objects by storage class (metadata x-amz-storage-class; none is
  // STANDARD), checked at start against every pool's set size; a class not here gets its
  // set's parity.
  std::map<std::string, int, std::less<>> storage_class_parity;
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
                          const MakeBucketOptions& opts) override;
  Task<Result<BucketInfo>> GetBucketInfo(const RequestContext& ctx,
                                         std::string_view bucket) override;
  Task<Status> SetBucketConfig(const RequestContext& ctx, std::string_view bucket,
                               std::string_view name, std::string_view document) override;
  Task<Result<std::vector<BucketInfo>>> ListBuckets(const RequestContext& ctx) override;
  Task<Status> DeleteBucket(const RequestContext& ctx, std::string_view bucket,
                            const DeleteBucketOptions& opts) override;

  Task<Result<ObjectInfo>> PutObject(const RequestContext& ctx, std::string_view bucket,
                                     std::string_view key, HashReader& body,
                                     const PutOptions& opts) override;
  Task<Result<std::unique_ptr<ObjectReader>>> GetObject(const RequestContext& ctx,
                                                        std::string_view bucket,
                                                        std::string_view key,
                                                        const GetOptions& opts) override;
  Task<Result<ObjectInfo>> GetObjectInfo(const RequestContext& ctx, std::string_view bucket,
                                         std::string_view key, const GetOptions& opts) override;
  Task<Result<ObjectInfo>> UpdateObjectMetadata(const RequestContext& ctx, std::string_view bucket,
                                                std::string_view key, std::string_view version_id,
                                                const MetadataUpdate& update) override;
  Task<Result<ObjectInfo>> DeleteObject(const RequestContext& ctx, std::string_view bucket,
                                        std::string_view key, const DeleteOptions& opts) override;
  Task<Result<ListResult>> ListObjects(const RequestContext& ctx, std::string_view bucket,
                                       const ListOptions& opts) override;
  Task<Result<ListVersionsResult>> ListObjectVersions(const RequestContext& ctx,
                                                      std::string_view bucket,
                                                      const ListVersionsOptions& opts) override;

  Task<Result<std::string>> NewMultipartUpload(const RequestContext& ctx, std::string_view bucket,
                                               std::string_view key,
                                               const PutOptions& opts) override;
  Task<Result<PartInfo>> PutObjectPart(const RequestContext& ctx, std::string_view bucket,
                                       std::string_view key, std::string_view upload_id,
                                       int part_number, HashReader& body) override;
  Task<Result<ListPartsResult>> ListObjectParts(const RequestContext& ctx, std::string_view bucket,
                                                std::string_view key, std::string_view upload_id,
                                                const ListPartsOptions& opts) override;
  Task<Result<ListUploadsResult>> ListMultipartUploads(const RequestContext& ctx,
                                                       std::string_view bucket,
                                                       const ListUploadsOptions& opts) override;
  Task<Result<ObjectInfo>> CompleteMultipartUpload(const RequestContext& ctx,
                                                   std::string_view bucket, std::string_view key,
                                                   std::string_view upload_id,
                                                   const std::vector<CompletePart>& parts,
                                                   const PutOptions& opts) override;
  Task<Status> AbortMultipartUpload(const RequestContext& ctx, std::string_view bucket,
                                    std::string_view key, std::string_view upload_id) override;

  Task<HealthInfo> GetHealth(const RequestContext& ctx) override;

  // Drops the cached BucketInfo of `bucket` (another node changed it).
  void ForgetBucket(std::string_view bucket);

  // Recreates every bucket on the drives that lack it (replaced or wiped drives), so that
  // writes reach every drive again. Called at startup; cheap when nothing is missing.
  Task<void> HealBuckets(const RequestContext& ctx);

  // Heals bucket/key (a version; empty = the latest) in the pool that holds it; see
  // ErasureSet::HealObject.
  Task<Result<HealResult>> HealObject(const RequestContext& ctx, std::string_view bucket,
                                      std::string_view key, std::string_view version_id,
                                      const HealOptions& opts);

  // The set of `key` within pool `pool` (index into that pool's sets).
  std::size_t SetIndex(std::string_view key, std::size_t pool) const;

  // The erasure sets, for the heal module: set `set` of pool `pool`, how many a pool has,
  // every set (pool by pool, in set order), and the set of a drive slot (errors:
  // kInvalidArgument when there is no such slot).
  ErasureSet& Set(std::size_t pool, std::size_t set) const { return *pools_[pool][set]; }

  std::size_t set_count(std::size_t pool) const { return pools_[pool].size(); }

  std::vector<ErasureSet*> AllSets() const;
  Result<ErasureSet*> SetAt(DriveSlot slot) const;

  // The namespace locker and the erasure coding workers (the heal module runs on a strand
  // of them).
  NsLocker& locker() const { return *locker_; }

  boost::asio::thread_pool& compute() const { return *compute_; }

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
  // ForgetBucket here, then opts_.bucket_changed.
  Task<void> BucketChanged(const RequestContext& ctx, std::string_view bucket);
  // Upload ids end in ".<pool>"; the pool that issued `upload_id`.
  Result<std::size_t> PoolOfUpload(std::string_view upload_id) const;
  // `opts` with the parity of its storage class (opts_.storage_class_parity), unless it
  // names one itself.
  PutOptions WithClassParity(const PutOptions& opts) const;

  ServerPoolsOptions opts_;
  std::uint64_t sip_key_[2] = {0, 0};
  std::unique_ptr<boost::asio::thread_pool> compute_;
  std::shared_ptr<NsLocker> locker_;
  std::unique_ptr<MemoryBudget> budget_;
  std::vector<std::vector<std::unique_ptr<ErasureSet>>> pools_;

  std::mutex space_mu_;
  // Cached free bytes per pool and when they were measured. GUARDED_BY(space_mu_).
  std::vector<std::uint64_t> free_space_;
  std::chrono::steady_clock::time_point space_time_{};

  // GetBucketInfo's cache. An entry lives kBucketCacheLife at most, so that a node that
  // missed a peer's change notice (it was unreachable) catches up by itself.
  static constexpr std::chrono::seconds kBucketCacheLife{30};
  static constexpr std::size_t kMaxCachedBuckets = 4096;

  struct CachedBucket {
    BucketInfo info;
    std::chrono::steady_clock::time_point loaded;
  };

  std::mutex buckets_mu_;
  std::map<std::string, CachedBucket, std::less<>> buckets_;  // GUARDED_BY(buckets_mu_)
  std::uint64_t buckets_generation_ = 0;                      // GUARDED_BY(buckets_mu_)
};

}  // namespace cairn::object
