// Quorum namespace locks across nodes in the style of MinIO's dsync: every node runs a
// LockServer; a DistributedLocker asks all of them and holds a lock when a quorum granted it
// (write: N/2+1, read: N-N/2, so a reader and a writer always meet on some node and a
// minority partition can take no write lock). Held locks are refreshed in the background and
// marked lost when a quorum can no longer vouch for them. README.md has the rules in full.
// A plain lock library below the object layer: server/ adapts it to object::NsLocker.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "cluster/lock/lock_client.h"
#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"

namespace cairn::lock {

// Grants needed for an exclusive lock among n nodes: n/2+1, a strict majority, so two halves
// of an even split cannot both write.
std::size_t WriteLockQuorum(std::size_t n);
// Grants needed for a shared lock: n - n/2 (dsync's rule). Read + write quorum > n, so a read
// and a write grant always collide on at least one node.
std::size_t ReadLockQuorum(std::size_t n);

struct DistributedLockerOptions {
  std::string owner;  // this node's name, sent with every grant
  // Longest wait for a lock, bounded further by ctx.deadline (-> kLockTimeout).
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  // Longest wait for one node's answer to one call (acquire, refresh, unlock).
  std::chrono::milliseconds call_timeout{std::chrono::seconds(1)};
  // Validity window at the servers: a grant not refreshed for this long is dropped.
  std::chrono::milliseconds ttl{std::chrono::minutes(1)};
  // How often a holder refreshes; kept below ttl/2 (clamped) so one missed round is survivable.
  std::chrono::milliseconds refresh_interval{std::chrono::seconds(10)};
  // Backoff between attempts: min(retry_max, retry_min + attempt * retry_step), jittered
  // uniformly down towards retry_min so contending nodes fall out of step.
  std::chrono::milliseconds retry_min{std::chrono::milliseconds(10)};
  std::chrono::milliseconds retry_step{std::chrono::milliseconds(50)};
  std::chrono::milliseconds retry_max{std::chrono::seconds(1)};
  // A release (Unlock/RUnlock) a node did not confirm (kNodeOffline: unreachable, kTimeout: no
  // answer within call_timeout) is sent again this often until the grant would have expired there
  // anyway (ttl after the release), so a node that comes back from a partition drops the
  // grants released meanwhile at once instead of blocking their resources for up to a ttl.
  std::chrono::milliseconds release_retry{std::chrono::seconds(1)};
  std::uint64_t seed = 0;  // RNG seed for uids and jitter; 0 picks a random one (see seed())
};

// A lock held on a quorum of nodes. Destroying it releases it on every node (best effort;
// what does not arrive expires). May be destroyed on any thread.
class DistributedLockGuard final {
 public:
  struct Hold;
  explicit DistributedLockGuard(std::shared_ptr<Hold> hold);
  DistributedLockGuard(const DistributedLockGuard&) = delete;
  DistributedLockGuard& operator=(const DistributedLockGuard&) = delete;
  ~DistributedLockGuard();

  // True once the lock may no longer be held: a quorum said it was gone, or no quorum
  // confirmed it within the validity window (another node may have it by now). Long
  // operations check it between steps and abort. Thread-safe.
  bool lost() const;
  // The uid of the acquisition the servers know it by.
  const std::string& uid() const;

 private:
  std::shared_ptr<Hold> hold_;
};

class DistributedLocker final {
 public:
  // `nodes` are the lock servers of every node, this one included (usually through a
  // LocalLockClient). Refreshes, releases and the calls of an acquisition run on strands of
  // `executor`, which must outlive every guard this locker hands out.
  DistributedLocker(boost::asio::any_io_executor executor,
                    std::vector<std::shared_ptr<LockClient>> nodes,
                    DistributedLockerOptions options);
  DistributedLocker(const DistributedLocker&) = delete;
  DistributedLocker& operator=(const DistributedLocker&) = delete;
  ~DistributedLocker();

  // Takes `resource` on a quorum of nodes, retrying with jittered backoff until the earlier
  // of ctx.deadline and options.timeout. Errors: kLockTimeout, kCancelled. The guard is a
  // DistributedLockGuard. Callable from any executor; resumes on the caller's.
  Task<Result<std::unique_ptr<DistributedLockGuard>>> Lock(const RequestContext& ctx,
                                                           std::string_view resource, bool write);

  // Drops every grant of `resource` on every node: an admin clearing a stuck lock. Its holders
  // find out at their next refresh (lost()). Returns how many nodes dropped something;
  // kNodeOffline when a node did not answer (the others still dropped theirs).
  Task<Result<std::size_t>> ForceUnlock(const RequestContext& ctx, std::string_view resource);

  // The RNG seed in use (log it to reproduce a run).
  std::uint64_t seed() const;
  // Locks held through this locker and not yet released (tests).
  std::size_t HeldForTest() const;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;  // shared with holds, which may outlive the locker
};

}  // namespace cairn::lock
