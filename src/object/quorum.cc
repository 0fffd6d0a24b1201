#include "object/quorum.h"

#include <map>

namespace cairn::object {

Errc ReduceErrc(std::span<const Errc> codes, std::size_t quorum, Errc insufficient) {
  std::map<Errc, std::size_t> counts;
  for (Errc c : codes) {
    ++counts[c];
  }
  Errc best = insufficient;
  std::size_t best_count = 0;
  for (const auto& [code, n] : counts) {
    if (n > best_count || (n == best_count && code == Errc::kOk)) {
      best = code;
      best_count = n;
    }
  }
  if (best_count == 0 || best_count < quorum) {
    return insufficient;
  }
  return best;
}

Errc ToObjectError(Errc e, Errc quorum_error) {
  switch (e) {
    case Errc::kFileNotFound:
      return Errc::kNoSuchKey;
    case Errc::kFileVersionNotFound:
      return Errc::kNoSuchVersion;
    case Errc::kVolumeNotFound:
      return Errc::kNoSuchBucket;
    case Errc::kVolumeExists:
      return Errc::kBucketExists;
    case Errc::kVolumeNotEmpty:
      return Errc::kBucketNotEmpty;
    case Errc::kUploadNotFound:
      return Errc::kNoSuchUpload;
    case Errc::kPartNotFound:
      return Errc::kInvalidPart;
    case Errc::kFileNameTooLong:
      return Errc::kKeyTooLong;
    case Errc::kDiskNotFound:
    case Errc::kFaultyDisk:
    case Errc::kFileCorrupt:
    case Errc::kDiskAccessDenied:
    case Errc::kUnformattedDisk:
    case Errc::kInconsistentDisk:
    case Errc::kCorruptedFormat:
    case Errc::kTimeout:
    case Errc::kInternal:
    case Errc::kUnknown:
      return quorum_error;
    default:
      return e;
  }
}

Status ToObjectError(const Status& s, Errc quorum_error) {
  if (s.ok()) {
    return s;
  }
  return Status(ToObjectError(s.code(), quorum_error), s.message());
}

}  // namespace cairn::object
