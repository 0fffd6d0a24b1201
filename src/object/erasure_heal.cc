// ErasureSet: healing one object. Under the object's write lock, every drive's copy is read;
// the newest version that read quorum holds is the one healed (a stale copy never wins over
// a newer one), and each drive that misses it, holds an older version, or has bad shards gets
// its shards rebuilt block by block from D good ones, staged under tmp and committed with
// RenameData, so that it ends up exactly like a drive that took the original write.
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

}  // namespace

Task<Result<HealResult>> ErasureSet::HealObject(const RequestContext& ctx, std::string_view bucket,
                                                std::string_view key, std::string_view version_id,
                                                const HealOptions& opts) {
  CO_ASSIGN_OR_RETURN(auto guard, co_await LockObject(ctx, bucket, key, !opts.dry_run));
  const auto n = static_cast<std::size_t>(size());
  auto res = co_await ForEachDrive<Result<meta::FileInfo>>(
      *this, [&](storage::StorageApi& d, std::size_t) {
        return d.ReadVersion(ctx, bucket, key, version_id, true);
      });
  HealResult out;
  out.bucket = std::string(bucket);
  out.key = std::string(key);
  out.version_id = std::string(version_id);
  out.drives.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.drives[i].endpoint = drives_[i] ? drives_[i]->endpoint() : std::string();
  }

  // Group the copies by version; drives that cannot answer are `unknown`.
  std::vector<int> group(n, -1);
  std::vector<std::size_t> reps;
  std::vector<int> counts;
  int unknown = 0;
  int not_found = 0;
  int corrupt = 0;  // a corrupt entry may still hold the version (bitrot in another one's data)
  for (std::size_t i = 0; i < n; ++i) {
    if (!res[i].ok()) {
      Errc c = res[i].code();
      not_found += HealIsNotFound(c) ? 1 : 0;
      unknown += (!HealIsNotFound(c) && c != Errc::kFileCorrupt) ? 1 : 0;
      corrupt += c == Errc::kFileCorrupt ? 1 : 0;
      continue;
    }
    for (std::size_t g = 0; g < reps.size() && group[i] < 0; ++g) {
      if (SameVersion(*res[i], *res[reps[g]])) {
        group[i] = static_cast<int>(g);
        ++counts[g];
      }
    }
    if (group[i] < 0) {
      group[i] = static_cast<int>(reps.size());
      reps.push_back(i);
      counts.push_back(1);
    }
  }
  // Each version's read quorum is its own data count (a write that found drives offline
  // raised its parity); the set's applies when nothing was read.
  auto rq = [&](std::size_t g) { return ReadQuorumOf(*res[reps[g]]); };
  auto newer = [&](std::size_t a, std::size_t b) {
    return res[reps[a]]->mod_time_ns > res[reps[b]]->mod_time_ns;
  };
  int target = -1;
  for (std::size_t g = 0; g < reps.size(); ++g) {
    if (counts[g] >= rq(g) && (target < 0 || newer(g, static_cast<std::size_t>(target)))) {
      target = static_cast<int>(g);
    }
  }
  // A version is dangling when even the drives that did not answer could not lift it to
  // read quorum: it can never be read again.
  auto dangling = [&](int g) {
    const auto gi = static_cast<std::size_t>(g);
    return counts[gi] + unknown + corrupt < rq(gi);
  };

  if (target < 0) {
    if (reps.empty() && unknown < read_quorum()) {
      co_return Status(version_id.empty() ? Errc::kNoSuchKey : Errc::kNoSuchVersion,
                       out.bucket + "/" + out.key);
    }
    for (std::size_t g = 0; g < reps.size(); ++g) {
      if (!dangling(static_cast<int>(g))) {
        co_return Status(Errc::kReadQuorum, "too few drives answer to heal " + out.key);
      }
    }
    if (reps.empty()) {
      co_return Status(Errc::kReadQuorum, "too few drives answer to heal " + out.key);
    }
    // Every copy is dangling. When write quorum says it is not there, the quorum deleted it
    // (or never acknowledged it): removing the leftovers is healing. Otherwise only on request.
    out.dangling = true;
    out.deleted = not_found >= write_quorum();
    const bool purge = out.deleted || opts.remove_dangling;
    std::vector<bool> mask(n, false);
    int holders = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (group[i] >= 0) {
        ++holders;
        out.drives[i].reason = out.deleted ? HealReason::kDeleted : HealReason::kDangling;
        out.drives[i].state = HealDriveState::kDangling;
        mask[i] = purge;
        out.would_change += purge ? 1 : 0;
      } else if (purge && !res[i].ok() && !HealIsNotFound(res[i].code())) {
        out.drives[i].state = HealDriveState::kOffline;  // it may hold a copy too
      }
    }
    if (opts.dry_run) {
      co_return out;
    }
    if (!purge) {
      LOG_WARN("heal: {}/{} is dangling on {} drives (below read quorum for good); left in place",
               bucket, key, holders);
      co_return out;
    }
    std::vector<meta::FileInfo> victims(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (mask[i]) {
        victims[i] = *res[i];
        victims[i].volume = out.bucket;
        victims[i].name = out.key;
      }
    }
    auto del = co_await ForEachDriveIn<Status>(
        *this, mask,
        [&](storage::StorageApi& d, std::size_t i) { return d.DeleteVersion(ctx, victims[i]); });
    for (std::size_t i = 0; i < n; ++i) {
      if (mask[i]) {
        out.drives[i].state = del[i].ok() ? HealDriveState::kPurged : HealDriveState::kFailed;
        LOG_WARN("heal: purged {} version '{}' of {}/{} from {}",
                 out.deleted ? "deleted" : "dangling", res[i]->version_id, bucket, key,
                 out.drives[i].endpoint);
      }
    }
    co_return out;
  }

  meta::FileInfo want = *res[reps[static_cast<std::size_t>(target)]];
  want.inline_data.clear();
  want.volume = std::string(bucket);
  want.name = std::string(key);
  want.is_latest = false;
  want.num_versions = 0;
  out.version_id = want.version_id;
  out.deleted = want.deleted;
  out.size = want.size;
  const auto& er = want.erasure;
  if (!want.deleted && !HealLayoutFits(*this, want, n)) {
    co_return Status(Errc::kInternal, "heal: the object's erasure layout is not this set's");
  }

  // Which drives need the version, and which can serve it.
  std::vector<bool> heal(n, false);
  std::vector<bool> source(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    HealDriveResult& dr = out.drives[i];
    if (!res[i].ok()) {
      Errc c = res[i].code();
      if (HealIsNotFound(c) || c == Errc::kFileCorrupt) {
        dr.reason = c == Errc::kFileCorrupt ? HealReason::kCorrupt : HealReason::kMissing;
        heal[i] = true;
      } else {
        dr.state = HealDriveState::kOffline;
      }
    } else if (group[i] == target) {
      source[i] = true;
    } else if (res[i]->mod_time_ns <= want.mod_time_ns) {
      dr.reason = HealReason::kStale;
      heal[i] = true;
    } else {
      // Newer than what read quorum holds, but below it: never healed over unless it is
      // dangling for good and its removal was asked for.
      dr.reason = HealReason::kDangling;
      if (dangling(group[i]) && opts.remove_dangling) {
        heal[i] = true;
        LOG_WARN("heal: dangling version of {}/{} on {} is replaced by the quorum's", bucket, key,
                 dr.endpoint);
      } else {
        dr.state = HealDriveState::kDangling;
      }
    }
  }
  if (!want.deleted) {
    auto checks = co_await FanOut<Status>(n, [&](std::size_t i) -> Task<Status> {
      if (!source[i]) {
        co_return Status::Ok();
      }
      co_return co_await CheckShards(ctx, i, *res[i], opts.deep_scan);
    });
    for (std::size_t i = 0; i < n; ++i) {
      if (source[i] && !checks[i].ok()) {
        // A drive with corrupt blocks still serves its good ones (every block read is
        // verified), so corruption spread over several drives in different blocks heals.
        source[i] = checks[i].code() == Errc::kFileCorrupt;
        if (checks[i].code() == Errc::kDiskNotFound) {
          out.drives[i].state = HealDriveState::kOffline;
        } else {
          out.drives[i].reason = HealReason::kCorrupt;
          heal[i] = true;
        }
      }
    }
  }
  out.would_change = static_cast<int>(std::count(heal.begin(), heal.end(), true));
  if (out.would_change == 0 || opts.dry_run) {
    co_return out;
  }

  // A drive without the bucket (replaced or wiped) gets it first, as a source drive has it.
  std::vector<bool> no_bucket(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    no_bucket[i] = heal[i] && !res[i].ok() && res[i].code() == Errc::kVolumeNotFound;
  }
  if (std::count(no_bucket.begin(), no_bucket.end(), true) > 0) {
    co_await HealBucketOn(ctx, bucket, no_bucket);
  }

  // Rebuild the targets' shards: inline into memory, shard files under tmp/<uuid>/.
  std::vector<bool> targets = heal;
  const std::string tmp = NewUuid();
  std::vector<std::string> inline_out(n);
  Status built;
  if (!want.deleted) {
    built = co_await RebuildShards(ctx, want, res, source, targets, tmp, inline_out);
  }
  if (!built.ok()) {
    LOG_WARN("heal: cannot rebuild {}/{}: {}", bucket, key, built.ToString());
    std::fill(targets.begin(), targets.end(), false);
  }

  // Commit: the same version, with this drive's shard index, as the original write made it.
  std::vector<meta::FileInfo> per(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (targets[i]) {
      per[i] = want;
      if (!want.deleted) {
        per[i].erasure.index = er.distribution[i];
      }
      if (want.is_inline) {
        per[i].inline_data = std::move(inline_out[i]);
      }
    }
  }
  const bool files = !want.deleted && !want.is_inline;
  auto committed = co_await ForEachDriveIn<Result<storage::CommitUndo>>(
      *this, targets, [&](storage::StorageApi& d, std::size_t i) {
        return files ? d.RenameData(ctx, per[i], tmp) : d.WriteMetadata(ctx, per[i]);
      });
  // A heal commits a version the quorum already holds: what it replaced goes at once.
  (void)co_await SettleCommit(ctx, per, committed, 0);
  bool leftovers = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (!heal[i]) {
      continue;
    }
    const bool ok = targets[i] && committed[i].ok();
    out.drives[i].state = ok ? HealDriveState::kHealed : HealDriveState::kFailed;
    leftovers = leftovers || !ok;
    if (ok) {
      LOG_INFO("heal: {}/{} healed on {}", bucket, key, out.drives[i].endpoint);
    }
  }
  if (files && leftovers) {
    co_await DeleteTmpAll(ctx, tmp);
  }
  co_return out;
}

}  // namespace cairn::object
