// RunBlocking: runs a blocking function (file I/O, RocksDB, erasure coding of large blocks)
// on a worker pool and resumes the awaiting coroutine on its own executor. Network threads
// never block: every syscall that may block goes through here.
#pragma once

#include <exception>
#include <type_traits>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/post_back.h"
#include "common/task.h"

namespace cairn {

// `fn` must not throw; its result type must be movable.
template <class F>
Task<std::invoke_result_t<F&>> RunBlocking(boost::asio::thread_pool& pool, F fn) {
  using R = std::invoke_result_t<F&>;
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>, void(R)>(
      [&pool](auto handler, F f) {
        auto work = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler));
        boost::asio::post(pool, [handler = std::move(handler), f = std::move(f),
                                 work = std::move(work)]() mutable {
          R result = f();
          PostBack(std::move(work),
                   [handler = std::move(handler), result = std::move(result)]() mutable {
                     std::move(handler)(std::move(result));
                   });
        });
      },
      boost::asio::use_awaitable, std::move(fn));
}

}  // namespace cairn
