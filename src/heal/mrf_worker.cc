#include "heal/mrf_worker.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/fan_out.h"
#include "common/log.h"

namespace cairn::heal {

using object::ErasureSet;
using object::HealDriveState;

namespace {

// An entry that waits for an offline drive is retried at least this often (a drive whose
// IsOnline never changes, a local one, is noticed by the retry), and given up after this many.
constexpr int kHealMaxDriveWaits = 2880;

}  // namespace

MrfWorker::MrfWorker(object::ServerPools& pools, MrfQueue& queue, HealRunner& runner,
                     MrfWorkerOptions opts)
    : pools_(pools), queue_(queue), runner_(runner), opts_(std::move(opts)) {}

void MrfWorker::Start() {
  runner_.Spawn(nullptr, [this]() -> Task<Status> {
    co_await Loop();
    co_return Status::Ok();
  });
}

Task<void> MrfWorker::Loop() {
  auto ex = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(ex);
  const RequestContext ctx = RequestContext::Background("heal");
  const std::vector<ErasureSet*> sets = pools_.AllSets();
  std::vector<std::vector<bool>> online;
  for (const ErasureSet* s : sets) {
    auto& v = online.emplace_back();
    for (const auto& d : s->drives()) {
      v.push_back(d && d->IsOnline());
    }
  }
  auto next_poll = MrfQueue::Clock::now() + opts_.drive_poll;
  co_await Load(ctx);  // the queue saved before a restart (mrf_record.cc)
  while (!runner_.stopping()) {
    auto now = MrfQueue::Clock::now();
    if (now >= next_poll) {
      next_poll = now + opts_.drive_poll;
      ++drive_polls_;
      bool back = false;
      for (std::size_t s = 0; s < sets.size(); ++s) {
        for (std::size_t i = 0; i < online[s].size(); ++i) {
          const auto& d = sets[s]->drives()[i];
          const bool on = d && d->IsOnline();
          if (on && !online[s][i]) {
            LOG_INFO("heal: drive {} is back online", d->endpoint());
            back = true;
          }
          online[s][i] = on;
        }
      }
      if (back) {
        co_await pools_.HealBuckets(ctx);
        queue_.WakeWaiting();
      }
    }
    // A few objects at a time (each under its own lock); never two heals of one object.
    std::vector<MrfQueue::Entry> due = queue_.TakeDue(now, opts_.concurrency);
    auto done = co_await FanOut<Status>(due.size(), [&](std::size_t i) -> Task<Status> {
      co_await HealEntry(due[i]);
      co_return Status::Ok();
    });
    (void)done;
    co_await Save(ctx, /*force=*/false);
    if (due.empty()) {
      timer.expires_after(opts_.idle_poll);
      auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      (void)ec;
    }
  }
  co_await Save(ctx, /*force=*/true);
}

Task<void> MrfWorker::HealEntry(MrfQueue::Entry& e) {
  const auto start = MrfQueue::Clock::now();
  if (e.waits_for_drive) {
    // Without I/O: while every drive it waits for still reports offline, the entry waits on.
    // (A drive that answered with errors but reports online is retried with I/O.)
    bool known = false;
    bool any_back = false;
    for (std::size_t i = 0; i < e.offline.size(); ++i) {
      const auto& d = e.set->drives()[i];
      known = known || e.offline[i];
      any_back = any_back || (e.offline[i] && d && d->IsOnline());
    }
    if (known && !any_back) {
      e.due = start + opts_.retry_max;
      if (++e.waits > kHealMaxDriveWaits) {
        LOG_WARN("heal: giving up on {}/{}: a drive stayed offline", e.bucket, e.key);
        queue_.Finish(false);
      } else {
        queue_.Requeue(std::move(e));
      }
      co_return;
    }
  }
  RequestContext ctx = RequestContext::Background("heal");
  ctx.deadline = start + std::chrono::minutes(10);  // a hung drive does not stall the worker
  object::HealOptions hopts;
  hopts.deep_scan = e.deep;
  ++heals_tried_;
  auto r = co_await e.set->HealObject(ctx, e.bucket, e.key, e.version_id, hopts);
  const auto now = MrfQueue::Clock::now();
  if (r.ok() && !r->Pending()) {
    queue_.Finish(true);
    co_return;
  }
  if (!r.ok() && (r.code() == Errc::kNoSuchKey || r.code() == Errc::kNoSuchVersion ||
                  r.code() == Errc::kNoSuchBucket)) {
    queue_.Finish(true);  // gone since it was queued: nothing left to heal
    co_return;
  }
  const bool waits = r.ok() ? r->WaitsForDrive() && r->Count(HealDriveState::kFailed) == 0
                            : r.code() == Errc::kReadQuorum;
  if (waits) {
    if (++e.waits > kHealMaxDriveWaits) {
      LOG_WARN("heal: giving up on {}/{}: a drive stayed offline", e.bucket, e.key);
      queue_.Finish(false);
      co_return;
    }
    e.waits_for_drive = true;
    e.due = now + opts_.retry_max;
    e.offline.assign(e.set->drives().size(), false);
    for (std::size_t i = 0; i < e.offline.size(); ++i) {
      const auto& d = e.set->drives()[i];
      e.offline[i] = r.ok() ? r->drives[i].state == HealDriveState::kOffline : !d || !d->IsOnline();
    }
  } else {
    if (++e.attempts >= opts_.max_attempts) {
      LOG_WARN("heal: giving up on {}/{} after {} attempts: {}", e.bucket, e.key, e.attempts,
               r.ok() ? std::string("a drive could not be healed") : r.status().ToString());
      queue_.Finish(false);
      co_return;
    }
    e.waits_for_drive = false;
    const std::chrono::milliseconds delay =
        opts_.retry_base * (std::int64_t{1} << std::min(e.attempts - 1, 16));
    e.due = now + std::min(delay, opts_.retry_max);
  }
  queue_.Requeue(std::move(e));
}

}  // namespace cairn::heal
