// The S3 front door: S3Api is the http::Handler for the S3 port. One middleware path in
// Handle() assigns request ids, serves the health endpoints, bounds the requests in
// flight, routes, authenticates, runs the operation's handler, renders errors and writes
// the access log. Also: the root user's credential provider and a health-only handler for
// the console port and for the time before the object layer is up.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/signature.h"
#include "common/task.h"
#include "http/exchange.h"
#include "iam/iam.h"
#include "kms/kms.h"
#include "object/memory_budget.h"
#include "object/object_layer.h"
#include "s3/access.h"
#include "s3/acl.h"
#include "s3/request_metrics.h"

namespace cairn::audit {
class Logger;
}  // namespace cairn::audit

namespace cairn::s3 {

class OpenIdProvider;

struct S3Options {
  std::string region = "us-east-1";
  // The Object Ownership of a bucket created without x-amz-object-ownership
  // (CAIRN_DEFAULT_OBJECT_OWNERSHIP): ObjectWriter, ACLs on (README "Access control" says why).
  acl::Ownership default_ownership = acl::Ownership::kObjectWriter;
  // --domain: base domains for virtual-host style requests ("bucket.<domain>/key").
  std::vector<std::string> domains;
  // Requests in flight past this bound get 503 SlowDown (health checks are not counted).
  std::size_t max_inflight = 4096;
  // Allowed clock skew of signed requests. auth::Authenticate enforces AWS's fixed 15
  // minutes today; kept here so the server's flag has one home.
  std::chrono::seconds skew = std::chrono::minutes(15);
  // Identifies this node in x-amz-id-2 and <HostId>.
  std::string node_name = "cairn";
  // Writes one access log line per S3 request (info level).
  bool access_log = true;
  // The budget of buffers that requests in flight may hold (the object layer's, shared):
  // request XML bodies (up to 8 MiB each) reserve their size in it before they are read,
  // so that thousands of them in flight cannot exhaust memory. nullptr: not bounded.
  object::MemoryBudget* budget = nullptr;
  // The length of a lifecycle "day" in seconds (--lifecycle-day-seconds; 86400, shorter in
  // tests): the expiry times that x-amz-expiration reports.
  std::int64_t lifecycle_day_seconds = 86400;
  // Server-side encryption: the KMS of SSE-S3 and SSE-KMS (nullptr: none configured, such
  // requests get 501); SSE-C accepted over plain HTTP (--sse-c-allow-http, for local tests);
  // every new object encrypted with SSE-S3 unless it asks for SSE-C or SSE-KMS
  // (CAIRN_KMS_AUTO_ENCRYPTION, MinIO's MINIO_KMS_AUTO_ENCRYPTION).
  kms::Kms* kms = nullptr;
  bool sse_c_allow_http = false;
  bool auto_encryption = false;
  // Users, groups, policies and temporary credentials (nullptr: every signed request is the
  // root user's, as in unit tests that need no access control).
  iam::Iam* iam = nullptr;
  // The OpenID Connect provider of AssumeRoleWithWebIdentity (nullptr: none configured).
  OpenIdProvider* openid = nullptr;
  // The audit log: one record per request (health checks aside) when set; nullptr: none, and
  // the request path pays one pointer check. Must outlive the S3Api.
  audit::Logger* audit = nullptr;
};

// The root user: one static access key and secret key.
class StaticCredentialProvider final : public auth::CredentialProvider {
 public:
  StaticCredentialProvider(std::string access_key, std::string secret_key)
      : access_key_(std::move(access_key)), secret_key_(std::move(secret_key)) {}

  std::optional<std::string> SecretKey(std::string_view access_key) const override;

 private:
  std::string access_key_;
  std::string secret_key_;
};

// Returns the object layer when it is up, or nullptr (before bring-up).
using ObjectLayerGetter = std::function<object::ObjectLayer*()>;

// Serves /minio/health/{live,ready,cluster,cluster/read} (GET and HEAD). Returns false
// when the path is not a health path (nothing was sent).
Task<bool> ServeHealth(http::Exchange& ex, object::ObjectLayer* layer);
// True for the paths ServeHealth answers (/minio/health/...).
bool IsHealthPath(std::string_view path);

// For http::ServerOptions::rewrite_reject on the S3 port: a request the HTTP layer refused
// before S3 saw it (header too large, malformed) is answered with S3's XML error, as AWS
// does (400 RequestHeaderSectionTooLarge, 400 BadRequest).
void RewriteRejectAsS3Error(int& status, std::string& content_type, std::string& body);

// A handler that serves only the health endpoints: any other request gets 404 (the
// console port) or, with `not_initialized`, 503 XMinioServerNotInitialized (the S3 port
// before the cluster is up).
http::Handler MakeHealthHandler(ObjectLayerGetter layer, bool not_initialized);

class S3Api {
 public:
  // `layer` and `creds` must outlive this object.
  S3Api(S3Options opts, object::ObjectLayer& layer, const auth::CredentialProvider& creds);
  S3Api(const S3Api&) = delete;
  S3Api& operator=(const S3Api&) = delete;

  // The http::Handler. Never throws; every error becomes an S3 error response.
  Task<void> Handle(http::Exchange& ex);
  // For wiring: [this](http::Exchange& ex) { return Handle(ex); }
  http::Handler AsHandler();

  std::size_t inflight() const { return inflight_.load(std::memory_order_relaxed); }

  // Appends the request counters in Prometheus text format (for admin's metrics pages).
  void AppendMetrics(std::string& out) const { metrics_.AppendPrometheus(out, inflight()); }

  // The request counters now (for the console's time series).
  S3MetricsSnapshot MetricsSnapshot() const { return metrics_.Snapshot(); }

 private:
  std::string NextRequestId();

  S3Options opts_;
  object::ObjectLayer& layer_;
  const auth::CredentialProvider& creds_;
  std::string host_id_;
  std::int64_t id_base_;
  std::atomic<std::uint64_t> id_counter_{0};
  std::atomic<std::size_t> inflight_{0};
  S3Metrics metrics_;
  BucketPolicyCache policy_cache_;
};

}  // namespace cairn::s3
