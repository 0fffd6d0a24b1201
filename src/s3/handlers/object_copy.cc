#include <cstring>

#include "common/checksum.h"
#include "object/object_util.h"
#include "s3/conditions.h"
#include "s3/dates.h"
#include "s3/handlers/handlers.h"
#include "s3/object_headers.h"
#include "s3/range.h"
#include "s3/sse.h"
#include "s3/tagging.h"
#include "s3/upload_body.h"
#include "s3/xml.h"

namespace cairn::s3 {
namespace {

constexpr std::int64_t kMaxCopySourceSize = std::int64_t{5} << 30;

// Streams a source object and releases it (and the read lock it holds) as soon as its last
// byte was read, before the destination's commit takes its write lock: so a copy of an
// object onto itself streams like any other copy.
class ReleasingSource final : public ByteSource {
 public:
  explicit ReleasingSource(std::unique_ptr<object::ObjectReader> reader)
      : reader_(std::move(reader)), remaining_(reader_->length()) {}

  Task<Result<std::size_t>> Read(std::span<std::byte> buf) override {
    if (!reader_) {
      co_return std::size_t{0};
    }
    auto n = co_await reader_->Read(buf);
    if (n.ok()) {
      remaining_ -= static_cast<std::int64_t>(*n);
      if (*n == 0 || remaining_ <= 0) {
        reader_.reset();
      }
    }
    co_return n;
  }

 private:
  std::unique_ptr<object::ObjectReader> reader_;
  std::int64_t remaining_;
};

struct OpenedSource {
  std::unique_ptr<object::ObjectReader> reader;
  object::ObjectInfo info;
};

// Opens the copy source named by x-amz-copy-source (decrypted, with the
// x-amz-copy-source-server-side-encryption-customer-* key for SSE-C; its info and range the
// plaintext's) and checks x-amz-copy-source-if-*. The asker must be allowed to read the source
// (s3:GetObject, or s3:GetObjectVersion for a version by id).
Task<Result<OpenedSource>> OpenCopySource(S3Request& req, const CopySource& src,
                                          const object::RangeSpec& range) {
  const std::string_view action = src.version_id.empty() ? "s3:GetObject" : "s3:GetObjectVersion";
  CO_RETURN_IF_ERROR(co_await CheckAccess(req, action, src.bucket, src.key, src.version_id));
  CO_ASSIGN_OR_RETURN(SseRequest given, ParseSseC(req.http(), true));
  CO_RETURN_IF_ERROR(CheckSseCTransport(req, given));
  object::GetOptions opts;
  opts.version_id = src.version_id;
  opts.range = range;
  auto reader = co_await req.layer.GetObject(req.ctx, src.bucket, src.key, opts);
  const Status unsatisfiable(Errc::kInvalidRange,
                             "The copy range is not satisfiable by the source");
  if (!reader.ok()) {
    if (reader.code() == Errc::kInvalidRange) {
      co_return unsatisfiable;
    }
    co_return reader.status();
  }
  auto plain =
      co_await OpenPlaintext(req, src.bucket, src.key, std::move(reader).value(), opts, given);
  if (plain.code() == Errc::kInvalidRange) {
    co_return unsatisfiable;
  }
  OpenedSource out;
  CO_ASSIGN_OR_RETURN(out.reader, std::move(plain));
  out.info = out.reader->info();
  Preconditions pre = ReadPreconditions(req.http(), "x-amz-copy-source-");
  CO_RETURN_IF_ERROR(EvaluateCopyPreconditions(pre, out.info.etag, out.info.mod_time_ns));
  co_return out;
}

Result<std::optional<ChecksumAlgorithm>> CopyChecksum(const S3Request& req) {
  ASSIGN_OR_RETURN(ChecksumRequest checksum, ReadChecksumRequest(req.http()));
  return checksum.algorithm;
}

}  // namespace

Result<CopySource> ParseCopySource(std::string_view header) {
  std::string_view path = header;
  std::string version_id;
  if (auto q = path.find('?'); q != std::string_view::npos) {
    auto query = ParseQuery(path.substr(q + 1));
    path = path.substr(0, q);
    if (!query) {
      return Status(Errc::kInvalidCopySource);
    }
    if (auto v = query->Get("versionId")) {
      ASSIGN_OR_RETURN(version_id, CheckedVersionId(*v));
      if (version_id.empty()) {
        return Status(Errc::kInvalidArgumentS3, "Invalid version id specified");
      }
    }
  }
  auto decoded = PercentDecode(path, false);
  if (!decoded) {
    return Status(Errc::kInvalidCopySource);
  }
  std::string_view full = *decoded;
  if (!full.empty() && full.front() == '/') {
    full.remove_prefix(1);
  }
  auto slash = full.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == full.size() ||
      full.front() == '.') {  // '.': cairn's own buckets (router.cc)
    return Status(Errc::kInvalidCopySource);
  }
  return CopySource{std::string(full.substr(0, slash)), std::string(full.substr(slash + 1)),
                    std::move(version_id)};
}

Task<Status> CopyObject(S3Request& req) {
  CO_ASSIGN_OR_RETURN(CopySource src, ParseCopySource(*req.Header("x-amz-copy-source")));
  const std::string* directive = req.Header("x-amz-metadata-directive");
  bool replace = directive != nullptr && *directive == "REPLACE";
  if (directive != nullptr && !replace && *directive != "COPY") {
    co_return Status(Errc::kInvalidArgumentS3, "Unknown metadata directive.");
  }
  const std::string* tagging_directive = req.Header("x-amz-tagging-directive");
  const bool replace_tags = tagging_directive != nullptr && *tagging_directive == "REPLACE";
  if (tagging_directive != nullptr && !replace_tags && *tagging_directive != "COPY") {
    co_return Status(Errc::kInvalidArgumentS3, "Unknown tagging directive.");
  }
  const std::string* storage_class = req.Header("x-amz-storage-class");
  const bool encryption = req.Header("x-amz-server-side-encryption") != nullptr ||
                          req.Header("x-amz-server-side-encryption-customer-algorithm") != nullptr;
  if (src.bucket == req.route.bucket && src.key == req.route.key && src.version_id.empty() &&
      !replace && storage_class == nullptr && !encryption) {
    co_return Status(Errc::kInvalidRequest,
                     "This copy request is illegal because it is trying to copy an object to "
                     "itself without changing the object's metadata, storage class, website "
                     "redirect location or encryption attributes.");
  }
  CO_ASSIGN_OR_RETURN(auto checksum, CopyChecksum(req));
  object::PutOptions put;
  if (replace) {
    CO_ASSIGN_OR_RETURN(put.metadata, MetadataFromRequest(req.http()));
  }
  CO_ASSIGN_OR_RETURN(OpenedSource source, co_await OpenCopySource(req, src, object::RangeSpec{}));
  if (source.info.size > kMaxCopySourceSize) {
    co_return Status(Errc::kInvalidRequest,
                     "The specified copy source is larger than the maximum allowable size for a "
                     "copy source: 5368709120");
  }
  if (!replace) {
    put.metadata = CopyableMetadata(source.info);
    if (storage_class != nullptr) {
      // The class asked for applies with either directive.
      if (!IsStorageClass(*storage_class)) {
        co_return Status(Errc::kInvalidStorageClass);
      }
      object::SetMeta(put.metadata, "x-amz-storage-class", *storage_class);
    }
  }
  // Tags: the source's (COPY, the default) or the request's x-amz-tagging (REPLACE).
  std::string tags = source.info.Meta(kTaggingMeta);
  if (replace_tags) {
    const std::string* header = req.Header("x-amz-tagging");
    tags.clear();
    if (header != nullptr) {
      CO_ASSIGN_OR_RETURN(tags, StoredTagsFromRequest(*header));
    }
  }
  SetStoredTags(put.metadata, std::move(tags));
  // Object lock: the request's or the bucket's default, never the source's (as AWS).
  CO_ASSIGN_OR_RETURN(object::Metadata lock,
                      co_await BucketWriteMetadata(req, req.http(), req.route.key));
  put.metadata.insert(put.metadata.end(), lock.begin(), lock.end());
  // The target's encryption is the request's (or the bucket's default), never the source's.
  CO_ASSIGN_OR_RETURN(SseWrite sse,
                      co_await PrepareSseWrite(req, req.http(), req.route.key, put.metadata));
  ReleasingSource stream(std::move(source.reader));
  object::HashExpectations expect;
  expect.size = source.info.size;
  expect.checksum = checksum;
  object::HashReader body(stream, std::move(expect));
  StoredBody stored(body, sse.sse.mode, sse.key, 1);
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.PutObject(req.ctx, req.route.bucket,
                                                              req.route.key, stored.reader(), put));
  http::Headers headers;
  AddSseHeaders(put.metadata, sse.sse, headers);
  if (!source.info.version_id.empty()) {
    headers.emplace_back("x-amz-copy-source-version-id", source.info.version_id);
  }
  if (!info.version_id.empty()) {
    headers.emplace_back("x-amz-version-id", info.version_id);
  }
  co_await AddExpirationHeader(req, info, headers);
  XmlWriter w;
  w.Open("CopyObjectResult")
      .Element("LastModified", FormatIso8601(info.mod_time_ns))
      .Element("ETag", QuoteEtag(info.etag));
  if (auto c = body.checksum()) {
    w.Element("Checksum" + std::string(ChecksumName(*checksum)), c->second);
  }
  co_return co_await SendXml(req, w.Finish(), 200, std::move(headers));
}

Task<Status> UploadPartCopy(S3Request& req) {
  CO_ASSIGN_OR_RETURN(int part_number, QueryInt(req, "partNumber", 0, 1, 10000));
  std::string upload_id(req.route.query.Get("uploadId").value_or(""));
  CO_ASSIGN_OR_RETURN(CopySource src, ParseCopySource(*req.Header("x-amz-copy-source")));
  object::RangeSpec range;
  if (const std::string* header = req.Header("x-amz-copy-source-range")) {
    CO_ASSIGN_OR_RETURN(range, ParseCopySourceRange(*header));
  }
  CO_ASSIGN_OR_RETURN(OpenedSource source, co_await OpenCopySource(req, src, range));
  if (range.kind == object::RangeSpec::Kind::kFromTo && range.last >= source.info.size) {
    co_return Status(Errc::kInvalidRange, "The copy range is not satisfiable by the source");
  }
  std::int64_t length = source.reader->length();
  if (length > kMaxPartSize) {
    co_return Status(Errc::kEntityTooLarge);
  }
  CO_ASSIGN_OR_RETURN(SseRequest target, ParseSseC(req.http(), false));
  CO_RETURN_IF_ERROR(CheckSseCTransport(req, target));
  CO_ASSIGN_OR_RETURN(UploadKey upload, co_await OpenUploadKey(req, upload_id, target));
  ReleasingSource stream(std::move(source.reader));
  object::HashExpectations expect;
  expect.size = length;
  object::HashReader body(stream, std::move(expect));
  StoredBody stored(body, StoredSseMode(upload.metadata), upload.key, part_number);
  CO_ASSIGN_OR_RETURN(auto part,
                      co_await req.layer.PutObjectPart(req.ctx, req.route.bucket, req.route.key,
                                                       upload_id, part_number, stored.reader()));
  http::Headers headers;
  AddSseHeaders(upload.metadata, target, headers);
  if (!source.info.version_id.empty()) {
    headers.emplace_back("x-amz-copy-source-version-id", source.info.version_id);
  }
  XmlWriter w;
  w.Open("CopyPartResult")
      .Element("LastModified", FormatIso8601(part.mod_time_ns))
      .Element("ETag", QuoteEtag(part.etag));
  co_return co_await SendXml(req, w.Finish(), 200, std::move(headers));
}

}  // namespace cairn::s3
