// Encodings of the namespace store's small values other than object entries: bucket
// records (buckets column family) and multipart upload records. Sealed records with their
// own magic, version and XXH64 checksum (docs/format.md).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/storage_api.h"

namespace cairn::storage {

// buckets CF value: magic "CRNV", version 1; `name` is the key, not stored.
std::string EncodeVolume(const VolumeInfo& info);
Result<VolumeInfo> DecodeVolume(std::string_view name, std::string_view bytes);

// multipart CF upload value: magic "CRNU", version 1. fi.volume/fi.name are set from
// `volume` and the stored key on decode.
std::string EncodeUpload(const MultipartUpload& upload);
Result<MultipartUpload> DecodeUpload(std::string_view volume, std::string_view bytes);

}  // namespace cairn::storage
