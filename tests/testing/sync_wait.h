// SyncWait: runs a coroutine to completion on a private io_context, for unit tests.
#pragma once

#include <exception>
#include <optional>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "common/task.h"

namespace cairn::testing {

template <class T>
T SyncWait(Task<T> task) {
  boost::asio::io_context io;
  std::optional<T> out;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    error = e;
    out.emplace(std::move(value));
  });
  io.run();
  if (error) {
    std::rethrow_exception(error);
  }
  return std::move(*out);
}

inline void SyncWait(Task<void> task) {
  boost::asio::io_context io;
  std::exception_ptr error;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error) {
    std::rethrow_exception(error);
  }
}

}  // namespace cairn::testing
