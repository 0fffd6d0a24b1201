#include "s3/dates.h"
#include "s3/handlers/handlers.h"
#include "s3/upload_body.h"
#include "s3/xml.h"

namespace cairn::s3 {
namespace {

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

Task<Status> ListBuckets(S3Request& req) {
  CO_ASSIGN_OR_RETURN(auto buckets, co_await req.layer.ListBuckets(req.ctx));
  XmlWriter w;
  w.Open("ListAllMyBucketsResult");
  w.Open("Owner").Element("ID", kOwnerId).Element("DisplayName", kOwnerName).Close();
  w.Open("Buckets");
  for (const auto& b : buckets) {
    w.Open("Bucket")
        .Element("Name", b.name)
        .Element("CreationDate", FormatIso8601(b.created_ns))
        .Close();
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
  object::MakeBucketOptions mo;
  mo.location = location;
  CO_RETURN_IF_ERROR(co_await req.layer.MakeBucket(req.ctx, req.route.bucket, mo));
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
  (void)info;
  // cairn has no versioning yet: every bucket is unversioned (no <Status>).
  XmlWriter w;
  w.Open("VersioningConfiguration");
  co_return co_await SendXml(req, w.Finish());
}

}  // namespace cairn::s3
