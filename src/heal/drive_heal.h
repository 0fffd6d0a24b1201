// DriveHeals: a drive that was replaced or wiped gets a heal sequence (kind kDrive) that walks
// its whole set and heals every object onto it. Its progress is persisted in the drive's
// "heal-tracker" system record every few seconds, so a restart resumes the walk where it
// was; the record goes when the heal is done. The node that owns the drive runs its heal.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"
#include "heal/heal_runner.h"
#include "heal/set_walker.h"
#include "object/server_pools.h"

namespace cairn::heal {

class DriveHeals {
 public:
  // Everything passed outlives this object. A running heal saves its tracker at most every
  // `tracker_interval`.
  DriveHeals(object::ServerPools& pools, HealRunner& runner, SetWalker& walker,
             std::chrono::milliseconds tracker_interval);

  // Starts a drive heal for `slot` (a drive that was replaced or wiped and freshly
  // formatted): writes its heal tracker, then walks its set and heals every object onto it.
  // The caller owns the drive (it is on this node). Returns the sequence id.
  // Errors: kInvalidArgument (no such slot), kDiskNotFound (absent drive), kCancelled
  // (stopping), the drive's errors.
  Task<Result<std::string>> Start(const RequestContext& ctx, object::DriveSlot slot);
  // Resumes the drive heal of every drive in `slots` that holds a heal tracker (a heal that a
  // restart interrupted), from where its tracker says. Drives without one are left alone.
  Task<void> Resume(const RequestContext& ctx, const std::vector<object::DriveSlot>& slots);

 private:
  Task<Status> Run(object::DriveSlot slot, std::shared_ptr<HealSequence> seq);

  object::ServerPools& pools_;
  HealRunner& runner_;
  SetWalker& walker_;
  const std::chrono::milliseconds tracker_interval_;
};

}  // namespace cairn::heal
