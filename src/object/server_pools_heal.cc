// ServerPools: the reactive heal worker. One coroutine on the compute pool takes due entries
// of the MRF queue and heals them one at a time (so healing never crowds out client traffic),
// retries what failed with a doubling delay, keeps what waits for an offline drive until the
// drive is back, and polls the drives: a drive that comes back online first gets the buckets
// it lacks, then every entry that waited for a drive is retried.
#include <algorithm>
#include <mutex>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/fan_out.h"
#include "common/log.h"
#include "object/object_util.h"
#include "object/server_pools.h"

namespace cairn::object {

namespace {

// An entry that waits for an offline drive is retried at least this often (a drive whose
// IsOnline never changes, a local one, is noticed by the retry), and given up after this many.
constexpr int kHealMaxDriveWaits = 2880;

}  // namespace

Task<Result<HealResult>> ServerPools::HealObject(const RequestContext& ctx, std::string_view bucket,
                                                 std::string_view key, std::string_view version_id,
                                                 const HealOptions& opts) {
  CO_RETURN_IF_ERROR(CheckObjectName(key));
  CO_ASSIGN_OR_RETURN(std::size_t pool, co_await PoolForRead(ctx, bucket, key, version_id));
  co_return co_await SetOf(pool, key).HealObject(ctx, bucket, key, version_id, opts);
}

void ServerPools::StartHealing() {
  heal_running_ = true;
  // On a strand: the worker and the heals it runs at once are coroutines of one logical
  // thread, as a request's are on its network thread (the code below the object layer
  // assumes that); the compute pool's threads still do the coding and hashing.
  boost::asio::co_spawn(*heal_strand_, HealLoop(), [this](std::exception_ptr e) {
    if (e) {
      LOG_ERROR("heal: the heal worker stopped on an exception");
    }
    std::lock_guard lock(heal_mu_);
    heal_done_ = true;
    heal_cv_.notify_all();
  });
}

void ServerPools::StopHealing() {
  if (!heal_running_) {
    return;
  }
  heal_stop_ = true;
  std::unique_lock lock(heal_mu_);
  heal_cv_.wait(lock, [this] { return heal_done_; });
  heal_running_ = false;
}

Task<void> ServerPools::HealLoop() {
  auto ex = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer timer(ex);
  const RequestContext ctx = RequestContext::Background("heal");
  const std::vector<ErasureSet*> sets = AllSets();
  std::vector<std::vector<bool>> online;
  for (const ErasureSet* s : sets) {
    auto& v = online.emplace_back();
    for (const auto& d : s->drives()) {
      v.push_back(d && d->IsOnline());
    }
  }
  auto next_poll = MrfQueue::Clock::now() + opts_.drive_poll;
  co_await LoadMrf(ctx);  // the queue saved before a restart (server_pools_mrf.cc)
  while (!heal_stop_) {
    auto now = MrfQueue::Clock::now();
    if (now >= next_poll) {
      next_poll = now + opts_.drive_poll;
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
        co_await HealBuckets(ctx);
        mrf_->WakeWaiting();
      }
    }
    // A few objects at a time (each under its own lock); never two heals of one object.
    std::vector<MrfQueue::Entry> due = mrf_->TakeDue(now, opts_.heal_concurrency);
    auto done = co_await FanOut<Status>(due.size(), [&](std::size_t i) -> Task<Status> {
      co_await HealEntry(due[i]);
      co_return Status::Ok();
    });
    (void)done;
    co_await SaveMrf(ctx, /*force=*/false);
    if (due.empty()) {
      timer.expires_after(opts_.heal_idle_poll);
      auto [ec] = co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      (void)ec;
    }
  }
  co_await SaveMrf(ctx, /*force=*/true);
}

Task<void> ServerPools::HealEntry(MrfQueue::Entry& e) {
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
      e.due = start + opts_.heal_retry_max;
      if (++e.waits > kHealMaxDriveWaits) {
        LOG_WARN("heal: giving up on {}/{}: a drive stayed offline", e.bucket, e.key);
        mrf_->Finish(false);
      } else {
        mrf_->Requeue(std::move(e));
      }
      co_return;
    }
  }
  RequestContext ctx = RequestContext::Background("heal");
  ctx.deadline = start + std::chrono::minutes(10);  // a hung drive does not stall the worker
  HealOptions hopts;
  hopts.deep_scan = e.deep;
  auto r = co_await e.set->HealObject(ctx, e.bucket, e.key, e.version_id, hopts);
  const auto now = MrfQueue::Clock::now();
  if (r.ok() && !r->Pending()) {
    mrf_->Finish(true);
    co_return;
  }
  if (!r.ok() && (r.code() == Errc::kNoSuchKey || r.code() == Errc::kNoSuchVersion ||
                  r.code() == Errc::kNoSuchBucket)) {
    mrf_->Finish(true);  // gone since it was queued: nothing left to heal
    co_return;
  }
  const bool waits = r.ok() ? r->WaitsForDrive() && r->Count(HealDriveState::kFailed) == 0
                            : r.code() == Errc::kReadQuorum;
  if (waits) {
    if (++e.waits > kHealMaxDriveWaits) {
      LOG_WARN("heal: giving up on {}/{}: a drive stayed offline", e.bucket, e.key);
      mrf_->Finish(false);
      co_return;
    }
    e.waits_for_drive = true;
    e.due = now + opts_.heal_retry_max;
    e.offline.assign(e.set->drives().size(), false);
    for (std::size_t i = 0; i < e.offline.size(); ++i) {
      const auto& d = e.set->drives()[i];
      e.offline[i] = r.ok() ? r->drives[i].state == HealDriveState::kOffline : !d || !d->IsOnline();
    }
  } else {
    if (++e.attempts >= opts_.heal_max_attempts) {
      LOG_WARN("heal: giving up on {}/{} after {} attempts: {}", e.bucket, e.key, e.attempts,
               r.ok() ? std::string("a drive could not be healed") : r.status().ToString());
      mrf_->Finish(false);
      co_return;
    }
    e.waits_for_drive = false;
    const std::chrono::milliseconds delay =
        opts_.heal_retry_base * (std::int64_t{1} << std::min(e.attempts - 1, 16));
    e.due = now + std::min(delay, opts_.heal_retry_max);
  }
  mrf_->Requeue(std::move(e));
}

}  // namespace cairn::object
