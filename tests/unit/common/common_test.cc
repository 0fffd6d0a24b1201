#include <atomic>
#include <chrono>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <gtest/gtest.h>

#include "common/fan_out.h"
#include "common/run_blocking.h"
#include "common/status.h"
#include "testing/sync_wait.h"

namespace cairn {
namespace common_test_internal {

using testing::SyncWait;

TEST(Result, HoldsValueOrError) {
  Result<int> unset;
  EXPECT_FALSE(unset.ok());
  EXPECT_EQ(unset.code(), Errc::kInternal);
  Result<int> v = 7;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 7);
  Result<int> e = Status(Errc::kNoSuchKey, "gone");
  EXPECT_EQ(e.code(), Errc::kNoSuchKey);
  EXPECT_EQ(e.status().ToString(), "kNoSuchKey: gone");
}

Result<int> Twice(Result<int> in) {
  ASSIGN_OR_RETURN(int x, in);
  return x * 2;
}

TEST(Result, AssignOrReturn) {
  EXPECT_EQ(*Twice(21), 42);
  EXPECT_EQ(Twice(Status(Errc::kDiskFull)).code(), Errc::kDiskFull);
}

TEST(RunBlocking, RunsOnPoolAndResumes) {
  boost::asio::thread_pool pool(2);
  auto caller = std::this_thread::get_id();
  auto task = [&]() -> Task<bool> {
    auto worker = co_await RunBlocking(pool, [] { return std::this_thread::get_id(); });
    co_return worker != std::this_thread::get_id() && caller == std::this_thread::get_id();
  };
  EXPECT_TRUE(SyncWait(task()));
  pool.join();
}

TEST(FanOut, WaitsForAllInIndexOrder) {
  auto task = []() -> Task<std::vector<Result<int>>> {
    co_return co_await FanOut<Result<int>>(5, [](std::size_t i) -> Task<Result<int>> {
      boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
      t.expires_after(std::chrono::milliseconds(10 * (5 - i)));
      co_await t.async_wait(boost::asio::use_awaitable);
      if (i == 3) {
        co_return Status(Errc::kDiskNotFound);
      }
      co_return static_cast<int>(i) * 10;
    });
  };
  auto out = SyncWait(task());
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(*out[0], 0);
  EXPECT_EQ(*out[4], 40);
  EXPECT_EQ(out[3].code(), Errc::kDiskNotFound);
}

}  // namespace common_test_internal
}  // namespace cairn
