// HealSequence: the shared state of one heal sequence (an admin heal, a drive heal, or one
// scanner cycle): its progress, updated by the walk and copied out for the admin API, and
// its stop flag. Also the heal tracker, a drive heal's progress as it is persisted in the
// drive's "heal-tracker" system record so that the heal resumes after a restart.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/task.h"
#include "heal/heal_admin.h"
#include "object/heal_types.h"

namespace cairn::heal {

using object::HealResult;

class HealSequence {
 public:
  explicit HealSequence(HealProgress initial) : id_(initial.id), p_(std::move(initial)) {}

  HealSequence(const HealSequence&) = delete;
  HealSequence& operator=(const HealSequence&) = delete;

  const std::string& id() const { return id_; }

  HealProgress Snapshot() const {
    std::lock_guard lock(mu_);
    return p_;
  }

  // Runs fn(HealProgress&) under the lock. Any thread.
  template <class F>
  void Update(F&& fn) {
    std::lock_guard lock(mu_);
    fn(p_);
  }

  void Stop() { stop_ = true; }

  bool stopping() const { return stop_.load(std::memory_order_relaxed); }

  bool running() const {
    std::lock_guard lock(mu_);
    return p_.state == HealSequenceState::kRunning;
  }

 private:
  const std::string id_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  HealProgress p_;  // GUARDED_BY(mu_)
};

// Counts what HealObject did to one version into `p` (scanned, healed, failed, dangling,
// bytes). `dry_run`: a version that needed a change counts as healed.
void CountHealResult(HealProgress& p, const HealResult& r, bool dry_run);

// Sleeps `d` on the caller's executor (heal walks pause between objects and cycles).
Task<void> HealSleep(std::chrono::nanoseconds d);

// The name of a drive's heal tracker system record.
inline constexpr std::string_view kHealTrackerRecord = "heal-tracker";

// A drive heal's tracker: id, start time, counters and where the walk is (JSON).
std::string EncodeHealTracker(const HealProgress& p);
// Errors: kFileCorrupt (not a tracker).
Result<HealProgress> DecodeHealTracker(std::string_view text);

}  // namespace cairn::heal
