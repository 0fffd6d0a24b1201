#include "cluster/lock/lock_codec.h"

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "meta/wire.h"

namespace cairn::lock {

namespace {

constexpr std::array<std::pair<LockOp, std::string_view>, 6> kMethods = {{
    {LockOp::kLock, "lock.Lock"},
    {LockOp::kRLock, "lock.RLock"},
    {LockOp::kUnlock, "lock.Unlock"},
    {LockOp::kRUnlock, "lock.RUnlock"},
    {LockOp::kRefresh, "lock.Refresh"},
    {LockOp::kForceUnlock, "lock.ForceUnlock"},
}};

// Reply kinds on the wire.
constexpr std::uint8_t kReplyRefused = 0;
constexpr std::uint8_t kReplyGranted = 1;
constexpr std::uint8_t kReplyError = 2;

// A ttl longer than this (about 24 days) is not a validity window but garbage.
constexpr std::uint64_t kMaxTtlMs = std::numeric_limits<std::int32_t>::max();

Status Malformed(std::string_view what) {
  return Status(Errc::kInvalidArgument, "malformed lock " + std::string(what));
}

bool ReadField(meta::WireReader& in, std::string& out) {
  std::string_view v;
  if (!in.Str(v) || v.size() > kMaxLockFieldBytes) {
    return false;
  }
  out.assign(v);
  return true;
}

bool KnownOp(std::uint8_t v) {
  return v >= static_cast<std::uint8_t>(LockOp::kLock) &&
         v <= static_cast<std::uint8_t>(LockOp::kForceUnlock);
}

// The Errc a wire number stands for: kUnknown for one this build does not know, kInternal for
// an error reply that claims success.
Errc ErrcFromWire(std::int64_t v) {
  if (v == 0) {
    return Errc::kInternal;
  }
  if (v < std::numeric_limits<std::int32_t>::min() ||
      v > std::numeric_limits<std::int32_t>::max()) {
    return Errc::kUnknown;
  }
  const auto code = static_cast<Errc>(static_cast<std::int32_t>(v));
  return ErrcName(code) == "kUnknown" ? Errc::kUnknown : code;
}

}  // namespace

std::string_view LockOpName(LockOp op) {
  for (const auto& [o, method] : kMethods) {
    if (o == op) {
      return method.substr(method.find('.') + 1);
    }
  }
  return {};
}

std::string_view LockMethodName(LockOp op) {
  for (const auto& [o, method] : kMethods) {
    if (o == op) {
      return method;
    }
  }
  return {};
}

std::optional<LockOp> LockOpFromMethod(std::string_view method) {
  for (const auto& [o, m] : kMethods) {
    if (m == method) {
      return o;
    }
  }
  return std::nullopt;
}

std::uint16_t LockMethodId(LockOp op) {
  return LockMethodName(op).empty() ? 0 : kLockMethodIdBase + static_cast<std::uint16_t>(op);
}

std::optional<LockOp> LockOpFromMethodId(std::uint16_t id) {
  if (id <= kLockMethodIdBase || id - kLockMethodIdBase > 0xff) {
    return std::nullopt;
  }
  const auto v = static_cast<std::uint8_t>(id - kLockMethodIdBase);
  if (!KnownOp(v)) {
    return std::nullopt;
  }
  return static_cast<LockOp>(v);
}

Result<std::string> EncodeLockRequest(const LockRequest& request) {
  const LockArgs& a = request.args;
  for (const std::string* field : {&a.resource, &a.uid, &a.owner, &a.source}) {
    if (field->size() > kMaxLockFieldBytes) {
      return Status(Errc::kInvalidArgument, "lock field longer than 4096 bytes");
    }
  }
  if (a.ttl.count() < 0 || static_cast<std::uint64_t>(a.ttl.count()) > kMaxTtlMs) {
    return Status(Errc::kInvalidArgument, "lock ttl out of range");
  }
  std::string out;
  meta::WireWriter w(out);
  w.U8(kLockWireVersion);
  w.U8(static_cast<std::uint8_t>(request.op));
  w.Str(a.resource);
  w.Str(a.uid);
  w.Str(a.owner);
  w.Str(a.source);
  w.Varint(static_cast<std::uint64_t>(a.ttl.count()));
  return out;
}

Result<LockRequest> DecodeLockRequest(std::string_view body) {
  meta::WireReader in(body);
  std::uint8_t version = 0;
  std::uint8_t op = 0;
  if (!in.U8(version) || version != kLockWireVersion) {
    return Malformed("request: unknown version");
  }
  if (!in.U8(op) || !KnownOp(op)) {
    return Malformed("request: unknown operation");
  }
  LockRequest req;
  req.op = static_cast<LockOp>(op);
  std::uint64_t ttl = 0;
  if (!ReadField(in, req.args.resource) || !ReadField(in, req.args.uid) ||
      !ReadField(in, req.args.owner) || !ReadField(in, req.args.source) || !in.Varint(ttl) ||
      ttl > kMaxTtlMs) {
    return Malformed("request: bad field");
  }
  if (in.remaining() != 0) {
    return Malformed("request: trailing bytes");
  }
  req.args.ttl = std::chrono::milliseconds(static_cast<std::int64_t>(ttl));
  return req;
}

std::string EncodeLockReply(const Result<bool>& reply) {
  std::string out;
  meta::WireWriter w(out);
  w.U8(kLockWireVersion);
  if (reply.ok()) {
    w.U8(*reply ? kReplyGranted : kReplyRefused);
    return out;
  }
  w.U8(kReplyError);
  w.Signed(static_cast<std::int64_t>(reply.code()));
  const std::string& msg = reply.status().message();
  w.Str(std::string_view(msg).substr(0, kMaxLockFieldBytes));
  return out;
}

Result<bool> DecodeLockReply(std::string_view body) {
  meta::WireReader in(body);
  std::uint8_t version = 0;
  std::uint8_t kind = 0;
  if (!in.U8(version) || version != kLockWireVersion || !in.U8(kind)) {
    return Malformed("reply: bad header");
  }
  if (kind == kReplyGranted || kind == kReplyRefused) {
    if (in.remaining() != 0) {
      return Malformed("reply: trailing bytes");
    }
    return kind == kReplyGranted;
  }
  std::int64_t code = 0;
  std::string message;
  if (kind != kReplyError || !in.Signed(code) || !ReadField(in, message) || in.remaining() != 0) {
    return Malformed("reply: bad error");
  }
  return Status(ErrcFromWire(code), std::move(message));
}

std::string ServeLockCall(LockServer& server, std::uint16_t method_id, std::string_view body) {
  const auto op = LockOpFromMethodId(method_id);
  if (!op) {
    return EncodeLockReply(
        Status(Errc::kNotImplemented, "not a lock method: " + std::to_string(method_id)));
  }
  auto req = DecodeLockRequest(body);
  if (!req.ok()) {
    return EncodeLockReply(req.status());
  }
  if (*op != req->op) {
    return EncodeLockReply(Status(
        Errc::kInvalidArgument, "lock method " + std::string(LockMethodName(*op)) + " carries a " +
                                    std::string(LockOpName(req->op)) + " body"));
  }
  return EncodeLockReply(server.Call(req->op, req->args));
}

}  // namespace cairn::lock
