#include "object/server_pools.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <thread>
#include <utility>

#include <highwayhash/sip_hash.h>
#include <nlohmann/json.hpp>

#include "common/checksum.h"
#include "common/fan_out.h"
#include "object/object_util.h"
#include "object/quorum.h"

namespace cairn::object {

namespace {

// The bytes each drive keeps for a bucket (VolumeInfo::meta): JSON with the location and
// the configuration documents (docs/format.md).
std::string BucketMeta(const BucketInfo& info) {
  nlohmann::json j;
  j["location"] = info.location;
  if (!info.config.empty()) {
    auto& config = j["config"];
    for (const auto& [name, doc] : info.config) {
      config[name] = doc;
    }
  }
  return j.dump();
}

BucketInfo BucketOf(const storage::VolumeInfo& vi) {
  BucketInfo info{vi.name, vi.created_ns, "", {}};
  auto j = nlohmann::json::parse(vi.meta, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return info;
  }
  if (j.contains("location") && j["location"].is_string()) {
    info.location = j["location"].get<std::string>();
  }
  if (j.contains("config") && j["config"].is_object()) {
    for (const auto& [name, doc] : j["config"].items()) {
      if (doc.is_string()) {
        info.config.emplace(name, doc.get<std::string>());
      }
    }
  }
  return info;
}

}  // namespace

ServerPools::ServerPools(std::vector<PoolSpec> pools, ServerPoolsOptions opts)
    : opts_(std::move(opts)) {
  // The placement key: the deployment id's 16 bytes (or, if it is not a uuid, its MD5).
  std::string hex;
  for (char c : opts_.deployment_id) {
    if (c != '-') {
      hex.push_back(c);
    }
  }
  auto raw = HexDecode(hex);
  std::string key16 = (raw && raw->size() == 16) ? *raw : Md5(opts_.deployment_id);
  for (int w = 0; w < 2; ++w) {
    std::uint64_t v = 0;
    for (int b = 0; b < 8; ++b) {
      v |= static_cast<std::uint64_t>(static_cast<unsigned char>(key16[w * 8 + b])) << (8 * b);
    }
    sip_key_[w] = v;
  }
  int threads = opts_.compute_threads > 0
                    ? opts_.compute_threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  compute_ = std::make_unique<boost::asio::thread_pool>(threads);
  locker_ = opts_.locker ? opts_.locker : std::make_shared<LocalNsLocker>(opts_.lock_timeout);
  ErasureSetOptions so;
  so.block_size = opts_.block_size;
  so.inline_threshold = opts_.inline_threshold;
  so.min_part_size = opts_.min_part_size;
  so.compute = compute_.get();
  so.locker = locker_.get();
  budget_ = std::make_unique<MemoryBudget>(opts_.memory_budget_bytes, opts_.memory_wait);
  so.budget = budget_.get();
  so.heal_queue = opts_.heal_queue.get();
  for (auto& pool : pools) {
    auto& sets = pools_.emplace_back();
    for (auto& drives : pool.sets) {
      sets.push_back(std::make_unique<ErasureSet>(std::move(drives), pool.parity, so));
    }
    RELEASE_ASSERT(!sets.empty(), "a pool needs at least one erasure set");
  }
  RELEASE_ASSERT(!pools_.empty(), "ServerPools needs at least one pool");
  free_space_.assign(pools_.size(), 0);
}

ServerPools::~ServerPools() {
  pools_.clear();
  compute_->join();
}

std::size_t ServerPools::SetIndex(std::string_view key, std::size_t pool) const {
  const highwayhash::HH_U64 sip_key[2] = {sip_key_[0], sip_key_[1]};
  std::uint64_t h = highwayhash::SipHash(sip_key, key.data(), key.size());
  return static_cast<std::size_t>(h % pools_[pool].size());
}

ErasureSet& ServerPools::SetOf(std::size_t pool, std::string_view key) const {
  return *pools_[pool][SetIndex(key, pool)];
}

std::vector<ErasureSet*> ServerPools::AllSets() const {
  std::vector<ErasureSet*> out;
  for (const auto& pool : pools_) {
    for (const auto& s : pool) {
      out.push_back(s.get());
    }
  }
  return out;
}

Result<ErasureSet*> ServerPools::SetAt(DriveSlot slot) const {
  if (slot.pool >= pools_.size() || slot.set >= pools_[slot.pool].size() ||
      slot.index >= pools_[slot.pool][slot.set]->drives().size()) {
    return Status(Errc::kInvalidArgument, "no such drive slot");
  }
  return pools_[slot.pool][slot.set].get();
}

// --- Buckets: every set of every pool holds every bucket. ---

Task<Status> ServerPools::MakeBucket(const RequestContext& ctx, std::string_view bucket,
                                     const MakeBucketOptions& opts) {
  CO_RETURN_IF_ERROR(CheckBucketName(bucket));
  CO_ASSIGN_OR_RETURN(auto guard, co_await pools_[0][0]->LockBucket(ctx, bucket));
  auto sets = AllSets();
  const std::string meta =
      BucketMeta(BucketInfo{std::string(bucket), 0, opts.location, opts.config});
  auto res = co_await FanOut<Status>(
      sets.size(), [&](std::size_t i) { return sets[i]->MakeBucket(ctx, bucket, meta); });
  bool exists = false;
  for (const auto& r : res) {
    if (!r.ok() && r.code() != Errc::kBucketExists) {
      auto undo = co_await FanOut<Status>(sets.size(), [&](std::size_t i) -> Task<Status> {
        if (!res[i].ok()) {
          co_return Status::Ok();
        }
        co_return co_await sets[i]->DeleteBucket(ctx, bucket, true);
      });
      (void)undo;
      co_return r;
    }
    exists = exists || r.code() == Errc::kBucketExists;
  }
  if (exists) {
    co_return Status(Errc::kBucketExists, std::string(bucket));
  }
  co_await BucketChanged(ctx, bucket);
  co_return Status::Ok();
}

Task<Result<BucketInfo>> ServerPools::GetBucketInfo(const RequestContext& ctx,
                                                    std::string_view bucket) {
  if (!CheckBucketName(bucket).ok()) {
    co_return Status(Errc::kNoSuchBucket, std::string(bucket));
  }
  const auto now = std::chrono::steady_clock::now();
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(buckets_mu_);
    auto it = buckets_.find(bucket);
    if (it != buckets_.end() && now - it->second.loaded < kBucketCacheLife) {
      co_return it->second.info;
    }
    generation = buckets_generation_;
  }
  CO_ASSIGN_OR_RETURN(auto vi, co_await pools_[0][0]->StatBucket(ctx, bucket));
  BucketInfo info = BucketOf(vi);
  std::lock_guard lock(buckets_mu_);
  // A change since the read began may have made what was read stale: keep it out.
  if (generation == buckets_generation_) {
    if (buckets_.size() >= kMaxCachedBuckets) {
      buckets_.clear();
    }
    buckets_.insert_or_assign(std::string(bucket), CachedBucket{info, now});
  }
  co_return info;
}

void ServerPools::ForgetBucket(std::string_view bucket) {
  std::lock_guard lock(buckets_mu_);
  ++buckets_generation_;
  auto it = buckets_.find(bucket);
  if (it != buckets_.end()) {
    buckets_.erase(it);
  }
}

Task<void> ServerPools::BucketChanged(const RequestContext& ctx, std::string_view bucket) {
  ForgetBucket(bucket);
  if (opts_.bucket_changed) {
    std::string name(bucket);  // named: GCC 12 mishandles temporaries in co_await operands
    co_await opts_.bucket_changed(ctx, std::move(name));
  }
}

Task<Status> ServerPools::SetBucketConfig(const RequestContext& ctx, std::string_view bucket,
                                          std::string_view name, std::string_view document) {
  if (!CheckBucketName(bucket).ok()) {
    co_return Status(Errc::kNoSuchBucket, std::string(bucket));
  }
  CO_ASSIGN_OR_RETURN(auto guard, co_await pools_[0][0]->LockBucket(ctx, bucket));
  CO_ASSIGN_OR_RETURN(auto vi, co_await pools_[0][0]->StatBucket(ctx, bucket));
  BucketInfo info = BucketOf(vi);
  if (document.empty()) {
    auto it = info.config.find(name);
    if (it == info.config.end()) {
      co_return Status::Ok();
    }
    info.config.erase(it);
  } else {
    info.config.insert_or_assign(std::string(name), std::string(document));
  }
  const std::string meta = BucketMeta(info);
  auto sets = AllSets();
  auto res = co_await FanOut<Status>(
      sets.size(), [&](std::size_t i) { return sets[i]->UpdateBucketMeta(ctx, bucket, meta); });
  co_await BucketChanged(ctx, bucket);
  for (const auto& r : res) {
    CO_RETURN_IF_ERROR(r);
  }
  co_return Status::Ok();
}

Task<Result<std::vector<BucketInfo>>> ServerPools::ListBuckets(const RequestContext& ctx) {
  CO_ASSIGN_OR_RETURN(auto vols, co_await pools_[0][0]->ListBuckets(ctx));
  std::vector<BucketInfo> out;
  for (auto& v : vols) {
    if (CheckBucketName(v.name).ok()) {
      out.push_back(BucketOf(v));
    }
  }
  co_return out;
}

Task<void> ServerPools::HealBuckets(const RequestContext& ctx) {
  // Every bucket some set knows by quorum; a set whose drives were all replaced knows none.
  std::map<std::string, storage::VolumeInfo> known;
  for (auto* set : AllSets()) {
    auto vols = co_await set->ListBuckets(ctx);
    if (vols.ok()) {
      for (auto& v : *vols) {
        known.emplace(v.name, v);
      }
    }
  }
  std::vector<storage::VolumeInfo> buckets;
  for (auto& [name, v] : known) {
    buckets.push_back(std::move(v));
  }
  for (auto* set : AllSets()) {
    co_await set->HealBuckets(ctx, buckets);
  }
}

Task<Status> ServerPools::DeleteBucket(const RequestContext& ctx, std::string_view bucket,
                                       const DeleteBucketOptions& opts) {
  const bool force = opts.force;
  if (!CheckBucketName(bucket).ok()) {
    co_return Status(Errc::kNoSuchBucket, std::string(bucket));
  }
  CO_ASSIGN_OR_RETURN(auto guard, co_await pools_[0][0]->LockBucket(ctx, bucket));
  CO_ASSIGN_OR_RETURN(auto vi, co_await pools_[0][0]->StatBucket(ctx, bucket));
  auto sets = AllSets();
  if (!force) {
    // Refuse up front when any set holds an object or an upload, so that no set deletes
    // the bucket while another refuses.
    auto listed =
        co_await FanOut<Result<bool>>(sets.size(), [&](std::size_t i) -> Task<Result<bool>> {
          CO_ASSIGN_OR_RETURN(auto l, co_await sets[i]->ListEntries(ctx, bucket, "", "", "", 1));
          CO_ASSIGN_OR_RETURN(auto u, co_await sets[i]->ListUploads(ctx, bucket, "", "", "", 1));
          co_return !l.entries.empty() || !u.empty();
        });
    for (const auto& r : listed) {
      CO_RETURN_IF_ERROR(r.status());
      if (*r) {
        co_return Status(Errc::kBucketNotEmpty, std::string(bucket));
      }
    }
  }
  auto res = co_await FanOut<Status>(
      sets.size(), [&](std::size_t i) { return sets[i]->DeleteBucket(ctx, bucket, force); });
  co_await BucketChanged(ctx, bucket);
  for (const auto& r : res) {
    if (!r.ok()) {
      // Put the bucket back where it went, so it stays whole.
      auto redo = co_await FanOut<Status>(sets.size(), [&](std::size_t i) -> Task<Status> {
        if (!res[i].ok()) {
          co_return Status::Ok();
        }
        co_return co_await sets[i]->MakeBucket(ctx, bucket, vi.meta);
      });
      (void)redo;
      co_return r;
    }
  }
  co_return Status::Ok();
}

// --- Placement ---

namespace {

// The pool with the most free space among those with no drive over 99% full (MinIO's rule:
// such a pool takes no new objects); kDiskFull when every pool has one. `space[p]` is a full
// pool's free space with the top bit set.
constexpr std::uint64_t kFullPool = std::uint64_t{1} << 63;

Result<std::size_t> PickPool(const std::vector<std::uint64_t>& space) {
  std::optional<std::size_t> best;
  for (std::size_t p = 0; p < space.size(); ++p) {
    if ((space[p] & kFullPool) == 0 && (!best || space[p] > space[*best])) {
      best = p;
    }
  }
  if (!best) {
    return Status(Errc::kDiskFull, "every pool has a drive over 99% full");
  }
  return *best;
}

}  // namespace

Task<Result<std::size_t>> ServerPools::PoolWithMostSpace(const RequestContext& ctx) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(space_mu_);
    if (now - space_time_ < std::chrono::seconds(5)) {
      co_return PickPool(free_space_);
    }
  }
  // Free bytes per pool; kFullPool set for a pool with a drive over 99% full.
  std::vector<std::uint64_t> space(pools_.size(), 0);
  for (std::size_t p = 0; p < pools_.size(); ++p) {
    std::vector<std::shared_ptr<storage::StorageApi>> drives;
    for (const auto& s : pools_[p]) {
      for (const auto& d : s->drives()) {
        if (d && d->IsOnline()) {
          drives.push_back(d);
        }
      }
    }
    auto infos = co_await FanOut<Result<storage::DiskInfo>>(
        drives.size(), [&](std::size_t i) { return drives[i]->GetDiskInfo(ctx); });
    bool full = false;
    for (const auto& info : infos) {
      if (info.ok()) {
        space[p] += info->free;
        full = full || (info->total != 0 && info->free < info->total / 100);
      }
    }
    if (full) {
      space[p] |= kFullPool;
    }
  }
  std::lock_guard lock(space_mu_);
  free_space_ = space;
  space_time_ = now;
  co_return PickPool(space);
}

Task<Result<std::size_t>> ServerPools::PoolForWrite(const RequestContext& ctx,
                                                    std::string_view bucket, std::string_view key) {
  if (pools_.size() == 1) {
    co_return std::size_t{0};
  }
  auto res = co_await FanOut<Result<ErasureSet::QuorumInfo>>(pools_.size(), [&](std::size_t p) {
    return SetOf(p, key).ReadQuorumInfo(ctx, bucket, key, "", false);
  });
  for (std::size_t p = 0; p < res.size(); ++p) {
    if (res[p].ok()) {
      co_return p;
    }
  }
  for (const auto& r : res) {
    if (r.code() != Errc::kNoSuchKey) {
      co_return r.status();  // a pool we cannot read might hold the object
    }
  }
  co_return co_await PoolWithMostSpace(ctx);
}

Task<Result<std::size_t>> ServerPools::PoolForRead(const RequestContext& ctx,
                                                   std::string_view bucket, std::string_view key,
                                                   std::string_view version_id) {
  if (pools_.size() == 1) {
    co_return std::size_t{0};
  }
  auto res = co_await FanOut<Result<ErasureSet::QuorumInfo>>(pools_.size(), [&](std::size_t p) {
    return SetOf(p, key).ReadQuorumInfo(ctx, bucket, key, version_id, false);
  });
  std::optional<std::size_t> best;
  for (std::size_t p = 0; p < res.size(); ++p) {
    if (res[p].ok() && (!best || res[p]->fi.mod_time_ns > res[*best]->fi.mod_time_ns)) {
      best = p;
    }
  }
  if (best) {
    co_return *best;
  }
  for (const auto& r : res) {
    if (r.code() != Errc::kNoSuchKey && r.code() != Errc::kNoSuchVersion) {
      co_return r.status();
    }
  }
  co_return res[0].status();
}

Result<std::size_t> ServerPools::PoolOfUpload(std::string_view upload_id) const {
  auto dot = upload_id.rfind('.');
  if (dot == std::string_view::npos) {
    return Status(Errc::kNoSuchUpload, "malformed upload id");
  }
  std::size_t pool = 0;
  auto tail = upload_id.substr(dot + 1);
  auto [p, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), pool);
  if (ec != std::errc() || p != tail.data() + tail.size() || pool >= pools_.size()) {
    return Status(Errc::kNoSuchUpload, "malformed upload id");
  }
  return pool;
}

// --- Objects ---

PutOptions ServerPools::WithClassParity(const PutOptions& opts) const {
  PutOptions out = opts;
  if (out.parity < 0) {
    const std::string& named = FindMeta(opts.metadata, "x-amz-storage-class");
    auto it = opts_.storage_class_parity.find(named.empty() ? "STANDARD" : named);
    if (it != opts_.storage_class_parity.end()) {
      out.parity = it->second;
    }
  }
  return out;
}

Task<Result<ObjectInfo>> ServerPools::PutObject(const RequestContext& ctx, std::string_view bucket,
                                                std::string_view key, HashReader& body,
                                                const PutOptions& opts) {
  CO_RETURN_IF_ERROR(CheckObjectName(key));
  CO_ASSIGN_OR_RETURN(auto info, co_await GetBucketInfo(ctx, bucket));
  PutOptions versioned = opts;
  versioned.versioning = info.versioning();
  CO_ASSIGN_OR_RETURN(std::size_t pool, co_await PoolForWrite(ctx, bucket, key));
  const PutOptions with_parity = WithClassParity(versioned);
  co_return co_await SetOf(pool, key).PutObject(ctx, bucket, key, body, with_parity);
}

Task<Result<std::unique_ptr<ObjectReader>>> ServerPools::GetObject(const RequestContext& ctx,
                                                                   std::string_view bucket,
                                                                   std::string_view key,
                                                                   const GetOptions& opts) {
  CO_RETURN_IF_ERROR(CheckObjectName(key));
  CO_ASSIGN_OR_RETURN(std::size_t pool, co_await PoolForRead(ctx, bucket, key, opts.version_id));
  co_return co_await SetOf(pool, key).GetObject(ctx, bucket, key, opts);
}

Task<Result<ObjectInfo>> ServerPools::GetObjectInfo(const RequestContext& ctx,
                                                    std::string_view bucket, std::string_view key,
                                                    const GetOptions& opts) {
  CO_RETURN_IF_ERROR(CheckObjectName(key));
  CO_ASSIGN_OR_RETURN(std::size_t pool, co_await PoolForRead(ctx, bucket, key, opts.version_id));
  co_return co_await SetOf(pool, key).GetObjectInfo(ctx, bucket, key, opts);
}

Task<Result<ObjectInfo>> ServerPools::UpdateObjectMetadata(const RequestContext& ctx,
                                                           std::string_view bucket,
                                                           std::string_view key,
                                                           std::string_view version_id,
                                                           const MetadataUpdate& update) {
  CO_RETURN_IF_ERROR(CheckObjectName(key));
  CO_ASSIGN_OR_RETURN(std::size_t pool, co_await PoolForRead(ctx, bucket, key, version_id));
  co_return co_await SetOf(pool, key).UpdateObjectMetadata(ctx, bucket, key, version_id, update);
}

Task<Result<ObjectInfo>> ServerPools::DeleteObject(const RequestContext& ctx,
                                                   std::string_view bucket, std::string_view key,
                                                   const DeleteOptions& opts) {
  CO_RETURN_IF_ERROR(CheckObjectName(key));
  CO_ASSIGN_OR_RETURN(auto info, co_await GetBucketInfo(ctx, bucket));
  DeleteOptions versioned = opts;
  versioned.versioning = info.versioning();
  if (versioned.version_id.empty() && versioned.versioning != Versioning::kUnversioned) {
    // A delete marker: one new version, in the pool that holds the key (or would take it).
    CO_ASSIGN_OR_RETURN(std::size_t pool, co_await PoolForWrite(ctx, bucket, key));
    co_return co_await SetOf(pool, key).DeleteObject(ctx, bucket, key, versioned);
  }
  // Deleting where the key is absent succeeds, so every pool is asked.
  auto res = co_await FanOut<Result<ObjectInfo>>(pools_.size(), [&](std::size_t p) {
    return SetOf(p, key).DeleteObject(ctx, bucket, key, versioned);
  });
  for (auto& r : res) {
    if (!r.ok()) {
      co_return r.status();
    }
  }
  co_return std::move(res[0]).value();
}

Task<Result<HealResult>> ServerPools::HealObject(const RequestContext& ctx, std::string_view bucket,
                                                 std::string_view key, std::string_view version_id,
                                                 const HealOptions& opts) {
  CO_RETURN_IF_ERROR(CheckObjectName(key));
  CO_ASSIGN_OR_RETURN(std::size_t pool, co_await PoolForRead(ctx, bucket, key, version_id));
  co_return co_await SetOf(pool, key).HealObject(ctx, bucket, key, version_id, opts);
}

Task<HealthInfo> ServerPools::GetHealth(const RequestContext&) {
  HealthInfo h;
  h.write_quorum = true;
  h.read_quorum = true;
  for (const ErasureSet* s : AllSets()) {
    int online = s->OnlineDrives();
    h.drives_online += online;
    h.drives_total += s->size();
    h.write_quorum = h.write_quorum && online >= s->write_quorum();
    h.read_quorum = h.read_quorum && online >= s->read_quorum();
  }
  co_return h;
}

}  // namespace cairn::object
