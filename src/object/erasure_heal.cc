// ErasureSet: healing one object. Under the object's write lock, every drive's copy is read;
// the newest version that read quorum holds is the one healed (a stale copy never wins over
// a newer one), and each drive that misses it, holds an older version, or has bad shards gets
// its shards rebuilt block by block from D good ones, staged under tmp and committed with
// RenameData, so that it ends up exactly like a drive that took the original write. The steps
// are ObjectHeal's methods: GroupCopies, ChooseVersion, then PurgeDangling or PlanTargets,
// Rebuild and Commit.
#include <algorithm>
#include <cstring>
#include <functional>
#include <utility>

#include "common/fan_out.h"
#include "common/log.h"
#include "common/run_blocking.h"
#include "erasure/bitrot.h"
#include "object/buffer_pool.h"
#include "object/erasure_set.h"
#include "object/heal_queue.h"
#include "object/object_util.h"
#include "object/quorum.h"
#include "object/set_util.h"

namespace cairn::object {

namespace {

bool HealIsNotFound(Errc c) {
  return c == Errc::kFileNotFound || c == Errc::kFileVersionNotFound || c == Errc::kVolumeNotFound;
}

// True when `fi`'s erasure layout fits this set: a geometry of it (the object's own, maybe a
// raised parity: ErasureSet::GeometryFits), a distribution that is a permutation of 1..n,
// and sizes that are not negative (metadata comes from a disk).
bool HealLayoutFits(const ErasureSet& set, const meta::FileInfo& fi, std::size_t n) {
  const auto& er = fi.erasure;
  if (!set.GeometryFits(er) || er.distribution.size() != n || er.block_size == 0 || fi.size < 0) {
    return false;
  }
  std::vector<bool> seen(n, false);
  for (std::uint8_t v : er.distribution) {
    if (v < 1 || v > n || seen[v - 1u]) {
      return false;
    }
    seen[v - 1u] = true;
  }
  return std::all_of(fi.parts.begin(), fi.parts.end(),
                     [](const meta::ObjectPart& p) { return p.size >= 0; });
}

// The copies of one version that the drives hold, grouped: drives whose copies are the same
// version share a group; drives that cannot answer are `unknown`.
struct HealCopies {
  std::vector<Result<meta::FileInfo>> res;  // each drive's copy, as read
  std::vector<int> group;                   // group of drive i, -1 when it has no copy
  std::vector<std::size_t> reps;            // a drive of each group
  std::vector<int> counts;                  // copies in each group
  int unknown = 0;
  int not_found = 0;
  int corrupt = 0;  // a corrupt entry may still hold the version (bitrot in another one's data)

  // Each version's read quorum is its own data count (a write that found drives offline
  // raised its parity).
  int ReadQuorum(const ErasureSet& set, std::size_t g) const {
    return set.ReadQuorumOf(*res[reps[g]]);
  }

  // A version is dangling when even the drives that did not answer could not lift it to
  // read quorum: it can never be read again.
  bool Dangling(const ErasureSet& set, std::size_t g) const {
    return counts[g] + unknown + corrupt < ReadQuorum(set, g);
  }

  const meta::FileInfo& Copy(std::size_t g) const { return *res[reps[g]]; }
};

// One run of HealObject, step by step: group the copies, choose the version, then either
// purge what is dangling or plan the targets, rebuild their shards and commit them.
class ObjectHeal {
 public:
  ObjectHeal(ErasureSet& set, const RequestContext& ctx, std::string_view bucket,
             std::string_view key, std::string_view version_id, const HealOptions& opts)
      : set_(set),
        ctx_(ctx),
        bucket_(bucket),
        key_(key),
        opts_(opts),
        n_(static_cast<std::size_t>(set.size())) {
    out_.bucket = std::string(bucket);
    out_.key = std::string(key);
    out_.version_id = std::string(version_id);
    out_.drives.resize(n_);
    for (std::size_t i = 0; i < n_; ++i) {
      auto d = set.Drive(i);
      out_.drives[i].endpoint = d ? d->endpoint() : std::string();
    }
  }

  Task<Result<HealResult>> Run(std::string_view version_id) {
    CO_ASSIGN_OR_RETURN(auto guard, co_await set_.LockObject(ctx_, bucket_, key_, !opts_.dry_run));
    copies_.res = co_await ForEachDrive<Result<meta::FileInfo>>(
        set_, [&](storage::StorageApi& d, std::size_t) {
          return d.ReadVersion(ctx_, bucket_, key_, version_id, true);
        });
    GroupCopies();
    const int target = ChooseVersion();
    if (target < 0) {
      const Errc absent = version_id.empty() ? Errc::kNoSuchKey : Errc::kNoSuchVersion;
      co_return co_await PurgeDangling(absent);
    }
    CO_RETURN_IF_ERROR(co_await PlanTargets(target));
    if (out_.would_change == 0 || opts_.dry_run) {
      co_return std::move(out_);
    }
    co_await Rebuild();
    co_await Commit();
    co_return std::move(out_);
  }

 private:
  void GroupCopies() {
    HealCopies& c = copies_;
    c.group.assign(n_, -1);
    for (std::size_t i = 0; i < n_; ++i) {
      if (!c.res[i].ok()) {
        const Errc code = c.res[i].code();
        c.not_found += HealIsNotFound(code) ? 1 : 0;
        c.unknown += (!HealIsNotFound(code) && code != Errc::kFileCorrupt) ? 1 : 0;
        c.corrupt += code == Errc::kFileCorrupt ? 1 : 0;
        continue;
      }
      for (std::size_t g = 0; g < c.reps.size() && c.group[i] < 0; ++g) {
        if (SameVersion(*c.res[i], c.Copy(g))) {
          c.group[i] = static_cast<int>(g);
          ++c.counts[g];
        }
      }
      if (c.group[i] < 0) {
        c.group[i] = static_cast<int>(c.reps.size());
        c.reps.push_back(i);
        c.counts.push_back(1);
      }
    }
  }

  // The newest version that its read quorum of drives holds (a stale copy never wins over a
  // newer one); -1 when none does.
  int ChooseVersion() const {
    const HealCopies& c = copies_;
    int target = -1;
    for (std::size_t g = 0; g < c.reps.size(); ++g) {
      if (c.counts[g] >= c.ReadQuorum(set_, g) &&
          (target < 0 ||
           c.Copy(g).mod_time_ns > c.Copy(static_cast<std::size_t>(target)).mod_time_ns)) {
        target = static_cast<int>(g);
      }
    }
    return target;
  }

  // No version has read quorum. Unless every copy is dangling, too few drives answered to
  // decide. When write quorum says the object is not there, the quorum deleted it (or never
  // acknowledged it): removing the leftovers is healing; otherwise only on request.
  Task<Result<HealResult>> PurgeDangling(Errc absent) {
    const HealCopies& c = copies_;
    if (c.reps.empty() && c.unknown < set_.read_quorum()) {
      co_return Status(absent, out_.bucket + "/" + out_.key);
    }
    for (std::size_t g = 0; g < c.reps.size(); ++g) {
      if (!c.Dangling(set_, g)) {
        co_return Status(Errc::kReadQuorum, "too few drives answer to heal " + out_.key);
      }
    }
    if (c.reps.empty()) {
      co_return Status(Errc::kReadQuorum, "too few drives answer to heal " + out_.key);
    }
    out_.dangling = true;
    out_.deleted = c.not_found >= set_.write_quorum();
    const bool purge = out_.deleted || opts_.remove_dangling;
    std::vector<bool> mask(n_, false);
    int holders = 0;
    for (std::size_t i = 0; i < n_; ++i) {
      if (c.group[i] >= 0) {
        ++holders;
        out_.drives[i].reason = out_.deleted ? HealReason::kDeleted : HealReason::kDangling;
        out_.drives[i].state = HealDriveState::kDangling;
        mask[i] = purge;
        out_.would_change += purge ? 1 : 0;
      } else if (purge && !c.res[i].ok() && !HealIsNotFound(c.res[i].code())) {
        out_.drives[i].state = HealDriveState::kOffline;  // it may hold a copy too
      }
    }
    if (opts_.dry_run) {
      co_return std::move(out_);
    }
    if (!purge) {
      LOG_WARN("heal: {}/{} is dangling on {} drives (below read quorum for good); left in place",
               bucket_, key_, holders);
      co_return std::move(out_);
    }
    std::vector<meta::FileInfo> victims(n_);
    for (std::size_t i = 0; i < n_; ++i) {
      if (mask[i]) {
        victims[i] = *c.res[i];
        victims[i].volume = out_.bucket;
        victims[i].name = out_.key;
      }
    }
    auto del = co_await ForEachDriveIn<Status>(
        set_, mask,
        [&](storage::StorageApi& d, std::size_t i) { return d.DeleteVersion(ctx_, victims[i]); });
    for (std::size_t i = 0; i < n_; ++i) {
      if (mask[i]) {
        out_.drives[i].state = del[i].ok() ? HealDriveState::kPurged : HealDriveState::kFailed;
        LOG_WARN("heal: purged {} version '{}' of {}/{} from {}",
                 out_.deleted ? "deleted" : "dangling", c.res[i]->version_id, bucket_, key_,
                 out_.drives[i].endpoint);
      }
    }
    co_return std::move(out_);
  }

  // Which drives need group `target`'s version (missing, corrupt or stale copies, and with
  // remove_dangling a newer dangling one), and which can serve it: its holders whose shards
  // check out (with deep_scan, every block's hash). Errors: kInternal (a layout that is not
  // this set's).
  Task<Status> PlanTargets(int target) {
    const HealCopies& c = copies_;
    want_ = c.Copy(static_cast<std::size_t>(target));
    want_.inline_data.clear();
    want_.volume = std::string(bucket_);
    want_.name = std::string(key_);
    want_.is_latest = false;
    want_.num_versions = 0;
    out_.version_id = want_.version_id;
    out_.deleted = want_.deleted;
    out_.size = want_.size;
    if (!want_.deleted && !HealLayoutFits(set_, want_, n_)) {
      co_return Status(Errc::kInternal, "heal: the object's erasure layout is not this set's");
    }
    heal_.assign(n_, false);
    source_.assign(n_, false);
    for (std::size_t i = 0; i < n_; ++i) {
      HealDriveResult& dr = out_.drives[i];
      if (!c.res[i].ok()) {
        const Errc code = c.res[i].code();
        if (HealIsNotFound(code) || code == Errc::kFileCorrupt) {
          dr.reason = code == Errc::kFileCorrupt ? HealReason::kCorrupt : HealReason::kMissing;
          heal_[i] = true;
        } else {
          dr.state = HealDriveState::kOffline;
        }
      } else if (c.group[i] == target) {
        source_[i] = true;
      } else if (c.res[i]->mod_time_ns <= want_.mod_time_ns) {
        dr.reason = HealReason::kStale;
        heal_[i] = true;
      } else {
        // Newer than what read quorum holds, but below it: never healed over unless it is
        // dangling for good and its removal was asked for.
        dr.reason = HealReason::kDangling;
        if (c.Dangling(set_, static_cast<std::size_t>(c.group[i])) && opts_.remove_dangling) {
          heal_[i] = true;
          LOG_WARN("heal: dangling version of {}/{} on {} is replaced by the quorum's", bucket_,
                   key_, dr.endpoint);
        } else {
          dr.state = HealDriveState::kDangling;
        }
      }
    }
    if (!want_.deleted) {
      auto checks = co_await FanOut<Status>(n_, [&](std::size_t i) -> Task<Status> {
        if (!source_[i]) {
          co_return Status::Ok();
        }
        co_return co_await set_.CheckShards(ctx_, i, *c.res[i], opts_.deep_scan);
      });
      for (std::size_t i = 0; i < n_; ++i) {
        if (source_[i] && !checks[i].ok()) {
          // A drive with corrupt blocks still serves its good ones (every block read is
          // verified), so corruption spread over several drives in different blocks heals.
          source_[i] = checks[i].code() == Errc::kFileCorrupt;
          if (checks[i].code() == Errc::kDiskNotFound) {
            out_.drives[i].state = HealDriveState::kOffline;
          } else {
            out_.drives[i].reason = HealReason::kCorrupt;
            heal_[i] = true;
          }
        }
      }
    }
    out_.would_change = static_cast<int>(std::count(heal_.begin(), heal_.end(), true));
    co_return Status::Ok();
  }

  // Rebuilds the targets' shards: inline into memory, shard files under tmp/<uuid>/. A drive
  // without the bucket (replaced or wiped) gets it first, as a source drive has it. Targets
  // that cannot be rebuilt are dropped (and fail).
  Task<void> Rebuild() {
    std::vector<bool> no_bucket(n_, false);
    for (std::size_t i = 0; i < n_; ++i) {
      no_bucket[i] =
          heal_[i] && !copies_.res[i].ok() && copies_.res[i].code() == Errc::kVolumeNotFound;
    }
    if (std::count(no_bucket.begin(), no_bucket.end(), true) > 0) {
      co_await set_.HealBucketOn(ctx_, bucket_, no_bucket);
    }
    targets_ = heal_;
    tmp_ = NewUuid();
    inline_out_.assign(n_, std::string());
    Status built;
    if (!want_.deleted) {
      built = co_await set_.RebuildShards(ctx_, want_, copies_.res, source_, targets_, tmp_,
                                          inline_out_);
    }
    if (!built.ok()) {
      LOG_WARN("heal: cannot rebuild {}/{}: {}", bucket_, key_, built.ToString());
      std::fill(targets_.begin(), targets_.end(), false);
    }
  }

  // Commits the same version on each rebuilt target, with that drive's shard index, as the
  // original write made it; what a commit replaced goes at once (the quorum already holds
  // this version).
  Task<void> Commit() {
    std::vector<meta::FileInfo> per(n_);
    for (std::size_t i = 0; i < n_; ++i) {
      if (targets_[i]) {
        per[i] = want_;
        if (!want_.deleted) {
          per[i].erasure.index = want_.erasure.distribution[i];
        }
        if (want_.is_inline) {
          per[i].inline_data = std::move(inline_out_[i]);
        }
      }
    }
    const bool files = !want_.deleted && !want_.is_inline;
    auto committed = co_await ForEachDriveIn<Result<storage::CommitUndo>>(
        set_, targets_, [&](storage::StorageApi& d, std::size_t i) {
          return files ? d.RenameData(ctx_, per[i], tmp_) : d.WriteMetadata(ctx_, per[i]);
        });
    (void)co_await set_.SettleCommit(ctx_, per, committed, 0);
    bool leftovers = false;
    for (std::size_t i = 0; i < n_; ++i) {
      if (!heal_[i]) {
        continue;
      }
      const bool ok = targets_[i] && committed[i].ok();
      out_.drives[i].state = ok ? HealDriveState::kHealed : HealDriveState::kFailed;
      leftovers = leftovers || !ok;
      if (ok) {
        LOG_INFO("heal: {}/{} healed on {}", bucket_, key_, out_.drives[i].endpoint);
      }
    }
    if (files && leftovers) {
      co_await set_.DeleteTmpAll(ctx_, tmp_);
    }
  }

  ErasureSet& set_;
  const RequestContext& ctx_;
  const std::string_view bucket_;
  const std::string_view key_;
  const HealOptions& opts_;
  const std::size_t n_;
  HealResult out_;
  HealCopies copies_;
  meta::FileInfo want_;        // the version healed (PlanTargets)
  std::vector<bool> heal_;     // drives that need it
  std::vector<bool> source_;   // drives that can serve its shards
  std::vector<bool> targets_;  // drives being rebuilt (Rebuild)
  std::string tmp_;            // where their shard files are staged
  std::vector<std::string> inline_out_;
};

}  // namespace

Task<Result<HealResult>> ErasureSet::HealObject(const RequestContext& ctx, std::string_view bucket,
                                                std::string_view key, std::string_view version_id,
                                                const HealOptions& opts) {
  ObjectHeal heal(*this, ctx, bucket, key, version_id, opts);
  co_return co_await heal.Run(version_id);
}

}  // namespace cairn::object
