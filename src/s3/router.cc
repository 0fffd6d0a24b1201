#include "s3/router.h"

#include <algorithm>
#include <array>

namespace cairn::s3 {
namespace {

// Query parameters that select an S3 API (a "sub-resource"). Any of them that the selected
// method does not implement makes the request NotImplemented, instead of silently
// running another operation. Plain parameters (prefix, max-keys, x-id, ...) are not here.
constexpr auto kSubResources = std::to_array<std::string_view>({"accelerate",
                                                                "acl",
                                                                "analytics",
                                                                "attributes",
                                                                "cors",
                                                                "delete",
                                                                "encryption",
                                                                "intelligent-tiering",
                                                                "inventory",
                                                                "legal-hold",
                                                                "lifecycle",
                                                                "location",
                                                                "logging",
                                                                "metrics",
                                                                "notification",
                                                                "object-lock",
                                                                "ownershipControls",
                                                                "policy",
                                                                "policyStatus",
                                                                "publicAccessBlock",
                                                                "replication",
                                                                "requestPayment",
                                                                "restore",
                                                                "retention",
                                                                "select",
                                                                "tagging",
                                                                "torrent",
                                                                "uploads",
                                                                "uploadId",
                                                                "versioning",
                                                                "versions",
                                                                "website",
                                                                "partNumber",
                                                                "versionId",
                                                                "rename",
                                                                "renameObject",
                                                                "session",
                                                                "metadataTable"});

// True when `query` holds a sub-resource that is not in `allowed`.
bool HasOtherSubResource(const QueryParams& query,
                         std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : query.all()) {
    bool sub = std::find(kSubResources.begin(), kSubResources.end(), name) != kSubResources.end();
    bool ok = std::find(allowed.begin(), allowed.end(), name) != allowed.end();
    if (sub && !ok) {
      return true;
    }
  }
  return false;
}

Op SelectBucketOperation(std::string_view method, const QueryParams& q, bool form_upload) {
  if (method == "GET") {
    if (q.Has("location")) {
      return HasOtherSubResource(q, {"location"}) ? Op::kNotImplemented : Op::kGetBucketLocation;
    }
    if (q.Has("versioning")) {
      return HasOtherSubResource(q, {"versioning"}) ? Op::kNotImplemented
                                                    : Op::kGetBucketVersioning;
    }
    if (q.Has("uploads")) {
      return HasOtherSubResource(q, {"uploads"}) ? Op::kNotImplemented : Op::kListMultipartUploads;
    }
    if (q.Has("versions")) {
      return HasOtherSubResource(q, {"versions"}) ? Op::kNotImplemented : Op::kListObjectVersions;
    }
    if (q.Has("cors")) {
      return HasOtherSubResource(q, {"cors"}) ? Op::kNotImplemented : Op::kGetBucketCors;
    }
    if (q.Has("lifecycle")) {
      return HasOtherSubResource(q, {"lifecycle"}) ? Op::kNotImplemented
                                                   : Op::kGetBucketLifecycleConfiguration;
    }
    if (q.Has("tagging")) {
      return HasOtherSubResource(q, {"tagging"}) ? Op::kNotImplemented : Op::kGetBucketTagging;
    }
    if (q.Has("object-lock")) {
      return HasOtherSubResource(q, {"object-lock"}) ? Op::kNotImplemented
                                                     : Op::kGetObjectLockConfiguration;
    }
    if (q.Has("encryption")) {
      return HasOtherSubResource(q, {"encryption"}) ? Op::kNotImplemented
                                                    : Op::kGetBucketEncryption;
    }
    if (q.Has("policy")) {
      return HasOtherSubResource(q, {"policy"}) ? Op::kNotImplemented : Op::kGetBucketPolicy;
    }
    if (q.Has("policyStatus")) {
      return HasOtherSubResource(q, {"policyStatus"}) ? Op::kNotImplemented
                                                      : Op::kGetBucketPolicyStatus;
    }
    if (q.Has("acl")) {
      return HasOtherSubResource(q, {"acl"}) ? Op::kNotImplemented : Op::kGetBucketAcl;
    }
    if (q.Has("ownershipControls")) {
      return HasOtherSubResource(q, {"ownershipControls"}) ? Op::kNotImplemented
                                                           : Op::kGetBucketOwnershipControls;
    }
    if (HasOtherSubResource(q, {})) {
      return Op::kNotImplemented;
    }
    return q.Get("list-type") == "2" ? Op::kListObjectsV2 : Op::kListObjectsV1;
  }
  if (method == "HEAD") {
    return Op::kHeadBucket;
  }
  if (method == "PUT") {
    if (q.Has("versioning")) {
      return HasOtherSubResource(q, {"versioning"}) ? Op::kNotImplemented
                                                    : Op::kPutBucketVersioning;
    }
    if (q.Has("cors")) {
      return HasOtherSubResource(q, {"cors"}) ? Op::kNotImplemented : Op::kPutBucketCors;
    }
    if (q.Has("lifecycle")) {
      return HasOtherSubResource(q, {"lifecycle"}) ? Op::kNotImplemented
                                                   : Op::kPutBucketLifecycleConfiguration;
    }
    if (q.Has("tagging")) {
      return HasOtherSubResource(q, {"tagging"}) ? Op::kNotImplemented : Op::kPutBucketTagging;
    }
    if (q.Has("object-lock")) {
      return HasOtherSubResource(q, {"object-lock"}) ? Op::kNotImplemented
                                                     : Op::kPutObjectLockConfiguration;
    }
    if (q.Has("encryption")) {
      return HasOtherSubResource(q, {"encryption"}) ? Op::kNotImplemented
                                                    : Op::kPutBucketEncryption;
    }
    if (q.Has("policy")) {
      return HasOtherSubResource(q, {"policy"}) ? Op::kNotImplemented : Op::kPutBucketPolicy;
    }
    if (q.Has("acl")) {
      return HasOtherSubResource(q, {"acl"}) ? Op::kNotImplemented : Op::kPutBucketAcl;
    }
    if (q.Has("ownershipControls")) {
      return HasOtherSubResource(q, {"ownershipControls"}) ? Op::kNotImplemented
                                                           : Op::kPutBucketOwnershipControls;
    }
    return HasOtherSubResource(q, {}) ? Op::kNotImplemented : Op::kCreateBucket;
  }
  if (method == "DELETE") {
    if (q.Has("cors")) {
      return HasOtherSubResource(q, {"cors"}) ? Op::kNotImplemented : Op::kDeleteBucketCors;
    }
    if (q.Has("lifecycle")) {
      return HasOtherSubResource(q, {"lifecycle"}) ? Op::kNotImplemented
                                                   : Op::kDeleteBucketLifecycle;
    }
    if (q.Has("tagging")) {
      return HasOtherSubResource(q, {"tagging"}) ? Op::kNotImplemented : Op::kDeleteBucketTagging;
    }
    if (q.Has("encryption")) {
      return HasOtherSubResource(q, {"encryption"}) ? Op::kNotImplemented
                                                    : Op::kDeleteBucketEncryption;
    }
    if (q.Has("policy")) {
      return HasOtherSubResource(q, {"policy"}) ? Op::kNotImplemented : Op::kDeleteBucketPolicy;
    }
    if (q.Has("ownershipControls")) {
      return HasOtherSubResource(q, {"ownershipControls"}) ? Op::kNotImplemented
                                                           : Op::kDeleteBucketOwnershipControls;
    }
    return HasOtherSubResource(q, {}) ? Op::kNotImplemented : Op::kDeleteBucket;
  }
  if (method == "POST") {
    if (q.Has("delete") && !HasOtherSubResource(q, {"delete"})) {
      return Op::kDeleteObjects;
    }
    if (form_upload && !HasOtherSubResource(q, {})) {
      return Op::kPostObject;
    }
    return Op::kNotImplemented;
  }
  return method == "OPTIONS" ? Op::kOptionsObject : Op::kMethodNotAllowed;
}

Op SelectObjectOperation(std::string_view method, const QueryParams& q, bool copy_source) {
  if (method == "GET") {
    if (q.Has("uploadId")) {
      return HasOtherSubResource(q, {"uploadId"}) ? Op::kNotImplemented : Op::kListParts;
    }
    if (q.Has("attributes")) {
      return HasOtherSubResource(q, {"attributes", "versionId"}) ? Op::kNotImplemented
                                                                 : Op::kGetObjectAttributes;
    }
    if (q.Has("torrent")) {
      return HasOtherSubResource(q, {"torrent", "versionId"}) ? Op::kNotImplemented
                                                              : Op::kGetObjectTorrent;
    }
    if (q.Has("tagging")) {
      return HasOtherSubResource(q, {"tagging", "versionId"}) ? Op::kNotImplemented
                                                              : Op::kGetObjectTagging;
    }
    if (q.Has("retention")) {
      return HasOtherSubResource(q, {"retention", "versionId"}) ? Op::kNotImplemented
                                                                : Op::kGetObjectRetention;
    }
    if (q.Has("legal-hold")) {
      return HasOtherSubResource(q, {"legal-hold", "versionId"}) ? Op::kNotImplemented
                                                                 : Op::kGetObjectLegalHold;
    }
    if (q.Has("acl")) {
      return HasOtherSubResource(q, {"acl", "versionId"}) ? Op::kNotImplemented : Op::kGetObjectAcl;
    }
    return HasOtherSubResource(q, {"versionId", "partNumber"}) ? Op::kNotImplemented
                                                               : Op::kGetObject;
  }
  if (method == "HEAD") {
    return HasOtherSubResource(q, {"versionId", "partNumber"}) ? Op::kNotImplemented
                                                               : Op::kHeadObject;
  }
  if (method == "PUT") {
    if (q.Has("tagging")) {
      return HasOtherSubResource(q, {"tagging", "versionId"}) ? Op::kNotImplemented
                                                              : Op::kPutObjectTagging;
    }
    if (q.Has("retention")) {
      return HasOtherSubResource(q, {"retention", "versionId"}) ? Op::kNotImplemented
                                                                : Op::kPutObjectRetention;
    }
    if (q.Has("legal-hold")) {
      return HasOtherSubResource(q, {"legal-hold", "versionId"}) ? Op::kNotImplemented
                                                                 : Op::kPutObjectLegalHold;
    }
    if (q.Has("acl")) {
      return HasOtherSubResource(q, {"acl", "versionId"}) ? Op::kNotImplemented : Op::kPutObjectAcl;
    }
    if (q.Has("uploadId") || q.Has("partNumber")) {
      if (!q.Has("uploadId") || !q.Has("partNumber") ||
          HasOtherSubResource(q, {"uploadId", "partNumber"})) {
        return Op::kNotImplemented;
      }
      return copy_source ? Op::kUploadPartCopy : Op::kUploadPart;
    }
    if (HasOtherSubResource(q, {})) {
      return Op::kNotImplemented;
    }
    return copy_source ? Op::kCopyObject : Op::kPutObject;
  }
  if (method == "POST") {
    if (q.Has("uploads") && !HasOtherSubResource(q, {"uploads"})) {
      return Op::kCreateMultipartUpload;
    }
    if (q.Has("uploadId") && !HasOtherSubResource(q, {"uploadId"})) {
      return Op::kCompleteMultipartUpload;
    }
    return Op::kNotImplemented;
  }
  if (method == "DELETE") {
    if (q.Has("uploadId")) {
      return HasOtherSubResource(q, {"uploadId"}) ? Op::kNotImplemented : Op::kAbortMultipartUpload;
    }
    if (q.Has("tagging")) {
      return HasOtherSubResource(q, {"tagging", "versionId"}) ? Op::kNotImplemented
                                                              : Op::kDeleteObjectTagging;
    }
    return HasOtherSubResource(q, {"versionId"}) ? Op::kNotImplemented : Op::kDeleteObject;
  }
  return method == "OPTIONS" ? Op::kOptionsObject : Op::kMethodNotAllowed;
}

// The Host header without its port; handles "[::1]:9000".
std::string HostName(const http::Request& req) {
  const std::string* host = req.Header("host");
  if (host == nullptr) {
    return {};
  }
  std::string_view h = *host;
  if (!h.empty() && h.front() == '[') {
    auto close = h.find(']');
    return AsciiLower(h.substr(0, close == std::string_view::npos ? h.size() : close + 1));
  }
  auto colon = h.rfind(':');
  if (colon != std::string_view::npos) {
    h = h.substr(0, colon);
  }
  return AsciiLower(h);
}

// The bucket named by a virtual-host style Host, or nullopt for path style.
std::optional<std::string> VirtualHostBucket(const http::Request& req,
                                             std::span<const std::string> domains) {
  std::string host = HostName(req);
  for (const std::string& domain : domains) {
    std::string d = AsciiLower(domain);
    if (d.empty() || host.size() <= d.size() + 1) {
      continue;
    }
    if (host.compare(host.size() - d.size(), d.size(), d) == 0 &&
        host[host.size() - d.size() - 1] == '.') {
      return host.substr(0, host.size() - d.size() - 1);
    }
  }
  return std::nullopt;
}

// The service (third of the four elements after the access key, counted from the right) of a
// credential "AKID/20240301/us-east-1/iam/aws4_request".
std::string_view ScopeService(std::string_view credential) {
  const auto last = credential.rfind('/');  // before "aws4_request"
  if (last == std::string_view::npos) {
    return {};
  }
  credential = credential.substr(0, last);
  const auto slash = credential.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : credential.substr(slash + 1);
}

}  // namespace

std::string_view SignedService(const http::Request& req, const QueryParams& query) {
  if (const std::string* authorization = req.Header("authorization")) {
    std::string_view a = *authorization;
    const auto at = a.find("Credential=");
    if (!a.starts_with("AWS4-HMAC-SHA256") || at == std::string_view::npos) {
      return {};
    }
    a = a.substr(at + std::string_view("Credential=").size());
    return ScopeService(a.substr(0, a.find_first_of(", ")));
  }
  if (auto credential = query.Get("X-Amz-Credential")) {
    return ScopeService(*credential);
  }
  return {};
}

std::string_view OpName(Op op) {
#define CAIRN_S3_OP_NAME(op, name, handler) name,
  static constexpr std::string_view kNames[] = {CAIRN_S3_OPERATIONS(CAIRN_S3_OP_NAME)};
#undef CAIRN_S3_OP_NAME
  const auto i = static_cast<std::size_t>(op);
  return i < kOpCount ? kNames[i] : "Unknown";
}

std::string_view RequiredService(Op op) {
  struct Row {
    Op op;
    std::string_view service;
  };

  // Operations of other services that the S3 port serves; every other operation is S3's.
  static constexpr Row kServices[] = {
      {Op::kStsAction, "sts"},
      {Op::kIamAction, "iam"},
  };
  for (const Row& row : kServices) {
    if (row.op == op) {
      return row.service;
    }
  }
  return "s3";
}

Op SelectOperation(std::string_view method, const std::string& bucket, const std::string& key,
                   const QueryParams& query, bool has_copy_source, bool form_upload,
                   bool form_urlencoded, bool iam_query) {
  if (bucket.empty()) {
    if (method == "GET") {
      return Op::kListBuckets;
    }
    if (method == "POST" && key.empty() && form_urlencoded && iam_query) {
      return Op::kIamAction;
    }
    if (method == "POST" && form_urlencoded && query.all().empty()) {
      return Op::kStsAction;  // the Action is in the form (the signature's service: Serve)
    }
    return method == "OPTIONS" ? Op::kNotImplemented : Op::kMethodNotAllowed;
  }
  if (key.empty()) {
    return SelectBucketOperation(method, query, form_upload);
  }
  return SelectObjectOperation(method, query, has_copy_source);
}

Result<Route> ParseRoute(const http::Request& req, std::span<const std::string> domains) {
  Route route;
  auto query = ParseQuery(req.query);
  if (!query) {
    return Status(Errc::kInvalidArgumentS3, "The query string has an invalid percent-escape.");
  }
  route.query = std::move(*query);
  std::string_view path = req.path;
  if (!path.empty() && path.front() == '/') {
    path.remove_prefix(1);
  }
  std::string_view raw_bucket;
  std::string_view raw_key;
  if (auto vhost = VirtualHostBucket(req, domains)) {
    route.virtual_host = true;
    route.bucket = std::move(*vhost);
    raw_key = path;
  } else {
    auto slash = path.find('/');
    raw_bucket = path.substr(0, slash);
    raw_key = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    auto bucket = PercentDecode(raw_bucket, false);
    if (!bucket) {
      return Status(Errc::kInvalidArgumentS3, "The path has an invalid percent-escape.");
    }
    route.bucket = std::move(*bucket);
  }
  // Buckets whose names start with '.' are cairn's own (object::kSystemBucket, which the object
  // layer accepts): no S3 request may address one.
  if (route.bucket.starts_with('.')) {
    return Status(Errc::kInvalidBucketName, "The specified bucket is not valid.");
  }
  auto key = PercentDecode(raw_key, false);
  if (!key) {
    return Status(Errc::kInvalidArgumentS3, "The path has an invalid percent-escape.");
  }
  route.key = std::move(*key);
  if (route.key.size() > 1024) {
    return Status(Errc::kKeyTooLong);
  }
  const std::string* content_type = req.Header("content-type");
  const bool form_upload = content_type != nullptr &&
                           AsciiLower(TrimBlanks(*content_type)).starts_with("multipart/form-data");
  const bool form_urlencoded =
      content_type != nullptr &&
      AsciiLower(TrimBlanks(*content_type)).starts_with("application/x-www-form-urlencoded");
  const bool iam_query = form_urlencoded && SignedService(req, route.query) == "iam";
  route.op = SelectOperation(req.method, route.bucket, route.key, route.query,
                             req.Header("x-amz-copy-source") != nullptr, form_upload,
                             form_urlencoded, iam_query);
  return route;
}

}  // namespace cairn::s3
