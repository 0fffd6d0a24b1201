// S3Request: what a handler gets (the exchange, the route, the authenticated principal,
// the object layer and options), and the few ways a handler answers. Handlers return a
// Status: ok means they responded; an error is rendered by the middleware.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/signature.h"
#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"
#include "common/text.h"
#include "http/exchange.h"
#include "iam/iam.h"
#include "object/object_layer.h"
#include "s3/access.h"
#include "s3/post_form.h"
#include "s3/router.h"
#include "s3/s3_server.h"

namespace cairn::s3 {

// The root user's canonical id (MinIO's) and display name: the owner of the buckets root
// makes and of those made before cairn kept owners (s3/acl_access.h has the users' ids).
inline constexpr std::string_view kOwnerId =
    "02d6176db174dc93cb1b899f7c6078f08654445fe8cf1b6ce98d8855f66bdbf4";
inline constexpr std::string_view kOwnerName = "cairn";

struct S3Request {
  http::Exchange& ex;
  RequestContext ctx;
  Route route;
  auth::AuthResult auth;
  object::ObjectLayer& layer;
  const S3Options& opts;
  std::string host_id;
  // POST Object only: the form, read and authenticated by the middleware (s3/post_form.h).
  std::unique_ptr<PostForm> post_form;
  // Who asks (nullptr: an anonymous request), set by the middleware after authentication;
  // the bucket policies' cache (s3/access.h).
  iam::IdentityPtr identity;
  BucketPolicyCache* policy_cache = nullptr;
  // False when the asker may not list every bucket (ListBuckets then lists only those it may
  // list).
  bool list_all_buckets = true;
  // The user an access key belongs to (a service account's or STS credential's parent):
  // filled by authorization (IAM); empty for root and anonymous. For the audit log.
  std::string parent_user;
  // The STS API and the IAM query API (kStsAction, kIamAction) only: the form body, read by
  // the middleware before authentication (clients sign its hash without sending
  // x-amz-content-sha256) and checked against a signed hash after it.
  std::string form_body;
  // The S3 error Code and Message that SendError rendered (empty when none), for the audit log.
  std::string error_code;
  std::string error_message;
  // The API name the audit log and access log give (empty: OpName(route.op)); the STS
  // handler sets the form's Action ("AssumeRole").
  std::string api_name;

  const http::Request& http() const { return ex.request(); }

  const std::string* Header(std::string_view lower_name) const {
    return ex.request().Header(lower_name);
  }

  bool IsHead() const { return ex.request().method == "HEAD"; }

  // "/bucket/key" for <Resource>.
  std::string Resource() const;
};

// 200 (or `status`) with an XML body.
Task<Status> SendXml(S3Request& req, std::string body, int status = 200,
                     http::Headers headers = {});
// A response without a body (204, or 200 for HeadBucket).
Task<Status> SendEmpty(S3Request& req, int status, http::Headers headers = {});
// Renders `error` as S3 does (as IAM does for Op::kIamAction), with extra headers (416
// Content-Range, 304 ETag).
Task<Status> SendError(S3Request& req, const Status& error, http::Headers headers = {});

// A header list of one header. (GCC 12 miscompiles braced lists of string literals passed
// to coroutines, so handlers build header lists with this or emplace_back.)
inline http::Headers OneHeader(std::string name, std::string value) {
  http::Headers h;
  h.emplace_back(std::move(name), std::move(value));
  return h;
}

// A versionId as sent: "" (none: the latest), "null" (the null version) or an id cairn made
// (36 characters: hex digits and dashes). Errors: kInvalidArgumentS3 ("Invalid version id
// specified", AWS's answer to an id it could never have made).
Result<std::string> CheckedVersionId(std::string_view v);

// The versionId query parameter, checked.
Result<std::string> VersionIdParam(const S3Request& req);

// encoding-type=url applied to a listed key, prefix, delimiter or marker: AWS's URI encoding
// with '/' kept ("quux ab/" is "quux%20ab/", "foo+1" is "foo%2B1"), which the SDKs undo with
// a plain percent-decoder.
inline std::string UrlEncodeListed(std::string_view s) {
  return UriEncode(s, /*keep_slash=*/true);
}

// "\"<etag>\""
std::string QuoteEtag(std::string_view etag);
// An integer query parameter within [min, max]; `def` when absent.
// Errors: kInvalidArgumentS3 naming the parameter.
Result<int> QueryInt(const S3Request& req, std::string_view name, int def, int min, int max);
// The same for a request header (x-amz-max-parts, ...).
Result<int> HeaderInt(const S3Request& req, std::string_view name, int def, int min, int max);

}  // namespace cairn::s3
