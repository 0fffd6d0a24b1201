// Compiled with -fno-strict-aliasing (see CMakeLists.txt and highwayhash_portable.h).
#include "erasure/highwayhash_portable.h"

#include <highwayhash/highwayhash.h>

namespace cairn::erasure::internal {

void HighwayHash256Portable(const std::uint64_t (&key)[4], const char* bytes, std::size_t size,
                            std::uint64_t (&out)[4]) {
  highwayhash::HHStateT<HH_TARGET> state(key);
  highwayhash::HighwayHashT(&state, bytes, size, &out);
}

}  // namespace cairn::erasure::internal
