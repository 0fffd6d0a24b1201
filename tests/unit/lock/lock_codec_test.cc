#include "cluster/lock/lock_codec.h"

#include <chrono>
#include <random>

#include <gtest/gtest.h>

#include "cluster/lock/lock_server.h"

namespace cairn::lock {
namespace lock_codec_test_internal {

using namespace std::chrono_literals;

LockArgs SampleArgs() {
  LockArgs a;
  static constexpr char kResource[] = "bucket/key with \0 nul and \xff bytes";
  a.resource = std::string(kResource, sizeof(kResource) - 1);
  a.uid = "node1:0123456789abcdef:7";
  a.owner = "http://node1:9000";
  a.source = "req-42";
  a.ttl = 60000ms;
  return a;
}

TEST(LockCodec, MethodNamesRoundTrip) {
  for (auto op : {LockOp::kLock, LockOp::kRLock, LockOp::kUnlock, LockOp::kRUnlock,
                  LockOp::kRefresh, LockOp::kForceUnlock}) {
    auto name = LockMethodName(op);
    ASSERT_FALSE(name.empty());
    EXPECT_EQ(LockOpFromMethod(name), op);
    EXPECT_EQ("lock." + std::string(LockOpName(op)), name);
  }
  EXPECT_EQ(LockMethodName(LockOp::kRefresh), "lock.Refresh");
  // Method ids: 200 + the op number, inside rpc/protocol.h's lock range 200-299.
  const std::uint16_t ids[] = {201, 202, 203, 204, 205, 206};
  for (std::uint16_t id : ids) {
    auto op = LockOpFromMethodId(id);
    ASSERT_TRUE(op.has_value()) << id;
    EXPECT_EQ(LockMethodId(*op), id);
  }
  EXPECT_EQ(LockMethodId(LockOp::kLock), 201);
  EXPECT_EQ(LockMethodId(LockOp::kForceUnlock), 206);
  for (std::uint16_t id : {0, 1, 199, 200, 207, 299, 300, 456, 65535}) {
    EXPECT_FALSE(LockOpFromMethodId(id).has_value()) << id;
  }
  EXPECT_EQ(LockMethodId(static_cast<LockOp>(9)), 0);
  EXPECT_FALSE(LockOpFromMethod("lock.Nope").has_value());
  EXPECT_TRUE(LockMethodName(static_cast<LockOp>(0)).empty());
}

TEST(LockCodec, RequestRoundTrip) {
  for (auto op : {LockOp::kLock, LockOp::kRLock, LockOp::kUnlock, LockOp::kRUnlock,
                  LockOp::kRefresh, LockOp::kForceUnlock}) {
    LockRequest req{op, SampleArgs()};
    auto body = EncodeLockRequest(req);
    ASSERT_TRUE(body.ok());
    auto back = DecodeLockRequest(*body);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->op, op);
    EXPECT_EQ(back->args, req.args);
  }
  LockRequest empty{LockOp::kLock, LockArgs{}};
  auto body = EncodeLockRequest(empty);
  ASSERT_TRUE(body.ok());
  auto back = DecodeLockRequest(*body);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->args, LockArgs{});
}

TEST(LockCodec, RequestFieldLimits) {
  LockRequest req{LockOp::kLock, SampleArgs()};
  req.args.resource.assign(kMaxLockFieldBytes, 'x');
  EXPECT_TRUE(EncodeLockRequest(req).ok());
  req.args.resource.push_back('x');
  EXPECT_EQ(EncodeLockRequest(req).code(), Errc::kInvalidArgument);
  req.args = SampleArgs();
  req.args.ttl = -1ms;
  EXPECT_EQ(EncodeLockRequest(req).code(), Errc::kInvalidArgument);
}

TEST(LockCodec, ReplyRoundTrip) {
  auto granted = DecodeLockReply(EncodeLockReply(Result<bool>(true)));
  ASSERT_TRUE(granted.ok());
  EXPECT_TRUE(*granted);
  auto refused = DecodeLockReply(EncodeLockReply(Result<bool>(false)));
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(*refused);
  auto error = DecodeLockReply(EncodeLockReply(Status(Errc::kRpcUnauthenticated, "bad token")));
  EXPECT_EQ(error.code(), Errc::kRpcUnauthenticated);
  EXPECT_EQ(error.status().message(), "bad token");
  // A long message is cut, not refused.
  auto longer = DecodeLockReply(
      EncodeLockReply(Status(Errc::kInternal, std::string(kMaxLockFieldBytes + 10, 'm'))));
  EXPECT_EQ(longer.code(), Errc::kInternal);
  EXPECT_EQ(longer.status().message().size(), kMaxLockFieldBytes);
}

TEST(LockCodec, UnknownErrorCodeDecodesAsUnknown) {
  // version 1, kind error, zigzag varint of 9999 (19998 = 0x4e1e -> 0x9e 0x9c 0x01), "".
  std::string body = {'\x01', '\x02', '\x9e', '\x9c', '\x01', '\x00'};
  EXPECT_EQ(DecodeLockReply(body).code(), Errc::kUnknown);
  // An error reply that claims code 0 (ok) is not a success.
  std::string zero = {'\x01', '\x02', '\x00', '\x00'};
  EXPECT_EQ(DecodeLockReply(zero).code(), Errc::kInternal);
}

TEST(LockCodec, TruncatedAndTrailingInputIsAnError) {
  auto body = EncodeLockRequest(LockRequest{LockOp::kRefresh, SampleArgs()});
  ASSERT_TRUE(body.ok());
  for (std::size_t n = 0; n < body->size(); ++n) {
    EXPECT_EQ(DecodeLockRequest(body->substr(0, n)).code(), Errc::kInvalidArgument) << n;
  }
  EXPECT_EQ(DecodeLockRequest(*body + "x").code(), Errc::kInvalidArgument);
  std::string bad_version = *body;
  bad_version[0] = 2;
  EXPECT_EQ(DecodeLockRequest(bad_version).code(), Errc::kInvalidArgument);
  std::string bad_op = *body;
  bad_op[1] = 7;
  EXPECT_EQ(DecodeLockRequest(bad_op).code(), Errc::kInvalidArgument);

  auto reply = EncodeLockReply(Status(Errc::kTimeout, "slow"));
  for (std::size_t n = 0; n < reply.size(); ++n) {
    EXPECT_EQ(DecodeLockReply(reply.substr(0, n)).code(), Errc::kInvalidArgument) << n;
  }
  EXPECT_EQ(DecodeLockReply(reply + "x").code(), Errc::kInvalidArgument);
  EXPECT_EQ(DecodeLockReply(EncodeLockReply(Result<bool>(true)) + "x").code(),
            Errc::kInvalidArgument);
  EXPECT_EQ(DecodeLockReply(std::string{'\x01', '\x03'}).code(), Errc::kInvalidArgument);
}

TEST(LockCodec, HugeLengthPrefixIsAnErrorNotAnAllocation) {
  // version, op, then a resource length of 2^62.
  std::string body = {'\x01', '\x01', '\x80', '\x80', '\x80', '\x80',
                      '\x80', '\x80', '\x80', '\x80', '\x40'};
  EXPECT_EQ(DecodeLockRequest(body).code(), Errc::kInvalidArgument);
  // A uid of exactly the limit decodes; one byte more does not, though all its bytes are there.
  const std::string resource = SampleArgs().resource;
  auto with_uid = [&](std::string_view uid_len_varint, std::size_t uid_len) {
    std::string b("\x01\x01", 2);
    b += static_cast<char>(resource.size());
    b += resource;
    b += uid_len_varint;
    b += std::string(uid_len, 'u');
    b += std::string("\x00\x00\x00", 3);  // owner, source, ttl
    return b;
  };
  auto at_limit = DecodeLockRequest(with_uid(std::string_view("\x80\x20", 2), 4096));
  ASSERT_TRUE(at_limit.ok()) << at_limit.status().ToString();
  EXPECT_EQ(at_limit->args.uid.size(), kMaxLockFieldBytes);
  EXPECT_EQ(DecodeLockRequest(with_uid(std::string_view("\x81\x20", 2), 4097)).code(),
            Errc::kInvalidArgument);
}

TEST(LockCodec, RandomGarbageNeverCrashes) {
  const std::uint64_t seed = 20261122;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  LockServer server;
  auto valid = EncodeLockRequest(LockRequest{LockOp::kLock, SampleArgs()});
  ASSERT_TRUE(valid.ok());
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string body;
    if (i % 2 == 0) {
      body.resize(rng() % 64);
      for (auto& c : body) {
        c = static_cast<char>(rng());
      }
    } else {
      body = *valid;  // a valid body with a few flipped bytes
      for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) {
        body[rng() % body.size()] = static_cast<char>(rng());
      }
    }
    auto req = DecodeLockRequest(body);
    decoded += req.ok() ? 1 : 0;
    auto reply = DecodeLockReply(body);
    (void)reply;
    // The server side always answers with a well-formed reply.
    auto answer = DecodeLockReply(ServeLockCall(server, 201, body));
    if (!req.ok()) {
      EXPECT_EQ(answer.code(), Errc::kInvalidArgument);
    }
  }
  EXPECT_GT(decoded, 0);  // some flips land in the strings and still decode
}

TEST(LockCodec, ServeLockCallRunsTheOperation) {
  LockServer server;
  auto body = EncodeLockRequest(LockRequest{LockOp::kLock, SampleArgs()});
  ASSERT_TRUE(body.ok());
  auto first = DecodeLockReply(ServeLockCall(server, 201, *body));
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first);
  // The method must name the body's operation.
  EXPECT_EQ(DecodeLockReply(ServeLockCall(server, 202, *body)).code(), Errc::kInvalidArgument);
  LockRequest other{LockOp::kLock, SampleArgs()};
  other.args.uid = "someone-else";
  auto second = DecodeLockReply(ServeLockCall(server, 201, *EncodeLockRequest(other)));
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);
  // An id outside the lock calls.
  EXPECT_EQ(DecodeLockReply(ServeLockCall(server, 17, *body)).code(), Errc::kNotImplemented);
  // A server-side error travels back with its code.
  LockRequest bad{LockOp::kLock, SampleArgs()};
  bad.args.uid.clear();
  EXPECT_EQ(DecodeLockReply(ServeLockCall(server, 201, *EncodeLockRequest(bad))).code(),
            Errc::kInvalidArgument);
}

}  // namespace lock_codec_test_internal
}  // namespace cairn::lock
