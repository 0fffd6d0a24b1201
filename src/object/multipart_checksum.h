// The object checksum of a multipart upload, from its parts' checksums: COMPOSITE (the
// checksum of the parts' raw checksums, "<base64>-N") or FULL_OBJECT (the CRC of the whole
// object, combined from the parts' CRCs and sizes), as S3 computes them. Pure code, so the
// rules of CompleteMultipartUpload are unit tested without drives.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/checksum.h"
#include "common/status.h"
#include "meta/file_info.h"
#include "object/object_layer.h"

namespace cairn::object {

inline constexpr std::string_view kChecksumTypeMeta = "x-amz-checksum-type";
inline constexpr std::string_view kChecksumComposite = "COMPOSITE";
inline constexpr std::string_view kChecksumFullObject = "FULL_OBJECT";

struct UploadChecksum {
  ChecksumAlgorithm algorithm = ChecksumAlgorithm::kCrc32;
  bool full_object = false;
};

// The checksum an upload asked for at creation (its metadata's x-amz-checksum-algorithm and
// x-amz-checksum-type; without a type, CRC64NVME is FULL_OBJECT and the others COMPOSITE);
// nullopt when it asked for none.
std::optional<UploadChecksum> UploadChecksumOf(const Metadata& upload_metadata);

// The object checksum (base64, "-N" for COMPOSITE) of the parts `stored` (the stored records
// of the parts the completion names, in its order; given[i] is what it said of stored[i]).
// Every stored part must carry a checksum of the upload's algorithm; a checksum that
// given[i] names must equal the stored one (kInvalidPart); COMPOSITE requires given[i] to
// name it (kInvalidRequest, as S3). Errors: kInvalidPart, kInvalidRequest.
Result<std::string> MultipartObjectChecksum(const UploadChecksum& cs,
                                            const std::vector<meta::ObjectPart>& stored,
                                            const std::vector<CompletePart>& given);

}  // namespace cairn::object
