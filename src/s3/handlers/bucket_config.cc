// Bucket configurations kept as documents by the object layer (SetBucketConfig): CORS,
// lifecycle and default encryption (Put, Get, Delete), the CORS preflight (OPTIONS,
// unauthenticated) and the x-amz-expiration header of objects a lifecycle rule will expire.
#include "policy/policy.h"
#include "s3/bucket_encryption.h"
#include "s3/cors.h"
#include "s3/handlers/handlers.h"
#include "s3/lifecycle_xml.h"
#include "s3/upload_body.h"
#include "s3/xml.h"

namespace cairn::s3 {
namespace {

namespace bc = object::bucket_config;

// AWS's bound on a bucket policy.
constexpr std::size_t kMaxBucketPolicySize = 20 << 10;

// Stores `document` (empty: removes it) as the bucket's configuration `name`.
Task<Status> StoreConfig(S3Request& req, std::string_view name, const std::string& document) {
  co_return co_await req.layer.SetBucketConfig(req.ctx, req.route.bucket, name, document);
}

// The bucket's document `name`, or `missing` when it has none.
Task<Result<std::string>> LoadConfig(S3Request& req, std::string_view name, Errc missing) {
  CO_ASSIGN_OR_RETURN(auto info, co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket));
  std::string doc = info.Config(name);
  if (doc.empty()) {
    co_return Status(missing);
  }
  co_return doc;
}

}  // namespace

// Content-MD5 as for DeleteObjects (MinIO's choice): verified when sent, not required.
Task<Status> PutBucketCors(S3Request& req) {
  CO_ASSIGN_OR_RETURN(std::string xml, co_await ReadRequestXml(req, kMaxBucketConfigBody));
  CO_ASSIGN_OR_RETURN(CorsConfiguration config, ParseCorsConfiguration(xml));
  const std::string doc = RenderCorsConfiguration(config);
  CO_RETURN_IF_ERROR(co_await StoreConfig(req, bc::kCors, doc));
  co_return co_await SendEmpty(req, 200);
}

Task<Status> GetBucketCors(S3Request& req) {
  CO_ASSIGN_OR_RETURN(std::string doc,
                      co_await LoadConfig(req, bc::kCors, Errc::kNoSuchCorsConfiguration));
  co_return co_await SendXml(req, std::move(doc));
}

Task<Status> DeleteBucketCors(S3Request& req) {
  const std::string none;
  CO_RETURN_IF_ERROR(co_await StoreConfig(req, bc::kCors, none));
  co_return co_await SendEmpty(req, 204);
}

Task<Status> PutBucketLifecycleConfiguration(S3Request& req) {
  CO_ASSIGN_OR_RETURN(std::string xml, co_await ReadRequestXml(req, kMaxLifecycleBody));
  CO_ASSIGN_OR_RETURN(auto config, ParseLifecycleConfiguration(xml));
  const std::string doc = RenderLifecycleConfiguration(config);
  CO_RETURN_IF_ERROR(co_await StoreConfig(req, bc::kLifecycle, doc));
  co_return co_await SendEmpty(req, 200);
}

Task<Status> GetBucketLifecycleConfiguration(S3Request& req) {
  CO_ASSIGN_OR_RETURN(std::string doc, co_await LoadConfig(req, bc::kLifecycle,
                                                           Errc::kNoSuchLifecycleConfiguration));
  co_return co_await SendXml(req, std::move(doc));
}

Task<Status> DeleteBucketLifecycle(S3Request& req) {
  const std::string none;
  CO_RETURN_IF_ERROR(co_await StoreConfig(req, bc::kLifecycle, none));
  co_return co_await SendEmpty(req, 204);
}

// MinIO's order: the bucket, the document (MalformedXML before anything else), then the KMS:
// without one no default encryption can be applied. KMS key ids are checked on the write path.
Task<Status> PutBucketEncryption(S3Request& req) {
  auto bucket = co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket);
  CO_RETURN_IF_ERROR(bucket.status());
  CO_ASSIGN_OR_RETURN(std::string xml, co_await ReadRequestXml(req, kMaxBucketConfigBody));
  CO_ASSIGN_OR_RETURN(BucketEncryption config, ParseBucketEncryptionXml(xml));
  if (req.opts.kms == nullptr) {
    co_return Status(Errc::kKmsNotConfigured);
  }
  const std::string doc = RenderBucketEncryptionXml(config);
  CO_RETURN_IF_ERROR(co_await StoreConfig(req, bc::kEncryption, doc));
  co_return co_await SendEmpty(req, 200);
}

Task<Status> GetBucketEncryption(S3Request& req) {
  CO_ASSIGN_OR_RETURN(std::string doc,
                      co_await LoadConfig(req, bc::kEncryption, Errc::kNoEncryptionConfiguration));
  co_return co_await SendXml(req, std::move(doc));
}

Task<Status> DeleteBucketEncryption(S3Request& req) {
  const std::string none;
  CO_RETURN_IF_ERROR(co_await StoreConfig(req, bc::kEncryption, none));
  co_return co_await SendEmpty(req, 204);
}

// The preflight is answered from the bucket's rules alone (the middleware skips
// authentication for it, as browsers send no credentials with it).
Task<Status> OptionsObject(S3Request& req) {
  // In S3's order: the Origin, the bucket, its configuration, then the request itself.
  const std::string* origin = req.Header("origin");
  if (origin == nullptr || origin->empty()) {
    co_return Status(Errc::kCorsBadRequest,
                     "Insufficient information. Origin request header needed.");
  }
  const Status no_bucket(Errc::kCorsForbidden, "CORSResponse: Bucket not found");
  if (!IsValidBucketName(req.route.bucket)) {
    co_return no_bucket;  // no lookup for a name no bucket can have
  }
  auto info = co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket);
  if (info.code() == Errc::kNoSuchBucket) {
    co_return no_bucket;
  }
  CO_RETURN_IF_ERROR(info.status());
  const std::string& doc = info->Config(bc::kCors);
  if (doc.empty()) {
    co_return Status(Errc::kCorsForbidden, "CORSResponse: CORS is not enabled for this bucket.");
  }
  const std::string* method = req.Header("access-control-request-method");
  if (method == nullptr || method->empty()) {
    co_return Status(Errc::kCorsBadRequest, "Invalid Access-Control-Request-Method: null");
  }
  CO_ASSIGN_OR_RETURN(CorsConfiguration config, ParseCorsConfiguration(doc));
  std::vector<std::string> wanted;
  if (const std::string* h = req.Header("access-control-request-headers")) {
    wanted = SplitCorsHeaderList(*h);
  }
  const CorsRule* rule = MatchCorsRule(config, *origin, *method, wanted);
  if (rule == nullptr) {
    co_return Status(Errc::kCorsForbidden);
  }
  co_return co_await SendEmpty(req, 200, CorsResponseHeaders(*rule, *origin, wanted, true));
}

Task<void> AddExpirationHeader(S3Request& req, const object::ObjectInfo& info,
                               http::Headers& headers) {
  auto bucket = co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket);
  if (!bucket.ok() || bucket->Config(bc::kLifecycle).empty()) {
    co_return;
  }
  auto config = ParseLifecycleConfiguration(bucket->Config(bc::kLifecycle));
  if (!config.ok()) {
    co_return;
  }
  object::lifecycle::VersionFacts v;
  v.key = info.key.empty() ? std::string_view(req.route.key) : std::string_view(info.key);
  v.size = info.size;
  v.tags = object::lifecycle::ParseTagQuery(info.Meta("x-amz-tagging"));
  v.mod_time_ns = info.mod_time_ns;
  v.is_latest = info.is_latest;
  v.delete_marker = info.delete_marker;
  const auto event =
      object::lifecycle::CurrentExpiration(*config, v, req.opts.lifecycle_day_seconds);
  if (event.action != object::lifecycle::Action::kNone) {
    headers.emplace_back("x-amz-expiration", ExpirationHeaderValue(event));
  }
}

// Bucket policies: the JSON document as given, checked by the policy engine (a bucket policy
// needs a Principal in every statement and may name only this bucket and its objects).
Task<Status> PutBucketPolicy(S3Request& req) {
  auto bucket = co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket);
  CO_RETURN_IF_ERROR(bucket.status());
  CO_ASSIGN_OR_RETURN(std::string doc, co_await ReadRequestXml(req, kMaxBucketConfigBody));
  if (doc.size() > kMaxBucketPolicySize) {
    co_return Status(Errc::kMalformedPolicy, "Policy exceeds the maximum allowed document size.");
  }
  CO_ASSIGN_OR_RETURN(policy::Policy parsed, policy::Policy::Parse(doc, policy::Kind::kResource));
  if (!parsed.ResourcesWithin(req.route.bucket)) {
    co_return Status(Errc::kMalformedPolicy, "Policy has invalid resource");
  }
  CO_RETURN_IF_ERROR(co_await StoreConfig(req, bc::kPolicy, doc));
  co_return co_await SendEmpty(req, 204);
}

Task<Status> GetBucketPolicy(S3Request& req) {
  CO_ASSIGN_OR_RETURN(std::string doc,
                      co_await LoadConfig(req, bc::kPolicy, Errc::kNoSuchBucketPolicy));
  Status sent = co_await req.ex.Respond(200, OneHeader("content-type", "application/json"), doc);
  co_return sent;
}

Task<Status> DeleteBucketPolicy(S3Request& req) {
  auto bucket = co_await req.layer.GetBucketInfo(req.ctx, req.route.bucket);
  CO_RETURN_IF_ERROR(bucket.status());
  const std::string none;
  CO_RETURN_IF_ERROR(co_await StoreConfig(req, bc::kPolicy, none));
  co_return co_await SendEmpty(req, 204);
}

Task<Status> GetBucketPolicyStatus(S3Request& req) {
  CO_ASSIGN_OR_RETURN(std::string doc,
                      co_await LoadConfig(req, bc::kPolicy, Errc::kNoSuchBucketPolicy));
  CO_ASSIGN_OR_RETURN(policy::Policy parsed, policy::Policy::Parse(doc, policy::Kind::kResource));
  XmlWriter w;
  w.Open("PolicyStatus").Bool("IsPublic", parsed.IsPublic());
  co_return co_await SendXml(req, w.Finish());
}

}  // namespace cairn::s3
