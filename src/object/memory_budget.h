// MemoryBudget: a bound on the bytes of erasure block buffers that requests in flight may
// hold at once, so that memory does not grow with concurrency (DESIGN.md section 2). A PUT
// reserves its buffers before it streams; past the budget it waits, in arrival order, and
// gets kSlowDown (503 SlowDown) if no room is made within the wait limit. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

#include "common/status.h"
#include "common/task.h"

namespace cairn::object {

class MemoryBudget {
  struct Waiter;

 public:
  // Holds reserved bytes; gives them back when destroyed. Movable.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    ~Lease();

    std::size_t bytes() const { return bytes_; }

   private:
    friend class MemoryBudget;

    Lease(MemoryBudget* budget, std::size_t bytes) : budget_(budget), bytes_(bytes) {}

    MemoryBudget* budget_ = nullptr;
    std::size_t bytes_ = 0;
  };

  // `capacity` bytes; 0 = unbounded. `max_wait`: how long Acquire waits for room.
  MemoryBudget(std::size_t capacity, std::chrono::milliseconds max_wait);
  ~MemoryBudget();
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  // Reserves `bytes` (a request larger than the capacity is clamped to it, so it can still
  // run alone). Resumes on the caller's executor. Errors: kSlowDown after max_wait.
  Task<Result<Lease>> Acquire(std::size_t bytes);

  std::size_t capacity() const { return capacity_; }

  // Bytes reserved now, and requests waiting; for tests and metrics.
  std::size_t used() const;
  std::size_t waiting() const;

 private:
  void Release(std::size_t bytes);
  // Grants waiters at the front of the queue while they fit. Called with mu_ held.
  void GrantLocked();

  const std::size_t capacity_;
  const std::chrono::milliseconds max_wait_;
  mutable std::mutex mu_;
  std::size_t used_ = 0;                       // GUARDED_BY(mu_)
  std::deque<std::shared_ptr<Waiter>> queue_;  // GUARDED_BY(mu_): first come, first served
};

}  // namespace cairn::object
