// Signature V4 verification: the Authorization header and presigned query forms.
#include <algorithm>
#include <charconv>

#include "auth/canonical.h"
#include "auth/crypto.h"
#include "auth/verify.h"

namespace cairn::auth::internal {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
constexpr std::string_view kStreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
constexpr std::string_view kStreamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
constexpr std::string_view kStreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

// What both V4 forms carry: the credential scope, the signed header names and the signature.
struct V4Fields {
  std::string access_key;
  std::string date8;
  std::string region;
  std::string service;
  std::vector<std::string> signed_headers;  // lowercase, sorted
  std::string signed_headers_joined;
  std::string signature;
};

bool IsHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool IsHex64AnyCase(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
         c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' || c == '*' ||
         c == '+' || c == '^' || c == '`' || c == '|' || c == '~';
}

Status ParseCredential(std::string_view s, Errc err, V4Fields& out) {
  CredentialScope scope;
  RETURN_IF_ERROR(ParseCredentialScope(s, err, scope));
  out.access_key = std::move(scope.access_key);
  out.date8 = std::move(scope.date8);
  out.region = std::move(scope.region);
  out.service = std::move(scope.service);
  return Status::Ok();
}

Status ParseSignedHeaders(std::string_view s, Errc err, V4Fields& out) {
  if (s.empty()) {
    return Status(err, "SignedHeaders is empty");
  }
  while (true) {
    std::size_t semi = s.find(';');
    std::string name = AsciiLower(s.substr(0, semi));
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) {
      return Status(err, "SignedHeaders has an invalid header name");
    }
    out.signed_headers.push_back(std::move(name));
    if (semi == std::string_view::npos) {
      break;
    }
    s = s.substr(semi + 1);
  }
  std::sort(out.signed_headers.begin(), out.signed_headers.end());
  out.signed_headers.erase(std::unique(out.signed_headers.begin(), out.signed_headers.end()),
                           out.signed_headers.end());
  if (!std::binary_search(out.signed_headers.begin(), out.signed_headers.end(), "host")) {
    return Status(err, "the host header must be signed");
  }
  for (const auto& h : out.signed_headers) {
    if (!out.signed_headers_joined.empty()) {
      out.signed_headers_joined.push_back(';');
    }
    out.signed_headers_joined += h;
  }
  return Status::Ok();
}

Status ParseSignature(std::string_view s, Errc err, V4Fields& out) {
  if (!IsHex64(s)) {
    return Status(err, "Signature must be 64 lowercase hex digits");
  }
  out.signature = std::string(s);
  return Status::Ok();
}

// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...": exactly these three
// components, each once, separated by commas (spaces around them are allowed).
Result<V4Fields> ParseAuthorizationV4(std::string_view authz) {
  constexpr Errc kErr = Errc::kAuthorizationHeaderMalformed;
  if (authz.substr(0, kAlgorithm.size()) != kAlgorithm || authz.size() == kAlgorithm.size() ||
      authz[kAlgorithm.size()] != ' ') {
    return Status(kErr, "the authorization header must start with AWS4-HMAC-SHA256");
  }
  std::string_view rest = Trim(authz.substr(kAlgorithm.size()));
  V4Fields out;
  bool have[3] = {false, false, false};
  int count = 0;
  while (true) {
    std::size_t comma = rest.find(',');
    std::string_view part = Trim(rest.substr(0, comma));
    std::size_t eq = part.find('=');
    if (eq == std::string_view::npos || ++count > 3) {
      return Status(kErr, "the authorization header has a malformed component");
    }
    std::string_view key = part.substr(0, eq);
    std::string_view value = part.substr(eq + 1);
    int index = key == "Credential" ? 0 : key == "SignedHeaders" ? 1 : key == "Signature" ? 2 : -1;
    if (index < 0 || have[index]) {
      return Status(kErr, "unknown or repeated component '" + std::string(key) + "'");
    }
    have[index] = true;
    Status st = index == 0   ? ParseCredential(value, kErr, out)
                : index == 1 ? ParseSignedHeaders(value, kErr, out)
                             : ParseSignature(value, kErr, out);
    if (!st.ok()) {
      return st;
    }
    if (comma == std::string_view::npos) {
      break;
    }
    rest = rest.substr(comma + 1);
  }
  if (!have[0] || !have[1] || !have[2]) {
    return Status(kErr, "the authorization header needs Credential, SignedHeaders and Signature");
  }
  return out;
}

// x-amz-* headers that are present but not signed could be changed in flight. Only
// x-amz-content-sha256 may stay unsigned: its value is the canonical request's last line.
Status CheckUnsignedAmzHeaders(const HeaderList& headers, const V4Fields& f) {
  for (const auto& [name, value] : headers) {
    if (!IStartsWith(name, "x-amz-") || IEquals(name, "x-amz-content-sha256")) {
      continue;
    }
    std::string lower = AsciiLower(name);
    if (!std::binary_search(f.signed_headers.begin(), f.signed_headers.end(), lower)) {
      return Status(Errc::kAccessDenied,
                    "There were headers present in the request which were not signed: " + lower);
    }
  }
  return Status::Ok();
}

// Computes the signature of the request and compares it with f.signature. On success fills
// the identity and streaming fields of `out`.
Status CheckSignature(const RequestView& req, const V4Fields& f, std::string_view secret,
                      std::string_view amz_date, std::string_view canonical_query,
                      std::string_view payload_hash, AuthResult& out) {
  std::string missing;
  std::optional<std::string> headers = CanonicalHeaders(*req.headers, f.signed_headers, &missing);
  if (!headers) {
    return Status(Errc::kSignatureDoesNotMatch,
                  "the signed header '" + missing + "' is not in the request");
  }
  std::string canonical = CanonicalRequest(req.method, CanonicalUri(req.path), canonical_query,
                                           *headers, f.signed_headers_joined, payload_hash);
  std::string scope = f.date8 + "/" + f.region + "/" + f.service + "/aws4_request";
  std::string key = SigningKey(secret, f.date8, f.region, f.service);
  std::string expected = Hex(HmacSha256(key, StringToSign(amz_date, scope, canonical)));
  if (!ConstantTimeEqual(expected, f.signature)) {
    return Status(Errc::kSignatureDoesNotMatch,
                  "The request signature we calculated does not match the signature you provided");
  }
  out.version = 4;
  out.access_key = f.access_key;
  out.service = f.service;
  out.signing_key = std::move(key);
  out.scope = std::move(scope);
  out.amz_date = std::string(amz_date);
  out.seed_signature = f.signature;
  return Status::Ok();
}

}  // namespace

// "AKID/20130524/us-east-1/s3/aws4_request". The access key may itself contain '/', so the
// four scope elements are taken from the right.
Status ParseCredentialScope(std::string_view s, Errc err, CredentialScope& out) {
  std::string_view parts[4];
  for (int i = 3; i >= 0; --i) {
    std::size_t slash = s.rfind('/');
    if (slash == std::string_view::npos) {
      return Status(err, "Credential must have the form AKID/date/region/s3/aws4_request");
    }
    parts[i] = s.substr(slash + 1);
    s = s.substr(0, slash);
  }
  if (s.empty()) {
    return Status(err, "Credential has no access key");
  }
  if (parts[0].size() != 8 || !ParseAmzDate(std::string(parts[0]) + "T000000Z")) {
    return Status(err, "Credential date is not of the form yyyymmdd");
  }
  if (parts[1].empty()) {
    return Status(err, "Credential has no region");
  }
  if (parts[2] != "s3" && parts[2] != "sts" && parts[2] != "iam") {
    return Status(
        err, "incorrect service '" + std::string(parts[2]) + "': must be 's3', 'sts' or 'iam'");
  }
  if (parts[3] != "aws4_request") {
    return Status(err, "Credential must end with aws4_request");
  }
  out.access_key = std::string(s);
  out.date8 = std::string(parts[0]);
  out.region = std::string(parts[1]);
  out.service = std::string(parts[2]);
  return Status::Ok();
}

Status ClassifyPayload(std::string_view v, bool presigned, AuthResult& out) {
  if (v == kUnsignedPayload) {
    out.payload = PayloadKind::kUnsigned;
  } else if (IsHex64AnyCase(v)) {
    out.payload = PayloadKind::kSigned;
    out.payload_sha256_hex = AsciiLower(v);
  } else if (v == kStreamingUnsignedTrailer) {
    out.payload = PayloadKind::kStreamingUnsignedTrailer;
  } else if (v == kStreamingSigned || v == kStreamingSignedTrailer) {
    if (presigned) {
      return Status(Errc::kInvalidRequest, "a presigned request cannot carry " + std::string(v));
    }
    out.payload = v == kStreamingSigned ? PayloadKind::kStreamingSigned
                                        : PayloadKind::kStreamingSignedTrailer;
  } else if (v.starts_with("STREAMING-AWS4-ECDSA-P256-SHA256")) {
    return Status(Errc::kUnsupportedSignature, "SigV4a streaming payloads are not supported");
  } else {
    return Status(Errc::kInvalidArgumentS3,
                  "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-* value or a "
                  "SHA-256 hex digest");
  }
  return Status::Ok();
}

Status ReadStreamingHeaders(const HeaderList& headers, AuthResult& out) {
  if (auto len = HeaderValue(headers, "x-amz-decoded-content-length")) {
    std::string_view s = Trim(*len);
    std::int64_t n = -1;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || n < 0) {
      return Status(Errc::kInvalidArgumentS3,
                    "x-amz-decoded-content-length must be a non-negative integer");
    }
    out.decoded_content_length = n;
  }
  if (auto trailer = HeaderValue(headers, "x-amz-trailer")) {
    out.declared_trailers = std::string(Trim(*trailer));
  }
  return Status::Ok();
}

Result<AuthResult> VerifyV4Header(const RequestView& req, std::string_view authorization,
                                  const CredentialProvider& creds) {
  const HeaderList& headers = *req.headers;
  // The date first, as AWS does: a request without a valid one is refused as such (403),
  // whatever else is wrong with its Authorization header.
  std::optional<TimePoint> when;
  if (auto amz = HeaderValue(headers, "x-amz-date")) {
    when = ParseAmzDate(Trim(*amz));
  } else if (auto date = HeaderValue(headers, "date")) {
    when = ParseHttpDate(*date);
  } else {
    return Status(Errc::kAccessDenied,
                  "AWS authentication requires a valid Date or x-amz-date header");
  }
  if (!when) {
    return Status(Errc::kAccessDenied,
                  "AWS authentication requires a valid Date or x-amz-date header");
  }
  ASSIGN_OR_RETURN(V4Fields f, ParseAuthorizationV4(authorization));
  std::optional<std::string> secret = creds.SecretKey(f.access_key);
  if (!secret) {
    return Status(Errc::kInvalidAccessKeyId,
                  "The AWS access key Id you provided does not exist in our records");
  }
  std::string amz_date = FormatAmzDate(*when);
  if (amz_date.substr(0, 8) != f.date8) {
    return Status(Errc::kAuthorizationHeaderMalformed,
                  "Invalid credential date: it is not the date of the request");
  }
  if (*when > req.now + kMaxSkew || *when < req.now - kMaxSkew) {
    return Status(Errc::kRequestTimeTooSkewed,
                  "The difference between the request time and the server's time is too large");
  }
  RETURN_IF_ERROR(CheckUnsignedAmzHeaders(headers, f));
  AuthResult out;
  std::string payload_hash;
  if (auto sha = HeaderValue(headers, "x-amz-content-sha256")) {
    payload_hash = std::string(Trim(*sha));
    RETURN_IF_ERROR(ClassifyPayload(payload_hash, false, out));
  } else {
    // MinIO's choice: signed as the empty body, but the body itself is not verified; or, for
    // a body the caller read first (STS), as that body.
    payload_hash = req.body_sha256_hex.empty() ? std::string(kEmptySha256Hex)
                                               : std::string(req.body_sha256_hex);
    out.payload = PayloadKind::kNone;
  }
  if (IsStreaming(out.payload)) {
    RETURN_IF_ERROR(ReadStreamingHeaders(headers, out));
  }
  std::string query = CanonicalQuery(ParseQueryLenient(req.query));
  RETURN_IF_ERROR(CheckSignature(req, f, *secret, amz_date, query, payload_hash, out));
  return out;
}

Result<AuthResult> VerifyV4Presigned(const RequestView& req, const QueryParams& params,
                                     const CredentialProvider& creds) {
  constexpr Errc kErr = Errc::kAuthorizationQueryParametersError;
  auto algorithm = params.Get("X-Amz-Algorithm");
  auto credential = params.Get("X-Amz-Credential");
  auto date = params.Get("X-Amz-Date");
  auto expires = params.Get("X-Amz-Expires");
  auto signed_headers = params.Get("X-Amz-SignedHeaders");
  auto signature = params.Get("X-Amz-Signature");
  if (!algorithm || !credential || !date || !expires || !signed_headers || !signature) {
    return Status(kErr,
                  "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                  "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
                  "X-Amz-Expires parameters");
  }
  if (*algorithm != kAlgorithm) {
    return Status(kErr, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
  }
  V4Fields f;
  RETURN_IF_ERROR(ParseCredential(*credential, kErr, f));
  RETURN_IF_ERROR(ParseSignedHeaders(*signed_headers, kErr, f));
  RETURN_IF_ERROR(ParseSignature(*signature, kErr, f));
  std::optional<std::string> secret = creds.SecretKey(f.access_key);
  if (!secret) {
    return Status(Errc::kInvalidAccessKeyId,
                  "The AWS access key Id you provided does not exist in our records");
  }
  std::optional<TimePoint> when = ParseAmzDate(*date);
  if (!when) {
    return Status(kErr, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  }
  if (date->substr(0, 8) != f.date8) {
    return Status(kErr, "Invalid credential date: it is not the date of X-Amz-Date");
  }
  std::int64_t lifetime = -1;
  auto [ptr, ec] =
      std::from_chars(expires->data(), expires->data() + expires->size(), lifetime, 10);
  if (expires->empty() || ec != std::errc() || ptr != expires->data() + expires->size()) {
    return Status(kErr, "X-Amz-Expires should be a number");
  }
  if (lifetime <= 0) {
    return Status(kErr, "X-Amz-Expires must be positive");
  }
  if (lifetime > kMaxPresignExpires) {
    return Status(kErr, "X-Amz-Expires must be less than a week (in seconds) that is 604800");
  }
  if (*when > req.now + kMaxSkew) {
    return Status(Errc::kAccessDenied, "Request is not valid yet");
  }
  if (req.now > *when + std::chrono::seconds(lifetime)) {
    return Status(Errc::kRequestExpired, "Request has expired");
  }
  RETURN_IF_ERROR(CheckUnsignedAmzHeaders(*req.headers, f));
  AuthResult out;
  out.presigned = true;
  std::string payload_hash(kUnsignedPayload);
  if (auto q = params.Get("X-Amz-Content-Sha256")) {
    payload_hash = *q;
  } else if (auto h = HeaderValue(*req.headers, "x-amz-content-sha256")) {
    payload_hash = std::string(Trim(*h));
  }
  RETURN_IF_ERROR(ClassifyPayload(payload_hash, true, out));
  if (IsStreaming(out.payload)) {
    RETURN_IF_ERROR(ReadStreamingHeaders(*req.headers, out));
  }
  std::string query = CanonicalQuery(params, "X-Amz-Signature");
  RETURN_IF_ERROR(CheckSignature(req, f, *secret, *date, query, payload_hash, out));
  return out;
}

}  // namespace cairn::auth::internal
