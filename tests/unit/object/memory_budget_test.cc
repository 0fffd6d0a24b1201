#include "object/memory_budget.h"

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "testing/sync_wait.h"

namespace cairn::object {
namespace memory_budget_test_internal {

namespace asio = boost::asio;
using namespace std::chrono_literals;

Task<void> Sleep(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  t.expires_after(d);
  co_await t.async_wait(asio::use_awaitable);
}

TEST(MemoryBudget, GrantsWithinCapacityAndReleasesOnDestruction) {
  MemoryBudget budget(100, 1s);
  {
    auto a = testing::SyncWait(budget.Acquire(60));
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->bytes(), 60u);
    EXPECT_EQ(budget.used(), 60u);
    auto b = testing::SyncWait(budget.Acquire(40));
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(budget.used(), 100u);
  }
  EXPECT_EQ(budget.used(), 0u);
}

TEST(MemoryBudget, OversizedRequestIsClampedAndRunsAlone) {
  MemoryBudget budget(100, 1s);
  auto a = testing::SyncWait(budget.Acquire(1000));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->bytes(), 100u);
}

TEST(MemoryBudget, ZeroCapacityIsUnbounded) {
  MemoryBudget budget(0, 1s);
  auto a = testing::SyncWait(budget.Acquire(std::size_t{1} << 40));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(budget.used(), 0u);
}

TEST(MemoryBudget, WaitersAreServedInOrderWhenRoomIsMade) {
  MemoryBudget budget(100, 5s);
  asio::io_context io;  // one thread: waiting must never block it
  std::vector<std::string> events;
  auto holder = [&](std::string name, std::size_t bytes, std::chrono::milliseconds delay,
                    std::chrono::milliseconds hold) -> Task<void> {
    co_await Sleep(delay);
    auto lease = co_await budget.Acquire(bytes);
    EXPECT_TRUE(lease.ok()) << name;
    events.push_back(name + "+");
    co_await Sleep(hold);
    events.push_back(name + "-");
  };
  asio::co_spawn(io, holder("a", 70, 0ms, 40ms), asio::detached);
  asio::co_spawn(io, holder("b", 50, 5ms, 10ms), asio::detached);   // waits for a
  asio::co_spawn(io, holder("c", 20, 10ms, 10ms), asio::detached);  // fits, but queues behind b
  io.run();
  EXPECT_EQ(events, (std::vector<std::string>{"a+", "a-", "b+", "c+", "b-", "c-"}));
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_EQ(budget.waiting(), 0u);
}

TEST(MemoryBudget, WaitBeyondTheLimitIsSlowDown) {
  MemoryBudget budget(100, 20ms);
  asio::io_context io;
  Status late_status;
  bool small_granted = false;
  auto run = [&]() -> Task<void> {
    auto held = co_await budget.Acquire(100);
    EXPECT_TRUE(held.ok());
    auto late = co_await budget.Acquire(10);
    late_status = late.status();
    EXPECT_EQ(budget.waiting(), 0u);
    co_return;
  };
  auto after = [&]() -> Task<void> {
    co_await Sleep(60ms);
    auto small = co_await budget.Acquire(10);  // the first lease is gone by now
    small_granted = small.ok();
  };
  asio::co_spawn(io, run(), asio::detached);
  asio::co_spawn(io, after(), asio::detached);
  io.run();
  EXPECT_EQ(late_status.code(), Errc::kSlowDown);
  EXPECT_TRUE(small_granted);
  EXPECT_EQ(budget.used(), 0u);
}

}  // namespace memory_budget_test_internal
}  // namespace cairn::object
