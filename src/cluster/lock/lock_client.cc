#include "cluster/lock/lock_client.h"

#include "cluster/lock/encoded_lock_client.h"
#include "cluster/lock/local_lock_client.h"
#include "cluster/lock/lock_codec.h"

namespace cairn::lock {

Task<Result<bool>> CallLockOp(LockClient& client, const RequestContext& ctx, LockOp op,
                              const LockArgs& args) {
  switch (op) {
    case LockOp::kLock:
      co_return co_await client.Lock(ctx, args);
    case LockOp::kRLock:
      co_return co_await client.RLock(ctx, args);
    case LockOp::kUnlock:
      co_return co_await client.Unlock(ctx, args);
    case LockOp::kRUnlock:
      co_return co_await client.RUnlock(ctx, args);
    case LockOp::kRefresh:
      co_return co_await client.Refresh(ctx, args);
    case LockOp::kForceUnlock:
      co_return co_await client.ForceUnlock(ctx, args);
  }
  co_return Status(Errc::kInvalidArgument, "unknown lock operation");
}

// LocalLockClient: the table is in this process, so a call cannot fail to arrive.

Task<Result<bool>> LocalLockClient::Call(LockOp op, const LockArgs& args) {
  co_return server_.Call(op, args);
}

Task<Result<bool>> LocalLockClient::Lock(const RequestContext&, const LockArgs& args) {
  return Call(LockOp::kLock, args);
}

Task<Result<bool>> LocalLockClient::RLock(const RequestContext&, const LockArgs& args) {
  return Call(LockOp::kRLock, args);
}

Task<Result<bool>> LocalLockClient::Unlock(const RequestContext&, const LockArgs& args) {
  return Call(LockOp::kUnlock, args);
}

Task<Result<bool>> LocalLockClient::RUnlock(const RequestContext&, const LockArgs& args) {
  return Call(LockOp::kRUnlock, args);
}

Task<Result<bool>> LocalLockClient::Refresh(const RequestContext&, const LockArgs& args) {
  return Call(LockOp::kRefresh, args);
}

Task<Result<bool>> LocalLockClient::ForceUnlock(const RequestContext&, const LockArgs& args) {
  return Call(LockOp::kForceUnlock, args);
}

// EncodedLockClient.

Task<Result<bool>> EncodedLockClient::Call(const RequestContext& ctx, LockOp op,
                                           const LockArgs& args) {
  auto body = EncodeLockRequest(LockRequest{op, args});
  if (!body.ok()) {
    co_return body.status();
  }
  auto reply = co_await transport_(ctx, op, std::move(body).value());
  if (!reply.ok()) {
    co_return reply.status();
  }
  co_return DecodeLockReply(*reply);
}

Task<Result<bool>> EncodedLockClient::Lock(const RequestContext& ctx, const LockArgs& args) {
  return Call(ctx, LockOp::kLock, args);
}

Task<Result<bool>> EncodedLockClient::RLock(const RequestContext& ctx, const LockArgs& args) {
  return Call(ctx, LockOp::kRLock, args);
}

Task<Result<bool>> EncodedLockClient::Unlock(const RequestContext& ctx, const LockArgs& args) {
  return Call(ctx, LockOp::kUnlock, args);
}

Task<Result<bool>> EncodedLockClient::RUnlock(const RequestContext& ctx, const LockArgs& args) {
  return Call(ctx, LockOp::kRUnlock, args);
}

Task<Result<bool>> EncodedLockClient::Refresh(const RequestContext& ctx, const LockArgs& args) {
  return Call(ctx, LockOp::kRefresh, args);
}

Task<Result<bool>> EncodedLockClient::ForceUnlock(const RequestContext& ctx, const LockArgs& args) {
  return Call(ctx, LockOp::kForceUnlock, args);
}

}  // namespace cairn::lock
