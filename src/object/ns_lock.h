// Namespace locks: per-resource reader/writer locks that serialize writers of one object
// (and uploads) while letting readers share. `NsLocker` is the interface the object layer
// uses; `LocalNsLocker` serves one process, the distributed (dsync) locker implements the
// same interface later. Waiting never blocks a thread: a waiter suspends on an asio timer.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"

namespace cairn::object {

// A held lock; destroying it releases the lock. May be destroyed on any thread.
class NsLockGuard {
 public:
  NsLockGuard() = default;
  NsLockGuard(const NsLockGuard&) = delete;
  NsLockGuard& operator=(const NsLockGuard&) = delete;
  virtual ~NsLockGuard() = default;

  // True once the lock may no longer be held (a distributed lock whose quorum was lost); long
  // operations check it between steps. A local lock is never lost. Thread-safe.
  virtual bool lost() const { return false; }
};

class NsLocker {
 public:
  NsLocker() = default;
  NsLocker(const NsLocker&) = delete;
  NsLocker& operator=(const NsLocker&) = delete;
  virtual ~NsLocker() = default;

  // Takes `resource` shared (write = false) or exclusive (write = true). Waits at most until
  // the earlier of ctx.deadline and the locker's own timeout. Errors: kLockTimeout,
  // kCancelled. Callable from any executor; resumes on the caller's executor.
  virtual Task<Result<std::unique_ptr<NsLockGuard>>> Lock(const RequestContext& ctx,
                                                          std::string_view resource,
                                                          bool write) = 0;
};

// In-process locker: a table of resources, each with its holders and a FIFO queue of
// waiters (a queued writer blocks later readers, so writers do not starve).
class LocalNsLocker final : public NsLocker {
 public:
  explicit LocalNsLocker(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~LocalNsLocker() override;

  Task<Result<std::unique_ptr<NsLockGuard>>> Lock(const RequestContext& ctx,
                                                  std::string_view resource, bool write) override;

  // Number of resources with holders or waiters (tests).
  std::size_t ActiveForTest() const;

  struct Table;

 private:
  std::chrono::milliseconds timeout_;
  std::shared_ptr<Table> table_;  // shared with guards, which may outlive the locker
};

}  // namespace cairn::object
