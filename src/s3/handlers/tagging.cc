// Object tagging (?tagging on a key: PUT, GET, DELETE, with ?versionId=) and bucket tagging
// (?tagging on a bucket). Object tags are the version's metadata key x-amz-tagging, replaced
// by UpdateObjectMetadata (one metadata write per drive, the data untouched); a bucket's are
// its "tagging" configuration document.
#include "s3/tagging.h"

#include "s3/handlers/handlers.h"
#include "s3/upload_body.h"
#include "s3/xml.h"

namespace cairn::s3 {
namespace {

http::Headers VersionHeader(const object::ObjectInfo& info) {
  http::Headers h;
  if (!info.version_id.empty()) {
    h.emplace_back("x-amz-version-id", info.version_id);
  }
  return h;
}

// Replaces the tags of the version the request names with `stored` ("" removes them).
Task<Result<object::ObjectInfo>> ReplaceObjectTags(S3Request& req, std::string stored) {
  const object::MetadataUpdate update =
      [stored = std::move(stored)](const object::ObjectInfo& info) -> Result<object::Metadata> {
    object::Metadata md = info.metadata;
    SetStoredTags(md, stored);
    return md;
  };
  CO_ASSIGN_OR_RETURN(const std::string version_id, VersionIdParam(req));
  co_return co_await req.layer.UpdateObjectMetadata(req.ctx, req.route.bucket, req.route.key,
                                                    version_id, update);
}

}  // namespace

Task<Status> PutObjectTagging(S3Request& req) {
  CO_ASSIGN_OR_RETURN(std::string xml, co_await ReadRequestXml(req, kMaxTaggingBody));
  CO_ASSIGN_OR_RETURN(TagSet tags, ParseTaggingXml(xml, TagScope::kObject));
  CO_ASSIGN_OR_RETURN(auto info, co_await ReplaceObjectTags(req, EncodeStoredTags(tags)));
  co_return co_await SendEmpty(req, 200, VersionHeader(info));
}

Task<Status> GetObjectTagging(S3Request& req) {
  object::GetOptions opts;
  CO_ASSIGN_OR_RETURN(opts.version_id, VersionIdParam(req));
  CO_ASSIGN_OR_RETURN(
      auto info, co_await req.layer.GetObjectInfo(req.ctx, req.route.bucket, req.route.key, opts));
  const TagSet tags = DecodeStoredTags(info.Meta(kTaggingMeta));
  co_return co_await SendXml(req, RenderTaggingXml(tags), 200, VersionHeader(info));
}

Task<Status> DeleteObjectTagging(S3Request& req) {
  CO_ASSIGN_OR_RETURN(auto info, co_await ReplaceObjectTags(req, std::string()));
  co_return co_await SendEmpty(req, 204, VersionHeader(info));
}

Task<Status> PutBucketTagging(S3Request& req) {
  CO_ASSIGN_OR_RETURN(std::string xml, co_await ReadRequestXml(req, kMaxTaggingBody));
  CO_ASSIGN_OR_RETURN(TagSet tags, ParseTaggingXml(xml, TagScope::kBucket));
  CO_RETURN_IF_ERROR(co_await req.layer.SetBucketConfig(
      req.ctx, req.route.bucket, object::bucket_config::kTagging, RenderTaggingXml(tags)));
  co_return co_await SendEmpty(req, 204);
}

Task<Status> GetBucketTagging(S3Request& req) {
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
  const std::string& doc = info.Config(object::bucket_config::kTagging);
  if (doc.empty()) {
    co_return Status(Errc::kNoSuchTagSet);
  }
  co_return co_await SendXml(req, doc);
}

Task<Status> DeleteBucketTagging(S3Request& req) {
  CO_RETURN_IF_ERROR(co_await req.layer.SetBucketConfig(req.ctx, req.route.bucket,
                                                        object::bucket_config::kTagging, ""));
  co_return co_await SendEmpty(req, 204);
}

}  // namespace cairn::s3
