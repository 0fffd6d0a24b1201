// RunSync: runs a start-up coroutine to completion on a private io_context (server wiring
// only; never on a network thread).
#pragma once

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "common/status.h"
#include "common/task.h"

namespace cairn::server {

template <class T>
T RunSync(Task<T> task) {
  boost::asio::io_context io;
  std::optional<T> out;
  boost::asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    if (!e) {
      out.emplace(std::move(value));
    }
  });
  io.run();
  if (!out) {
    if constexpr (std::is_constructible_v<T, Status>) {
      return T(Status(Errc::kInternal, "a start-up step failed with an exception"));
    } else {
      return T{};  // e.g. a FanOut vector: the caller sees no results
    }
  }
  return std::move(*out);
}

}  // namespace cairn::server
