// Healer: everything that heals in the background, started and stopped by the server. It
// owns the MRF worker (reactive heals of what writes and reads queued), the scanner, drive
// heals and admin heal sequences, all running on one HealRunner over the object layer's
// compute pool, and answers the admin API (HealAdmin). The object layer knows none of it:
// its erasure sets only push into the MRF queue, through object::HealQueue.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"
#include "heal/drive_heal.h"
#include "heal/heal_admin.h"
#include "heal/heal_runner.h"
#include "heal/mrf_queue.h"
#include "heal/mrf_worker.h"
#include "heal/scanner.h"
#include "heal/set_walker.h"
#include "object/server_pools.h"

namespace cairn::heal {

struct HealerOptions {
  // The MRF worker heals what the queue collects (the server turns it on).
  bool mrf_worker = true;
  MrfWorkerOptions mrf;
  // The scanner's background passes (off unless asked).
  bool scanner = false;
  ScannerOptions scan;
  // Heal sequences: keys listed per page, and the finished sequences kept for
  // GetHealProgress (at most this many, for at most an hour).
  std::size_t page_size = 500;
  std::size_t finished_kept = 64;
  std::chrono::milliseconds tracker_interval{5000};  // a drive heal saves its tracker
};

class Healer final : public HealAdmin {
 public:
  // `pools` outlives the healer; `queue` is the one the pools' sets push into
  // (ServerPoolsOptions::heal_queue). Nothing runs before Start().
  Healer(object::ServerPools& pools, std::shared_ptr<MrfQueue> queue, HealerOptions opts);
  ~Healer() override;  // Stop()

  // Starts the MRF worker and the scanner as the options say.
  void Start();
  // Stops every sequence and the background loops, and waits for them (the MRF worker saves
  // its queue first). Idempotent; must run before the object layer goes away.
  void Stop();

  // HealAdmin.
  Task<Result<std::string>> StartHeal(const RequestContext& ctx, const HealScope& scope,
                                      const HealSequenceOptions& opts) override;
  Result<HealProgress> GetHealProgress(std::string_view id) const override;
  Status StopHeal(std::string_view id) override;
  std::vector<HealProgress> ListHeals() const override;
  Task<std::vector<DriveStatus>> GetDriveStatus(const RequestContext& ctx) override;
  HealCounters GetHealCounters() const override;
  Task<DataUsage> GetDataUsage(const RequestContext& ctx) override;

  // Drive heals (DriveHeals::Start and Resume).
  Task<Result<std::string>> StartDriveHeal(const RequestContext& ctx, object::DriveSlot slot);
  Task<void> ResumeDriveHeals(const RequestContext& ctx,
                              const std::vector<object::DriveSlot>& slots);

  // The reactive heal queue and its worker (their stats are for tests and metrics).
  const MrfQueue& mrf() const { return *queue_; }

  const MrfWorker& mrf_worker() const { return mrf_worker_; }

 private:
  object::ServerPools& pools_;
  const std::shared_ptr<MrfQueue> queue_;
  const HealerOptions opts_;
  HealRunner runner_;
  SetWalker walker_;
  MrfWorker mrf_worker_;
  Scanner scanner_;
  DriveHeals drive_heals_;
};

}  // namespace cairn::heal
