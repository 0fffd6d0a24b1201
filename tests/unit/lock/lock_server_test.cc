#include "cluster/lock/lock_server.h"

#include <chrono>

#include <gtest/gtest.h>

namespace cairn::lock {
namespace lock_server_test_internal {

using namespace std::chrono_literals;

// A LockServer on a clock the test moves by hand.
struct ServerFixture : ::testing::Test {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
  LockServer server{LockServerOptions{}, [this] { return now; }};

  static LockArgs Args(std::string uid, std::chrono::milliseconds ttl = 1000ms,
                       std::string resource = "b/k") {
    LockArgs a;
    a.resource = std::move(resource);
    a.uid = std::move(uid);
    a.owner = "node-" + a.uid;
    a.source = "test";
    a.ttl = ttl;
    return a;
  }
};

bool Granted(const Result<bool>& r) {
  return r.ok() && *r;
}

bool Refused(const Result<bool>& r) {
  return r.ok() && !*r;
}

TEST_F(ServerFixture, WriterExcludesEveryoneReadersShare) {
  EXPECT_TRUE(Granted(server.Lock(Args("w1"))));
  EXPECT_TRUE(Refused(server.Lock(Args("w2"))));
  EXPECT_TRUE(Refused(server.RLock(Args("r1"))));
  EXPECT_TRUE(Granted(server.Lock(Args("w1"))));  // idempotent retry of the same uid
  EXPECT_TRUE(Granted(server.Unlock(Args("w1"))));
  EXPECT_TRUE(Refused(server.Unlock(Args("w1"))));  // already released

  EXPECT_TRUE(Granted(server.RLock(Args("r1"))));
  EXPECT_TRUE(Granted(server.RLock(Args("r2"))));
  EXPECT_TRUE(Refused(server.Lock(Args("w2"))));
  EXPECT_TRUE(Refused(server.Unlock(Args("r1"))));  // a read grant is not released by Unlock
  EXPECT_TRUE(Granted(server.RUnlock(Args("r1"))));
  EXPECT_TRUE(Refused(server.Lock(Args("w2"))));
  EXPECT_TRUE(Granted(server.RUnlock(Args("r2"))));
  EXPECT_TRUE(Granted(server.Lock(Args("w2"))));
  EXPECT_EQ(server.Snapshot().size(), 1u);
}

TEST_F(ServerFixture, ResourcesAreIndependent) {
  EXPECT_TRUE(Granted(server.Lock(Args("a", 1000ms, "b/x"))));
  EXPECT_TRUE(Granted(server.Lock(Args("b", 1000ms, "b/y"))));
  EXPECT_TRUE(Refused(server.RLock(Args("c", 1000ms, "b/x"))));
  EXPECT_EQ(server.Snapshot().size(), 2u);
}

TEST_F(ServerFixture, DeadHolderExpiresRefreshKeepsAlive) {
  EXPECT_TRUE(Granted(server.Lock(Args("dead", 100ms))));
  EXPECT_TRUE(Granted(server.Lock(Args("alive", 100ms, "b/other"))));
  for (int i = 0; i < 5; ++i) {
    now += 60ms;
    EXPECT_TRUE(Granted(server.Refresh(Args("alive", 100ms, "b/other"))));
  }
  // 300 ms without a refresh: the dead holder's grant is gone, the refreshed one is not.
  EXPECT_TRUE(Refused(server.Refresh(Args("dead", 100ms))));
  EXPECT_TRUE(Granted(server.Lock(Args("next", 100ms))));
  EXPECT_TRUE(Refused(server.Lock(Args("thief", 100ms, "b/other"))));
  now += 101ms;
  EXPECT_EQ(server.ExpireOld(), 2u);
  EXPECT_TRUE(server.Snapshot().empty());
}

TEST_F(ServerFixture, ExpiryIsExactAtTheWindowEdge) {
  EXPECT_TRUE(Granted(server.RLock(Args("r", 100ms))));
  now += 100ms;
  EXPECT_TRUE(Refused(server.Lock(Args("w"))));  // still valid at exactly ttl
  now += 1ms;
  EXPECT_TRUE(Granted(server.Lock(Args("w"))));
}

TEST_F(ServerFixture, TtlDefaultsAndClamps) {
  LockServer clamped(LockServerOptions{.default_ttl = 50ms, .max_ttl = 200ms},
                     [this] { return now; });
  EXPECT_TRUE(Granted(clamped.Lock(Args("default", 0ms, "b/1"))));
  EXPECT_TRUE(Granted(clamped.Lock(Args("huge", 1h, "b/2"))));
  auto snap = clamped.Snapshot();
  ASSERT_EQ(snap.size(), 2u);
  for (const auto& h : snap) {
    EXPECT_EQ(h.ttl, h.uid == "default" ? 50ms : 200ms) << h.uid;
  }
  now += 201ms;
  EXPECT_EQ(clamped.ExpireOld(), 2u);
}

TEST_F(ServerFixture, ForceUnlockByResourceOrUid) {
  EXPECT_TRUE(Granted(server.RLock(Args("r1"))));
  EXPECT_TRUE(Granted(server.RLock(Args("r2"))));
  EXPECT_TRUE(Granted(server.ForceUnlock(Args("r1"))));
  EXPECT_EQ(server.Snapshot().size(), 1u);
  LockArgs all = Args("");
  EXPECT_TRUE(Granted(server.ForceUnlock(all)));
  EXPECT_TRUE(server.Snapshot().empty());
  EXPECT_TRUE(Refused(server.ForceUnlock(all)));
}

TEST_F(ServerFixture, InvalidArgumentsAreErrors) {
  EXPECT_EQ(server.Lock(Args("")).code(), Errc::kInvalidArgument);
  EXPECT_EQ(server.RLock(Args("u", 1s, "")).code(), Errc::kInvalidArgument);
  EXPECT_EQ(server.Refresh(Args("")).code(), Errc::kInvalidArgument);
  EXPECT_EQ(server.ForceUnlock(Args("u", 1s, "")).code(), Errc::kInvalidArgument);
  EXPECT_EQ(server.Call(static_cast<LockOp>(99), Args("u")).code(), Errc::kInvalidArgument);
  EXPECT_TRUE(server.Snapshot().empty());
}

TEST_F(ServerFixture, CallDispatches) {
  EXPECT_TRUE(Granted(server.Call(LockOp::kLock, Args("w"))));
  EXPECT_TRUE(Granted(server.Call(LockOp::kRefresh, Args("w"))));
  EXPECT_TRUE(Refused(server.Call(LockOp::kRLock, Args("r"))));
  EXPECT_TRUE(Granted(server.Call(LockOp::kUnlock, Args("w"))));
  EXPECT_TRUE(Granted(server.Call(LockOp::kRLock, Args("r"))));
  EXPECT_TRUE(Granted(server.Call(LockOp::kRUnlock, Args("r"))));
  EXPECT_TRUE(Refused(server.Call(LockOp::kForceUnlock, Args("r"))));
}

}  // namespace lock_server_test_internal
}  // namespace cairn::lock
