// PostBack: from a foreign thread (a drive's worker, a committer), posts a completion to the
// executor a waiting coroutine runs on, held by `work` (its work guard).
//
// The posting thread must not hold the last reference to that executor: a strand's state is
// owned by the strands that refer to it and unlinks itself from its execution context when
// the last one goes. If the completion ran, the coroutine finished and its owner tore the
// context down while this thread still held its copy of the executor, that copy would be
// destroyed after the context (a use after free seen under ASan when a ServerPools with a
// heal strand was destroyed while a drive thread was still returning). So the completion
// waits, for the few instructions that takes, until this thread has dropped its copy.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <utility>

#include <boost/asio/post.hpp>

namespace cairn {

template <class Work, class Fn>
void PostBack(Work work, Fn fn) {
  auto released = std::make_shared<std::atomic<bool>>(false);
  {
    auto ex = work.get_executor();
    boost::asio::post(ex, [fn = std::move(fn), work = std::move(work), released]() mutable {
      while (!released->load(std::memory_order_acquire)) {
        std::this_thread::yield();
      }
      std::move(fn)();
    });
  }
  released->store(true, std::memory_order_release);
}

}  // namespace cairn
