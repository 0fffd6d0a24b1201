// ServerPools: drive heals and drive status. A drive that was replaced or wiped gets a heal
// sequence (kind kDrive) that walks its whole set and heals every object onto it. Its
// progress is persisted in the drive's "heal-tracker" system record every few seconds, so a
// restart resumes the walk where it was; the record goes when the heal is done. The node
// that owns the drive runs its heal.
#include <algorithm>
#include <map>

#include "common/fan_out.h"
#include "common/log.h"
#include "object/object_util.h"
#include "object/server_pools.h"

namespace cairn::object {

Result<ErasureSet*> ServerPools::SetAt(DriveSlot slot) const {
  if (slot.pool >= pools_.size() || slot.set >= pools_[slot.pool].size() ||
      slot.index >= pools_[slot.pool][slot.set]->drives().size()) {
    return Status(Errc::kInvalidArgument, "no such drive slot");
  }
  return pools_[slot.pool][slot.set].get();
}

Task<Result<std::string>> ServerPools::StartDriveHeal(const RequestContext& ctx, DriveSlot slot) {
  CO_ASSIGN_OR_RETURN(ErasureSet * set, SetAt(slot));
  auto drive = set->Drive(slot.index);
  if (!drive) {
    co_return Status(Errc::kDiskNotFound, "the drive to heal is absent");
  }
  HealProgress p;
  p.id = NewUuid();
  p.kind = HealSequenceKind::kDrive;
  p.drive = drive->endpoint();
  p.started_ns = NowNs();
  const std::string text = EncodeHealTracker(p);
  CO_RETURN_IF_ERROR(co_await drive->WriteSystemRecord(ctx, kHealTrackerRecord, text));
  auto seq = std::make_shared<HealSequence>(p);
  SpawnSequence(seq, [this, slot, seq]() { return RunDriveHeal(slot, seq); });
  co_return p.id;
}

Task<void> ServerPools::ResumeDriveHeals(const RequestContext& ctx,
                                         const std::vector<DriveSlot>& slots) {
  for (const DriveSlot& slot : slots) {
    auto set = SetAt(slot);
    if (!set.ok()) {
      continue;
    }
    auto drive = (*set)->Drive(slot.index);
    if (!drive || !drive->IsOnline()) {
      continue;
    }
    auto text = co_await drive->ReadSystemRecord(ctx, kHealTrackerRecord);
    if (!text.ok()) {
      if (text.code() != Errc::kFileNotFound) {
        LOG_WARN("heal: cannot read the heal tracker of {}: {}", drive->endpoint(),
                 text.status().ToString());
      }
      continue;
    }
    auto p = DecodeHealTracker(*text);
    if (!p.ok()) {
      LOG_WARN("heal: the heal tracker of {} is unreadable; healing the drive from the start",
               drive->endpoint());
      p = HealProgress{};
    }
    p->kind = HealSequenceKind::kDrive;
    p->state = HealSequenceState::kRunning;
    p->drive = drive->endpoint();
    if (p->id.empty()) {
      p->id = NewUuid();
    }
    if (p->started_ns == 0) {
      p->started_ns = NowNs();
    }
    if (p->last_bucket.empty()) {
      LOG_INFO("heal: drive {} needs healing (heal {})", p->drive, p->id);
    } else {
      LOG_INFO("heal: resuming the drive heal {} of {} after {}/{}", p->id, p->drive,
               p->last_bucket, p->last_key);
    }
    auto seq = std::make_shared<HealSequence>(std::move(*p));
    SpawnSequence(seq, [this, slot, seq]() { return RunDriveHeal(slot, seq); });
  }
}

Task<Status> ServerPools::RunDriveHeal(DriveSlot slot, std::shared_ptr<HealSequence> seq) {
  const RequestContext ctx = RequestContext::Background("drive-heal-" + seq->id());
  ErasureSet* set = SetAt(slot).value();
  auto drive = set->Drive(slot.index);
  const HealProgress start = seq->Snapshot();
  LOG_INFO("heal: drive heal {} of {} started", start.id, start.drive);
  auto save = [&]() -> Task<void> {
    const std::string text = EncodeHealTracker(seq->Snapshot());
    Status st = co_await drive->WriteSystemRecord(ctx, kHealTrackerRecord, text);
    if (!st.ok()) {
      LOG_WARN("heal: cannot save the heal tracker of {}: {}", start.drive, st.ToString());
    }
  };
  co_await HealBuckets(ctx);
  const std::vector<std::string> buckets = co_await HealBucketNames(ctx);
  if (start.objects_total == 0) {
    const std::vector<ErasureSet*> sets{set};
    const std::string_view no_prefix;
    const std::uint64_t total = co_await CountKeys(ctx, sets, buckets, no_prefix, *seq);
    seq->Update([&](HealProgress& p) { p.objects_total = total; });
  }
  WalkParams wp;
  wp.resume_bucket = start.last_bucket;
  wp.resume_key = start.last_key;
  auto last_save = std::chrono::steady_clock::now();
  wp.after_key = [&]() -> Task<void> {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_save >= opts_.heal_tracker_interval) {
      last_save = now;
      co_await save();
    }
  };
  Status st = co_await WalkSet(ctx, *set, buckets, wp, *seq);
  const HealProgress end = seq->Snapshot();
  if (!st.ok()) {
    co_await save();  // resumable: the next start continues from here
    LOG_WARN("heal: drive heal {} of {} stopped after {} objects: {}", end.id, end.drive,
             end.objects_scanned, st.ToString());
    co_return st;
  }
  if (end.objects_failed > 0 || !drive->IsOnline()) {
    // Not every object reached the drive (or the drive stopped answering, so the walk saw
    // only agreeing copies): keep the tracker, from the start, so that the next start heals
    // the drive again; the scanner heals what it can meanwhile.
    seq->Update([](HealProgress& p) {
      p.last_bucket.clear();
      p.last_key.clear();
    });
    co_await save();
    LOG_WARN("heal: drive heal {} of {} ended with {} objects failed{}; kept for the next start",
             end.id, end.drive, end.objects_failed,
             drive->IsOnline() ? "" : " and the drive offline");
    co_return Status(Errc::kInternal, "the drive heal did not reach every object");
  }
  Status removed = co_await drive->DeleteSystemRecord(ctx, kHealTrackerRecord);
  if (!removed.ok()) {
    LOG_WARN("heal: cannot remove the heal tracker of {}: {}", end.drive, removed.ToString());
  }
  LOG_INFO(
      "heal: drive heal {} of {} finished: {} objects scanned, {} healed, {} failed, {} bytes "
      "healed",
      end.id, end.drive, end.objects_scanned, end.objects_healed, end.objects_failed,
      end.bytes_healed);
  co_return Status::Ok();
}

Task<std::vector<DriveStatus>> ServerPools::GetDriveStatus(const RequestContext& ctx) {
  std::map<std::string, std::string> healing;  // endpoint -> drive heal id
  {
    std::lock_guard lock(seq_mu_);
    for (const auto& s : seqs_) {
      const HealProgress p = s->Snapshot();
      if (p.kind == HealSequenceKind::kDrive && p.state == HealSequenceState::kRunning) {
        healing[p.drive] = p.id;
      }
    }
  }
  std::vector<DriveStatus> out;
  std::vector<ErasureSet::DrivePtr> drives;
  for (std::size_t p = 0; p < pools_.size(); ++p) {
    for (std::size_t s = 0; s < pools_[p].size(); ++s) {
      const auto& ds = pools_[p][s]->drives();
      for (std::size_t i = 0; i < ds.size(); ++i) {
        DriveStatus st;
        st.pool = static_cast<int>(p);
        st.set = static_cast<int>(s);
        st.index = static_cast<int>(i);
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

}  // namespace cairn::object
