// Wire form of lock calls, for the inter-node RPC to carry as opaque bytes: a request body
// (operation + LockArgs) and a reply body (granted / refused / error). Format version 1 is
// described in README.md. Decoders bounds-check every read, so garbage yields
// kInvalidArgument, never a crash or a huge allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cluster/lock/lock_client.h"
#include "cluster/lock/lock_server.h"
#include "common/status.h"

namespace cairn::lock {

inline constexpr std::uint8_t kLockWireVersion = 1;
// Longest resource, uid, owner or source a body may carry; longer ones are refused.
inline constexpr std::size_t kMaxLockFieldBytes = 4096;

struct LockRequest {
  LockOp op = LockOp::kLock;
  LockArgs args;
};

// RPC method ids of the lock calls (rpc/protocol.h reserves 200-299 for them): 200 + the
// LockOp number, so 201 Lock, 202 RLock, 203 Unlock, 204 RUnlock, 205 Refresh, 206 ForceUnlock.
inline constexpr std::uint16_t kLockMethodIdBase = 200;
// 0 for a value outside LockOp.
std::uint16_t LockMethodId(LockOp op);
// The inverse; nullopt for an id that is not a lock call.
std::optional<LockOp> LockOpFromMethodId(std::uint16_t id);
// Names for logs: "lock.Lock", "lock.RLock", ..., "" for a value outside LockOp.
std::string_view LockMethodName(LockOp op);
std::optional<LockOp> LockOpFromMethod(std::string_view method);

// Encoding fails only for a field longer than kMaxLockFieldBytes (kInvalidArgument).
Result<std::string> EncodeLockRequest(const LockRequest& request);
Result<LockRequest> DecodeLockRequest(std::string_view body);

// A reply body for a call's outcome (value true/false, or an error with its code and message;
// the message is cut to kMaxLockFieldBytes).
std::string EncodeLockReply(const Result<bool>& reply);
// The outcome a reply body carries; kInvalidArgument when the body is malformed. A code this
// build does not know decodes as kUnknown.
Result<bool> DecodeLockReply(std::string_view body);

// The whole server side of one lock RPC: decodes `body`, checks that it carries the operation
// `method_id` names, runs it on `server`, and returns the reply body (sent with status 200).
// Never fails: a malformed call gets an error reply (kInvalidArgument; kNotImplemented for an
// id that is no lock call). Cheap and non-blocking; any thread may call it.
std::string ServeLockCall(LockServer& server, std::uint16_t method_id, std::string_view body);

}  // namespace cairn::lock
