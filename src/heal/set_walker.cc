#include "heal/set_walker.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "common/log.h"
#include "object/object_util.h"

namespace cairn::heal {

namespace {

using ScanClock = std::chrono::steady_clock;

void ScanAdd(HealProgress& to, const HealProgress& d) {
  to.objects_scanned += d.objects_scanned;
  to.objects_healed += d.objects_healed;
  to.objects_failed += d.objects_failed;
  to.objects_dangling += d.objects_dangling;
  to.bytes_scanned += d.bytes_scanned;
  to.bytes_healed += d.bytes_healed;
}

bool ScanGone(Errc c) {
  return c == Errc::kNoSuchKey || c == Errc::kNoSuchVersion;
}

}  // namespace

SetWalker::SetWalker(object::ServerPools& pools, const HealRunner& runner, std::size_t page_size)
    : pools_(pools), runner_(runner), page_size_(page_size) {}

Task<Status> SetWalker::Walk(const RequestContext& ctx, object::ErasureSet& set,
                             const std::vector<std::string>& buckets, const WalkParams& p,
                             HealSequence& seq) {
  auto count = [&](const HealProgress& d, const std::string& bucket, const std::string& key) {
    seq.Update([&](HealProgress& to) {
      ScanAdd(to, d);
      to.last_bucket = bucket;
      to.last_key = key;
    });
    totals_.scanned += d.objects_scanned;
    totals_.healed += d.objects_healed;
    totals_.failed += d.objects_failed;
    totals_.bytes_healed += d.bytes_healed;
  };
  for (const std::string& bucket : buckets) {
    if (!p.resume_bucket.empty() && bucket < p.resume_bucket) {
      continue;
    }
    std::string after = bucket == p.resume_bucket ? p.resume_key : std::string();
    for (;;) {
      if (runner_.Stopping(seq) || ctx.IsCancelled()) {
        co_return Status(Errc::kCancelled, "heal sequence stopped");
      }
      auto page = co_await set.ListForHeal(ctx, bucket, p.scope.prefix, after, page_size_);
      if (!page.ok()) {
        co_return page.status();
      }
      for (const object::HealWalkPage::Entry& e : page->entries) {
        if (runner_.Stopping(seq) || ctx.IsCancelled()) {
          co_return Status(Errc::kCancelled, "heal sequence stopped");
        }
        const auto t0 = ScanClock::now();
        if (p.usage != nullptr && bucket != object::kSystemBucket) {
          BucketUsage& u = (*p.usage)[bucket];
          ++u.objects;
          u.bytes += static_cast<std::uint64_t>(std::max<std::int64_t>(e.size, 0));
        }
        HealProgress d;
        if (e.agree && !p.heal.deep_scan) {
          ++d.objects_scanned;
          d.bytes_scanned += static_cast<std::uint64_t>(std::max<std::int64_t>(e.size, 0));
        } else {
          auto versions = co_await set.VersionsToHeal(ctx, bucket, e.key, p.heal.deep_scan);
          if (!versions.ok()) {
            ++d.objects_scanned;
            ++d.objects_failed;
          } else if (versions->empty()) {
            ++d.objects_scanned;  // the drives agreed after all (a write finished meanwhile)
          }
          object::HealOptions ho = p.heal;
          ho.remove_dangling = ho.remove_dangling &&
                               (!p.dangling_needs_all_online || set.OnlineDrives() == set.size());
          std::vector<std::string> ids;
          if (versions.ok()) {
            ids = std::move(*versions);
          }
          for (const std::string& v : ids) {
            auto r = co_await set.HealObject(ctx, bucket, e.key, v, ho);
            if (r.ok()) {
              CountHealResult(d, *r, ho.dry_run);
            } else if (!ScanGone(r.code())) {
              ++d.objects_scanned;
              ++d.objects_failed;
              LOG_WARN("heal: {}/{} version '{}': {}", bucket, e.key, v, r.status().ToString());
            }
          }
        }
        count(d, bucket, e.key);
        after = e.key;
        if (p.after_key) {
          co_await p.after_key();
        }
        if (p.throttle) {
          const auto took = ScanClock::now() - t0;
          auto pause = std::chrono::duration_cast<std::chrono::nanoseconds>(took * p.sleep_factor);
          pause = std::min<std::chrono::nanoseconds>(pause, std::chrono::seconds(1));
          if (pause.count() > 0) {
            co_await HealSleep(pause);
          }
          // Writes in flight hold memory: yield to them (bounded, so the scan still moves).
          for (int i = 0; i < 100 && pools_.budget().used() > 0 && !runner_.Stopping(seq); ++i) {
            co_await HealSleep(std::chrono::milliseconds(10));
          }
        }
      }
      if (!page->truncated || page->entries.empty()) {
        break;
      }
    }
    // Then the bucket's multipart uploads in progress.
    auto uploads = co_await set.HealUploads(ctx, bucket, p.scope.prefix, p.heal.dry_run);
    if (!uploads.ok()) {
      if (uploads.code() == Errc::kCancelled) {
        co_return uploads.status();
      }
      LOG_WARN("heal: uploads of {}: {}", bucket, uploads.status().ToString());
    } else if (uploads->failed + uploads->busy > 0 ||
               uploads->records_healed + uploads->parts_healed > 0) {
      LOG_INFO(
          "heal: uploads of {}: {} looked at, {} records and {} part shards {}, {} failed, {} "
          "busy",
          bucket, uploads->uploads, uploads->records_healed, uploads->parts_healed,
          p.heal.dry_run ? "to heal" : "healed", uploads->failed, uploads->busy);
    }
    if (!uploads.ok() || uploads->failed > 0) {
      HealProgress d;
      d.objects_failed = 1;  // a drive heal is then kept for the next start
      count(d, bucket, after);
    }
  }
  co_return Status::Ok();
}

Task<std::vector<std::string>> SetWalker::BucketNames(const RequestContext& ctx) {
  std::map<std::string, bool> names;
  for (auto* set : pools_.AllSets()) {
    auto vols = co_await set->ListBuckets(ctx);
    if (vols.ok()) {
      for (const auto& v : *vols) {
        names.emplace(v.name, true);
      }
    }
  }
  std::vector<std::string> out;
  for (const auto& [name, unused] : names) {
    out.push_back(name);
  }
  co_return out;
}

Task<std::uint64_t> SetWalker::CountKeys(const RequestContext& ctx,
                                         const std::vector<object::ErasureSet*>& sets,
                                         const std::vector<std::string>& buckets,
                                         std::string_view prefix, const HealSequence& seq) {
  std::uint64_t n = 0;
  for (object::ErasureSet* set : sets) {
    for (const std::string& bucket : buckets) {
      std::string after;
      while (!runner_.Stopping(seq)) {
        auto page = co_await set->ListForHeal(ctx, bucket, prefix, after, page_size_);
        if (!page.ok() || page->entries.empty()) {
          break;
        }
        n += page->entries.size();
        after = page->entries.back().key;
        if (!page->truncated) {
          break;
        }
      }
    }
  }
  co_return n;
}

}  // namespace cairn::heal
