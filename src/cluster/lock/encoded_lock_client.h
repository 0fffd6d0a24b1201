// LockClient over any transport that carries opaque bytes: encodes each call with
// lock_codec.h, hands (method, body) to a transport function, and decodes the reply. The RPC
// layer wires peers with it (README.md) without this module depending on the RPC layer.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "cluster/lock/lock_client.h"

namespace cairn::lock {

// Sends `body` to one peer as the RPC method LockMethodId(op) and returns the reply body.
// Must return an error (kNodeOffline preferred) for every network failure and for no answer
// before ctx.deadline; any error counts as "no vote" for that peer.
using LockTransport = std::function<Task<Result<std::string>>(const RequestContext& ctx, LockOp op,
                                                              std::string body)>;

class EncodedLockClient final : public LockClient {
 public:
  EncodedLockClient(std::string endpoint, LockTransport transport)
      : endpoint_(std::move(endpoint)), transport_(std::move(transport)) {}

  Task<Result<bool>> Lock(const RequestContext& ctx, const LockArgs& args) override;
  Task<Result<bool>> RLock(const RequestContext& ctx, const LockArgs& args) override;
  Task<Result<bool>> Unlock(const RequestContext& ctx, const LockArgs& args) override;
  Task<Result<bool>> RUnlock(const RequestContext& ctx, const LockArgs& args) override;
  Task<Result<bool>> Refresh(const RequestContext& ctx, const LockArgs& args) override;
  Task<Result<bool>> ForceUnlock(const RequestContext& ctx, const LockArgs& args) override;

  std::string endpoint() const override { return endpoint_; }

 private:
  Task<Result<bool>> Call(const RequestContext& ctx, LockOp op, const LockArgs& args);

  std::string endpoint_;
  LockTransport transport_;
};

}  // namespace cairn::lock
