// Task<T>: the coroutine type of cairn, Boost.Asio's awaitable. Interface headers include
// only this (cheap to parse); the .cc files that spawn or await I/O include asio proper.
#pragma once

#include <boost/asio/awaitable.hpp>

namespace cairn {

template <class T>
using Task = boost::asio::awaitable<T>;

}  // namespace cairn
