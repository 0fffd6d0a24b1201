// The object checksum of a multipart upload (multipart_checksum.h).
#include "object/multipart_checksum.h"

#include <memory>

#include "object/object_util.h"

namespace cairn::object {
namespace {

Status PartError(const meta::ObjectPart& part, std::string_view what) {
  return Status(Errc::kInvalidPart,
                "part " + std::to_string(part.number) + ": " + std::string(what));
}

// The raw stored checksum of `stored` after checking what the completion said of it.
Result<std::string> PartChecksum(const UploadChecksum& cs, const meta::ObjectPart& stored,
                                 const CompletePart& given) {
  const std::string name(ChecksumName(cs.algorithm));
  const std::string* have = nullptr;
  for (const auto& [k, v] : stored.checksums) {
    if (k == name) {
      have = &v;
    }
  }
  if (have == nullptr) {
    return PartError(stored, "it was uploaded without its " + name + " checksum");
  }
  bool named = false;
  for (const auto& [k, v] : given.checksums) {
    auto algo = ParseChecksumAlgorithm(k);
    if (!algo) {
      continue;
    }
    if (*algo != cs.algorithm) {
      return PartError(stored, "the upload's checksum algorithm is " + name + ", not " + k);
    }
    if (v != *have) {
      return PartError(stored, "its " + name + " checksum differs from the uploaded part's");
    }
    named = true;
  }
  if (!named && !cs.full_object) {
    // S3 answers InvalidRequest here ("The upload was created using a crc32 checksum. The
    // complete request must include the checksum for each part. It was missing for part 1").
    std::string lower = ChecksumHeader(cs.algorithm).substr(15);
    return Status(Errc::kInvalidRequest,
                  "The upload was created using a " + lower +
                      " checksum. The complete request must include the checksum for each "
                      "part. It was missing for part " +
                      std::to_string(stored.number) + " in the request.");
  }
  auto raw = Base64Decode(*have);
  if (!raw || raw->size() != ChecksumSize(cs.algorithm)) {
    return PartError(stored, "its stored checksum is not valid");
  }
  return *raw;
}

}  // namespace

std::optional<UploadChecksum> UploadChecksumOf(const Metadata& upload_metadata) {
  auto algo = ParseChecksumAlgorithm(FindMeta(upload_metadata, "x-amz-checksum-algorithm"));
  if (!algo) {
    return std::nullopt;
  }
  UploadChecksum cs;
  cs.algorithm = *algo;
  const std::string& type = FindMeta(upload_metadata, kChecksumTypeMeta);
  cs.full_object =
      type.empty() ? *algo == ChecksumAlgorithm::kCrc64Nvme : type == kChecksumFullObject;
  return cs;
}

Result<std::string> MultipartObjectChecksum(const UploadChecksum& cs,
                                            const std::vector<meta::ObjectPart>& stored,
                                            const std::vector<CompletePart>& given) {
  if (stored.size() != given.size() || stored.empty()) {
    return Status(Errc::kInvalidPart, "the parts named do not match the parts found");
  }
  if (cs.full_object && !IsCrc(cs.algorithm)) {
    return Status(Errc::kInvalidPart, "a FULL_OBJECT checksum needs a CRC");
  }
  std::unique_ptr<Hasher> composite = cs.full_object ? nullptr : NewChecksumHasher(cs.algorithm);
  std::string whole;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    ASSIGN_OR_RETURN(std::string raw, PartChecksum(cs, stored[i], given[i]));
    if (composite) {
      composite->Update(raw);
    } else if (i == 0) {
      whole = std::move(raw);
    } else {
      auto combined =
          CombineCrc(cs.algorithm, whole, raw, static_cast<std::uint64_t>(stored[i].size));
      if (!combined) {
        return PartError(stored[i], "its checksum does not combine");
      }
      whole = std::move(*combined);
    }
  }
  if (composite) {
    return Base64Encode(composite->Finish()) + "-" + std::to_string(stored.size());
  }
  return Base64Encode(whole);
}

}  // namespace cairn::object
