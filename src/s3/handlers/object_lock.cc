// Object lock: the bucket's configuration (?object-lock), a version's retention (?retention)
// and legal hold (?legal-hold), the lock metadata of a write, and the check that refuses
// deleting a locked version. The rules themselves are s3/object_lock.h's; retention and legal
// hold change through UpdateObjectMetadata, whose callback runs under the object's write lock.
#include "s3/object_lock.h"

#include <chrono>

#include "common/text.h"
#include "s3/access.h"
#include "s3/acl_access.h"
#include "s3/handlers/handlers.h"
#include "s3/upload_body.h"
#include "s3/xml.h"

namespace cairn::s3 {
namespace {

std::int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The bucket's object lock document; kInvalidRequest when it has none (retention and legal
// hold requests on a bucket without object lock, as AWS answers).
Task<Status> RequireLockBucket(S3Request& req) {
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
  if (info.Config(object::bucket_config::kObjectLock).empty()) {
    co_return Status(Errc::kInvalidRequest, std::string(kNoLockConfiguration));
  }
  co_return Status();
}

// Replaces (or, with an empty value, removes) the metadata entries named in `entries`.
void ReplaceEntries(object::Metadata& md, const object::Metadata& entries) {
  std::erase_if(md, [&](const auto& kv) {
    for (const auto& e : entries) {
      if (kv.first == e.first) {
        return true;
      }
    }
    return false;
  });
  for (const auto& e : entries) {
    if (!e.second.empty()) {
      md.push_back(e);
    }
  }
}

}  // namespace

bool BypassGovernance(const S3Request& req) {
  // Asked for, and allowed s3:BypassGovernanceRetention by the asker's policies (the root
  // user always is; no ACL grants it).
  const std::string* v = req.Header(kBypassGovernanceHeader);
  return v != nullptr && AsciiLower(*v) == "true" && !req.auth.anonymous &&
         Allowed(req, "s3:BypassGovernanceRetention", req.route.bucket, req.route.key, nullptr,
                 false);
}

Task<Result<object::Metadata>> BucketWriteMetadata(S3Request& req, const http::Request& headers,
                                                   std::string_view key) {
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
  CO_ASSIGN_OR_RETURN(object::Metadata md,
                      LockMetadataFromHeaders(
                          headers, info.Config(object::bucket_config::kObjectLock), NowSeconds()));
  if (HasAclHeaders(headers)) {
    CO_RETURN_IF_ERROR(co_await CheckNotDenied(req, "s3:PutObjectAcl", req.route.bucket, key));
  }
  CO_ASSIGN_OR_RETURN(std::string acl_meta, NewObjectAcl(req, headers, info));
  if (!acl_meta.empty()) {
    md.emplace_back(std::string(acl::kAclMeta), std::move(acl_meta));
  }
  co_return md;
}

object::DeleteOptions LockedDeleteOptions(const S3Request& req, std::string version_id) {
  object::DeleteOptions opts;
  opts.version_id = std::move(version_id);
  const bool bypass = BypassGovernance(req);
  opts.check = [bypass](const object::ObjectInfo& info) {
    return CheckDeleteAllowed(info.metadata, bypass, NowSeconds());
  };
  return opts;
}

Task<Status> PutObjectLockConfiguration(S3Request& req) {
  CO_ASSIGN_OR_RETURN(std::string xml, co_await ReadRequestXml(req, kMaxBucketConfigBody));
  CO_ASSIGN_OR_RETURN(LockConfiguration config, ParseObjectLockConfiguration(xml));
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
  // A bucket without object lock may have it turned on once its versioning is Enabled.
  if (info.Config(object::bucket_config::kObjectLock).empty() &&
      info.versioning() != object::Versioning::kEnabled) {
    co_return Status(Errc::kInvalidBucketState,
                     "Versioning must be 'Enabled' on the bucket to apply a Object Lock "
                     "configuration");
  }
  CO_RETURN_IF_ERROR(co_await req.layer.SetBucketConfig(req.ctx, req.route.bucket,
                                                        object::bucket_config::kObjectLock,
                                                        RenderObjectLockConfiguration(config)));
  co_return co_await SendEmpty(req, 200);
}

Task<Status> GetObjectLockConfiguration(S3Request& req) {
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
  const std::string& doc = info.Config(object::bucket_config::kObjectLock);
  if (doc.empty()) {
    co_return Status(Errc::kObjectLockConfigurationNotFound);
  }
  co_return co_await SendXml(req, doc);
}

Task<Status> PutObjectRetention(S3Request& req) {
  CO_RETURN_IF_ERROR(co_await RequireLockBucket(req));
  CO_ASSIGN_OR_RETURN(std::string xml, co_await ReadRequestXml(req, kMaxBucketConfigBody));
  CO_ASSIGN_OR_RETURN(Retention next, ParseRetentionXml(xml, NowSeconds()));
  CO_ASSIGN_OR_RETURN(const std::string version_id, VersionIdParam(req));
  const bool bypass = BypassGovernance(req);
  const object::MetadataUpdate update =
      [next, bypass](const object::ObjectInfo& info) -> Result<object::Metadata> {
    RETURN_IF_ERROR(CheckRetentionChange(info.metadata, next, bypass, NowSeconds()));
    object::Metadata md = info.metadata;
    object::Metadata entries;
    entries.emplace_back(kLockModeMeta, next.mode);
    entries.emplace_back(kLockUntilMeta, next.until);
    ReplaceEntries(md, entries);
    return md;
  };
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.UpdateObjectMetadata(
                                     req.ctx, req.route.bucket, req.route.key, version_id, update));
  co_return co_await SendEmpty(req, 200);
}

Task<Status> GetObjectRetention(S3Request& req) {
  CO_RETURN_IF_ERROR(co_await RequireLockBucket(req));
  object::GetOptions opts;
  CO_ASSIGN_OR_RETURN(opts.version_id, VersionIdParam(req));
  CO_ASSIGN_OR_RETURN(
      auto info, co_await req.layer.GetObjectInfo(req.ctx, req.route.bucket, req.route.key, opts));
  const Retention r = StoredRetention(info.metadata);
  if (r.mode.empty()) {
    co_return Status(Errc::kNoSuchObjectLockConfiguration);
  }
  co_return co_await SendXml(req, RenderRetentionXml(r.mode, r.until));
}

Task<Status> PutObjectLegalHold(S3Request& req) {
  CO_RETURN_IF_ERROR(co_await RequireLockBucket(req));
  CO_ASSIGN_OR_RETURN(std::string xml, co_await ReadRequestXml(req, kMaxBucketConfigBody));
  CO_ASSIGN_OR_RETURN(std::string status, ParseLegalHoldXml(xml));
  CO_ASSIGN_OR_RETURN(const std::string version_id, VersionIdParam(req));
  const object::MetadataUpdate update =
      [status](const object::ObjectInfo& info) -> Result<object::Metadata> {
    object::Metadata md = info.metadata;
    object::Metadata entries;
    entries.emplace_back(kLegalHoldMeta, status);
    ReplaceEntries(md, entries);
    return md;
  };
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.UpdateObjectMetadata(
                                     req.ctx, req.route.bucket, req.route.key, version_id, update));
  co_return co_await SendEmpty(req, 200);
}

Task<Status> GetObjectLegalHold(S3Request& req) {
  CO_RETURN_IF_ERROR(co_await RequireLockBucket(req));
  object::GetOptions opts;
  CO_ASSIGN_OR_RETURN(opts.version_id, VersionIdParam(req));
  CO_ASSIGN_OR_RETURN(
      auto info, co_await req.layer.GetObjectInfo(req.ctx, req.route.bucket, req.route.key, opts));
  const std::string& status = info.Meta(kLegalHoldMeta);
  if (status.empty()) {
    co_return Status(Errc::kNoSuchObjectLockConfiguration);
  }
  co_return co_await SendXml(req, RenderLegalHoldXml(status));
}

}  // namespace cairn::s3
