#include <strings.h>

#include <algorithm>
#include <memory>
#include <span>
#include <vector>

#include "s3/conditions.h"
#include "s3/dates.h"
#include "s3/handlers/handlers.h"
#include "s3/object_headers.h"
#include "s3/range.h"
#include "s3/sse.h"

namespace cairn::s3 {
namespace {

constexpr std::size_t kStreamBlock = 256 * 1024;

// 304 carries the validators; 412 is a plain error.
Task<Status> SendConditionFailure(S3Request& req, const Status& failed,
                                  const object::ObjectInfo& info) {
  http::Headers headers;
  if (failed.code() == Errc::kNotModified) {
    headers.emplace_back("etag", QuoteEtag(info.etag));
    headers.emplace_back("last-modified", FormatHttpDate(info.mod_time_ns));
  }
  co_return co_await SendError(req, failed, std::move(headers));
}

Task<Status> SendRangeNotSatisfiable(S3Request& req, std::int64_t size) {
  // Named, not temporaries: GCC 12 mishandles non-trivial temporaries in co_await operands.
  Status error(Errc::kInvalidRange);
  http::Headers headers = OneHeader("content-range", "bytes */" + std::to_string(size));
  co_return co_await SendError(req, error, std::move(headers));
}

Result<object::GetOptions> ReadGetOptions(const S3Request& req) {
  object::GetOptions opts;
  ASSIGN_OR_RETURN(opts.version_id, VersionIdParam(req));
  ASSIGN_OR_RETURN(opts.part_number, QueryInt(req, "partNumber", 0, 1, 10000));
  if (const std::string* range = req.Header("range"); range != nullptr && opts.part_number == 0) {
    if (auto spec = ParseRange(*range)) {
      opts.range = *spec;
    }
  }
  return opts;
}

bool ChecksumMode(const S3Request& req) {
  const std::string* mode = req.Header("x-amz-checksum-mode");
  return mode != nullptr && strcasecmp(mode->c_str(), "ENABLED") == 0;
}

// Status and headers of a successful GET or HEAD serving [offset, offset + length).
std::pair<int, http::Headers> SuccessHeaders(const S3Request& req, const object::GetOptions& opts,
                                             const object::ObjectInfo& info, std::int64_t offset,
                                             std::int64_t length) {
  bool partial = opts.range.kind != object::RangeSpec::Kind::kNone || opts.part_number > 0;
  http::Headers headers =
      ObjectResponseHeaders(info, req.route.query, ChecksumMode(req) && !partial);
  if (partial) {
    headers.emplace_back("content-range", ContentRange(offset, length, info.size));
  }
  if (opts.part_number > 0 && !info.parts.empty()) {
    headers.emplace_back("x-amz-mp-parts-count", std::to_string(info.parts.size()));
  }
  return {partial ? 206 : 200, std::move(headers)};
}

// The null version of a bucket that has (or had) versioning is named "null", as AWS does; an
// unversioned bucket's objects carry no version id. The bucket's state is cached.
Task<void> AddNullVersionId(S3Request& req, const object::GetOptions& opts,
                            const object::ObjectInfo& info, http::Headers& headers) {
  if (!info.version_id.empty()) {
    co_return;
  }
  bool versioned = opts.version_id == "null";
  if (!versioned) {
    auto bucket = co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket);
    versioned = bucket.ok() && bucket->versioning() != object::Versioning::kUnversioned;
  }
  if (versioned) {
    headers.emplace_back("x-amz-version-id", "null");
  }
}

// A GET or HEAD that met a delete marker (NoSuchKey for the latest, MethodNotAllowed for one
// asked for by id) says so: x-amz-delete-marker, the marker's version id and time.
Task<Status> SendMissing(S3Request& req, const object::GetOptions& opts, const Status& error) {
  if (error.code() != Errc::kNoSuchKey && error.code() != Errc::kVersionIsDeleteMarker) {
    co_return error;
  }
  object::GetOptions marker_opts;
  marker_opts.version_id = opts.version_id;
  marker_opts.include_delete_marker = true;
  auto marker =
      co_await req.layer.GetObjectInfo(req.ctx, req.route.bucket, req.route.key, marker_opts);
  if (!marker.ok() || !marker->delete_marker) {
    co_return error;
  }
  http::Headers headers = OneHeader("x-amz-delete-marker", "true");
  headers.emplace_back("x-amz-version-id",
                       marker->version_id.empty() ? "null" : marker->version_id);
  if (error.code() == Errc::kVersionIsDeleteMarker) {
    headers.emplace_back("allow", "DELETE");
    headers.emplace_back("last-modified", FormatHttpDate(marker->mod_time_ns));
  }
  co_return co_await SendError(req, error, std::move(headers));
}

Task<Status> HeadObject(S3Request& req, const object::GetOptions& opts, const Preconditions& pre,
                        const SseRequest& sse) {
  object::GetOptions info_opts = opts;
  info_opts.range = {};
  auto got = co_await req.layer.GetObjectInfo(req.ctx, req.route.bucket, req.route.key, info_opts);
  if (!got.ok()) {
    co_return co_await SendMissing(req, opts, got.status());
  }
  CO_RETURN_IF_ERROR(
      co_await CheckSseCKey(req, got->metadata, req.route.bucket, req.route.key, sse));
  object::ObjectInfo info = PlainObjectInfo(std::move(got).value());
  if (Status st = EvaluateGetPreconditions(pre, info.etag, info.mod_time_ns); !st.ok()) {
    co_return co_await SendConditionFailure(req, st, info);
  }
  std::int64_t offset = 0;
  std::int64_t length = info.size;
  if (opts.range.kind != object::RangeSpec::Kind::kNone) {
    auto resolved = ResolveRange(opts.range, info.size);
    if (!resolved.ok()) {
      co_return co_await SendRangeNotSatisfiable(req, info.size);
    }
    std::tie(offset, length) = *resolved;
  } else if (opts.part_number > 0) {
    if (opts.part_number > static_cast<int>(std::max<std::size_t>(info.parts.size(), 1))) {
      co_return Status(Errc::kInvalidPartNumber);
    }
    for (int i = 0; i + 1 < opts.part_number; ++i) {
      offset += info.parts[i].size;
    }
    length = info.parts.empty() ? info.size : info.parts[opts.part_number - 1].size;
  }
  auto [status, headers] = SuccessHeaders(req, opts, info, offset, length);
  AddSseHeaders(info.metadata, sse, headers);
  co_await AddNullVersionId(req, opts, info, headers);
  co_await AddExpirationHeader(req, info, headers);
  CO_RETURN_IF_ERROR(
      co_await req.ex.BeginStream(status, std::move(headers), static_cast<std::uint64_t>(length)));
  co_return co_await req.ex.EndStream();
}

}  // namespace

Task<Status> GetObject(S3Request& req) {
  CO_ASSIGN_OR_RETURN(auto opts, ReadGetOptions(req));
  CO_ASSIGN_OR_RETURN(SseRequest sse, ParseSseRead(req.http()));
  CO_RETURN_IF_ERROR(CheckSseCTransport(req, sse));
  Preconditions pre = ReadPreconditions(req.http(), "");
  if (req.IsHead()) {
    co_return co_await HeadObject(req, opts, pre, sse);
  }
  auto opened = co_await req.layer.GetObject(req.ctx, req.route.bucket, req.route.key, opts);
  if (!opened.ok()) {
    if (opened.code() != Errc::kInvalidRange && opened.code() != Errc::kInvalidPartNumber) {
      co_return co_await SendMissing(req, opts, opened.status());
    }
    // Preconditions come before the range or part (412/304 beat 416 and InvalidPartNumber).
    object::GetOptions info_opts = opts;
    info_opts.range = {};
    info_opts.part_number = 0;
    CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetObjectInfo(req.ctx, req.route.bucket,
                                                                    req.route.key, info_opts));
    if (Status st = EvaluateGetPreconditions(pre, info.etag, info.mod_time_ns); !st.ok()) {
      co_return co_await SendConditionFailure(req, st, info);
    }
    if (opened.code() == Errc::kInvalidPartNumber) {
      co_return opened.status();
    }
    co_return co_await SendRangeNotSatisfiable(req, PlainObjectSize(info));
  }
  std::unique_ptr<object::ObjectReader> reader = std::move(opened).value();
  // A range past an encrypted object's plaintext (but inside its stored bytes) is found here.
  const std::int64_t plain_size = PlainObjectSize(reader->info());
  auto plain =
      co_await OpenPlaintext(req, req.route.bucket, req.route.key, std::move(reader), opts, sse);
  if (plain.code() == Errc::kInvalidRange) {
    co_return co_await SendRangeNotSatisfiable(req, plain_size);
  }
  CO_ASSIGN_OR_RETURN(reader, std::move(plain));
  const object::ObjectInfo& info = reader->info();
  if (Status st = EvaluateGetPreconditions(pre, info.etag, info.mod_time_ns); !st.ok()) {
    co_return co_await SendConditionFailure(req, st, info);
  }
  auto [status, headers] = SuccessHeaders(req, opts, info, reader->offset(), reader->length());
  AddSseHeaders(info.metadata, sse, headers);
  co_await AddNullVersionId(req, opts, info, headers);
  co_await AddExpirationHeader(req, info, headers);
  // The first block is read before the headers go out, so that an object that cannot be read
  // (below read quorum, every copy corrupt) gets a clean error status, not a cut connection.
  // Sized to the object (a 4 KiB GET needs no 256 KiB buffer) and not zeroed: Read fills it.
  const std::size_t buf_size = static_cast<std::size_t>(
      std::clamp<std::int64_t>(reader->length(), 1, static_cast<std::int64_t>(kStreamBlock)));
  std::unique_ptr<std::byte[]> storage(new std::byte[buf_size]);
  const std::span<std::byte> buf(storage.get(), buf_size);
  // Next sends the decoded block straight from the reader's buffer (no copy into `buf`).
  CO_ASSIGN_OR_RETURN(auto view, co_await reader->Next(buf));
  CO_RETURN_IF_ERROR(co_await req.ex.BeginStream(status, std::move(headers),
                                                 static_cast<std::uint64_t>(reader->length())));
  while (!view.empty()) {
    CO_RETURN_IF_ERROR(co_await req.ex.sink().Write(view));
    CO_ASSIGN_OR_RETURN(view, co_await reader->Next(buf));
  }
  co_return co_await req.ex.EndStream();
}

Task<Status> DeleteObject(S3Request& req) {
  CO_ASSIGN_OR_RETURN(std::string version_id, VersionIdParam(req));
  const object::DeleteOptions opts = LockedDeleteOptions(req, std::move(version_id));
  CO_ASSIGN_OR_RETURN(
      auto info, co_await req.layer.DeleteObject(req.ctx, req.route.bucket, req.route.key, opts));
  http::Headers headers;
  if (!info.version_id.empty()) {
    headers.emplace_back("x-amz-version-id", info.version_id);
  } else if (opts.version_id == "null" || info.delete_marker) {
    headers.emplace_back("x-amz-version-id", "null");
  }
  if (info.delete_marker) {
    headers.emplace_back("x-amz-delete-marker", "true");
  }
  co_return co_await SendEmpty(req, 204, std::move(headers));
}

}  // namespace cairn::s3
