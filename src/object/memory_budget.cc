#include "object/memory_budget.h"

#include <algorithm>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace cairn::object {

namespace asio = boost::asio;

// One suspended Acquire. The timer is touched only on the waiter's executor (its own
// coroutine, or a cancel posted there), which runs one handler at a time.
struct MemoryBudget::Waiter {
  Waiter(asio::any_io_executor executor, std::size_t b) : ex(executor), timer(executor), bytes(b) {}

  asio::any_io_executor ex;
  asio::steady_timer timer;
  std::size_t bytes;
  bool granted = false;  // GUARDED_BY(MemoryBudget::mu_)
};

MemoryBudget::Lease::Lease(Lease&& other) noexcept
    : budget_(std::exchange(other.budget_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

MemoryBudget::Lease& MemoryBudget::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (budget_ != nullptr) {
      budget_->Release(bytes_);
    }
    budget_ = std::exchange(other.budget_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

MemoryBudget::Lease::~Lease() {
  if (budget_ != nullptr) {
    budget_->Release(bytes_);
  }
}

MemoryBudget::MemoryBudget(std::size_t capacity, std::chrono::milliseconds max_wait)
    : capacity_(capacity), max_wait_(max_wait) {}

MemoryBudget::~MemoryBudget() = default;

std::size_t MemoryBudget::used() const {
  std::lock_guard lock(mu_);
  return used_;
}

std::size_t MemoryBudget::waiting() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

Task<Result<MemoryBudget::Lease>> MemoryBudget::Acquire(std::size_t bytes) {
  if (capacity_ == 0) {
    co_return Lease();
  }
  bytes = std::min(bytes, capacity_);
  auto ex = co_await asio::this_coro::executor;
  std::shared_ptr<Waiter> w;
  {
    std::lock_guard lock(mu_);
    if (queue_.empty() && used_ + bytes <= capacity_) {
      used_ += bytes;
      co_return Lease(this, bytes);
    }
    w = std::make_shared<Waiter>(ex, bytes);
    queue_.push_back(w);
  }
  // A grant cancels the timer through a post to this executor, which cannot run before
  // this coroutine suspends in async_wait.
  w->timer.expires_after(max_wait_);
  auto [ec] = co_await w->timer.async_wait(asio::as_tuple(asio::use_awaitable));
  (void)ec;
  {
    std::lock_guard lock(mu_);
    if (w->granted) {
      co_return Lease(this, bytes);
    }
    queue_.erase(std::find(queue_.begin(), queue_.end(), w));
    GrantLocked();  // the head may have left: those behind it may fit now
  }
  co_return Status(Errc::kSlowDown, "the server's memory budget for requests in flight is spent");
}

void MemoryBudget::Release(std::size_t bytes) {
  std::lock_guard lock(mu_);
  used_ -= std::min(bytes, used_);
  GrantLocked();
}

void MemoryBudget::GrantLocked() {
  while (!queue_.empty() && used_ + queue_.front()->bytes <= capacity_) {
    std::shared_ptr<Waiter> w = std::move(queue_.front());
    queue_.pop_front();
    used_ += w->bytes;
    w->granted = true;
    asio::post(w->ex, [w] { w->timer.cancel(); });
  }
}

}  // namespace cairn::object
