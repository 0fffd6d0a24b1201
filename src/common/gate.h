// Gate: counts work in flight (background coroutines, requests) so that shutdown can refuse
// new work and wait for what runs to end, instead of each owner counting by hand with its
// own mutex and condition variable. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace cairn {

class Gate {
 public:
  Gate() = default;
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  // Counts one piece of work in; false once Close() was called (then the caller does not
  // start it, and must not call Leave()).
  bool Enter() {
    std::lock_guard lock(mu_);
    if (closed_) {
      return false;
    }
    ++inside_;
    return true;
  }

  // The work Enter() counted has ended.
  void Leave() {
    std::lock_guard lock(mu_);
    if (--inside_ == 0) {
      cv_.notify_all();
    }
  }

  // Refuses new work and blocks until every piece that entered has left. Idempotent. Must
  // not be called from work that is inside the gate (it would wait for itself).
  void Close() {
    std::unique_lock lock(mu_);
    closed_ = true;
    cv_.wait(lock, [this] { return inside_ == 0; });
  }

  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }

  std::size_t inside() const {
    std::lock_guard lock(mu_);
    return inside_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;     // GUARDED_BY(mu_)
  std::size_t inside_ = 0;  // GUARDED_BY(mu_)
};

}  // namespace cairn
