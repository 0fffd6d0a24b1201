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
  // Only the drives in the mask get a coroutine.
  const auto n = static_cast<std::size_t>(set.size());
  std::vector<std::size_t> picked;
  picked.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (mask[i]) {
      picked.push_back(i);
    }
  }
  auto got = co_await FanOut<R>(picked.size(), [&](std::size_t j) -> Task<R> {
    const std::size_t i = picked[j];
    auto d = set.Drive(i);
    if (!d) {
      co_return R(Status(Errc::kDiskNotFound, "drive skipped"));
    }
    co_return co_await fn(*d, i);
  });
  std::vector<R> out;
  out.reserve(n);
  for (std::size_t i = 0, j = 0; i < n; ++i) {
    if (j < picked.size() && picked[j] == i) {
      out.push_back(std::move(got[j++]));
    } else {
      out.push_back(R(Status(Errc::kDiskNotFound, "drive skipped")));
    }
  }
  co_return out;
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

// A multipart upload's record as read quorum of drives holds it (erasure_multipart.cc).
struct QuorumUpload {
  storage::MultipartUpload upload;
  std::vector<bool> has;  // drives that hold the agreed record
};

// The record read quorum of drives agrees on (by data dir). Errors: the drives' majority error
// (kNoSuchUpload when the upload is gone), kReadQuorum.
Task<Result<QuorumUpload>> ReadUploadQuorum(const ErasureSet& set, const RequestContext& ctx,
                                            std::string_view bucket, std::string_view key,
                                            std::string_view upload_id);

// The parts that at least `quorum` of the drives' ListParts answers recorded identically
// (number, ETag, size): one per part number, in number order (erasure_multipart.cc).
std::vector<meta::ObjectPart> AgreedParts(
    const std::vector<Result<std::vector<meta::ObjectPart>>>& lists, std::size_t quorum);

}  // namespace cairn::object
