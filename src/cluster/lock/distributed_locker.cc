#include "cluster/lock/distributed_locker.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "common/fan_out.h"
#include "common/log.h"

namespace cairn::lock {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using Strand = asio::strand<asio::any_io_executor>;

std::size_t WriteLockQuorum(std::size_t n) {
  return n / 2 + 1;
}

std::size_t ReadLockQuorum(std::size_t n) {
  return n - n / 2;
}

struct DistributedLocker::Shared {
  Shared(asio::any_io_executor ex, std::vector<std::shared_ptr<LockClient>> n,
         DistributedLockerOptions o)
      : executor(std::move(ex)), nodes(std::move(n)), options(std::move(o)) {
    seed = options.seed != 0
               ? options.seed
               : (std::uint64_t{std::random_device{}()} << 32) | std::random_device{}();
    rng.seed(seed);
    // A holder must get at least two refresh rounds into each validity window.
    options.refresh_interval = std::clamp(options.refresh_interval, std::chrono::milliseconds(1),
                                          std::max(options.ttl / 2, std::chrono::milliseconds(1)));
  }

  // Cluster-wide unique: the owner tells nodes apart, the counter attempts of one node, the
  // random part restarts of a node.
  std::string NewUid() {
    std::lock_guard lock(mu);
    return fmt::format("{}:{:016x}:{}", options.owner, rng(), ++counter);
  }

  Clock::duration Backoff(unsigned attempt) {
    using std::chrono::microseconds;
    const auto lo = std::chrono::duration_cast<microseconds>(options.retry_min);
    auto hi = std::chrono::duration_cast<microseconds>(
        options.retry_min + options.retry_step * std::min(attempt, 1000u));
    hi = std::max(lo, std::min(hi, std::chrono::duration_cast<microseconds>(options.retry_max)));
    std::lock_guard lock(mu);
    std::uniform_int_distribution<std::int64_t> pick(lo.count(), hi.count());
    return microseconds(pick(rng));
  }

  const asio::any_io_executor executor;
  const std::vector<std::shared_ptr<LockClient>> nodes;
  DistributedLockerOptions options;
  std::uint64_t seed = 0;
  std::atomic<std::size_t> held{0};

  std::mutex mu;
  std::mt19937_64 rng;        // GUARDED_BY(mu)
  std::uint64_t counter = 0;  // GUARDED_BY(mu)
};

// One lock from its first attempt to its release. Fields marked "strand" are touched only
// on `strand`; the atomics may be read anywhere.
struct DistributedLockGuard::Hold {
  Hold(std::shared_ptr<DistributedLocker::Shared> sh, std::string resource, bool w,
       std::string source)
      : shared(std::move(sh)),
        strand(asio::make_strand(shared->executor)),
        write(w),
        quorum(w ? WriteLockQuorum(shared->nodes.size()) : ReadLockQuorum(shared->nodes.size())) {
    args.resource = std::move(resource);
    args.owner = shared->options.owner;
    args.source = std::move(source);
    args.ttl = shared->options.ttl;
  }

  LockOp acquire_op() const { return write ? LockOp::kLock : LockOp::kRLock; }

  LockOp release_op() const { return write ? LockOp::kUnlock : LockOp::kRUnlock; }

  const std::shared_ptr<DistributedLocker::Shared> shared;
  const Strand strand;
  const bool write;
  const std::size_t quorum;
  LockArgs args;  // strand until granted, then constant: uid is the granted attempt's

  bool released = false;                              // strand
  std::unique_ptr<asio::steady_timer> refresh_timer;  // strand

  std::atomic<bool> lost{false};
  // Until when a quorum vouches for the lock: send time of the last confirmed round + ttl.
  std::atomic<Clock::rep> valid_until{0};
};

namespace {

using Hold = DistributedLockGuard::Hold;

enum class Reply : std::uint8_t { kPending, kYes, kNo, kFailed };

// One call sent to every node, and what came back. Lives on the hold's strand.
struct Round {
  Round(const Strand& strand, std::size_t n) : wake(strand), replies(n, Reply::kPending) {}

  void Count(std::size_t i, const Result<bool>& r) {
    replies[i] = !r.ok() ? Reply::kFailed : (*r ? Reply::kYes : Reply::kNo);
    ++(!r.ok() ? failed : (*r ? yes : no));
  }

  // Quorum reached, out of reach, or every node answered.
  bool Decided(std::size_t quorum) const {
    const std::size_t n = replies.size();
    return yes >= quorum || no + failed > n - quorum || yes + no + failed == n;
  }

  asio::steady_timer wake;  // cancelled at each reply
  std::vector<Reply> replies;
  std::size_t yes = 0;
  std::size_t no = 0;
  std::size_t failed = 0;
  bool done = false;       // the round was decided; later replies are late
  bool succeeded = false;  // an acquisition round that took the lock
};

RequestContext CallContext(const Hold& hold, Clock::time_point deadline) {
  RequestContext ctx = RequestContext::Background(hold.args.source);
  ctx.deadline = deadline;
  return ctx;
}

// Gives back `args`' grant on node i (the hold's release op). An answer ends it (true:
// released; false: not held there); a node that does not confirm it (kNodeOffline:
// unreachable; kTimeout: no answer in time, so the release may never have arrived) is asked
// again every release_retry until the grant has
// expired there by itself (ttl from now: it was refreshed at the latest just before this).
// A release lost to a partition would otherwise block the resource on the nodes it did not
// reach for up to a ttl after the partition healed, and if those are a majority, nobody
// could take it meanwhile.
Task<void> ReleaseOne(std::shared_ptr<Hold> hold, std::size_t i, LockArgs args) {
  const auto& opts = hold->shared->options;
  LockClient& node = *hold->shared->nodes[i];
  const LockOp op = hold->release_op();
  const auto until = Clock::now() + opts.ttl;
  std::unique_ptr<asio::steady_timer> timer;
  for (unsigned attempt = 1;; ++attempt) {
    auto ctx = CallContext(*hold, Clock::now() + opts.call_timeout);
    auto r = co_await CallLockOp(node, ctx, op, args);
    if (r.ok() || (r.code() != Errc::kNodeOffline && r.code() != Errc::kTimeout)) {
      if (!r.ok()) {
        LOG_DEBUG("lock {} {} on {}: {}", LockOpName(op), args.resource, node.endpoint(),
                  r.status().ToString());
      }
      co_return;
    }
    const auto next = Clock::now() + opts.release_retry;
    if (next >= until) {
      LOG_DEBUG("lock {} {} on {} not delivered after {} attempts (it expires there): {}",
                LockOpName(op), args.resource, node.endpoint(), attempt, r.status().ToString());
      co_return;
    }
    if (!timer) {
      timer = std::make_unique<asio::steady_timer>(hold->strand);
    }
    timer->expires_at(next);
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

Task<void> AskNode(std::shared_ptr<Hold> hold, std::shared_ptr<Round> round, std::size_t i,
                   LockOp op, LockArgs args, Clock::time_point deadline) {
  auto ctx = CallContext(*hold, deadline);
  auto r = co_await CallLockOp(*hold->shared->nodes[i], ctx, op, args);
  if (!round->done) {
    round->Count(i, r);
    round->wake.cancel();
    co_return;
  }
  // A late answer to an acquisition: a grant (or an unknown outcome: the call may have
  // arrived) is kept only if it joins a live lock.
  const bool acquire = op == LockOp::kLock || op == LockOp::kRLock;
  const bool refused = r.ok() && !*r;
  if (acquire && !refused && (!round->succeeded || hold->released)) {
    co_await ReleaseOne(hold, i, std::move(args));
  }
}

// Sends `op` to every node and returns once the round is decided or `deadline` passed; the
// caller then sets `done` (and `succeeded`). Runs on the hold's strand.
Task<std::shared_ptr<Round>> RunRound(std::shared_ptr<Hold> hold, LockOp op,
                                      Clock::time_point deadline) {
  const std::size_t n = hold->shared->nodes.size();
  auto round = std::make_shared<Round>(hold->strand, n);
  for (std::size_t i = 0; i < n; ++i) {
    asio::co_spawn(hold->strand, AskNode(hold, round, i, op, hold->args, deadline), asio::detached);
  }
  round->wake.expires_at(deadline);
  while (!round->Decided(hold->quorum) && Clock::now() < deadline) {
    co_await round->wake.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return round;
}

Task<void> RefreshLoop(std::shared_ptr<Hold> hold) {
  const auto& opts = hold->shared->options;
  const std::size_t n = hold->shared->nodes.size();
  hold->refresh_timer = std::make_unique<asio::steady_timer>(hold->strand);
  while (!hold->released) {
    hold->refresh_timer->expires_after(opts.refresh_interval);
    co_await hold->refresh_timer->async_wait(asio::as_tuple(asio::use_awaitable));
    if (hold->released) {
      break;
    }
    const auto sent = Clock::now();
    auto round = co_await RunRound(hold, LockOp::kRefresh, sent + opts.call_timeout);
    round->done = true;
    if (hold->released) {
      break;
    }
    if (round->yes >= hold->quorum) {
      hold->valid_until = (sent + opts.ttl).time_since_epoch().count();
      continue;
    }
    // Nodes that did not answer may still hold it, until the validity window runs out.
    const bool gone = round->no > n - hold->quorum;
    if (gone || Clock::now().time_since_epoch().count() >= hold->valid_until.load()) {
      hold->lost = true;
      LOG_WARN("lock on {} lost: {} of {} nodes confirmed it, {} did not hold it, quorum {}",
               hold->args.resource, round->yes, n, round->no, hold->quorum);
      break;
    }
  }
}

Task<Result<std::unique_ptr<DistributedLockGuard>>> Acquire(
    std::shared_ptr<Hold> hold, Clock::time_point deadline,
    std::shared_ptr<std::atomic<bool>> cancelled) {
  auto& shared = *hold->shared;
  const auto& opts = shared.options;
  asio::steady_timer backoff(hold->strand);
  for (unsigned attempt = 0;; ++attempt) {
    if (cancelled && cancelled->load()) {
      co_return Status(Errc::kCancelled, "request cancelled");
    }
    hold->args.uid = shared.NewUid();
    const auto sent = Clock::now();
    auto round =
        co_await RunRound(hold, hold->acquire_op(), std::min(deadline, sent + opts.call_timeout));
    round->done = true;
    if (round->yes >= hold->quorum) {
      round->succeeded = true;
      hold->valid_until = (sent + opts.ttl).time_since_epoch().count();
      ++shared.held;
      asio::co_spawn(hold->strand, RefreshLoop(hold), asio::detached);
      co_return std::make_unique<DistributedLockGuard>(std::move(hold));
    }
    // Give back what was granted, and what may have been (the reply was lost); grants
    // still on their way are given back by AskNode.
    for (std::size_t i = 0; i < round->replies.size(); ++i) {
      if (round->replies[i] == Reply::kYes || round->replies[i] == Reply::kFailed) {
        asio::co_spawn(hold->strand, ReleaseOne(hold, i, hold->args), asio::detached);
      }
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      break;
    }
    backoff.expires_after(std::min<Clock::duration>(shared.Backoff(attempt), deadline - now));
    co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
    if (Clock::now() >= deadline) {
      break;
    }
  }
  co_return Status(Errc::kLockTimeout,
                   fmt::format("timed out waiting for {} lock on {} (quorum {} of {})",
                               hold->write ? "write" : "read", hold->args.resource, hold->quorum,
                               shared.nodes.size()));
}

}  // namespace

DistributedLockGuard::DistributedLockGuard(std::shared_ptr<Hold> hold) : hold_(std::move(hold)) {}

DistributedLockGuard::~DistributedLockGuard() {
  auto hold = std::move(hold_);
  asio::post(hold->strand, [hold] {
    hold->released = true;
    if (hold->refresh_timer) {
      hold->refresh_timer->cancel();
    }
    --hold->shared->held;
    for (std::size_t i = 0; i < hold->shared->nodes.size(); ++i) {
      asio::co_spawn(hold->strand, ReleaseOne(hold, i, hold->args), asio::detached);
    }
  });
}

bool DistributedLockGuard::lost() const {
  return hold_->lost.load() || Clock::now().time_since_epoch().count() >= hold_->valid_until.load();
}

const std::string& DistributedLockGuard::uid() const {
  return hold_->args.uid;
}

DistributedLocker::DistributedLocker(asio::any_io_executor executor,
                                     std::vector<std::shared_ptr<LockClient>> nodes,
                                     DistributedLockerOptions options) {
  RELEASE_ASSERT(!nodes.empty(), "a distributed locker needs at least one lock server");
  shared_ = std::make_shared<Shared>(std::move(executor), std::move(nodes), std::move(options));
}

DistributedLocker::~DistributedLocker() = default;

std::uint64_t DistributedLocker::seed() const {
  return shared_->seed;
}

std::size_t DistributedLocker::HeldForTest() const {
  return shared_->held.load();
}

namespace {

Task<Result<bool>> ForceOne(std::shared_ptr<LockClient> client, RequestContext ctx, LockArgs args) {
  co_return co_await client->ForceUnlock(ctx, args);
}

}  // namespace

Task<Result<std::size_t>> DistributedLocker::ForceUnlock(const RequestContext& ctx,
                                                         std::string_view resource) {
  LockArgs args;
  args.resource = std::string(resource);
  args.owner = shared_->options.owner;
  args.source = ctx.request_id;
  RequestContext call = ctx;
  call.deadline = std::min(ctx.deadline, Clock::now() + shared_->options.call_timeout);
  const auto& nodes = shared_->nodes;
  auto results = co_await FanOut<Result<bool>>(
      nodes.size(), [&](std::size_t i) { return ForceOne(nodes[i], call, args); });
  std::size_t dropped = 0;
  std::size_t unreachable = 0;
  for (const auto& r : results) {
    if (!r.ok()) {
      ++unreachable;
    } else if (*r) {
      ++dropped;
    }
  }
  if (unreachable > 0) {
    co_return Status(Errc::kNodeOffline,
                     fmt::format("force unlock of {}: {} of {} nodes did not answer", resource,
                                 unreachable, nodes.size()));
  }
  co_return dropped;
}

Task<Result<std::unique_ptr<DistributedLockGuard>>> DistributedLocker::Lock(
    const RequestContext& ctx, std::string_view resource, bool write) {
  if (ctx.IsCancelled()) {
    co_return Status(Errc::kCancelled, "request cancelled");
  }
  const auto deadline = std::min(ctx.deadline, Clock::now() + shared_->options.timeout);
  auto hold = std::make_shared<Hold>(shared_, std::string(resource), write, ctx.request_id);
  auto strand = hold->strand;
  co_return co_await asio::co_spawn(strand, Acquire(std::move(hold), deadline, ctx.cancelled),
                                    asio::use_awaitable);
}

}  // namespace cairn::lock
