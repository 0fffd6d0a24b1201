// LockClient for a LockServer in the same process: the node's own lock table (a node votes for
// itself without a network hop, as in dsync) and the in-memory clusters of tests.
#pragma once

#include <memory>
#include <string>

#include "cluster/lock/lock_client.h"
#include "cluster/lock/lock_server.h"

namespace cairn::lock {

class LocalLockClient final : public LockClient {
 public:
  // `server` must outlive the client.
  LocalLockClient(std::string endpoint, LockServer& server)
      : endpoint_(std::move(endpoint)), server_(server) {}

  Task<Result<bool>> Lock(const RequestContext& ctx, const LockArgs& args) override;
  Task<Result<bool>> RLock(const RequestContext& ctx, const LockArgs& args) override;
  Task<Result<bool>> Unlock(const RequestContext& ctx, const LockArgs& args) override;
  Task<Result<bool>> RUnlock(const RequestContext& ctx, const LockArgs& args) override;
  Task<Result<bool>> Refresh(const RequestContext& ctx, const LockArgs& args) override;
  Task<Result<bool>> ForceUnlock(const RequestContext& ctx, const LockArgs& args) override;

  std::string endpoint() const override { return endpoint_; }

 private:
  Task<Result<bool>> Call(LockOp op, const LockArgs& args);

  std::string endpoint_;
  LockServer& server_;
};

}  // namespace cairn::lock
