// ACLs (?acl on a bucket or an object: GET and PUT, objects with ?versionId=) and Object
// Ownership (?ownershipControls on a bucket: PUT, GET, DELETE). A bucket's ACL is its "acl"
// document (with its owner), an object's the version's metadata key x-cairn-internal-acl,
// replaced by UpdateObjectMetadata; s3/acl.h has the model.
#include "s3/acl.h"

#include "s3/acl_access.h"
#include "s3/handlers/handlers.h"
#include "s3/upload_body.h"
#include "s3/xml.h"

namespace cairn::s3 {
namespace {

namespace bc = object::bucket_config;

// An AccessControlPolicy has a grant per line at most: 100 grants fit in 64 KiB.
constexpr std::size_t kMaxAclBody = 64 << 10;

// The ACL a PutBucketAcl / PutObjectAcl asks for: x-amz-acl or x-amz-grant-* headers, or an
// AccessControlPolicy body (not both).
Result<acl::Acl> AclOfRequest(const S3Request& req, const std::string& body, std::string_view owner,
                              std::string_view bucket_owner, bool bucket, const acl::Acl& current) {
  ASSIGN_OR_RETURN(auto from_headers,
                   RequestedAcl(req, req.http(), owner, bucket_owner, bucket, &current));
  if (from_headers) {
    if (!body.empty()) {
      return Status(Errc::kUnexpectedContent);
    }
    return std::move(*from_headers);
  }
  if (body.empty()) {
    return Status(Errc::kMalformedAcl);
  }
  return acl::ParseXml(body, owner, GranteeResolver(req, &current));
}

std::string RenderAcl(const S3Request& req, const acl::Acl& a) {
  return acl::RenderXml(a, [&req](std::string_view id) { return DisplayName(req, id); });
}

http::Headers VersionHeader(const object::ObjectInfo& info) {
  http::Headers h;
  if (!info.version_id.empty()) {
    h.emplace_back("x-amz-version-id", info.version_id);
  }
  return h;
}

}  // namespace

Task<Status> GetBucketAcl(S3Request& req) {
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
  std::string xml = RenderAcl(req, BucketAcl(info));
  co_return co_await SendXml(req, std::move(xml));
}

Task<Status> PutBucketAcl(S3Request& req) {
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
  CO_ASSIGN_OR_RETURN(std::string body, co_await ReadRequestXml(req, kMaxAclBody));
  const std::string owner = BucketOwner(info);
  const acl::Acl current = StoredBucketAcl(info);
  CO_ASSIGN_OR_RETURN(acl::Acl wanted, AclOfRequest(req, body, owner, owner, true, current));
  if (BucketOwnership(info) == acl::Ownership::kBucketOwnerEnforced && !acl::IsPrivate(wanted)) {
    co_return Status(Errc::kAccessControlListNotSupported, "The bucket does not allow ACLs");
  }
  const std::string stored = acl::Encode(wanted);
  CO_RETURN_IF_ERROR(
      co_await req.layer.SetBucketConfig(req.ctx, req.route.bucket, bc::kAcl, stored));
  co_return co_await SendEmpty(req, 200);
}

Task<Status> GetObjectAcl(S3Request& req) {
  CO_ASSIGN_OR_RETURN(auto bucket, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
  object::GetOptions opts;
  CO_ASSIGN_OR_RETURN(opts.version_id, VersionIdParam(req));
  CO_ASSIGN_OR_RETURN(
      auto info, co_await req.layer.GetObjectInfo(req.ctx, req.route.bucket, req.route.key, opts));
  std::string xml = RenderAcl(req, ObjectAcl(info, bucket));
  http::Headers headers = VersionHeader(info);
  co_return co_await SendXml(req, std::move(xml), 200, std::move(headers));
}

Task<Status> PutObjectAcl(S3Request& req) {
  CO_ASSIGN_OR_RETURN(auto bucket, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
  CO_ASSIGN_OR_RETURN(const std::string version_id, VersionIdParam(req));
  CO_ASSIGN_OR_RETURN(std::string body, co_await ReadRequestXml(req, kMaxAclBody));
  const std::string bucket_owner = BucketOwner(bucket);
  const bool enforced = BucketOwnership(bucket) == acl::Ownership::kBucketOwnerEnforced;
  const object::MetadataUpdate update =
      [&](const object::ObjectInfo& info) -> Result<object::Metadata> {
    const acl::Acl current = ObjectAcl(info, bucket);
    const std::string& owner = current.owner;
    ASSIGN_OR_RETURN(acl::Acl wanted, AclOfRequest(req, body, owner, bucket_owner, false, current));
    const bool plain = owner == bucket_owner && acl::IsPrivate(wanted);
    if (enforced && !plain) {
      return Status(Errc::kAccessControlListNotSupported, "The bucket does not allow ACLs");
    }
    object::Metadata md = info.metadata;
    std::erase_if(md, [](const auto& kv) { return kv.first == acl::kAclMeta; });
    if (!plain) {
      md.emplace_back(std::string(acl::kAclMeta), acl::Encode(wanted));
    }
    return md;
  };
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.UpdateObjectMetadata(
                                     req.ctx, req.route.bucket, req.route.key, version_id, update));
  http::Headers headers = VersionHeader(info);
  co_return co_await SendEmpty(req, 200, std::move(headers));
}

Task<Status> GetBucketOwnershipControls(S3Request& req) {
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
  if (info.Config(bc::kOwnership) == acl::kOwnershipDeleted) {
    co_return Status(Errc::kOwnershipControlsNotFound);
  }
  std::string xml = acl::RenderOwnershipControls(BucketOwnership(info));
  co_return co_await SendXml(req, std::move(xml));
}

Task<Status> PutBucketOwnershipControls(S3Request& req) {
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
  CO_ASSIGN_OR_RETURN(std::string xml, co_await ReadRequestXml(req, kMaxBucketConfigBody));
  CO_ASSIGN_OR_RETURN(acl::Ownership wanted, acl::ParseOwnershipControls(xml));
  // AWS refuses to turn ACLs off while the bucket's ACL grants anyone but its owner.
  if (wanted == acl::Ownership::kBucketOwnerEnforced && !acl::IsPrivate(StoredBucketAcl(info))) {
    co_return Status(Errc::kInvalidBucketAclWithOwnership);
  }
  const std::string stored(acl::OwnershipName(wanted));
  CO_RETURN_IF_ERROR(
      co_await req.layer.SetBucketConfig(req.ctx, req.route.bucket, bc::kOwnership, stored));
  co_return co_await SendEmpty(req, 200);
}

Task<Status> DeleteBucketOwnershipControls(S3Request& req) {
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
  (void)info;
  const std::string deleted(acl::kOwnershipDeleted);
  CO_RETURN_IF_ERROR(
      co_await req.layer.SetBucketConfig(req.ctx, req.route.bucket, bc::kOwnership, deleted));
  co_return co_await SendEmpty(req, 204);
}

}  // namespace cairn::s3
