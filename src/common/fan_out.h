// FanOut: runs one coroutine per drive (or peer) concurrently and waits for all of them.
// Quorum is always decided on the whole vector of results, never on the first few.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/task.h"

namespace cairn {

// `fn(i)` for i in [0, n) returns Task<R>; R is typically Result<T> or Status and must be
// default constructible. Results come back in index order. Each child runs on the caller's
// executor; a child that throws (a bug) leaves its default R (kInternal "unset").
template <class R, class F>
Task<std::vector<R>> FanOut(std::size_t n, F fn) {
  auto ex = co_await boost::asio::this_coro::executor;
  std::vector<R> results(n);
  if (n == 0) {
    co_return results;
  }
  using Op = decltype(boost::asio::co_spawn(ex, fn(std::size_t{0}), boost::asio::deferred));
  std::vector<Op> ops;
  ops.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    ops.push_back(boost::asio::co_spawn(ex, fn(i), boost::asio::deferred));
  }
  auto [order, errors, values] =
      co_await boost::asio::experimental::make_parallel_group(std::move(ops))
          .async_wait(boost::asio::experimental::wait_for_all(), boost::asio::use_awaitable);
  (void)order;
  // Values and errors are indexed by operation, not by completion order.
  for (std::size_t i = 0; i < n; ++i) {
    if (!errors[i]) {
      results[i] = std::move(values[i]);
    }
  }
  co_return results;
}

}  // namespace cairn
