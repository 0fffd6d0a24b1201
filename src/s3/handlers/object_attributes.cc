// GetObjectAttributes (GET ?attributes): the attributes x-amz-object-attributes names (ETag,
// Checksum, ObjectParts with pagination, StorageClass, ObjectSize) without the data; and
// GetObjectTorrent (GET ?torrent), which cairn does not serve: 501 for an object that exists,
// the object's own error (NoSuchKey, NoSuchBucket) otherwise, as AWS answers.
#include <algorithm>
#include <array>

#include "common/checksum.h"
#include "common/text.h"
#include "s3/dates.h"
#include "s3/handlers/handlers.h"
#include "s3/sse.h"
#include "s3/xml.h"

namespace cairn::s3 {
namespace {

constexpr auto kAttributeNames = std::to_array<std::string_view>(
    {"ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"});

struct AttributeSet {
  bool etag = false;
  bool checksum = false;
  bool parts = false;
  bool storage_class = false;
  bool size = false;
};

// x-amz-object-attributes: a comma-separated list of kAttributeNames (the header may repeat).
Result<AttributeSet> ReadAttributes(const S3Request& req) {
  AttributeSet set;
  bool any = false;
  for (const auto& [name, value] : req.http().headers) {
    if (name != "x-amz-object-attributes") {
      continue;
    }
    std::string_view rest = value;
    while (true) {
      const auto comma = rest.find(',');
      const std::string_view item = TrimBlanks(rest.substr(0, comma));
      if (!item.empty()) {
        if (std::find(kAttributeNames.begin(), kAttributeNames.end(), item) ==
            kAttributeNames.end()) {
          return Status(Errc::kInvalidArgumentS3, "Invalid attribute name specified.");
        }
        any = true;
        set.etag = set.etag || item == "ETag";
        set.checksum = set.checksum || item == "Checksum";
        set.parts = set.parts || item == "ObjectParts";
        set.storage_class = set.storage_class || item == "StorageClass";
        set.size = set.size || item == "ObjectSize";
      }
      if (comma == std::string_view::npos) {
        break;
      }
      rest.remove_prefix(comma + 1);
    }
  }
  if (!any) {
    return Status(Errc::kInvalidRequest,
                  "The x-amz-object-attributes header specifying the attributes to be retrieved "
                  "is either missing or empty");
  }
  return set;
}

// The object's checksum as stored (x-amz-checksum-<alg>, x-amz-checksum-type), as the
// <Checksum> elements: ChecksumCRC32 ... and ChecksumType.
void WriteChecksum(XmlWriter& w, const object::ObjectInfo& info) {
  constexpr auto kAlgorithms = std::to_array<ChecksumAlgorithm>(
      {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme,
       ChecksumAlgorithm::kSha1, ChecksumAlgorithm::kSha256});
  bool open = false;
  for (ChecksumAlgorithm algo : kAlgorithms) {
    const std::string& value = info.Meta(ChecksumHeader(algo));
    if (value.empty()) {
      continue;
    }
    if (!open) {
      w.Open("Checksum");
      open = true;
    }
    w.Element("Checksum" + std::string(ChecksumName(algo)), value);
  }
  if (!open) {
    return;
  }
  if (const std::string& type = info.Meta("x-amz-checksum-type"); !type.empty()) {
    w.Element("ChecksumType", type);
  }
  w.Close();
}

}  // namespace

Task<Status> GetObjectAttributes(S3Request& req) {
  CO_ASSIGN_OR_RETURN(AttributeSet want, ReadAttributes(req));
  CO_ASSIGN_OR_RETURN(int max_parts, HeaderInt(req, "x-amz-max-parts", 1000, 0, 2147483647));
  CO_ASSIGN_OR_RETURN(int marker, HeaderInt(req, "x-amz-part-number-marker", 0, 0, 2147483647));
  max_parts = std::min(max_parts, 1000);
  object::GetOptions opts;
  CO_ASSIGN_OR_RETURN(opts.version_id, VersionIdParam(req));
  CO_ASSIGN_OR_RETURN(SseRequest sse, ParseSseRead(req.http()));
  CO_RETURN_IF_ERROR(CheckSseCTransport(req, sse));
  CO_ASSIGN_OR_RETURN(auto stored, co_await req.layer.GetObjectInfo(req.ctx, req.route.bucket,
                                                                    req.route.key, opts));
  CO_RETURN_IF_ERROR(
      co_await CheckSseCKey(req, stored.metadata, req.route.bucket, req.route.key, sse));
  const object::ObjectInfo info = PlainObjectInfo(std::move(stored));
  http::Headers headers = OneHeader("last-modified", FormatHttpDate(info.mod_time_ns));
  AddSseHeaders(info.metadata, sse, headers);
  if (!info.version_id.empty()) {
    headers.emplace_back("x-amz-version-id", info.version_id);
  }
  XmlWriter w;
  w.Open("GetObjectAttributesResponse");
  if (want.etag) {
    w.Element("ETag", info.etag);  // unquoted, as AWS returns it here
  }
  if (want.checksum) {
    WriteChecksum(w, info);
  }
  // ObjectParts is for multipart objects only (AWS leaves it out for a single PUT).
  if (want.parts && !info.parts.empty() && info.etag.find('-') != std::string::npos) {
    const auto first =
        std::upper_bound(info.parts.begin(), info.parts.end(), marker,
                         [](int m, const object::PartInfo& p) { return m < p.number; });
    const auto available = static_cast<std::size_t>(info.parts.end() - first);
    const std::size_t shown = std::min<std::size_t>(available, static_cast<std::size_t>(max_parts));
    const bool truncated = shown < available;
    w.Open("ObjectParts")
        .Element("PartsCount", static_cast<std::int64_t>(info.parts.size()))
        .Element("PartNumberMarker", marker)
        .Element("NextPartNumberMarker", shown > 0 ? (first + shown - 1)->number : marker)
        .Element("MaxParts", max_parts)
        .Bool("IsTruncated", truncated);
    for (auto it = first; it != first + static_cast<std::ptrdiff_t>(shown); ++it) {
      w.Open("Part").Element("PartNumber", it->number).Element("Size", it->size);
      for (const auto& [algo, value] : it->checksums) {
        w.Element("Checksum" + algo, value);
      }
      w.Close();
    }
    w.Close();
  }
  if (want.storage_class) {
    w.Element("StorageClass", info.storage_class.empty() ? "STANDARD" : info.storage_class);
  }
  if (want.size) {
    w.Element("ObjectSize", info.size);
  }
  co_return co_await SendXml(req, w.Finish(), 200, std::move(headers));
}

Task<Status> GetObjectTorrent(S3Request& req) {
  object::GetOptions opts;
  CO_ASSIGN_OR_RETURN(opts.version_id, VersionIdParam(req));
  CO_ASSIGN_OR_RETURN(
      auto info, co_await req.layer.GetObjectInfo(req.ctx, req.route.bucket, req.route.key, opts));
  (void)info;
  co_return Status(Errc::kNotImplemented, "cairn does not serve BitTorrent files");
}

}  // namespace cairn::s3
