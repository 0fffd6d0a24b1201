// Signature V2 verification: "Authorization: AWS AKID:signature" and presigned
// AWSAccessKeyId/Expires/Signature query parameters.
#include <algorithm>
#include <array>
#include <charconv>
#include <map>

#include "auth/canonical.h"
#include "auth/crypto.h"
#include "auth/verify.h"

namespace cairn::auth::internal {
namespace {

// Query parameters that V2 signs as sub-resources: the union of MinIO's list and botocore's
// (the V2 client still in use), sorted.
constexpr std::array<std::string_view, 38> kSubResources = {
    "accelerate",
    "acl",
    "analytics",
    "cors",
    "defaultObjectAcl",
    "delete",
    "encryption",
    "inventory",
    "legal-hold",
    "lifecycle",
    "location",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "partNumber",
    "policy",
    "replication",
    "requestPayment",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "retention",
    "select",
    "select-type",
    "storageClass",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
};

bool IsSubResource(std::string_view key) {
  return std::find(kSubResources.begin(), kSubResources.end(), key) != kSubResources.end();
}

// x-amz-* headers: lowercase names, sorted, values of one name joined by ',', "name:value\n".
std::string CanonicalAmzHeaders(const HeaderList& headers, bool skip_amz_date) {
  std::map<std::string, std::string> amz;
  for (const auto& [name, value] : headers) {
    if (!IStartsWith(name, "x-amz-") || (skip_amz_date && IEquals(name, "x-amz-date"))) {
      continue;
    }
    std::string& joined = amz[AsciiLower(name)];
    if (!joined.empty()) {
      joined.push_back(',');
    }
    joined += CanonicalHeaderValue(value);
  }
  std::string out;
  for (const auto& [name, value] : amz) {
    out.append(name).append(":").append(value).append("\n");
  }
  return out;
}

// How a client may have written the resource of a path-style bucket request ("/bucket"):
// botocore signs "/bucket/" for most bucket calls, and botocore before 1.31 signs
// ListObjectsV2's request URI as it is modelled, "/bucket?list-type=2". All name the same
// resource; each is accepted.
enum class BucketPathForm { kAsSent, kSlash, kListType };

// ["/" bucket] + path as sent + "?" + signed sub-resources (decoded values), sorted, in the
// `form` of a bare bucket path.
std::string CanonicalResource(const RequestView& req, BucketPathForm form) {
  std::string out;
  if (!req.virtual_host_bucket.empty()) {
    out.append("/").append(req.virtual_host_bucket);
  }
  out.append(req.path.empty() ? std::string_view("/") : req.path);
  std::vector<QueryParam> params = ParseQueryLenient(req.query).all();
  if (form == BucketPathForm::kSlash) {
    out.push_back('/');
  } else if (form == BucketPathForm::kListType) {
    for (const QueryParam& p : params) {
      if (p.key == "list-type") {
        out.append("?list-type=").append(p.value);
        break;
      }
    }
  }
  std::stable_sort(params.begin(), params.end(),
                   [](const QueryParam& a, const QueryParam& b) { return a.key < b.key; });
  char sep = '?';
  for (const auto& p : params) {
    if (!IsSubResource(p.key)) {
      continue;
    }
    out.push_back(sep);
    sep = '&';
    out += p.key;
    if (!p.value.empty()) {
      out.push_back('=');
      out += p.value;
    }
  }
  return out;
}

std::string HmacV2(std::string_view secret, std::string_view string_to_sign) {
  return Base64(HmacSha1(secret, string_to_sign));
}

// A path-style request for a bucket itself ("/bucket", no slash after it).
bool IsBareBucketPath(const RequestView& req) {
  return req.virtual_host_bucket.empty() && req.path.size() > 1 && req.path[0] == '/' &&
         req.path.find('/', 1) == std::string_view::npos;
}

std::string V2StringToSign(const RequestView& req, std::string_view date, bool skip_amz_date,
                           BucketPathForm form) {
  const HeaderList& h = *req.headers;
  std::string out(req.method);
  out.append("\n").append(Trim(HeaderValue(h, "content-md5").value_or("")));
  out.append("\n").append(Trim(HeaderValue(h, "content-type").value_or("")));
  out.append("\n").append(date).append("\n");
  out += CanonicalAmzHeaders(h, skip_amz_date);
  out += CanonicalResource(req, form);
  return out;
}

// True when `signature` signs the request with `date`, in any BucketPathForm of a bare
// bucket path.
bool V2SignatureMatches(const RequestView& req, std::string_view secret, std::string_view signature,
                        std::string_view date, bool skip_amz_date) {
  auto matches = [&](BucketPathForm form) {
    return ConstantTimeEqual(HmacV2(secret, V2StringToSign(req, date, skip_amz_date, form)),
                             signature);
  };
  if (matches(BucketPathForm::kAsSent)) {
    return true;
  }
  if (!IsBareBucketPath(req)) {
    return false;
  }
  return matches(BucketPathForm::kSlash) ||
         (ParseQueryLenient(req.query).Has("list-type") && matches(BucketPathForm::kListType));
}

Status SignatureMismatch() {
  return Status(Errc::kSignatureDoesNotMatch,
                "The request signature we calculated does not match the signature you provided");
}

}  // namespace

std::string StringToSignV2(const RequestView& req, std::string_view date, bool skip_amz_date) {
  return V2StringToSign(req, date, skip_amz_date, BucketPathForm::kAsSent);
}

Result<AuthResult> VerifyV2Header(const RequestView& req, std::string_view authorization,
                                  const CredentialProvider& creds) {
  constexpr Errc kErr = Errc::kAuthorizationHeaderMalformed;
  if (!authorization.starts_with("AWS ")) {
    return Status(kErr, "the authorization header must be 'AWS AKID:signature'");
  }
  std::string_view rest = Trim(authorization.substr(4));
  std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size() ||
      rest.find(' ') != std::string_view::npos) {
    return Status(kErr, "the authorization header must be 'AWS AKID:signature'");
  }
  std::string access_key(rest.substr(0, colon));
  std::string_view signature = rest.substr(colon + 1);
  std::optional<std::string> secret = creds.SecretKey(access_key);
  if (!secret) {
    return Status(Errc::kInvalidAccessKeyId,
                  "The AWS access key Id you provided does not exist in our records");
  }
  const HeaderList& headers = *req.headers;
  auto amz_date = HeaderValue(headers, "x-amz-date");
  auto date = HeaderValue(headers, "date");
  std::optional<TimePoint> when;
  if (amz_date) {
    when = ParseHttpDate(*amz_date);
  } else if (date) {
    when = ParseHttpDate(*date);
  }
  if (!when) {
    return Status(Errc::kAccessDenied,
                  "AWS authentication requires a valid Date or x-amz-date header");
  }
  if (*when > req.now + kMaxSkew || *when < req.now - kMaxSkew) {
    return Status(Errc::kRequestTimeTooSkewed,
                  "The difference between the request time and the server's time is too large");
  }
  // With x-amz-date, AWS's text says the Date line is empty, its worked example puts the
  // x-amz-date value there instead (and leaves it out of the x-amz-* lines), and older MinIO
  // and botocore sign the Date header's value. All three bind the same secret: accept each.
  bool ok = false;
  if (!amz_date) {
    ok = V2SignatureMatches(req, *secret, signature, Trim(*date), false);
  } else {
    ok = V2SignatureMatches(req, *secret, signature, "", false) ||
         V2SignatureMatches(req, *secret, signature, Trim(*amz_date), true) ||
         (date && V2SignatureMatches(req, *secret, signature, Trim(*date), false));
  }
  if (!ok) {
    return SignatureMismatch();
  }
  AuthResult out;
  out.version = 2;
  out.service = "s3";
  out.access_key = std::move(access_key);
  return out;
}

Result<AuthResult> VerifyV2Presigned(const RequestView& req, const QueryParams& params,
                                     const CredentialProvider& creds) {
  constexpr Errc kErr = Errc::kAuthorizationQueryParametersError;
  auto access_key = params.Get("AWSAccessKeyId");
  auto expires = params.Get("Expires");
  auto signature = params.Get("Signature");
  if (!access_key || !expires || !signature || access_key->empty() || signature->empty()) {
    return Status(kErr,
                  "Query-string authentication requires the AWSAccessKeyId, Expires and "
                  "Signature parameters");
  }
  std::int64_t expires_at = 0;
  auto [ptr, ec] = std::from_chars(expires->data(), expires->data() + expires->size(), expires_at);
  if (expires->empty() || ec != std::errc() || ptr != expires->data() + expires->size()) {
    return Status(kErr, "Expires must be a number of seconds since the epoch");
  }
  std::optional<std::string> secret = creds.SecretKey(*access_key);
  if (!secret) {
    return Status(Errc::kInvalidAccessKeyId,
                  "The AWS access key Id you provided does not exist in our records");
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(req.now.time_since_epoch()).count();
  if (now > expires_at) {
    return Status(Errc::kRequestExpired, "Request has expired");
  }
  // The URL does not say when it was made: an expiry more than SigV4's longest lifetime
  // (7 days) ahead is refused, so a leaked V2 URL is not valid for decades.
  if (expires_at - now > kMaxPresignExpires) {
    return Status(kErr, "Expires must be at most a week (604800 seconds) from now");
  }
  // A raw '+' in the query decodes to a space, but base64 has no spaces: it was a '+'.
  std::string sig(*signature);
  std::replace(sig.begin(), sig.end(), ' ', '+');
  if (!V2SignatureMatches(req, *secret, sig, *expires, false)) {
    return SignatureMismatch();
  }
  AuthResult out;
  out.version = 2;
  out.service = "s3";
  out.presigned = true;
  out.access_key = *access_key;
  return out;
}

}  // namespace cairn::auth::internal
