#include "common/gate.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

namespace cairn {
namespace {

TEST(Gate, CloseWaitsForWorkInsideAndRefusesNewWork) {
  Gate gate;
  ASSERT_TRUE(gate.Enter());
  ASSERT_TRUE(gate.Enter());
  EXPECT_EQ(gate.inside(), 2u);
  std::atomic<bool> released{false};
  std::atomic<bool> closed{false};
  std::thread closer([&] {
    gate.Close();
    closed = true;
  });
  // Close() cannot return while work is inside: it returns only after the last Leave().
  while (!gate.closed()) {
    std::this_thread::yield();
  }
  EXPECT_FALSE(gate.Enter());
  gate.Leave();
  EXPECT_FALSE(closed.load());
  released = true;
  gate.Leave();
  closer.join();
  EXPECT_TRUE(closed.load());
  EXPECT_TRUE(released.load());
  EXPECT_EQ(gate.inside(), 0u);
  gate.Close();  // idempotent, and returns at once when nothing is inside
}

}  // namespace
}  // namespace cairn
