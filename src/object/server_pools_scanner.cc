// ServerPools: the scanner. One background loop runs a heal sequence (kind kScanner) per
// cycle over every set and bucket: throttled, it heals what differs between the drives,
// purges dangling versions while every drive of the set is online, and every Nth cycle
// verifies every shard's bitrot hash. In a cluster each node runs it; a per-set lock and the
// set's "scanner-last" record make one node scan a set per cycle.
#include <algorithm>
#include <charconv>

#include "common/fan_out.h"
#include "common/log.h"
#include "object/object_util.h"
#include "object/server_pools.h"

namespace cairn::object {

namespace {

using ScannerClock = std::chrono::steady_clock;

constexpr std::string_view kScanCyclesRecord = "scanner-cycles";

// One RemoveOrphanData step's time budget: short enough for one RPC to a remote drive.
constexpr std::chrono::milliseconds kOrphanStepBudget{5000};

// When some node last finished scanning `set`: the "scanner-last" system record on its
// drives (ns since the epoch; 0 = never).
constexpr std::string_view kScanLastRecord = "scanner-last";

Task<std::int64_t> ReadScanTime(const RequestContext& ctx, const ErasureSet& set) {
  std::int64_t best = 0;
  for (const auto& d : set.drives()) {
    if (!d || !d->IsOnline()) {
      continue;
    }
    auto r = co_await d->ReadSystemRecord(ctx, kScanLastRecord);
    std::int64_t v = 0;
    if (r.ok() && std::from_chars(r->data(), r->data() + r->size(), v).ec == std::errc()) {
      best = std::max(best, v);
    }
  }
  co_return best;
}

Task<void> WriteScanTime(const RequestContext& ctx, const ErasureSet& set, std::int64_t ns) {
  const std::string text = std::to_string(ns);
  for (const auto& d : set.drives()) {
    if (d && d->IsOnline()) {
      Status st = co_await d->WriteSystemRecord(ctx, kScanLastRecord, text);
      (void)st;  // best effort: another node may scan the set once more
    }
  }
}

}  // namespace

Task<void> ServerPools::ScannerLoop() {
  const RequestContext ctx = RequestContext::Background("scanner");
  std::uint64_t cycles = co_await LoadScannerCycles(ctx);
  std::uint64_t last_total = 0;
  while (!heal_stop_) {
    const auto wake = ScannerClock::now() + opts_.scanner_interval;
    while (!heal_stop_ && ScannerClock::now() < wake) {
      auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(wake - ScannerClock::now());
      co_await HealSleep(std::min<std::chrono::nanoseconds>(left, std::chrono::milliseconds(50)));
    }
    if (heal_stop_) {
      break;
    }
    ++cycles;
    HealProgress p;
    p.id = NewUuid();
    p.kind = HealSequenceKind::kScanner;
    p.options.deep_scan = opts_.scanner_deep_every > 0 &&
                          cycles % static_cast<std::uint64_t>(opts_.scanner_deep_every) == 0;
    p.options.remove_dangling = true;
    p.started_ns = NowNs();
    p.objects_total = last_total;
    auto seq = std::make_shared<HealSequence>(p);
    RegisterSequence(seq);
    Status st = co_await ScanCycle(ctx, *seq);
    FinishSequence(*seq, st);
    const HealProgress done = seq->Snapshot();
    last_total = done.objects_scanned;
    ++scanner_cycles_;
    if (done.objects_healed + done.objects_failed > 0) {
      LOG_INFO("scanner: cycle {}{}: {} scanned, {} healed, {} failed, {} dangling", cycles,
               p.options.deep_scan ? " (deep)" : "", done.objects_scanned, done.objects_healed,
               done.objects_failed, done.objects_dangling);
    }
    co_await SaveScannerCycles(ctx, cycles);
  }
}

Task<Status> ServerPools::ScanCycle(const RequestContext& ctx, HealSequence& seq) {
  co_await HealBuckets(ctx);
  const std::vector<std::string> buckets = co_await HealBucketNames(ctx);
  const HealProgress p = seq.Snapshot();
  for (std::size_t pi = 0; pi < pools_.size(); ++pi) {
    for (std::size_t si = 0; si < pools_[pi].size(); ++si) {
      if (Stopping(seq)) {
        co_return Status(Errc::kCancelled, "scanner stopped");
      }
      // One node scans a set per cycle: whoever takes its lock (waiting at most a second);
      // the others skip it.
      RequestContext lctx = ctx;
      lctx.deadline = ScannerClock::now() + std::chrono::seconds(1);
      const std::string resource =
          ".cairn.sys/scanner/" + std::to_string(pi) + "/" + std::to_string(si);
      auto guard = co_await locker_->Lock(lctx, resource, true);
      if (!guard.ok()) {
        continue;
      }
      // A node that took the lock after another one finished the set skips it too.
      ErasureSet& set = *pools_[pi][si];
      const std::int64_t last = co_await ReadScanTime(ctx, set);
      const std::int64_t now_ns = NowNs();
      if (last > 0 && now_ns - last >= 0 &&
          std::chrono::nanoseconds(now_ns - last) < opts_.scanner_interval / 2) {
        continue;
      }
      WalkParams wp;
      wp.heal.deep_scan = p.options.deep_scan;
      wp.heal.remove_dangling = true;
      wp.dangling_needs_all_online = true;
      wp.throttle = true;
      Status st = co_await WalkSet(ctx, set, buckets, wp, seq);
      if (st.code() == Errc::kCancelled) {
        co_return st;
      }
      co_await RemoveSetOrphans(ctx, set);
      co_await WriteScanTime(ctx, set, NowNs());
      if (!st.ok()) {
        LOG_WARN("scanner: pool {} set {}: {}", pi, si, st.ToString());
      }
    }
  }
  co_return Status::Ok();
}

Task<void> ServerPools::RemoveSetOrphans(const RequestContext& ctx, const ErasureSet& set) {
  const auto& drives = set.drives();
  auto results = co_await FanOut<Status>(drives.size(), [&](std::size_t i) -> Task<Status> {
    const auto& d = drives[i];
    if (!d || !d->IsOnline()) {
      co_return Status::Ok();
    }
    storage::OrphanCleanupOptions o;
    o.min_age = opts_.orphan_min_age;
    o.time_budget = kOrphanStepBudget;
    while (!heal_stop_ && !ctx.IsCancelled()) {
      auto r = co_await d->RemoveOrphanData(ctx, o);
      if (!r.ok()) {
        co_return r.status();
      }
      orphans_removed_ += r->data_dirs + r->tmp_entries;
      orphan_bytes_removed_ += r->data_bytes + r->tmp_bytes;
      // A step always advances; a reply that does not (a bad peer) ends the drive's pass.
      if (r->next_fan_out >= storage::kDataFanOuts || r->next_fan_out <= o.first_fan_out) {
        break;
      }
      o.first_fan_out = r->next_fan_out;
    }
    co_return Status::Ok();
  });
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (!results[i].ok()) {
      LOG_WARN("scanner: orphan cleanup of {}: {}", drives[i] ? drives[i]->endpoint() : "?",
               results[i].ToString());
    }
  }
}

Task<std::uint64_t> ServerPools::LoadScannerCycles(const RequestContext& ctx) {
  std::uint64_t best = 0;
  for (const auto& d : pools_[0][0]->drives()) {
    if (!d || !d->IsOnline()) {
      continue;
    }
    auto r = co_await d->ReadSystemRecord(ctx, kScanCyclesRecord);
    std::uint64_t v = 0;
    if (r.ok() && std::from_chars(r->data(), r->data() + r->size(), v).ec == std::errc()) {
      best = std::max(best, v);
    }
  }
  co_return best;
}

Task<void> ServerPools::SaveScannerCycles(const RequestContext& ctx, std::uint64_t cycles) {
  const std::string text = std::to_string(cycles);
  for (const auto& d : pools_[0][0]->drives()) {
    if (d && d->IsOnline()) {
      Status st = co_await d->WriteSystemRecord(ctx, kScanCyclesRecord, text);
      (void)st;  // best effort: the cadence only shifts a little when a drive misses it
    }
  }
}

}  // namespace cairn::object
