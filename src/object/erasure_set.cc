#include "object/erasure_set.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "common/log.h"
#include "erasure/bitrot.h"
#include "object/buffer_pool.h"
#include "object/object_util.h"
#include "object/quorum.h"
#include "object/set_util.h"

namespace cairn::object {

std::string LockResource(std::string_view bucket, std::string_view key) {
  std::string r;
  r.reserve(bucket.size() + key.size() + 1);
  r.append(bucket).append("/").append(key);
  return r;
}

ErasureSet::ErasureSet(std::vector<DrivePtr> drives, int parity, ErasureSetOptions opts)
    : drives_(std::move(drives)),
      data_(static_cast<int>(drives_.size()) - parity),
      parity_(parity),
      opts_(opts) {
  RELEASE_ASSERT(!drives_.empty() && parity >= 0 && parity <= size() / 2,
                 "invalid erasure set geometry");
  RELEASE_ASSERT(opts_.compute != nullptr && opts_.locker != nullptr,
                 "ErasureSet needs a compute pool and a locker");
  codec_ = std::make_unique<erasure::Codec>(data_, parity_);
  // Block buffers fit the largest shards a raised-parity write may use (D = size - size / 2).
  const int min_data = size() - size() / 2;
  std::size_t buf = std::max<std::size_t>(
      opts_.block_size, SlotSizeWith(CodecFor(min_data, size() - min_data), opts_.block_size) *
                            static_cast<std::size_t>(size()));
  // Idle buffers kept for reuse: enough for the writes of a busy moment, few enough that an
  // idle server's RSS stays small (16 x 2 MiB with EC 2+2).
  buffers_ = std::make_unique<BufferPool>(buf, 16);
}

ErasureSet::~ErasureSet() = default;

Task<Result<std::unique_ptr<NsLockGuard>>> ErasureSet::LockObject(
    const RequestContext& ctx, std::string_view bucket, std::string_view key, bool write,
    std::string_view upload_id) const {
  std::string resource = LockResource(bucket, key);
  if (!upload_id.empty()) {
    resource.push_back('\0');  // keys hold no NUL, so this cannot collide with an object
    resource.append(upload_id);
  }
  auto guard = co_await opts_.locker->Lock(ctx, resource, write);
  co_return guard;
}

Task<Result<std::unique_ptr<NsLockGuard>>> ErasureSet::LockBucket(const RequestContext& ctx,
                                                                  std::string_view bucket) const {
  // No object has an empty key: "<bucket>/" names the bucket itself.
  co_return co_await LockObject(ctx, bucket, {}, true);
}

ErasureSet::DrivePtr ErasureSet::Drive(std::size_t i) const {
  return drives_[i];
}

int ErasureSet::OnlineDrives() const {
  int n = 0;
  for (const auto& d : drives_) {
    n += (d && d->IsOnline()) ? 1 : 0;
  }
  return n;
}

Status ErasureSet::CheckWritable() const {
  if (OnlineDrives() < write_quorum()) {
    return Status(Errc::kWriteQuorum, "fewer than write quorum drives are online");
  }
  return Status::Ok();
}

std::size_t ErasureSet::SlotSize(std::size_t block_len) const {
  return SlotSizeWith(*codec_, block_len);
}

std::size_t ErasureSet::SlotSizeWith(const erasure::Codec& codec, std::size_t block_len) {
  return erasure::kBitrotHashSize + codec.ShardSize(block_len);
}

int ErasureSet::WriteParity(int parity) const {
  const int offline = size() - OnlineDrives();
  return std::min((parity < 0 ? parity_ : parity) + offline, size() / 2);
}

bool ErasureSet::GeometryFits(const meta::ErasureInfo& er) const {
  return er.data_blocks >= 1 && er.data_blocks + er.parity_blocks == size() &&
         er.parity_blocks <= size() / 2;
}

int ErasureSet::ReadQuorumOf(const meta::FileInfo& fi) const {
  return !fi.deleted && GeometryFits(fi.erasure) ? fi.erasure.data_blocks : data_;
}

const erasure::Codec& ErasureSet::CodecFor(int data, int parity) const {
  if (data == data_ && parity == parity_ && codec_) {
    return *codec_;
  }
  std::lock_guard lock(codecs_mu_);
  auto& c = codecs_[{data, parity}];
  if (!c) {
    c = std::make_unique<erasure::Codec>(data, parity);
  }
  return *c;
}

meta::ErasureInfo ErasureSet::NewErasureInfo(std::string_view key, int parity) const {
  if (parity < 0) {
    parity = parity_;
  }
  meta::ErasureInfo e;
  e.data_blocks = static_cast<std::uint8_t>(size() - parity);
  e.parity_blocks = static_cast<std::uint8_t>(parity);
  e.block_size = opts_.block_size;
  e.distribution = HashOrder(key, size());
  return e;
}

Task<void> ErasureSet::DeleteTmpAll(const RequestContext& ctx, std::string_view tmp_dir) {
  auto res = co_await ForEachDrive<Status>(
      *this, [&](storage::StorageApi& d, std::size_t) { return d.DeleteTmp(ctx, tmp_dir); });
  (void)res;
}

Task<Status> ErasureSet::SettleCommit(const RequestContext& ctx,
                                      const std::vector<meta::FileInfo>& per,
                                      const std::vector<Result<storage::CommitUndo>>& res,
                                      std::size_t quorum) {
  // Quorum 0: a commit that needs no quorum of its own (a heal), only purged.
  Status st = quorum == 0 ? Status::Ok() : ReduceQuorum(res, quorum, Errc::kWriteQuorum);
  if (st.code() == Errc::kWriteQuorum) {
    for (const auto& r : res) {
      if (r.code() == Errc::kDiskFull) {
        st = Status(Errc::kDiskFull, "the drives of the set are full");  // 507, not 503
        break;
      }
    }
  }
  std::vector<bool> todo(res.size());
  bool any = false;
  for (std::size_t i = 0; i < res.size(); ++i) {
    todo[i] = res[i].ok() && (!st.ok() || !res[i]->replaced_data_dir.empty());
    any = any || todo[i];
  }
  if (!any) {
    co_return st;
  }
  auto settled =
      co_await ForEachDriveIn<Status>(*this, todo, [&](storage::StorageApi& d, std::size_t i) {
        return st.ok() ? d.PurgeReplaced(ctx, per[i].volume, per[i].name, res[i]->replaced_data_dir)
                       : d.RevertCommit(ctx, per[i], *res[i]);
      });
  for (std::size_t i = 0; i < res.size(); ++i) {
    if (todo[i] && !settled[i].ok()) {
      // A purge left behind is the scanner's orphan; a revert left behind leaves the new
      // version on this drive alone, below read quorum, which healing resolves.
      LOG_WARN("{} of {}/{} on {} failed: {}", st.ok() ? "purge of the replaced data" : "revert",
               per[i].volume, per[i].name, Drive(i) ? Drive(i)->endpoint() : "?",
               settled[i].ToString());
    }
  }
  co_return st;
}

// --- Buckets ---

Task<Status> ErasureSet::MakeBucket(const RequestContext& ctx, std::string_view bucket,
                                    std::string_view meta) {
  CO_RETURN_IF_ERROR(CheckWritable());
  auto res = co_await ForEachDrive<Status>(
      *this, [&](storage::StorageApi& d, std::size_t) { return d.MakeVolume(ctx, bucket, meta); });
  Status st = ReduceQuorum(res, write_quorum(), Errc::kWriteQuorum);
  if (!st.ok() && st.code() != Errc::kBucketExists) {
    // Undo where it was created, so a failed create leaves no half bucket.
    std::vector<bool> made(res.size());
    for (std::size_t i = 0; i < res.size(); ++i) {
      made[i] = res[i].ok();
    }
    auto undo = co_await ForEachDriveIn<Status>(
        *this, made,
        [&](storage::StorageApi& d, std::size_t) { return d.DeleteVolume(ctx, bucket, false); });
    (void)undo;
  }
  co_return st;
}

Task<void> ErasureSet::HealBuckets(const RequestContext& ctx,
                                   const std::vector<storage::VolumeInfo>& buckets) {
  auto have = co_await ForEachDrive<Result<std::vector<storage::VolumeInfo>>>(
      *this, [&](storage::StorageApi& d, std::size_t) { return d.ListVolumes(ctx); });
  for (const auto& b : buckets) {
    std::vector<bool> missing(have.size(), false);
    std::vector<bool> stale(have.size(), false);
    bool any = false;
    bool any_stale = false;
    for (std::size_t i = 0; i < have.size(); ++i) {
      if (!have[i].ok()) {
        continue;
      }
      auto it = std::find_if(have[i]->begin(), have[i]->end(),
                             [&](const storage::VolumeInfo& v) { return v.name == b.name; });
      missing[i] = it == have[i]->end();
      stale[i] = !missing[i] && it->meta != b.meta;
      any = any || missing[i];
      any_stale = any_stale || stale[i];
    }
    if (any_stale) {
      auto updated =
          co_await ForEachDriveIn<Status>(*this, stale, [&](storage::StorageApi& d, std::size_t) {
            return d.UpdateVolumeMeta(ctx, b.name, b.meta);
          });
      (void)updated;
    }
    if (!any) {
      continue;
    }
    // Under the bucket's lock, which MakeBucket and DeleteBucket hold: a bucket being created
    // is seen by quorum before its last drives have it, and creating it there first would
    // make that MakeBucket fail with BucketAlreadyExists.
    auto guard = co_await LockBucket(ctx, b.name);
    if (!guard.ok()) {
      LOG_WARN("heal: bucket {}: {}", b.name, guard.status().ToString());
      continue;
    }
    auto made = co_await ForEachDriveIn<Status>(
        *this, missing,
        [&](storage::StorageApi& d, std::size_t) { return d.MakeVolume(ctx, b.name, b.meta); });
    for (std::size_t i = 0; i < made.size(); ++i) {
      if (missing[i] && made[i].ok()) {
        LOG_INFO("heal: bucket {} created on {}", b.name, Drive(i) ? Drive(i)->endpoint() : "?");
      }
    }
  }
}

Task<Status> ErasureSet::UpdateBucketMeta(const RequestContext& ctx, std::string_view bucket,
                                          std::string_view meta) {
  CO_RETURN_IF_ERROR(CheckWritable());
  auto res = co_await ForEachDrive<Status>(*this, [&](storage::StorageApi& d, std::size_t) {
    return d.UpdateVolumeMeta(ctx, bucket, meta);
  });
  co_return ReduceQuorum(res, write_quorum(), Errc::kWriteQuorum);
}

namespace {

// The bucket's metadata most drives hold (a drive that missed a change holds an older one);
// of equal counts, the first seen. Null when no drive answered.
const storage::VolumeInfo* MostHeld(const std::vector<Result<storage::VolumeInfo>>& res) {
  const storage::VolumeInfo* best = nullptr;
  int best_count = 0;
  for (const auto& r : res) {
    if (!r.ok()) {
      continue;
    }
    int count = 0;
    for (const auto& o : res) {
      count += o.ok() && o->meta == r->meta ? 1 : 0;
    }
    if (count > best_count) {
      best = &*r;
      best_count = count;
    }
  }
  return best;
}

}  // namespace

Task<Result<storage::VolumeInfo>> ErasureSet::StatBucket(const RequestContext& ctx,
                                                         std::string_view bucket) {
  auto res = co_await ForEachDrive<Result<storage::VolumeInfo>>(
      *this, [&](storage::StorageApi& d, std::size_t) { return d.StatVolume(ctx, bucket); });
  CO_RETURN_IF_ERROR(ReduceQuorum(res, read_quorum(), Errc::kReadQuorum));
  if (const auto* held = MostHeld(res)) {
    co_return *held;
  }
  co_return Status(Errc::kReadQuorum);
}

Task<Result<std::vector<storage::VolumeInfo>>> ErasureSet::ListBuckets(const RequestContext& ctx) {
  auto res = co_await ForEachDrive<Result<std::vector<storage::VolumeInfo>>>(
      *this, [&](storage::StorageApi& d, std::size_t) { return d.ListVolumes(ctx); });
  CO_RETURN_IF_ERROR(ReduceQuorum(res, read_quorum(), Errc::kReadQuorum));

  // Per bucket: how many drives hold it, and its metadata as most of them hold it (a drive
  // that missed a configuration change holds an older one).
  struct Seen {
    int count = 0;
    std::map<std::string, std::pair<int, storage::VolumeInfo>> by_meta;
  };

  std::map<std::string, Seen> seen;
  for (auto& r : res) {
    if (!r.ok()) {
      continue;
    }
    for (auto& v : *r) {
      auto& slot = seen[v.name];
      ++slot.count;
      auto& m = slot.by_meta[v.meta];
      if (m.first++ == 0) {
        m.second = std::move(v);
      }
    }
  }
  std::vector<storage::VolumeInfo> out;
  for (auto& [name, e] : seen) {
    if (e.count < read_quorum()) {
      continue;
    }
    auto best = e.by_meta.begin();
    for (auto it = e.by_meta.begin(); it != e.by_meta.end(); ++it) {
      if (it->second.first > best->second.first) {
        best = it;
      }
    }
    out.push_back(std::move(best->second.second));
  }
  co_return out;
}

Task<Status> ErasureSet::DeleteBucket(const RequestContext& ctx, std::string_view bucket,
                                      bool force) {
  CO_RETURN_IF_ERROR(CheckWritable());
  auto res = co_await ForEachDrive<Status>(*this, [&](storage::StorageApi& d, std::size_t) {
    return d.DeleteVolume(ctx, bucket, force);
  });
  for (const auto& r : res) {
    if (r.code() == Errc::kVolumeNotEmpty) {
      co_return Status(Errc::kBucketNotEmpty, "bucket is not empty");
    }
  }
  // A bucket already gone from a drive counts as deleted there.
  std::vector<Errc> codes;
  for (const auto& r : res) {
    codes.push_back(r.code() == Errc::kVolumeNotFound ? Errc::kOk : r.code());
  }
  std::size_t not_found = 0;
  for (const auto& r : res) {
    not_found += r.code() == Errc::kVolumeNotFound ? 1 : 0;
  }
  if (not_found >= static_cast<std::size_t>(write_quorum())) {
    co_return Status(Errc::kNoSuchBucket, "no such bucket");
  }
  Errc c = ReduceErrc(codes, write_quorum(), Errc::kWriteQuorum);
  co_return c == Errc::kOk ? Status::Ok() : Status(ToObjectError(c, Errc::kWriteQuorum));
}

// --- Metadata by quorum ---

bool SameVersion(const meta::FileInfo& a, const meta::FileInfo& b) {
  return a.version_id == b.version_id && a.mod_time_ns == b.mod_time_ns &&
         a.data_dir == b.data_dir && a.deleted == b.deleted && a.size == b.size &&
         FindMeta(a.metadata, "etag") == FindMeta(b.metadata, "etag");
}

Task<Result<ErasureSet::QuorumInfo>> ErasureSet::ReadQuorumInfo(const RequestContext& ctx,
                                                                std::string_view bucket,
                                                                std::string_view key,
                                                                std::string_view version_id,
                                                                bool read_data) {
  auto res = co_await ForEachDrive<Result<meta::FileInfo>>(
      *this, [&](storage::StorageApi& d, std::size_t) {
        return d.ReadVersion(ctx, bucket, key, version_id, read_data);
      });
  // Group the answers by version; the largest group (newest on a tie) is the candidate.
  std::vector<int> group(res.size(), -1);
  std::vector<std::size_t> reps;
  std::vector<int> counts;
  for (std::size_t i = 0; i < res.size(); ++i) {
    if (!res[i].ok()) {
      continue;
    }
    for (std::size_t g = 0; g < reps.size(); ++g) {
      if (SameVersion(*res[i], *res[reps[g]])) {
        group[i] = static_cast<int>(g);
        ++counts[g];
        break;
      }
    }
    if (group[i] < 0) {
      group[i] = static_cast<int>(reps.size());
      reps.push_back(i);
      counts.push_back(1);
    }
  }
  int best = -1;
  for (std::size_t g = 0; g < reps.size(); ++g) {
    if (best < 0 || counts[g] > counts[best] ||
        (counts[g] == counts[best] && res[reps[g]]->mod_time_ns > res[reps[best]]->mod_time_ns)) {
      best = static_cast<int>(g);
    }
  }
  // The quorum of a version is its own data count (a raised-parity write has fewer).
  if (best >= 0 && counts[best] >= ReadQuorumOf(*res[reps[best]])) {
    QuorumInfo qi;
    qi.per_drive.resize(res.size());
    for (std::size_t i = 0; i < res.size(); ++i) {
      if (group[i] == best) {
        qi.per_drive[i] = std::make_unique<meta::FileInfo>(std::move(res[i]).value());
      }
    }
    qi.fi = *qi.per_drive[reps[best]];
    qi.fi.inline_data.clear();
    qi.fi.volume = std::string(bucket);
    qi.fi.name = std::string(key);
    if (counts[best] < size()) {
      QueueHeal(bucket, key, qi.fi.version_id);  // a drive is missing, stale or failing
    }
    co_return qi;
  }
  std::vector<Errc> codes;
  for (const auto& r : res) {
    Errc c = r.ok() ? Errc::kOk : r.code();
    if (!version_id.empty() && c == Errc::kFileNotFound) {
      c = Errc::kFileVersionNotFound;
    }
    codes.push_back(c);
  }
  Errc c = ReduceErrc(codes, read_quorum(), Errc::kReadQuorum);
  if (c == Errc::kOk) {
    c = Errc::kReadQuorum;  // enough answers, but they disagree
  }
  co_return Status(ToObjectError(c, Errc::kReadQuorum),
                   std::string(bucket) + "/" + std::string(key));
}

Task<Result<ErasureSet::QuorumInfo>> ErasureSet::ReadQuorumInfoFast(const RequestContext& ctx,
                                                                    std::string_view bucket,
                                                                    std::string_view key,
                                                                    std::string_view version_id,
                                                                    bool read_data) {
  const auto n = static_cast<std::size_t>(size());
  const std::vector<std::uint8_t> placement = HashOrder(key, size());
  std::vector<bool> mask(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    mask[i] = placement[i] >= 1 && placement[i] <= data_;
  }
  // Local drives answer from memory on this thread; only the others need a fan-out.
  std::vector<Result<meta::FileInfo>> res(n, Result<meta::FileInfo>(Status(Errc::kDiskNotFound)));
  std::vector<bool> rest(n, false);
  bool any_rest = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (!mask[i]) {
      continue;
    }
    auto d = Drive(i);
    std::optional<Result<meta::FileInfo>> now;
    if (d) {
      now = d->ReadVersionNow(ctx, bucket, key, version_id, read_data);
    }
    if (now) {
      res[i] = std::move(*now);
    } else {
      rest[i] = true;
      any_rest = true;
    }
  }
  if (any_rest) {
    auto more = co_await ForEachDriveIn<Result<meta::FileInfo>>(
        *this, rest, [&](storage::StorageApi& d, std::size_t) {
          return d.ReadVersion(ctx, bucket, key, version_id, read_data);
        });
    for (std::size_t i = 0; i < n; ++i) {
      if (rest[i]) {
        res[i] = std::move(more[i]);
      }
    }
  }
  std::optional<std::size_t> rep;
  bool agree = true;
  for (std::size_t i = 0; i < n && agree; ++i) {
    if (!mask[i]) {
      continue;
    }
    if (!res[i].ok() || (rep && !SameVersion(*res[i], *res[*rep]))) {
      agree = false;
    } else if (!rep) {
      rep = i;
    }
  }
  if (!agree || !rep) {
    co_return co_await ReadQuorumInfo(ctx, bucket, key, version_id, read_data);
  }
  QuorumInfo qi;
  qi.per_drive.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (mask[i]) {
      qi.per_drive[i] = std::make_unique<meta::FileInfo>(std::move(res[i]).value());
    }
  }
  qi.fi = *qi.per_drive[*rep];
  qi.fi.inline_data.clear();
  qi.fi.volume = std::string(bucket);
  qi.fi.name = std::string(key);
  co_return qi;
}

Task<void> ErasureSet::CompleteQuorumInfo(const RequestContext& ctx, QuorumInfo& qi,
                                          bool read_data) const {
  const auto n = static_cast<std::size_t>(size());
  std::vector<bool> missing(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    missing[i] = !qi.per_drive[i];
  }
  auto res = co_await ForEachDriveIn<Result<meta::FileInfo>>(
      *this, missing, [&](storage::StorageApi& d, std::size_t) {
        return d.ReadVersion(ctx, qi.fi.volume, qi.fi.name, qi.fi.version_id, read_data);
      });
  for (std::size_t i = 0; i < n; ++i) {
    if (missing[i] && res[i].ok() && SameVersion(*res[i], qi.fi)) {
      qi.per_drive[i] = std::make_unique<meta::FileInfo>(std::move(res[i]).value());
    }
  }
}

Task<Result<ObjectInfo>> ErasureSet::GetObjectInfo(const RequestContext& ctx,
                                                   std::string_view bucket, std::string_view key,
                                                   const GetOptions& opts) {
  CO_ASSIGN_OR_RETURN(auto guard, co_await LockObject(ctx, bucket, key, false));
  CO_ASSIGN_OR_RETURN(auto qi,
                      co_await ReadQuorumInfoFast(ctx, bucket, key, opts.version_id, false));
  if (qi.fi.deleted && !opts.include_delete_marker) {
    co_return DeleteMarkerError(opts.version_id);
  }
  co_return ToObjectInfo(bucket, qi.fi);
}

Task<Result<ObjectInfo>> ErasureSet::UpdateObjectMetadata(const RequestContext& ctx,
                                                          std::string_view bucket,
                                                          std::string_view key,
                                                          std::string_view version_id,
                                                          const MetadataUpdate& update) {
  CO_ASSIGN_OR_RETURN(auto guard, co_await LockObject(ctx, bucket, key, true));
  CO_RETURN_IF_ERROR(CheckWritable());
  CO_ASSIGN_OR_RETURN(auto qi, co_await ReadQuorumInfo(ctx, bucket, key, version_id, false));
  if (qi.fi.deleted) {
    co_return DeleteMarkerError(version_id);
  }
  CO_ASSIGN_OR_RETURN(Metadata updated, update(ToObjectInfo(bucket, qi.fi)));
  // Each drive keeps its own shard (inline data differs per drive): each rewrites its own
  // entry of the version with the new metadata.
  const auto n = static_cast<std::size_t>(size());
  std::vector<bool> holds(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    holds[i] = qi.per_drive[i] != nullptr;
  }
  std::vector<meta::FileInfo> per(n);
  auto res = co_await ForEachDriveIn<Result<storage::CommitUndo>>(
      *this, holds,
      [&](storage::StorageApi& d, std::size_t i) -> Task<Result<storage::CommitUndo>> {
        CO_ASSIGN_OR_RETURN(per[i],
                            co_await d.ReadVersion(ctx, bucket, key, qi.fi.version_id, true));
        if (!SameVersion(per[i], qi.fi)) {
          co_return Status(Errc::kFileVersionNotFound, "the version changed");
        }
        per[i].volume = std::string(bucket);
        per[i].name = std::string(key);
        per[i].metadata = updated;
        co_return co_await d.WriteMetadata(ctx, per[i]);
      });
  CO_RETURN_IF_ERROR(co_await SettleCommit(ctx, per, res, write_quorum()));
  if (CountOk(res) < n) {
    QueueHeal(bucket, key, qi.fi.version_id);
  }
  qi.fi.metadata = std::move(updated);
  co_return ToObjectInfo(bucket, qi.fi);
}

Task<Result<ObjectInfo>> ErasureSet::DeleteObject(const RequestContext& ctx,
                                                  std::string_view bucket, std::string_view key,
                                                  const DeleteOptions& opts) {
  CO_ASSIGN_OR_RETURN(auto guard, co_await LockObject(ctx, bucket, key, true));
  CO_RETURN_IF_ERROR(CheckWritable());
  if (opts.version_id.empty() && opts.versioning != Versioning::kUnversioned) {
    co_return co_await AddDeleteMarker(ctx, bucket, key, opts.versioning);
  }
  meta::FileInfo fi;
  fi.volume = std::string(bucket);
  fi.name = std::string(key);
  fi.version_id = opts.version_id;
  ObjectInfo oi;
  if (!opts.version_id.empty()) {
    // The answer says whether the version removed was a delete marker.
    auto before = co_await ReadQuorumInfo(ctx, bucket, key, opts.version_id, false);
    oi.delete_marker = before.ok() && before->fi.deleted;
    if (opts.check && before.ok()) {
      CO_RETURN_IF_ERROR(opts.check(ToObjectInfo(bucket, before->fi)));
    } else if (opts.check && before.code() == Errc::kReadQuorum) {
      // Whether the version may go cannot be known.
      co_return before.status();
    }
  }
  auto res = co_await ForEachDrive<Status>(
      *this, [&](storage::StorageApi& d, std::size_t) { return d.DeleteVersion(ctx, fi); });
  // Deleting what is not there succeeds (S3 semantics).
  std::vector<Errc> codes;
  for (const auto& r : res) {
    Errc c = r.code();
    codes.push_back(c == Errc::kFileNotFound || c == Errc::kFileVersionNotFound ? Errc::kOk : c);
  }
  Errc c = ReduceErrc(codes, write_quorum(), Errc::kWriteQuorum);
  if (c != Errc::kOk) {
    co_return Status(ToObjectError(c, Errc::kWriteQuorum), "delete " + fi.name);
  }
  oi.bucket = fi.volume;
  oi.key = fi.name;
  oi.version_id = fi.version_id;
  co_return oi;
}

Task<Result<ObjectInfo>> ErasureSet::AddDeleteMarker(const RequestContext& ctx,
                                                     std::string_view bucket, std::string_view key,
                                                     Versioning versioning) {
  meta::FileInfo fi;
  fi.volume = std::string(bucket);
  fi.name = std::string(key);
  fi.deleted = true;
  fi.mod_time_ns = NowNs();
  // Enabled: a version of its own. Suspended: the null version, whose data goes.
  if (versioning == Versioning::kEnabled) {
    fi.version_id = NewVersionId(fi.mod_time_ns);
  }
  fi.erasure = NewErasureInfo(key, WriteParity());
  const auto n = static_cast<std::size_t>(size());
  std::vector<meta::FileInfo> per(n, fi);
  for (std::size_t i = 0; i < n; ++i) {
    per[i].erasure.index = fi.erasure.distribution[i];
  }
  auto res = co_await ForEachDrive<Result<storage::CommitUndo>>(
      *this, [&](storage::StorageApi& d, std::size_t i) { return d.WriteMetadata(ctx, per[i]); });
  CO_RETURN_IF_ERROR(co_await SettleCommit(
      ctx, per, res, WriteQuorumFor(fi.erasure.data_blocks, fi.erasure.parity_blocks)));
  if (CountOk(res) < n) {
    QueueHeal(bucket, key, fi.version_id);
  }
  fi.is_latest = true;
  co_return ToObjectInfo(bucket, fi);
}

}  // namespace cairn::object
