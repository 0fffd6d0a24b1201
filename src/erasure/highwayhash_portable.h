// A correct portable HighwayHash-256. Debian's libhighwayhash (0~git20200803) miscompiles its
// Portable target at -O2 (hh_portable.h breaks strict aliasing): inputs longer than 32 bytes
// that are not a multiple of 32 hash wrongly. This instance is built from the same header in a
// translation unit compiled with -fno-strict-aliasing, and serves CPUs without SSE4.1.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cairn::erasure::internal {

void HighwayHash256Portable(const std::uint64_t (&key)[4], const char* bytes, std::size_t size,
                            std::uint64_t (&out)[4]);

}  // namespace cairn::erasure::internal
