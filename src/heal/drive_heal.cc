#include "heal/drive_heal.h"

#include <algorithm>

#include "common/log.h"
#include "object/object_util.h"

namespace cairn::heal {

using object::DriveSlot;
using object::ErasureSet;
using object::NewUuid;
using object::NowNs;

DriveHeals::DriveHeals(object::ServerPools& pools, HealRunner& runner, SetWalker& walker,
                       std::chrono::milliseconds tracker_interval)
    : pools_(pools), runner_(runner), walker_(walker), tracker_interval_(tracker_interval) {}

Task<Result<std::string>> DriveHeals::Start(const RequestContext& ctx, DriveSlot slot) {
  CO_ASSIGN_OR_RETURN(ErasureSet * set, pools_.SetAt(slot));
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
  if (!runner_.Spawn(seq, [this, slot, seq]() { return Run(slot, seq); })) {
    co_return Status(Errc::kCancelled, "healing is stopping");
  }
  co_return p.id;
}

Task<void> DriveHeals::Resume(const RequestContext& ctx, const std::vector<DriveSlot>& slots) {
  for (const DriveSlot& slot : slots) {
    auto set = pools_.SetAt(slot);
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
    runner_.Spawn(seq, [this, slot, seq]() { return Run(slot, seq); });
  }
}

Task<Status> DriveHeals::Run(DriveSlot slot, std::shared_ptr<HealSequence> seq) {
  const RequestContext ctx = RequestContext::Background("drive-heal-" + seq->id());
  ErasureSet* set = pools_.SetAt(slot).value();
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
  co_await pools_.HealBuckets(ctx);
  const std::vector<std::string> buckets = co_await walker_.BucketNames(ctx);
  if (start.objects_total == 0) {
    const std::vector<ErasureSet*> sets{set};
    const std::string_view no_prefix;
    const std::uint64_t total = co_await walker_.CountKeys(ctx, sets, buckets, no_prefix, *seq);
    seq->Update([&](HealProgress& p) { p.objects_total = total; });
  }
  WalkParams wp;
  wp.resume_bucket = start.last_bucket;
  wp.resume_key = start.last_key;
  auto last_save = std::chrono::steady_clock::now();
  wp.after_key = [&]() -> Task<void> {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_save >= tracker_interval_) {
      last_save = now;
      co_await save();
    }
  };
  Status st = co_await walker_.Walk(ctx, *set, buckets, wp, *seq);
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

}  // namespace cairn::heal
