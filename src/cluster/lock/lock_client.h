// The transport of distributed locks: what a DistributedLocker says to one node's LockServer.
// Kept abstract so the lock module never depends on the RPC layer: the node's own server is
// reached through LocalLockClient, peers through EncodedLockClient over whatever carries bytes
// (see lock_codec.h and README.md for the wiring).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"

namespace cairn::lock {

// The arguments of every lock call. `uid` names one acquisition: a fresh uid per attempt, so a
// late Unlock of a failed attempt never touches a later grant.
struct LockArgs {
  std::string resource;  // "bucket/key", or any name the caller locks
  std::string uid;       // unique per acquisition attempt, cluster-wide
  std::string owner;     // the node that holds it (diagnostics, ForceUnlock of a dead node)
  std::string source;    // what took it (request id), for diagnostics
  // Validity window: the server drops the lock when it was neither granted nor refreshed
  // within the last `ttl`. Zero means the server's default.
  std::chrono::milliseconds ttl{0};

  friend bool operator==(const LockArgs&, const LockArgs&) = default;
};

// The six calls, with stable numbers: they cross the wire (lock_codec.h). Never renumber.
enum class LockOp : std::uint8_t {
  kLock = 1,         // exclusive
  kRLock = 2,        // shared
  kUnlock = 3,       // release an exclusive grant of `uid`
  kRUnlock = 4,      // release a shared grant of `uid`
  kRefresh = 5,      // renew the validity window of `uid`'s grant
  kForceUnlock = 6,  // drop every grant of `resource` (or only `uid`'s when uid is set)
};

// "Lock", "RLock", ...; "" for a value outside the enum.
std::string_view LockOpName(LockOp op);

// One node's lock table, local or one network hop away. Every call returns:
//   value true:   granted (Lock, RLock), released (Unlock, RUnlock, ForceUnlock), or renewed
//                 (Refresh);
//   value false:  refused: held by someone else (Lock, RLock), or not held here (the rest);
//   kNodeOffline: the node could not be reached or did not answer before ctx.deadline
//                 (implementations map every network failure and timeout to it);
//   other codes:  the node answered with an error (kInvalidArgument for a malformed call).
// Implementations enforce ctx.deadline. Callable from any executor; resumes on the caller's.
class LockClient {
 public:
  LockClient() = default;
  LockClient(const LockClient&) = delete;
  LockClient& operator=(const LockClient&) = delete;
  virtual ~LockClient() = default;

  virtual Task<Result<bool>> Lock(const RequestContext& ctx, const LockArgs& args) = 0;
  virtual Task<Result<bool>> RLock(const RequestContext& ctx, const LockArgs& args) = 0;
  virtual Task<Result<bool>> Unlock(const RequestContext& ctx, const LockArgs& args) = 0;
  virtual Task<Result<bool>> RUnlock(const RequestContext& ctx, const LockArgs& args) = 0;
  virtual Task<Result<bool>> Refresh(const RequestContext& ctx, const LockArgs& args) = 0;
  virtual Task<Result<bool>> ForceUnlock(const RequestContext& ctx, const LockArgs& args) = 0;

  // The node this client talks to, for logs.
  virtual std::string endpoint() const = 0;
};

// Calls the method of `client` that `op` names; kInvalidArgument for a value outside LockOp.
Task<Result<bool>> CallLockOp(LockClient& client, const RequestContext& ctx, LockOp op,
                              const LockArgs& args);

}  // namespace cairn::lock
