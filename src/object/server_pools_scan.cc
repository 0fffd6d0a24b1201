// ServerPools: heal sequences and the scanner. A sequence walks sets and buckets in key order
// (ErasureSet::ListForHeal: every key that any drive holds), skips keys whose copies agree on
// every drive without taking a lock, and runs HealObject on each version that differs (or on
// every version with deep_scan). Sequences run in the background on the heal strand, one key
// at a time, and check their stop flag between keys. The scanner is server_pools_scanner.cc.
#include <algorithm>
#include <map>

#include <boost/asio/co_spawn.hpp>

#include "common/log.h"
#include "object/object_util.h"
#include "object/server_pools.h"

namespace cairn::object {

namespace {

using ScanClock = std::chrono::steady_clock;

constexpr std::chrono::hours kScanKeepFinished{1};

// Owns `body` (a coroutine lambda refers to its captures through the closure) while it runs.
Task<Status> ScanRunBody(std::function<Task<Status>()> body) {
  Status st = co_await body();
  co_return st;
}

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

// --- The walk ---

Task<Status> ServerPools::WalkSet(const RequestContext& ctx, ErasureSet& set,
                                  const std::vector<std::string>& buckets, const WalkParams& p,
                                  HealSequence& seq) {
  auto count = [&](const HealProgress& d, const std::string& bucket, const std::string& key) {
    seq.Update([&](HealProgress& to) {
      ScanAdd(to, d);
      to.last_bucket = bucket;
      to.last_key = key;
    });
    seq_scanned_ += d.objects_scanned;
    seq_healed_ += d.objects_healed;
    seq_failed_ += d.objects_failed;
    seq_bytes_healed_ += d.bytes_healed;
  };
  for (const std::string& bucket : buckets) {
    if (!p.resume_bucket.empty() && bucket < p.resume_bucket) {
      continue;
    }
    std::string after = bucket == p.resume_bucket ? p.resume_key : std::string();
    for (;;) {
      if (Stopping(seq) || ctx.IsCancelled()) {
        co_return Status(Errc::kCancelled, "heal sequence stopped");
      }
      auto page =
          co_await set.ListForHeal(ctx, bucket, p.scope.prefix, after, opts_.heal_page_size);
      if (!page.ok()) {
        co_return page.status();
      }
      for (const HealWalkPage::Entry& e : page->entries) {
        if (Stopping(seq) || ctx.IsCancelled()) {
          co_return Status(Errc::kCancelled, "heal sequence stopped");
        }
        const auto t0 = ScanClock::now();
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
          HealOptions ho = p.heal;
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
          auto pause = std::chrono::duration_cast<std::chrono::nanoseconds>(
              took * opts_.scanner_sleep_factor);
          pause = std::min<std::chrono::nanoseconds>(pause, std::chrono::seconds(1));
          if (pause.count() > 0) {
            co_await HealSleep(pause);
          }
          // Writes in flight hold memory: yield to them (bounded, so the scan still moves).
          for (int i = 0; i < 100 && budget_->used() > 0 && !Stopping(seq); ++i) {
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

Task<std::vector<std::string>> ServerPools::HealBucketNames(const RequestContext& ctx) {
  std::map<std::string, bool> names;
  for (auto* set : AllSets()) {
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

Task<std::uint64_t> ServerPools::CountKeys(const RequestContext& ctx,
                                           const std::vector<ErasureSet*>& sets,
                                           const std::vector<std::string>& buckets,
                                           std::string_view prefix, const HealSequence& seq) {
  std::uint64_t n = 0;
  for (ErasureSet* set : sets) {
    for (const std::string& bucket : buckets) {
      std::string after;
      while (!Stopping(seq)) {
        auto page = co_await set->ListForHeal(ctx, bucket, prefix, after, opts_.heal_page_size);
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

// --- Sequences ---

void ServerPools::RegisterSequence(std::shared_ptr<HealSequence> seq) {
  std::lock_guard lock(seq_mu_);
  seqs_.push_back(std::move(seq));
  PruneSequencesLocked();
}

void ServerPools::PruneSequencesLocked() {
  const std::int64_t oldest =
      NowNs() - std::chrono::duration_cast<std::chrono::nanoseconds>(kScanKeepFinished).count();
  std::size_t finished = 0;
  for (const auto& s : seqs_) {
    finished += s->running() ? 0 : 1;
  }
  std::erase_if(seqs_, [&](const std::shared_ptr<HealSequence>& s) {
    if (s->running()) {
      return false;
    }
    const HealProgress snap = s->Snapshot();
    if (finished > opts_.heal_finished_kept || snap.ended_ns < oldest) {
      --finished;
      return true;
    }
    return false;
  });
}

void ServerPools::FinishSequence(HealSequence& seq, const Status& st) {
  seq.Update([&](HealProgress& p) {
    if (st.ok()) {
      p.state = HealSequenceState::kDone;
    } else if (st.code() == Errc::kCancelled) {
      p.state = HealSequenceState::kStopped;
    } else {
      p.state = HealSequenceState::kFailed;
      p.error = st.ToString();
    }
    p.ended_ns = NowNs();
  });
}

void ServerPools::SpawnSequence(std::shared_ptr<HealSequence> seq,
                                std::function<Task<Status>()> body) {
  {
    std::lock_guard lock(seq_mu_);
    ++seq_tasks_;
  }
  if (seq) {
    RegisterSequence(seq);
  }
  boost::asio::co_spawn(*heal_strand_, ScanRunBody(std::move(body)),
                        [this, seq](std::exception_ptr e, Status st) {
                          if (e) {
                            LOG_ERROR("heal: a heal sequence stopped on an exception");
                            st = Status(Errc::kInternal, "exception in a heal sequence");
                          }
                          if (seq) {
                            FinishSequence(*seq, st);
                          }
                          std::lock_guard lock(seq_mu_);
                          --seq_tasks_;
                          seq_cv_.notify_all();
                        });
}

void ServerPools::StopSequences() {
  heal_stop_ = true;
  std::unique_lock lock(seq_mu_);
  for (const auto& s : seqs_) {
    s->Stop();
  }
  seq_cv_.wait(lock, [this] { return seq_tasks_ == 0; });
}

Task<Result<std::string>> ServerPools::StartHeal(const RequestContext& ctx, const HealScope& scope,
                                                 const HealSequenceOptions& opts) {
  if (scope.bucket.empty() && !scope.prefix.empty()) {
    co_return Status(Errc::kInvalidArgument, "a heal prefix needs a bucket");
  }
  if (!scope.bucket.empty()) {
    CO_ASSIGN_OR_RETURN(auto info, co_await GetBucketInfo(ctx, scope.bucket));
    (void)info;
  }
  {
    std::lock_guard lock(seq_mu_);
    for (const auto& s : seqs_) {
      const HealProgress snap = s->Snapshot();
      if (snap.state == HealSequenceState::kRunning && snap.kind == HealSequenceKind::kAdmin &&
          snap.scope.bucket == scope.bucket && snap.scope.prefix == scope.prefix) {
        co_return snap.id;
      }
    }
  }
  HealProgress p;
  p.id = NewUuid();
  p.kind = HealSequenceKind::kAdmin;
  p.scope = scope;
  p.options = opts;
  p.started_ns = NowNs();
  auto seq = std::make_shared<HealSequence>(p);
  SpawnSequence(seq, [this, seq, scope, opts]() -> Task<Status> {
    const RequestContext hctx = RequestContext::Background("heal-" + seq->id());
    if (!opts.dry_run) {
      co_await HealBuckets(hctx);  // the buckets themselves first
    }
    std::vector<std::string> buckets;
    if (scope.bucket.empty()) {
      buckets = co_await HealBucketNames(hctx);
    } else {
      buckets.push_back(scope.bucket);
    }
    const std::vector<ErasureSet*> sets = AllSets();
    const std::uint64_t total = co_await CountKeys(hctx, sets, buckets, scope.prefix, *seq);
    seq->Update([&](HealProgress& pr) { pr.objects_total = total; });
    WalkParams wp;
    wp.scope = scope;
    wp.heal.deep_scan = opts.deep_scan;
    wp.heal.remove_dangling = opts.remove_dangling;
    wp.heal.dry_run = opts.dry_run;
    for (ErasureSet* set : sets) {
      Status st = co_await WalkSet(hctx, *set, buckets, wp, *seq);
      if (!st.ok()) {
        co_return st;
      }
    }
    const HealProgress done = seq->Snapshot();
    LOG_INFO("heal: sequence {} done: {} scanned, {} healed, {} failed, {} dangling", done.id,
             done.objects_scanned, done.objects_healed, done.objects_failed, done.objects_dangling);
    co_return Status::Ok();
  });
  co_return p.id;
}

Result<HealProgress> ServerPools::GetHealProgress(std::string_view id) const {
  std::lock_guard lock(seq_mu_);
  for (const auto& s : seqs_) {
    if (s->id() == id) {
      return s->Snapshot();
    }
  }
  return Status(Errc::kNotFound, "no heal sequence " + std::string(id));
}

Status ServerPools::StopHeal(std::string_view id) {
  std::lock_guard lock(seq_mu_);
  for (const auto& s : seqs_) {
    if (s->id() == id) {
      s->Stop();
      return Status::Ok();
    }
  }
  return Status(Errc::kNotFound, "no heal sequence " + std::string(id));
}

std::vector<HealProgress> ServerPools::ListHeals() const {
  std::lock_guard lock(seq_mu_);
  std::vector<HealProgress> out;
  for (const auto& s : seqs_) {
    out.push_back(s->Snapshot());
  }
  return out;
}

HealCounters ServerPools::GetHealCounters() const {
  HealCounters c;
  const MrfQueue::Stats m = mrf_->stats();
  c.mrf_pushed = m.pushed;
  c.mrf_dropped = m.dropped;
  c.mrf_healed = m.healed;
  c.mrf_failed = m.failed;
  c.mrf_queued = m.queued;
  c.scanner_cycles = scanner_cycles_;
  c.objects_scanned = seq_scanned_;
  c.objects_healed = seq_healed_;
  c.objects_failed = seq_failed_;
  c.bytes_healed = seq_bytes_healed_;
  c.orphans_removed = orphans_removed_;
  c.orphan_bytes_removed = orphan_bytes_removed_;
  return c;
}

}  // namespace cairn::object
