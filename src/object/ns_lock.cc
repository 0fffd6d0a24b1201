#include "object/ns_lock.h"

#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace cairn::object {

namespace asio = boost::asio;

namespace {

// A type-erased completion handler of signature void(bool). (Boost 1.81's
// any_completion_handler recurses without end on move assignment.)
class BoolHandler {
 public:
  virtual ~BoolHandler() = default;
  virtual void Call(bool granted) = 0;
};

template <class H>
class BoolHandlerImpl final : public BoolHandler {
 public:
  explicit BoolHandlerImpl(H h) : h_(std::move(h)) {}

  void Call(bool granted) override { std::move(h_)(granted); }

 private:
  H h_;
};

// One suspended Lock call. `handler` is set while it waits; whoever takes it (a release
// that grants the lock, or the timer) completes the wait, exactly once, under the mutex.
struct Waiter {
  Waiter(asio::any_io_executor executor, bool w) : ex(executor), timer(executor), write(w) {}

  asio::any_io_executor ex;
  asio::steady_timer timer;
  bool write;
  bool granted = false;
  std::unique_ptr<BoolHandler> handler;
};

struct Entry {
  int readers = 0;
  bool writer = false;
  std::deque<std::shared_ptr<Waiter>> queue;

  bool Idle() const { return readers == 0 && !writer && queue.empty(); }

  bool CanTake(bool write) const { return write ? (readers == 0 && !writer) : !writer; }

  void Take(bool write) {
    if (write) {
      writer = true;
    } else {
      ++readers;
    }
  }
};

void Complete(const std::shared_ptr<Waiter>& w, bool granted) {
  std::shared_ptr<BoolHandler> handler = std::move(w->handler);
  asio::post(w->ex, [w, granted, handler]() {
    w->timer.cancel();
    handler->Call(granted);
  });
}

}  // namespace

struct LocalNsLocker::Table {
  std::mutex mu;
  // Resource -> holders and waiters. Invariant: an entry is erased when Idle().
  std::unordered_map<std::string, Entry> entries;  // GUARDED_BY(mu)

  // Grants the lock to waiters at the head of the queue while they are compatible.
  // Requires mu held.
  void GrantWaiters(Entry& e) {
    while (!e.queue.empty()) {
      auto& w = e.queue.front();
      if (!e.CanTake(w->write)) {
        break;
      }
      e.Take(w->write);
      w->granted = true;
      if (w->handler) {
        Complete(w, true);
      }
      e.queue.pop_front();
    }
  }

  void Release(const std::string& resource, bool write) {
    std::lock_guard lock(mu);
    auto it = entries.find(resource);
    if (it == entries.end()) {
      return;
    }
    if (write) {
      it->second.writer = false;
    } else {
      --it->second.readers;
    }
    GrantWaiters(it->second);
    if (it->second.Idle()) {
      entries.erase(it);
    }
  }
};

namespace {

class LocalGuard final : public NsLockGuard {
 public:
  LocalGuard(std::shared_ptr<LocalNsLocker::Table> table, std::string resource, bool write)
      : table_(std::move(table)), resource_(std::move(resource)), write_(write) {}

  ~LocalGuard() override { table_->Release(resource_, write_); }

 private:
  std::shared_ptr<LocalNsLocker::Table> table_;
  std::string resource_;
  bool write_;
};

}  // namespace

LocalNsLocker::LocalNsLocker(std::chrono::milliseconds timeout)
    : timeout_(timeout), table_(std::make_shared<Table>()) {}

LocalNsLocker::~LocalNsLocker() = default;

std::size_t LocalNsLocker::ActiveForTest() const {
  std::lock_guard lock(table_->mu);
  return table_->entries.size();
}

Task<Result<std::unique_ptr<NsLockGuard>>> LocalNsLocker::Lock(const RequestContext& ctx,
                                                               std::string_view resource,
                                                               bool write) {
  if (ctx.IsCancelled()) {
    co_return Status(Errc::kCancelled, "request cancelled");
  }
  std::string name(resource);
  auto table = table_;
  std::shared_ptr<Waiter> waiter;
  {
    std::lock_guard lock(table->mu);
    Entry& e = table->entries[name];
    if (e.queue.empty() && e.CanTake(write)) {
      e.Take(write);
      co_return std::unique_ptr<NsLockGuard>(std::make_unique<LocalGuard>(table, name, write));
    }
    waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor, write);
    e.queue.push_back(waiter);
  }
  auto deadline = std::min(ctx.deadline, RequestContext::Clock::now() + timeout_);
  waiter->timer.expires_at(deadline);

  // The initiation captures only pointers to this frame's locals (it runs before the
  // frame can go away); the timer's handler owns what it needs.
  auto* table_ref = &table;
  auto* waiter_ref = &waiter;
  auto* name_ref = &name;
  bool granted = co_await asio::async_initiate<const asio::use_awaitable_t<>, void(bool)>(
      [table_ref, waiter_ref, name_ref](auto handler) {
        const std::shared_ptr<Table>& t = *table_ref;
        const std::shared_ptr<Waiter>& w = *waiter_ref;
        std::lock_guard lock(t->mu);
        if (w->granted) {
          asio::post(w->ex, [h = std::move(handler)]() mutable { std::move(h)(true); });
          return;
        }
        w->handler = std::make_unique<BoolHandlerImpl<decltype(handler)>>(std::move(handler));
        w->timer.async_wait([t, w, name = *name_ref](boost::system::error_code) {
          std::lock_guard lock(t->mu);
          if (!w->handler) {
            return;  // granted (or already completed) meanwhile
          }
          auto it = t->entries.find(name);
          if (it != t->entries.end()) {
            std::erase(it->second.queue, w);
            // A writer that gave up may have been blocking readers behind it.
            t->GrantWaiters(it->second);
            if (it->second.Idle()) {
              t->entries.erase(it);
            }
          }
          Complete(w, false);
        });
      },
      asio::use_awaitable);
  if (!granted) {
    co_return Status(Errc::kLockTimeout, "timed out waiting for lock on " + name);
  }
  co_return std::unique_ptr<NsLockGuard>(std::make_unique<LocalGuard>(table, name, write));
}

}  // namespace cairn::object
