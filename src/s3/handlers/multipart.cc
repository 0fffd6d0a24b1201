#include "common/checksum.h"
#include "object/multipart_checksum.h"
#include "s3/dates.h"
#include "s3/handlers/handlers.h"
#include "s3/object_headers.h"
#include "s3/sse.h"
#include "s3/upload_body.h"
#include "s3/xml.h"

namespace cairn::s3 {
namespace {

std::string UploadId(const S3Request& req) {
  return std::string(req.route.query.Get("uploadId").value_or(""));
}

bool UrlEncoding(const S3Request& req) {
  return req.route.query.Get("encoding-type") == "url";
}

Status CheckEncodingType(const S3Request& req) {
  auto enc = req.route.query.Get("encoding-type");
  if (enc && *enc != "url") {
    return Status(Errc::kInvalidEncodingType);
  }
  return Status::Ok();
}

void WriteOwner(XmlWriter& w, std::string_view element) {
  w.Open(element).Element("ID", kOwnerId).Element("DisplayName", kOwnerName).Close();
}

// The base URL of this request for <Location>: scheme, Host and path style.
std::string Location(const S3Request& req) {
  const std::string* host = req.Header("host");
  std::string out = req.http().tls ? "https://" : "http://";
  out += host != nullptr ? *host : std::string("localhost");
  if (!req.route.virtual_host) {
    out += "/" + UriEncode(req.route.bucket, true);
  }
  return out + "/" + UriEncode(req.route.key, true);
}

}  // namespace

Task<Status> CreateMultipartUpload(S3Request& req) {
  object::PutOptions opts;
  CO_ASSIGN_OR_RETURN(opts.metadata, MetadataFromRequest(req.http()));
  CO_ASSIGN_OR_RETURN(object::Metadata lock,
                      co_await BucketWriteMetadata(req, req.http(), req.route.key));
  opts.metadata.insert(opts.metadata.end(), lock.begin(), lock.end());
  CO_ASSIGN_OR_RETURN(ChecksumRequest checksum, ReadChecksumRequest(req.http()));
  CO_ASSIGN_OR_RETURN(std::string checksum_type,
                      MultipartChecksumType(checksum.algorithm, req.Header("x-amz-checksum-type")));
  http::Headers headers;
  if (checksum.algorithm) {
    const std::string name(ChecksumName(*checksum.algorithm));
    opts.metadata.emplace_back("x-amz-checksum-algorithm", name);
    opts.metadata.emplace_back(std::string(object::kChecksumTypeMeta), checksum_type);
    headers.emplace_back("x-amz-checksum-algorithm", name);
    headers.emplace_back(std::string(object::kChecksumTypeMeta), checksum_type);
  }
  // The upload's object key is made now and sealed in its metadata; each part is encrypted
  // under its own key derived from it.
  CO_ASSIGN_OR_RETURN(SseWrite sse,
                      co_await PrepareSseWrite(req, req.http(), req.route.key, opts.metadata));
  AddSseHeaders(opts.metadata, sse.sse, headers);
  CO_ASSIGN_OR_RETURN(std::string upload_id, co_await req.layer.NewMultipartUpload(
                                                 req.ctx, req.route.bucket, req.route.key, opts));
  XmlWriter w;
  w.Open("InitiateMultipartUploadResult")
      .Element("Bucket", req.route.bucket)
      .Element("Key", req.route.key)
      .Element("UploadId", upload_id);
  co_return co_await SendXml(req, w.Finish(), 200, std::move(headers));
}

Task<Status> UploadPart(S3Request& req) {
  CO_ASSIGN_OR_RETURN(int part_number, QueryInt(req, "partNumber", 0, 1, 10000));
  CO_ASSIGN_OR_RETURN(auto body, OpenUploadBody(req, kMaxPartSize));
  CO_ASSIGN_OR_RETURN(SseRequest sse, ParseSseC(req.http(), false));
  CO_RETURN_IF_ERROR(CheckSseCTransport(req, sse));
  const std::string upload_id = UploadId(req);
  CO_ASSIGN_OR_RETURN(UploadKey upload, co_await OpenUploadKey(req, upload_id, sse));
  StoredBody stored(body->reader(), StoredSseMode(upload.metadata), upload.key, part_number);
  CO_ASSIGN_OR_RETURN(auto part,
                      co_await req.layer.PutObjectPart(req.ctx, req.route.bucket, req.route.key,
                                                       upload_id, part_number, stored.reader()));
  http::Headers headers = OneHeader("etag", QuoteEtag(part.etag));
  AddSseHeaders(upload.metadata, sse, headers);
  if (auto checksum = body->reader().checksum()) {
    headers.emplace_back(checksum->first, checksum->second);
  }
  co_return co_await SendEmpty(req, 200, std::move(headers));
}

Task<Status> CompleteMultipartUpload(S3Request& req) {
  CO_ASSIGN_OR_RETURN(std::string xml, co_await ReadRequestXml(req, kMaxCompleteBody));
  CO_ASSIGN_OR_RETURN(auto parsed, ParseCompleteMultipartUpload(xml));
  std::vector<object::CompletePart> parts;
  parts.reserve(parsed.size());
  for (auto& p : parsed) {
    parts.push_back({p.number, std::move(p.etag), std::move(p.checksums)});
  }
  object::PutOptions opts;
  if (const std::string* v = req.Header("if-match")) {
    opts.if_match = *v;
  }
  if (const std::string* v = req.Header("if-none-match")) {
    opts.if_none_match = *v;
  }
  CO_ASSIGN_OR_RETURN(ChecksumRequest checksum, ReadChecksumRequest(req.http()));
  if (checksum.algorithm && !checksum.base64.empty()) {
    opts.checksum_algorithm = checksum.algorithm;
    opts.checksum_base64 = checksum.base64;
  }
  if (const std::string* v = req.Header("x-amz-checksum-type")) {
    opts.checksum_type = *v;
  }
  // An encrypted upload's parts are stored larger than the plaintext their checksums cover.
  opts.checksum_part_size = [](const object::Metadata& upload, std::int64_t stored) {
    return StoredSseMode(upload) != SseMode::kNone ? PlainPartSize(stored) : stored;
  };
  CO_ASSIGN_OR_RETURN(auto info,
                      co_await req.layer.CompleteMultipartUpload(
                          req.ctx, req.route.bucket, req.route.key, UploadId(req), parts, opts));
  XmlWriter w;
  w.Open("CompleteMultipartUploadResult")
      .Element("Location", Location(req))
      .Element("Bucket", req.route.bucket)
      .Element("Key", req.route.key)
      .Element("ETag", QuoteEtag(info.etag));
  for (const auto& [name, value] : info.metadata) {
    if (name.rfind("x-amz-checksum-", 0) == 0 && name != "x-amz-checksum-type" &&
        name != "x-amz-checksum-algorithm") {
      if (auto algo = ParseChecksumAlgorithm(std::string_view(name).substr(15))) {
        w.Element("Checksum" + std::string(ChecksumName(*algo)), value);
      }
    }
  }
  if (const std::string& type = info.Meta(object::kChecksumTypeMeta); !type.empty()) {
    w.Element("ChecksumType", type);
  }
  http::Headers headers;
  if (!info.version_id.empty()) {
    headers.emplace_back("x-amz-version-id", info.version_id);
  }
  AddSseHeaders(info.metadata, SseRequest(), headers);
  co_await AddExpirationHeader(req, info, headers);
  co_return co_await SendXml(req, w.Finish(), 200, std::move(headers));
}

Task<Status> AbortMultipartUpload(S3Request& req) {
  CO_RETURN_IF_ERROR(co_await req.layer.AbortMultipartUpload(req.ctx, req.route.bucket,
                                                             req.route.key, UploadId(req)));
  co_return co_await SendEmpty(req, 204);
}

Task<Status> ListParts(S3Request& req) {
  CO_ASSIGN_OR_RETURN(int max_parts, QueryInt(req, "max-parts", 1000, 0, 2147483647));
  CO_ASSIGN_OR_RETURN(int marker, QueryInt(req, "part-number-marker", 0, 0, 2147483647));
  CO_RETURN_IF_ERROR(CheckEncodingType(req));
  max_parts = std::min(max_parts, 1000);
  std::string upload_id = UploadId(req);
  object::ListPartsOptions lo;
  lo.part_number_marker = marker;
  lo.max_parts = max_parts;
  CO_ASSIGN_OR_RETURN(auto result, co_await req.layer.ListObjectParts(
                                       req.ctx, req.route.bucket, req.route.key, upload_id, lo));
  bool url = UrlEncoding(req);
  const bool encrypted = StoredSseMode(result.metadata) != SseMode::kNone;
  XmlWriter w;
  w.Open("ListPartsResult")
      .Element("Bucket", req.route.bucket)
      .Element("Key", url ? UrlEncodeListed(req.route.key) : req.route.key)
      .Element("UploadId", upload_id);
  WriteOwner(w, "Initiator");
  WriteOwner(w, "Owner");
  w.Element("StorageClass", StorageClassOf(result.metadata));
  if (auto cs = object::UploadChecksumOf(result.metadata)) {
    w.Element("ChecksumAlgorithm", ChecksumName(cs->algorithm))
        .Element("ChecksumType",
                 cs->full_object ? object::kChecksumFullObject : object::kChecksumComposite);
  }
  w.Element("PartNumberMarker", marker)
      .Element("NextPartNumberMarker", result.next_part_number_marker)
      .Element("MaxParts", max_parts)
      .Bool("IsTruncated", result.truncated);
  if (url) {
    w.Element("EncodingType", "url");
  }
  for (const auto& part : result.parts) {
    w.Open("Part")
        .Element("PartNumber", part.number)
        .Element("LastModified", FormatIso8601(part.mod_time_ns))
        .Element("ETag", QuoteEtag(part.etag))
        .Element("Size", encrypted ? PlainPartSize(part.size) : part.size);
    for (const auto& [algo, value] : part.checksums) {
      w.Element("Checksum" + algo, value);
    }
    w.Close();
  }
  co_return co_await SendXml(req, w.Finish());
}

Task<Status> ListMultipartUploads(S3Request& req) {
  CO_ASSIGN_OR_RETURN(int max_uploads, QueryInt(req, "max-uploads", 1000, 0, 2147483647));
  CO_RETURN_IF_ERROR(CheckEncodingType(req));
  max_uploads = std::min(max_uploads, 1000);
  const auto& q = req.route.query;
  object::ListUploadsOptions lo;
  lo.prefix = q.Get("prefix").value_or("");
  lo.delimiter = q.Get("delimiter").value_or("");
  lo.key_marker = q.Get("key-marker").value_or("");
  lo.upload_id_marker = q.Get("upload-id-marker").value_or("");
  lo.max_uploads = max_uploads;
  const std::string& prefix = lo.prefix;
  const std::string& delimiter = lo.delimiter;
  const std::string& key_marker = lo.key_marker;
  const std::string& upload_id_marker = lo.upload_id_marker;
  CO_ASSIGN_OR_RETURN(auto result,
                      co_await req.layer.ListMultipartUploads(req.ctx, req.route.bucket, lo));
  bool url = UrlEncoding(req);
  auto enc = [url](std::string_view s) { return url ? UrlEncodeListed(s) : std::string(s); };
  XmlWriter w;
  w.Open("ListMultipartUploadsResult")
      .Element("Bucket", req.route.bucket)
      .Element("KeyMarker", enc(key_marker))
      .Element("UploadIdMarker", upload_id_marker)
      .Element("NextKeyMarker", enc(result.next_key_marker))
      .Element("NextUploadIdMarker", result.next_upload_id_marker)
      .Element("Delimiter", enc(delimiter))
      .Element("Prefix", enc(prefix))
      .Element("MaxUploads", max_uploads)
      .Bool("IsTruncated", result.truncated);
  if (url) {
    w.Element("EncodingType", "url");
  }
  for (const auto& upload : result.uploads) {
    w.Open("Upload").Element("Key", enc(upload.key)).Element("UploadId", upload.upload_id);
    WriteOwner(w, "Initiator");
    WriteOwner(w, "Owner");
    w.Element("StorageClass", StorageClassOf(upload.metadata))
        .Element("Initiated", FormatIso8601(upload.initiated_ns))
        .Close();
  }
  for (const auto& prefix_out : result.prefixes) {
    w.Open("CommonPrefixes").Element("Prefix", enc(prefix_out)).Close();
  }
  co_return co_await SendXml(req, w.Finish());
}

}  // namespace cairn::s3
