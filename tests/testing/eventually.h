// Eventually: polls a condition until it holds or a limit passes, for tests that wait on
// background work (a heal, a heartbeat, a freed connection slot) instead of sleeping a guess.
#pragma once

#include <chrono>
#include <thread>

namespace cairn::testing {

// Polls `cond` every `every` until it holds, for at most `limit`; returns its last value.
template <class F>
bool Eventually(F cond, std::chrono::milliseconds limit = std::chrono::seconds(20),
                std::chrono::milliseconds every = std::chrono::milliseconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) {
      return true;
    }
    std::this_thread::sleep_for(every);
  }
  return cond();
}

}  // namespace cairn::testing
