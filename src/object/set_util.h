// Internal helpers of ErasureSet's implementation files: fan-out over the set's drives.
#pragma once

#include <cstddef>
#include <vector>

#include "common/fan_out.h"
#include "object/erasure_set.h"

namespace cairn::object {

// Runs fn(drive, i) on every drive of the set concurrently; an absent or offline drive
// yields kDiskNotFound without a call. R is Status or Result<T>.
template <class R, class F>
Task<std::vector<R>> ForEachDrive(const ErasureSet& set, F fn) {
  co_return co_await FanOut<R>(static_cast<std::size_t>(set.size()), [&](std::size_t i) -> Task<R> {
    auto d = set.Drive(i);
    if (!d || !d->IsOnline()) {
      co_return R(Status(Errc::kDiskNotFound, "drive offline"));
    }
    co_return co_await fn(*d, i);
  });
}

// Same, but only on drives where mask[i] is true; others yield kDiskNotFound.
template <class R, class F>
Task<std::vector<R>> ForEachDriveIn(const ErasureSet& set, const std::vector<bool>& mask, F fn) {
  co_return co_await FanOut<R>(static_cast<std::size_t>(set.size()), [&](std::size_t i) -> Task<R> {
    auto d = set.Drive(i);
    if (!mask[i] || !d) {
      co_return R(Status(Errc::kDiskNotFound, "drive skipped"));
    }
    co_return co_await fn(*d, i);
  });
}

// True when two drives' copies are the same version of an object (id, mod time, data dir,
// size, ETag, delete marker): what quorum counts.
bool SameVersion(const meta::FileInfo& a, const meta::FileInfo& b);

template <class R>
std::size_t CountOk(const std::vector<R>& results) {
  std::size_t n = 0;
  for (const auto& r : results) {
    n += r.ok() ? 1 : 0;
  }
  return n;
}

}  // namespace cairn::object
