// ReleaseIdleMemory against tcmalloc, linked into this test as into the server binary.
#include "common/allocator.h"

#include <memory>
#include <vector>

#include <gtest/gtest.h>

namespace cairn {
namespace {

TEST(Allocator, FreedBuffersAreIdleUntilReleased) {
  {
    std::vector<std::unique_ptr<char[]>> buffers;
    for (int i = 0; i < 96; ++i) {
      buffers.emplace_back(new char[1 << 20]);
      buffers.back()[0] = static_cast<char>(i);  // touched, so resident
    }
  }
  std::size_t before = AllocatorIdleBytes();
  EXPECT_GE(before, std::size_t{32} << 20);
  ReleaseIdleMemory();
  EXPECT_LT(AllocatorIdleBytes(), before / 2);
}

}  // namespace
}  // namespace cairn
