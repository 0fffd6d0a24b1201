#include "storage/local/value_codec.h"

#include "meta/encoding.h"
#include "meta/wire.h"

namespace cairn::storage {
namespace {

constexpr std::string_view kVolumeMagic = "CRNV";
constexpr std::string_view kUploadMagic = "CRNU";
constexpr std::uint8_t kVersion = 1;

}  // namespace

std::string EncodeVolume(const VolumeInfo& info) {
  std::string payload;
  meta::WireWriter w(payload);
  w.Signed(info.created_ns);
  w.Str(info.meta);
  return meta::SealRecord(kVolumeMagic, kVersion, payload);
}

Result<VolumeInfo> DecodeVolume(std::string_view name, std::string_view bytes) {
  ASSIGN_OR_RETURN(std::string_view payload, meta::OpenRecord(bytes, kVolumeMagic, kVersion));
  meta::WireReader r(payload);
  VolumeInfo info;
  info.name.assign(name);
  if (!r.Signed(info.created_ns) || !r.Str(info.meta)) {
    return Status(Errc::kFileCorrupt, "volume record: malformed");
  }
  return info;
}

std::string EncodeUpload(const MultipartUpload& upload) {
  std::string payload;
  meta::WireWriter w(payload);
  w.Str(upload.key);
  w.Str(upload.upload_id);
  w.Signed(upload.initiated_ns);
  w.Str(meta::EncodeVersions(std::span<const meta::FileInfo>(&upload.fi, 1)));
  return meta::SealRecord(kUploadMagic, kVersion, payload);
}

Result<MultipartUpload> DecodeUpload(std::string_view volume, std::string_view bytes) {
  ASSIGN_OR_RETURN(std::string_view payload, meta::OpenRecord(bytes, kUploadMagic, kVersion));
  meta::WireReader r(payload);
  MultipartUpload upload;
  std::string_view entry;
  if (!r.Str(upload.key) || !r.Str(upload.upload_id) || !r.Signed(upload.initiated_ns) ||
      !r.Str(entry)) {
    return Status(Errc::kFileCorrupt, "upload record: malformed");
  }
  ASSIGN_OR_RETURN(upload.fi, meta::DecodeLatest(entry, /*with_inline_data=*/true));
  upload.fi.volume.assign(volume);
  upload.fi.name = upload.key;
  upload.fi.is_latest = false;
  upload.fi.num_versions = 0;
  return upload;
}

}  // namespace cairn::storage
