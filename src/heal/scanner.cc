#include "heal/scanner.h"

#include <algorithm>
#include <charconv>
#include <functional>

#include <nlohmann/json.hpp>

#include "common/fan_out.h"
#include "common/log.h"
#include "object/object_util.h"

namespace cairn::heal {

using object::ErasureSet;
using object::NewUuid;
using object::NowNs;

namespace {

using ScannerClock = std::chrono::steady_clock;

constexpr std::string_view kScanCyclesRecord = "scanner-cycles";

// One RemoveOrphanData step's time budget: short enough for one RPC to a remote drive.
constexpr std::chrono::milliseconds kOrphanStepBudget{5000};

// When some node last finished scanning `set`: the "scanner-last" system record on its
// drives (ns since the epoch; 0 = never).
constexpr std::string_view kScanLastRecord = "scanner-last";

// Hands `take` record `name` from every online drive of `set` that has it.
Task<void> ReadOnSetDrives(const RequestContext& ctx, const ErasureSet& set, std::string_view name,
                           const std::function<void(std::string_view)>& take) {
  for (const auto& d : set.drives()) {
    if (!d || !d->IsOnline()) {
      continue;
    }
    auto r = co_await d->ReadSystemRecord(ctx, name);
    if (r.ok()) {
      take(*r);
    }
  }
}

Task<std::int64_t> ReadScanTime(const RequestContext& ctx, const ErasureSet& set) {
  std::int64_t best = 0;
  // A named local, not a temporary, in a co_await'ed call (GCC 12).
  const std::function<void(std::string_view)> take = [&best](std::string_view text) {
    std::int64_t v = 0;
    if (std::from_chars(text.data(), text.data() + text.size(), v).ec == std::errc()) {
      best = std::max(best, v);
    }
  };
  co_await ReadOnSetDrives(ctx, set, kScanLastRecord, take);
  co_return best;
}

// `text` as record `name` on every online drive of `set`, best effort (a drive that misses
// it is written again by the next pass).
Task<void> WriteOnSetDrives(const RequestContext& ctx, const ErasureSet& set, std::string_view name,
                            std::string_view text) {
  for (const auto& d : set.drives()) {
    if (d && d->IsOnline()) {
      Status st = co_await d->WriteSystemRecord(ctx, name, text);
      (void)st;
    }
  }
}

// Best effort: another node may scan the set once more.
Task<void> WriteScanTime(const RequestContext& ctx, const ErasureSet& set, std::int64_t ns) {
  const std::string text = std::to_string(ns);
  co_await WriteOnSetDrives(ctx, set, kScanLastRecord, text);
}

}  // namespace

std::string EncodeSetUsage(const std::map<std::string, BucketUsage>& usage, std::int64_t time_ns) {
  nlohmann::json buckets = nlohmann::json::object();
  for (const auto& [bucket, u] : usage) {
    buckets[bucket] = {{"objects", u.objects}, {"bytes", u.bytes}};
  }
  return nlohmann::json{{"time_ns", time_ns}, {"buckets", std::move(buckets)}}.dump();
}

std::optional<SetUsage> DecodeSetUsage(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("time_ns") || !j["time_ns"].is_number_integer() ||
      !j.contains("buckets") || !j["buckets"].is_object()) {
    return std::nullopt;
  }
  SetUsage out;
  out.time_ns = j["time_ns"].get<std::int64_t>();
  for (const auto& [bucket, u] : j["buckets"].items()) {
    if (u.is_object()) {
      out.buckets[bucket] =
          BucketUsage{u.value("objects", std::uint64_t{0}), u.value("bytes", std::uint64_t{0})};
    }
  }
  return out;
}

Task<void> WriteSetUsage(const RequestContext& ctx, const ErasureSet& set, std::string text) {
  co_await WriteOnSetDrives(ctx, set, kScanUsageRecord, text);
}

Task<std::optional<SetUsage>> ReadSetUsage(const RequestContext& ctx, const ErasureSet& set) {
  std::optional<SetUsage> best;
  const std::function<void(std::string_view)> take = [&best](std::string_view text) {
    std::optional<SetUsage> u = DecodeSetUsage(text);
    if (u && (!best || u->time_ns > best->time_ns)) {
      best = std::move(u);
    }
  };
  co_await ReadOnSetDrives(ctx, set, kScanUsageRecord, take);
  co_return best;
}

Scanner::Scanner(object::ServerPools& pools, HealRunner& runner, SetWalker& walker,
                 ScannerOptions opts)
    : pools_(pools), runner_(runner), walker_(walker), opts_(opts), lifecycle_(pools, [&opts] {
        LifecycleOptions lo = opts.lifecycle;
        lo.sleep_factor = opts.sleep_factor;
        return lo;
      }()) {}

void Scanner::Start() {
  runner_.Spawn(nullptr, [this]() -> Task<Status> {
    co_await Loop();
    co_return Status::Ok();
  });
}

Task<void> Scanner::Loop() {
  const RequestContext ctx = RequestContext::Background("scanner");
  std::uint64_t cycles = co_await LoadCycles(ctx);
  std::uint64_t last_total = 0;
  while (!runner_.stopping()) {
    const auto wake = ScannerClock::now() + opts_.interval;
    while (!runner_.stopping() && ScannerClock::now() < wake) {
      auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(wake - ScannerClock::now());
      co_await HealSleep(std::min<std::chrono::nanoseconds>(left, std::chrono::milliseconds(50)));
    }
    if (runner_.stopping()) {
      break;
    }
    ++cycles;
    HealProgress p;
    p.id = NewUuid();
    p.kind = HealSequenceKind::kScanner;
    p.options.deep_scan =
        opts_.deep_every > 0 && cycles % static_cast<std::uint64_t>(opts_.deep_every) == 0;
    p.options.remove_dangling = true;
    p.started_ns = NowNs();
    p.objects_total = last_total;
    auto seq = std::make_shared<HealSequence>(p);
    runner_.Register(seq);
    Status st = co_await Cycle(ctx, *seq);
    HealRunner::Finish(*seq, st);
    const HealProgress done = seq->Snapshot();
    last_total = done.objects_scanned;
    ++cycles_;
    if (done.objects_healed + done.objects_failed > 0) {
      LOG_INFO("scanner: cycle {}{}: {} scanned, {} healed, {} failed, {} dangling", cycles,
               p.options.deep_scan ? " (deep)" : "", done.objects_scanned, done.objects_healed,
               done.objects_failed, done.objects_dangling);
    }
    co_await SaveCycles(ctx, cycles);
  }
}

Task<Status> Scanner::Cycle(const RequestContext& ctx, HealSequence& seq) {
  co_await pools_.HealBuckets(ctx);
  const std::vector<std::string> buckets = co_await walker_.BucketNames(ctx);
  const HealProgress p = seq.Snapshot();
  for (std::size_t pi = 0; pi < pools_.pool_count(); ++pi) {
    for (std::size_t si = 0; si < pools_.set_count(pi); ++si) {
      if (runner_.Stopping(seq)) {
        co_return Status(Errc::kCancelled, "scanner stopped");
      }
      // One node scans a set per cycle: whoever takes its lock (waiting at most a second);
      // the others skip it.
      RequestContext lctx = ctx;
      lctx.deadline = ScannerClock::now() + std::chrono::seconds(1);
      const std::string resource =
          ".cairn.sys/scanner/" + std::to_string(pi) + "/" + std::to_string(si);
      auto guard = co_await pools_.locker().Lock(lctx, resource, true);
      if (!guard.ok()) {
        continue;
      }
      // A node that took the lock after another one finished the set skips it too.
      ErasureSet& set = pools_.Set(pi, si);
      const std::int64_t last = co_await ReadScanTime(ctx, set);
      const std::int64_t now_ns = NowNs();
      if (last > 0 && now_ns - last >= 0 &&
          std::chrono::nanoseconds(now_ns - last) < opts_.interval / 2) {
        continue;
      }
      std::map<std::string, BucketUsage> usage;
      WalkParams wp;
      wp.usage = &usage;
      wp.heal.deep_scan = p.options.deep_scan;
      wp.heal.remove_dangling = true;
      wp.dangling_needs_all_online = true;
      wp.throttle = true;
      wp.sleep_factor = opts_.sleep_factor;
      Status st = co_await walker_.Walk(ctx, set, buckets, wp, seq);
      if (st.code() == Errc::kCancelled) {
        co_return st;
      }
      co_await RemoveSetOrphans(ctx, set);
      const std::int64_t done_ns = NowNs();
      if (st.ok()) {
        std::string record = EncodeSetUsage(usage, done_ns);  // a named local for GCC 12
        co_await WriteSetUsage(ctx, set, std::move(record));
      }
      co_await WriteScanTime(ctx, set, done_ns);
      if (!st.ok()) {
        LOG_WARN("scanner: pool {} set {}: {}", pi, si, st.ToString());
      }
    }
  }
  co_await ApplyLifecycle(ctx, seq);
  co_return Status::Ok();
}

Task<void> Scanner::ApplyLifecycle(const RequestContext& ctx, HealSequence& seq) {
  if (!lifecycle_.enabled() || runner_.Stopping(seq)) {
    co_return;
  }
  // One node applies the rules at a time (the others find little left to do after it).
  RequestContext lctx = ctx;
  lctx.deadline = ScannerClock::now() + std::chrono::seconds(1);
  const std::string resource = ".cairn.sys/scanner/lifecycle";
  auto guard = co_await pools_.locker().Lock(lctx, resource, true);
  if (!guard.ok()) {
    co_return;
  }
  const std::function<bool()> stopping = [this, &seq] { return runner_.Stopping(seq); };
  co_await lifecycle_.RunCycle(ctx, NowNs(), stopping);
}

Task<void> Scanner::RemoveSetOrphans(const RequestContext& ctx, const ErasureSet& set) {
  const auto& drives = set.drives();
  auto results = co_await FanOut<Status>(drives.size(), [&](std::size_t i) -> Task<Status> {
    const auto& d = drives[i];
    if (!d || !d->IsOnline()) {
      co_return Status::Ok();
    }
    storage::OrphanCleanupOptions o;
    o.min_age = opts_.orphan_min_age;
    o.time_budget = kOrphanStepBudget;
    while (!runner_.stopping() && !ctx.IsCancelled()) {
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

Task<std::uint64_t> Scanner::LoadCycles(const RequestContext& ctx) {
  std::uint64_t best = 0;
  for (const auto& d : pools_.Set(0, 0).drives()) {
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

Task<void> Scanner::SaveCycles(const RequestContext& ctx, std::uint64_t cycles) {
  const std::string text = std::to_string(cycles);
  for (const auto& d : pools_.Set(0, 0).drives()) {
    if (d && d->IsOnline()) {
      Status st = co_await d->WriteSystemRecord(ctx, kScanCyclesRecord, text);
      (void)st;  // best effort: the cadence only shifts a little when a drive misses it
    }
  }
}

}  // namespace cairn::heal
