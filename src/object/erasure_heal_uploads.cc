// ErasureSet: healing multipart uploads in progress. A drive that was offline while parts
// arrived, or was replaced during a long upload, lacks the upload's record or some parts'
// shards; left alone, those parts stay under-replicated until Complete (and the object's
// heal after it). HealUploads walks the uploads any drive lists and heals each under its write
// lock: the record first, then every part that read quorum agrees on, rebuilt from D good
// shards with the object heal's streaming (RebuildShards) and committed with CommitPart.
#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "common/log.h"
#include "object/erasure_set.h"
#include "object/object_util.h"
#include "object/set_util.h"

namespace cairn::object {

namespace {

constexpr std::size_t kUploadsPage = 500;
constexpr std::chrono::seconds kUploadLockWait{5};

bool SamePart(const meta::ObjectPart& a, const meta::ObjectPart& b) {
  return a.number == b.number && a.etag == b.etag && a.size == b.size;
}

}  // namespace

Task<Result<ErasureSet::UploadHealStats>> ErasureSet::HealUploads(const RequestContext& ctx,
                                                                  std::string_view bucket,
                                                                  std::string_view prefix,
                                                                  bool dry_run) {
  UploadHealStats stats;
  std::string key_after;
  std::string id_after;
  for (;;) {
    auto res = co_await ForEachDrive<Result<std::vector<storage::MultipartUpload>>>(
        *this, [&](storage::StorageApi& d, std::size_t) {
          return d.ListUploads(ctx, bucket, prefix, key_after, id_after, kUploadsPage);
        });
    std::size_t answered = 0;
    using Id = std::pair<std::string, std::string>;
    std::optional<Id> bound;  // past the shortest full page, a drive may hold more
    for (auto& r : res) {
      if (!r.ok() && r.code() == Errc::kVolumeNotFound) {
        r = std::vector<storage::MultipartUpload>{};
      }
      if (!r.ok()) {
        continue;
      }
      ++answered;
      if (r->size() >= kUploadsPage) {
        Id last{r->back().key, r->back().upload_id};
        if (!bound || last < *bound) {
          bound = std::move(last);
        }
      }
    }
    if (answered == 0) {
      co_return Status(Errc::kReadQuorum, "no drive of the set lists the uploads");
    }
    std::set<Id> ids;
    for (const auto& r : res) {
      if (r.ok()) {
        for (const auto& u : *r) {
          Id id{u.key, u.upload_id};
          if (!bound || id <= *bound) {
            ids.insert(std::move(id));
          }
        }
      }
    }
    for (const auto& [key, upload_id] : ids) {
      if (ctx.IsCancelled()) {
        co_return Status(Errc::kCancelled, "heal stopped");
      }
      // A look without the lock first: most uploads are whole, and the write lock would stop
      // their part uploads for nothing.
      UploadHealStats probe;
      Status st = co_await HealUpload(ctx, bucket, key, upload_id, true, false, probe);
      if (st.ok() && probe.records_healed + probe.parts_healed == 0) {
        stats.uploads += probe.uploads;
        continue;
      }
      st = co_await HealUpload(ctx, bucket, key, upload_id, dry_run, true, stats);
      if (st.code() == Errc::kLockTimeout) {
        // Parts are being written (or a crashed writer's lock has not expired yet): a later
        // pass heals it. Not a failure: an upload in use is not lost redundancy.
        ++stats.busy;
        LOG_INFO("heal: upload {} of {}/{} is busy; left for a later pass", upload_id, bucket, key);
        continue;
      }
      if (!st.ok()) {
        ++stats.failed;
        LOG_WARN("heal: upload {} of {}/{}: {}", upload_id, bucket, key, st.ToString());
      }
    }
    if (!bound) {
      co_return stats;
    }
    std::tie(key_after, id_after) = *bound;
  }
}

Task<Status> ErasureSet::HealUpload(const RequestContext& ctx, std::string_view bucket,
                                    std::string_view key, std::string_view upload_id, bool dry_run,
                                    bool lock, UploadHealStats& stats) {
  // The write lock: no part of this upload is being written meanwhile.
  std::unique_ptr<NsLockGuard> guard;
  if (lock) {
    // A short wait: a heal pass must not stall behind an upload in use.
    RequestContext lock_ctx = ctx;
    lock_ctx.deadline = std::min(ctx.deadline, RequestContext::Clock::now() + kUploadLockWait);
    CO_ASSIGN_OR_RETURN(guard, co_await LockObject(lock_ctx, bucket, key, true, upload_id));
  }
  auto q = co_await ReadUploadQuorum(*this, ctx, bucket, key, upload_id);
  if (!q.ok()) {
    // Completed or aborted meanwhile: nothing to heal. Without read quorum: left as it is.
    co_return q.code() == Errc::kNoSuchUpload ? Status::Ok() : q.status();
  }
  ++stats.uploads;
  const auto n = drives_.size();
  const meta::ErasureInfo& er = q->upload.fi.erasure;
  if (!GeometryFits(er) || er.distribution.size() != n) {
    co_return Status(Errc::kReadQuorum, "an erasure layout that is not this set's");
  }
  bool incomplete = false;

  // The record, on every online drive that lacks it (each with its own shard index).
  std::vector<bool> online(n, false);
  std::vector<bool> lacking(n, false);
  std::size_t lacks = 0;
  for (std::size_t i = 0; i < n; ++i) {
    auto d = Drive(i);
    online[i] = d && d->IsOnline();
    lacking[i] = online[i] && !q->has[i];
    lacks += lacking[i] ? 1 : 0;
  }
  std::vector<bool> holds = q->has;
  if (lacks > 0 && dry_run) {
    stats.records_healed += lacks;
    for (std::size_t i = 0; i < n; ++i) {
      holds[i] = holds[i] || lacking[i];
    }
  } else if (lacks > 0) {
    auto put = co_await ForEachDriveIn<Status>(
        *this, lacking, [&](storage::StorageApi& d, std::size_t i) -> Task<Status> {
          storage::MultipartUpload copy = q->upload;
          copy.fi.erasure.index = er.distribution[i];
          co_return co_await d.PutUpload(ctx, bucket, copy);
        });
    for (std::size_t i = 0; i < n; ++i) {
      if (lacking[i] && put[i].ok()) {
        holds[i] = true;
        ++stats.records_healed;
      } else if (lacking[i]) {
        incomplete = true;
      }
    }
  }

  // The parts: read quorum (of the upload's own geometry) decides each part's copy.
  auto lists = co_await ForEachDrive<Result<std::vector<meta::ObjectPart>>>(
      *this,
      [&](storage::StorageApi& d, std::size_t i) -> Task<Result<std::vector<meta::ObjectPart>>> {
        if (!holds[i] || (dry_run && lacking[i])) {
          co_return std::vector<meta::ObjectPart>{};  // no record yet: no parts
        }
        co_return co_await d.ListParts(ctx, bucket, key, upload_id);
      });
  const std::vector<meta::ObjectPart> agreed =
      AgreedParts(lists, static_cast<std::size_t>(er.data_blocks));
  for (const meta::ObjectPart& part : agreed) {
    std::vector<bool> sources(n, false);
    std::vector<bool> targets(n, false);
    std::size_t want = 0;
    for (std::size_t i = 0; i < n; ++i) {
      sources[i] = lists[i].ok() && std::any_of(lists[i]->begin(), lists[i]->end(),
                                                [&](const auto& p) { return SamePart(p, part); });
      targets[i] = lists[i].ok() && holds[i] && !sources[i];
      want += targets[i] ? 1 : 0;
    }
    if (want == 0) {
      continue;
    }
    if (dry_run) {
      stats.parts_healed += want;
      continue;
    }
    meta::FileInfo fi = q->upload.fi;
    fi.parts = {part};
    fi.size = part.size;
    fi.is_inline = false;
    const std::string tmp = NewUuid();
    std::vector<Result<meta::FileInfo>> copies(n, Status(Errc::kFileNotFound, "not inline"));
    std::vector<std::string> inline_out(n);
    Status built = co_await RebuildShards(ctx, fi, copies, sources, targets, tmp, inline_out,
                                          /*as_part_one=*/true);
    if (built.ok()) {
      // A target may hold another copy of the number, left by an upload that missed its
      // quorum and finished after the agreed one: CommitPart keeps the copy with the later
      // time, so the healed record's time passes it (part uploads wait for this heal's lock).
      meta::ObjectPart healed = part;
      for (std::size_t i = 0; i < n; ++i) {
        if (!targets[i]) {
          continue;
        }
        for (const auto& p : *lists[i]) {
          if (p.number == part.number && p.mod_time_ns >= healed.mod_time_ns) {
            healed.mod_time_ns = p.mod_time_ns + 1;
          }
        }
      }
      auto committed =
          co_await ForEachDriveIn<Status>(*this, targets, [&](storage::StorageApi& d, std::size_t) {
            return d.CommitPart(ctx, bucket, key, upload_id, healed, tmp);
          });
      for (std::size_t i = 0; i < n; ++i) {
        if (targets[i] && committed[i].ok()) {
          ++stats.parts_healed;
        } else if (targets[i]) {
          LOG_WARN("heal: part {} of upload {} of {}/{} on drive {}: {}", part.number, upload_id,
                   bucket, key, i + 1, committed[i].ToString());
        }
      }
      incomplete = incomplete || CountOk(committed) < want;
    } else {
      LOG_WARN("heal: part {} of upload {} of {}/{}: {}", part.number, upload_id, bucket, key,
               built.ToString());
      incomplete = true;
    }
    co_await DeleteTmpAll(ctx, tmp);
  }
  if (incomplete) {
    co_return Status(Errc::kReadQuorum, "not every drive of the set holds the upload whole");
  }
  co_return Status::Ok();
}

}  // namespace cairn::object
