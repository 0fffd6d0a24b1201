#include "object/ns_lock.h"

#include <chrono>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

namespace cairn::object {
namespace ns_lock_test_internal {

namespace asio = boost::asio;
using namespace std::chrono_literals;

Task<void> Sleep(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  t.expires_after(d);
  co_await t.async_wait(asio::use_awaitable);
}

TEST(NsLock, WritersExcludeEachOtherReadersShare) {
  LocalNsLocker locker(5s);
  asio::io_context io;  // one thread: waiting must never block it
  std::vector<std::string> events;
  auto ctx = RequestContext::Background();
  auto holder = [&](std::string name, bool write, std::chrono::milliseconds delay,
                    std::chrono::milliseconds hold) -> Task<void> {
    co_await Sleep(delay);
    auto g = co_await locker.Lock(ctx, "b/k", write);
    EXPECT_TRUE(g.ok());
    events.push_back(name + "+");
    co_await Sleep(hold);
    events.push_back(name + "-");
  };
  asio::co_spawn(io, holder("w1", true, 0ms, 30ms), asio::detached);
  asio::co_spawn(io, holder("r1", false, 5ms, 20ms), asio::detached);
  asio::co_spawn(io, holder("r2", false, 6ms, 20ms), asio::detached);
  asio::co_spawn(io, holder("w2", true, 7ms, 5ms), asio::detached);
  io.run();
  std::vector<std::string> want = {"w1+", "w1-", "r1+", "r2+", "r1-", "r2-", "w2+", "w2-"};
  EXPECT_EQ(events, want);
  EXPECT_EQ(locker.ActiveForTest(), 0u);
}

TEST(NsLock, TimesOutAndRecovers) {
  LocalNsLocker locker(50ms);
  asio::io_context io;
  auto ctx = RequestContext::Background();
  Errc second = Errc::kOk;
  bool third_ok = false;
  asio::co_spawn(
      io,
      [&]() -> Task<void> {
        auto g = co_await locker.Lock(ctx, "b/k", true);
        EXPECT_TRUE(g.ok());
        co_await Sleep(120ms);
      },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> Task<void> {
        co_await Sleep(5ms);
        auto g = co_await locker.Lock(ctx, "b/k", false);
        second = g.code();
        co_await Sleep(100ms);
        auto g2 = co_await locker.Lock(ctx, "b/k", true);
        third_ok = g2.ok();
      },
      asio::detached);
  io.run();
  EXPECT_EQ(second, Errc::kLockTimeout);
  EXPECT_TRUE(third_ok);
  EXPECT_EQ(locker.ActiveForTest(), 0u);
}

TEST(NsLock, DifferentResourcesDoNotContend) {
  LocalNsLocker locker(20ms);
  asio::io_context io;
  auto ctx = RequestContext::Background();
  int ok = 0;
  asio::co_spawn(
      io,
      [&]() -> Task<void> {
        auto a = co_await locker.Lock(ctx, "b/a", true);
        auto b = co_await locker.Lock(ctx, "b/b", true);
        ok = a.ok() + b.ok();
      },
      asio::detached);
  io.run();
  EXPECT_EQ(ok, 2);
}

}  // namespace ns_lock_test_internal
}  // namespace cairn::object
