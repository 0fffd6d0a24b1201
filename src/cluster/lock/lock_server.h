// The lock table of one node: the server half of dsync-style quorum locks. A grant is a
// vote; a DistributedLocker holds a lock when a quorum of nodes' LockServers granted it.
// Grants expire when their holder stops refreshing them, so a dead or partitioned holder
// cannot block a resource for longer than its validity window. Pure in-memory state.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "cluster/lock/lock_client.h"
#include "common/status.h"

namespace cairn::lock {

struct LockServerOptions {
  // Validity window of a grant whose call carried ttl 0.
  std::chrono::milliseconds default_ttl{std::chrono::minutes(1)};
  // A caller's ttl is clamped to this, so a bogus peer cannot pin a resource for long.
  std::chrono::milliseconds max_ttl{std::chrono::minutes(10)};
};

// One grant, as Snapshot() reports it.
struct LockHolderInfo {
  std::string resource;
  std::string uid;
  std::string owner;
  std::string source;
  bool write = false;
  std::chrono::steady_clock::time_point granted;
  std::chrono::steady_clock::time_point last_refresh;
  std::chrono::milliseconds ttl{0};
};

// Thread-safe; every method is short and never blocks on I/O, so it may run on a network
// thread. Each call returns true/false as LockClient describes, or kInvalidArgument when the
// resource or uid is empty. A resource's expired grants are dropped before any call on it
// decides, so expiry needs no background task; ExpireOld() only reclaims memory.
class LockServer final {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // `clock` defaults to steady_clock::now; tests inject their own.
  explicit LockServer(LockServerOptions options = {}, Clock clock = {});
  LockServer(const LockServer&) = delete;
  LockServer& operator=(const LockServer&) = delete;

  // Exclusive: granted when nobody holds the resource. Idempotent for the same uid.
  Result<bool> Lock(const LockArgs& args);
  // Shared: granted when no writer holds the resource. Idempotent for the same uid.
  Result<bool> RLock(const LockArgs& args);
  Result<bool> Unlock(const LockArgs& args);
  Result<bool> RUnlock(const LockArgs& args);
  // Restarts the validity window of uid's grant on the resource; false when not held here
  // (never granted, released, or expired).
  Result<bool> Refresh(const LockArgs& args);
  // Drops every grant on the resource, or only uid's when args.uid is not empty (an admin
  // clearing a stuck lock). Needs only the resource.
  Result<bool> ForceUnlock(const LockArgs& args);

  // Dispatches on `op`; kInvalidArgument for a value outside LockOp.
  Result<bool> Call(LockOp op, const LockArgs& args);

  // Drops every expired grant; returns how many. Call it now and then (once a minute).
  std::size_t ExpireOld();

  // Every live grant, for admin views and tests.
  std::vector<LockHolderInfo> Snapshot() const;

 private:
  struct Holder {
    std::string uid;
    std::string owner;
    std::string source;
    bool write = false;
    std::chrono::steady_clock::time_point granted;
    std::chrono::steady_clock::time_point last_refresh;
    std::chrono::milliseconds ttl{0};
  };

  std::chrono::milliseconds EffectiveTtl(std::chrono::milliseconds requested) const;
  // Drops the expired holders of one entry. Requires mu_ held.
  static void DropExpired(std::vector<Holder>& holders, std::chrono::steady_clock::time_point now);
  Result<bool> Take(const LockArgs& args, bool write);
  Result<bool> Release(const LockArgs& args, bool write);

  const LockServerOptions options_;
  const Clock clock_;
  mutable std::mutex mu_;
  // Resource -> its live grants: either one writer, or any number of readers. Invariant: no
  // entry is empty. GUARDED_BY(mu_).
  std::unordered_map<std::string, std::vector<Holder>> table_;
};

}  // namespace cairn::lock
