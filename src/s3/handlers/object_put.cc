#include "object/multipart_checksum.h"
#include "s3/handlers/handlers.h"
#include "s3/object_headers.h"
#include "s3/sse.h"
#include "s3/upload_body.h"

namespace cairn::s3 {

Task<Status> PutObject(S3Request& req) {
  CO_ASSIGN_OR_RETURN(auto body, OpenUploadBody(req, kMaxObjectSize));
  object::PutOptions opts;
  CO_ASSIGN_OR_RETURN(opts.metadata, MetadataFromRequest(req.http()));
  CO_ASSIGN_OR_RETURN(object::Metadata lock,
                      co_await BucketWriteMetadata(req, req.http(), req.route.key));
  opts.metadata.insert(opts.metadata.end(), lock.begin(), lock.end());
  if (const std::string* v = req.Header("if-match")) {
    opts.if_match = *v;
  }
  if (const std::string* v = req.Header("if-none-match")) {
    opts.if_none_match = *v;
  }
  CO_ASSIGN_OR_RETURN(SseWrite sse,
                      co_await PrepareSseWrite(req, req.http(), req.route.key, opts.metadata));
  StoredBody stored(body->reader(), sse.sse.mode, sse.key, 1);
  CO_ASSIGN_OR_RETURN(auto info,
                      co_await req.layer.PutObject(req.ctx, req.route.bucket, req.route.key,
                                                   stored.reader(), opts));
  http::Headers headers = OneHeader("etag", QuoteEtag(info.etag));
  AddSseHeaders(opts.metadata, sse.sse, headers);
  if (!info.version_id.empty()) {
    headers.emplace_back("x-amz-version-id", info.version_id);
  }
  if (auto checksum = body->reader().checksum()) {
    headers.emplace_back(checksum->first, checksum->second);
    headers.emplace_back(std::string(object::kChecksumTypeMeta),
                         std::string(object::kChecksumFullObject));
  }
  co_await AddExpirationHeader(req, info, headers);
  co_return co_await SendEmpty(req, 200, std::move(headers));
}

}  // namespace cairn::s3
