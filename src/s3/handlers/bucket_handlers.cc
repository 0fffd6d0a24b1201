#include <algorithm>

#include "s3/acl_access.h"
#include "s3/dates.h"
#include "s3/handlers/handlers.h"
#include "s3/object_lock.h"
#include "s3/upload_body.h"
#include "s3/xml.h"

namespace cairn::s3 {
namespace {

constexpr int kMaxBucketsPage = 10000;

// The region a bucket lives in: its LocationConstraint, else the server's region.
std::string BucketRegion(const S3Request& req, const object::BucketInfo& info) {
  return info.location.empty() ? req.opts.region : info.location;
}

}  // namespace

bool IsValidBucketName(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) {
    return false;
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) {
    return false;
  }
  int dots = 0;
  bool all_digits_dots = true;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!alnum(c) && c != '.' && c != '-') {
      return false;
    }
    if (c == '.') {
      ++dots;
      if (name[i - 1] == '.' || name[i - 1] == '-' || name[i + 1] == '-') {
        return false;
      }
    } else if (c < '0' || c > '9') {
      all_digits_dots = false;
    }
  }
  return !(dots == 3 && all_digits_dots);  // looks like an IPv4 address
}

// ListBuckets pages (AWS, 2024): max-buckets (1-10000), continuation-token (opaque: the
// last name of the previous page), prefix and bucket-region filter. A request with any of
// them but no max-buckets gets pages of 10,000, as AWS documents.
Task<Status> ListBuckets(S3Request& req) {
  const QueryParams& q = req.route.query;
  const bool paged = q.Has("max-buckets") || q.Has("continuation-token") || q.Has("prefix") ||
                     q.Has("bucket-region");
  auto max_buckets = QueryInt(req, "max-buckets", kMaxBucketsPage, 1, kMaxBucketsPage);
  if (!max_buckets.ok()) {
    co_return Status(Errc::kInvalidArgumentS3,
                     "Argument max-buckets must be an integer "
                     "between 1 and 10000.");
  }
  std::string after;
  if (auto token = q.Get("continuation-token"); token && !token->empty()) {
    CO_ASSIGN_OR_RETURN(after, DecodeContinuationToken(*token));
  }
  const std::string_view prefix = q.Get("prefix").value_or("");
  const std::optional<std::string_view> region = q.Get("bucket-region");
  CO_ASSIGN_OR_RETURN(auto buckets, co_await req.layer.ListBuckets(req.ctx));
  std::sort(
      buckets.begin(), buckets.end(),
      [](const object::BucketInfo& a, const object::BucketInfo& b) { return a.name < b.name; });
  // The asker is the Owner of the listing (AWS names the account that asks).
  const std::string requester = CanonicalId(req.identity.get());
  const bool as_user = !requester.empty() && requester != kOwnerId;
  XmlWriter w;
  w.Open("ListAllMyBucketsResult");
  w.Open("Owner")
      .Element("ID", as_user ? std::string_view(requester) : kOwnerId)
      .Element("DisplayName", as_user ? std::string_view(req.identity->parent_user) : kOwnerName)
      .Close();
  w.Open("Buckets");
  int listed = 0;
  std::string_view last;
  std::string next;
  for (const auto& b : buckets) {
    // Names that start with '.' are cairn's own (object::kSystemBucket), never a client's.
    if (b.name.starts_with('.') || b.name <= after || !b.name.starts_with(prefix) ||
        (region && BucketRegion(req, b) != *region)) {
      continue;
    }
    // Without s3:ListAllMyBuckets, MinIO's answer: the buckets the asker may list.
    if (!req.list_all_buckets && !MayListBucket(req, b)) {
      continue;
    }
    if (paged && listed == *max_buckets) {
      next = EncodeContinuationToken(last);
      break;
    }
    w.Open("Bucket")
        .Element("Name", b.name)
        .Element("CreationDate", FormatIso8601(b.created_ns))
        .Element("BucketRegion", BucketRegion(req, b))
        .Close();
    last = b.name;
    ++listed;
  }
  w.Close();
  if (!req.list_all_buckets && listed == 0) {
    co_return Status(Errc::kAccessDenied);  // allowed no bucket at all
  }
  if (!next.empty()) {
    w.Element("ContinuationToken", next);
  }
  if (q.Has("prefix")) {
    w.Element("Prefix", prefix);
  }
  co_return co_await SendXml(req, w.Finish());
}

Task<Status> CreateBucket(S3Request& req) {
  if (!IsValidBucketName(req.route.bucket)) {
    co_return Status(Errc::kInvalidBucketName);
  }
  CO_ASSIGN_OR_RETURN(std::string xml, co_await ReadRequestXml(req, kMaxBucketConfigBody));
  CO_ASSIGN_OR_RETURN(std::string location, ParseCreateBucketConfiguration(xml));
  if (!location.empty() && location != req.opts.region) {
    co_return Status(Errc::kInvalidLocationConstraint);
  }
  const std::string* lock_header = req.Header("x-amz-bucket-object-lock-enabled");
  const bool lock = lock_header != nullptr && AsciiLower(*lock_header) == "true";
  object::MakeBucketOptions mo;
  mo.location = location;
  // The asker owns the bucket; its ACL and Object Ownership are written with it.
  std::string owner = CanonicalId(req.identity.get());
  if (owner.empty()) {
    owner = std::string(kOwnerId);
  }
  acl::Ownership ownership = req.opts.default_ownership;
  const std::string* ownership_header = req.Header("x-amz-object-ownership");
  if (ownership_header != nullptr) {
    auto parsed = acl::ParseOwnership(*ownership_header);
    if (!parsed) {
      co_return Status(Errc::kInvalidArgumentS3,
                       "Invalid x-amz-object-ownership header: " + *ownership_header);
    }
    ownership = *parsed;
  }
  // The creator owns the bucket and may set its ACL and ownership unless a policy denies it.
  if (HasAclHeaders(req.http())) {
    CO_RETURN_IF_ERROR(co_await CheckNotDenied(req, "s3:PutBucketAcl", req.route.bucket, ""));
  }
  if (ownership_header != nullptr) {
    CO_RETURN_IF_ERROR(
        co_await CheckNotDenied(req, "s3:PutBucketOwnershipControls", req.route.bucket, ""));
  }
  CO_ASSIGN_OR_RETURN(auto requested, RequestedAcl(req, req.http(), owner, owner, true));
  const acl::Acl bucket_acl = requested ? std::move(*requested) : acl::Private(owner);
  if (ownership == acl::Ownership::kBucketOwnerEnforced && !acl::IsPrivate(bucket_acl)) {
    co_return Status(Errc::kInvalidBucketAclWithOwnership);
  }
  mo.config.emplace(std::string(object::bucket_config::kAcl), acl::Encode(bucket_acl));
  mo.config.emplace(std::string(object::bucket_config::kOwner), owner);
  mo.config.emplace(std::string(object::bucket_config::kOwnership),
                    std::string(acl::OwnershipName(ownership)));
  Status made = co_await req.layer.MakeBucket(req.ctx, req.route.bucket, mo);
  if (made.code() == Errc::kBucketExists) {
    // Another owner's bucket that the asker may not even list: BucketAlreadyExists. One's own
    // (or one a policy lets the asker use, as for users of one AWS account): success in
    // us-east-1, which leaves it as it is (AWS's legacy behaviour there); other regions
    // answer BucketAlreadyOwnedByYou.
    auto existing = co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket);
    if (existing.ok() && BucketOwner(*existing) != owner && !MayListBucket(req, *existing)) {
      co_return Status(Errc::kBucketAlreadyExists, req.route.bucket);
    }
    if (req.opts.region == "us-east-1") {
      co_return co_await SendEmpty(req, 200, OneHeader("location", "/" + req.route.bucket));
    }
  }
  CO_RETURN_IF_ERROR(made);
  if (lock) {
    // Object lock needs versioning, which can then never be suspended.
    CO_RETURN_IF_ERROR(co_await req.layer.SetBucketConfig(
        req.ctx, req.route.bucket, object::bucket_config::kVersioning, "Enabled"));
    const std::string doc = RenderObjectLockConfiguration(LockConfiguration{});
    CO_RETURN_IF_ERROR(co_await req.layer.SetBucketConfig(req.ctx, req.route.bucket,
                                                          object::bucket_config::kObjectLock, doc));
  }
  co_return co_await SendEmpty(req, 200, OneHeader("location", "/" + req.route.bucket));
}

Task<Status> HeadBucket(S3Request& req) {
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
  co_return co_await SendEmpty(req, 200, OneHeader("x-amz-bucket-region", BucketRegion(req, info)));
}

Task<Status> DeleteBucket(S3Request& req) {
  const object::DeleteBucketOptions no_force;
  CO_RETURN_IF_ERROR(co_await req.layer.DeleteBucket(req.ctx, req.route.bucket, no_force));
  co_return co_await SendEmpty(req, 204);
}

Task<Status> GetBucketLocation(S3Request& req) {
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
  std::string region = BucketRegion(req, info);
  // us-east-1 is reported as an empty LocationConstraint, as AWS does.
  std::string body = R"(<?xml version="1.0" encoding="UTF-8"?>)";
  body += "<LocationConstraint xmlns=\"" + std::string(kS3Namespace) + "\">";
  body += XmlEscape(region == "us-east-1" ? "" : region);
  body += "</LocationConstraint>";
  co_return co_await SendXml(req, std::move(body));
}

Task<Status> GetBucketVersioning(S3Request& req) {
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
  XmlWriter w;
  w.Open("VersioningConfiguration");
  // A bucket never versioned has no <Status>.
  const std::string& status = info.Config(object::bucket_config::kVersioning);
  if (!status.empty()) {
    w.Element("Status", status);
  }
  co_return co_await SendXml(req, w.Finish());
}

Task<Status> PutBucketVersioning(S3Request& req) {
  CO_ASSIGN_OR_RETURN(std::string xml, co_await ReadRequestXml(req, kMaxBucketConfigBody));
  CO_ASSIGN_OR_RETURN(VersioningXml parsed, ParseVersioningConfiguration(xml));
  if (parsed.mfa_delete == "Enabled") {
    co_return Status(Errc::kNotImplemented, "MFA delete is not supported");
  }
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
  if (parsed.status == "Suspended" && !info.Config(object::bucket_config::kObjectLock).empty()) {
    co_return Status(Errc::kInvalidBucketState,
                     "An Object Lock configuration is present on this bucket, so the versioning "
                     "state cannot be changed.");
  }
  CO_RETURN_IF_ERROR(co_await req.layer.SetBucketConfig(
      req.ctx, req.route.bucket, object::bucket_config::kVersioning, parsed.status));
  http::Headers none;
  co_return co_await SendEmpty(req, 200, std::move(none));
}

}  // namespace cairn::s3
