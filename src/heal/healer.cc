#include "heal/healer.h"

#include <map>

#include "common/fan_out.h"
#include "common/log.h"
#include "object/object_util.h"

namespace cairn::heal {

using object::ErasureSet;
using object::NewUuid;
using object::NowNs;

Healer::Healer(object::ServerPools& pools, std::shared_ptr<MrfQueue> queue, HealerOptions opts)
    : pools_(pools),
      queue_(std::move(queue)),
      opts_(std::move(opts)),
      runner_(pools.compute(), opts_.finished_kept),
      walker_(pools, runner_, opts_.page_size),
      mrf_worker_(pools, *queue_, runner_, opts_.mrf),
      scanner_(pools, runner_, walker_, opts_.scan),
      drive_heals_(pools, runner_, walker_, opts_.tracker_interval) {}

Healer::~Healer() {
  Stop();
}

void Healer::Start() {
  if (opts_.mrf_worker) {
    mrf_worker_.Start();
  }
  if (opts_.scanner) {
    scanner_.Start();
  }
}

void Healer::Stop() {
  runner_.Stop();
}

Task<Result<std::string>> Healer::StartHeal(const RequestContext& ctx, const HealScope& scope,
                                            const HealSequenceOptions& opts) {
  if (scope.bucket.empty() && !scope.prefix.empty()) {
    co_return Status(Errc::kInvalidArgument, "a heal prefix needs a bucket");
  }
  if (!scope.bucket.empty()) {
    CO_ASSIGN_OR_RETURN(auto info, co_await pools_.GetBucketInfo(ctx, scope.bucket));
    (void)info;
  }
  if (auto running = runner_.RunningAdmin(scope)) {
    co_return running->id();
  }
  HealProgress p;
  p.id = NewUuid();
  p.kind = HealSequenceKind::kAdmin;
  p.scope = scope;
  p.options = opts;
  p.started_ns = NowNs();
  auto seq = std::make_shared<HealSequence>(p);
  const bool spawned = runner_.Spawn(seq, [this, seq, scope, opts]() -> Task<Status> {
    const RequestContext hctx = RequestContext::Background("heal-" + seq->id());
    if (!opts.dry_run) {
      co_await pools_.HealBuckets(hctx);  // the buckets themselves first
    }
    std::vector<std::string> buckets;
    if (scope.bucket.empty()) {
      buckets = co_await walker_.BucketNames(hctx);
    } else {
      buckets.push_back(scope.bucket);
    }
    const std::vector<ErasureSet*> sets = pools_.AllSets();
    const std::uint64_t total = co_await walker_.CountKeys(hctx, sets, buckets, scope.prefix, *seq);
    seq->Update([&](HealProgress& pr) { pr.objects_total = total; });
    WalkParams wp;
    wp.scope = scope;
    wp.heal.deep_scan = opts.deep_scan;
    wp.heal.remove_dangling = opts.remove_dangling;
    wp.heal.dry_run = opts.dry_run;
    for (ErasureSet* set : sets) {
      Status st = co_await walker_.Walk(hctx, *set, buckets, wp, *seq);
      if (!st.ok()) {
        co_return st;
      }
    }
    const HealProgress done = seq->Snapshot();
    LOG_INFO("heal: sequence {} done: {} scanned, {} healed, {} failed, {} dangling", done.id,
             done.objects_scanned, done.objects_healed, done.objects_failed, done.objects_dangling);
    co_return Status::Ok();
  });
  if (!spawned) {
    co_return Status(Errc::kCancelled, "healing is stopping");
  }
  co_return p.id;
}

Result<HealProgress> Healer::GetHealProgress(std::string_view id) const {
  return runner_.Progress(id);
}

Status Healer::StopHeal(std::string_view id) {
  return runner_.StopSequence(id);
}

std::vector<HealProgress> Healer::ListHeals() const {
  return runner_.List();
}

Task<DataUsage> Healer::GetDataUsage(const RequestContext& ctx) {
  std::vector<const object::ErasureSet*> sets;
  for (std::size_t p = 0; p < pools_.pool_count(); ++p) {
    for (std::size_t s = 0; s < pools_.set_count(p); ++s) {
      sets.push_back(&pools_.Set(p, s));
    }
  }
  auto records = co_await FanOut<std::optional<SetUsage>>(
      sets.size(), [&](std::size_t i) { return ReadSetUsage(ctx, *sets[i]); });
  DataUsage out;
  bool all = !records.empty();
  for (const std::optional<SetUsage>& r : records) {
    if (!r) {
      all = false;  // a set not scanned yet: what is known is partial
      continue;
    }
    out.updated_ns = out.updated_ns == 0 ? r->time_ns : std::min(out.updated_ns, r->time_ns);
    for (const auto& [bucket, u] : r->buckets) {
      BucketUsage& sum = out.buckets[bucket];
      sum.objects += u.objects;
      sum.bytes += u.bytes;
    }
  }
  if (!all) {
    out.updated_ns = 0;
  }
  co_return out;
}

HealCounters Healer::GetHealCounters() const {
  HealCounters c;
  const MrfQueue::Stats m = queue_->stats();
  c.mrf_pushed = m.pushed;
  c.mrf_dropped = m.dropped;
  c.mrf_healed = m.healed;
  c.mrf_failed = m.failed;
  c.mrf_queued = m.queued;
  c.scanner_cycles = scanner_.cycles();
  const WalkTotals& t = walker_.totals();
  c.objects_scanned = t.scanned;
  c.objects_healed = t.healed;
  c.objects_failed = t.failed;
  c.bytes_healed = t.bytes_healed;
  c.orphans_removed = scanner_.orphans_removed();
  c.orphan_bytes_removed = scanner_.orphan_bytes_removed();
  const LifecycleCounters lc = scanner_.lifecycle_counters();
  c.lifecycle_expired_objects = lc.expired_objects;
  c.lifecycle_expired_versions = lc.expired_versions;
  c.lifecycle_expired_delete_markers = lc.expired_delete_markers;
  c.lifecycle_uploads_aborted = lc.uploads_aborted;
  return c;
}

Task<Result<std::string>> Healer::StartDriveHeal(const RequestContext& ctx,
                                                 object::DriveSlot slot) {
  co_return co_await drive_heals_.Start(ctx, slot);
}

Task<void> Healer::ResumeDriveHeals(const RequestContext& ctx,
                                    const std::vector<object::DriveSlot>& slots) {
  co_await drive_heals_.Resume(ctx, slots);
}

Task<std::vector<DriveStatus>> Healer::GetDriveStatus(const RequestContext& ctx) {
  const std::map<std::string, std::string> healing = runner_.RunningDriveHeals();
  std::vector<DriveStatus> out;
  std::vector<ErasureSet::DrivePtr> drives;
  for (std::size_t p = 0; p < pools_.pool_count(); ++p) {
    for (std::size_t s = 0; s < pools_.set_count(p); ++s) {
      const auto& ds = pools_.Set(p, s).drives();
      for (std::size_t i = 0; i < ds.size(); ++i) {
        DriveStatus st;
        st.pool = static_cast<int>(p);
        st.set = static_cast<int>(s);
        st.index = static_cast<int>(i);
        st.parity = pools_.Set(p, s).parity();
        st.endpoint = ds[i] ? ds[i]->endpoint() : std::string();
        out.push_back(std::move(st));
        drives.push_back(ds[i]);
      }
    }
  }
  auto infos = co_await FanOut<Result<storage::DiskInfo>>(
      drives.size(), [&](std::size_t i) -> Task<Result<storage::DiskInfo>> {
        if (!drives[i] || !drives[i]->IsOnline()) {
          co_return Status(Errc::kDiskNotFound, "offline");
        }
        co_return co_await drives[i]->GetDiskInfo(ctx);
      });
  for (std::size_t i = 0; i < out.size(); ++i) {
    DriveStatus& st = out[i];
    if (!drives[i] || !drives[i]->IsOnline()) {
      st.state = DriveState::kOffline;
      continue;
    }
    if (!infos[i].ok()) {
      st.state =
          infos[i].code() == Errc::kDiskNotFound ? DriveState::kOffline : DriveState::kFaulty;
      continue;
    }
    st.total = infos[i]->total;
    st.free = infos[i]->free;
    auto it = healing.find(st.endpoint);
    if (it != healing.end()) {
      st.state = DriveState::kHealing;
      st.heal_id = it->second;
    } else if (infos[i]->healing) {
      st.state = DriveState::kHealing;
    }
  }
  co_return out;
}

}  // namespace cairn::heal
