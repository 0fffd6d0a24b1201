// Authenticate(): picks the signature scheme a request uses and runs its verifier.
#include "auth/canonical.h"
#include "auth/signature.h"
#include "auth/verify.h"

namespace cairn::auth {
namespace {

bool HasAny(const QueryParams& params, std::initializer_list<std::string_view> keys) {
  for (const auto& p : params.all()) {
    for (std::string_view k : keys) {
      if (p.key == k) {
        return true;
      }
    }
  }
  return false;
}

// An anonymous request still tells how its body is framed and, with a hash, what it holds.
Result<AuthResult> Anonymous(const HeaderList& headers) {
  AuthResult out;
  out.anonymous = true;
  auto sha = internal::HeaderValue(headers, "x-amz-content-sha256");
  if (!sha) {
    return out;
  }
  std::string_view v = internal::Trim(*sha);
  if (v.starts_with("STREAMING-AWS4-")) {
    return Status(Errc::kAccessDenied, "a signed streaming payload needs a signed request");
  }
  RETURN_IF_ERROR(internal::ClassifyPayload(v, false, out));
  if (IsStreaming(out.payload)) {
    RETURN_IF_ERROR(internal::ReadStreamingHeaders(headers, out));
  }
  return out;
}

}  // namespace

Result<AuthResult> Authenticate(const RequestView& req, const CredentialProvider& creds) {
  static const HeaderList kNoHeaders;
  RequestView view = req;
  if (view.headers == nullptr) {
    view.headers = &kNoHeaders;
  }
  const QueryParams params = ParseQueryLenient(view.query);
  bool v4_query = HasAny(params, {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"});
  bool v2_query = HasAny(params, {"AWSAccessKeyId", "Signature"});
  auto authorization = internal::HeaderValue(*view.headers, "authorization");
  if (authorization && (v4_query || v2_query)) {
    return Status(Errc::kInvalidArgumentS3, "Only one auth mechanism allowed");
  }
  if (authorization) {
    std::string_view a = internal::Trim(*authorization);
    if (a.starts_with("AWS4-HMAC-SHA256")) {
      return internal::VerifyV4Header(view, a, creds);
    }
    if (a.starts_with("AWS ")) {
      return internal::VerifyV2Header(view, a, creds);
    }
    return Status(Errc::kUnsupportedSignature,
                  "The authorization mechanism you have provided is not supported");
  }
  if (v4_query) {
    return internal::VerifyV4Presigned(view, params, creds);
  }
  if (v2_query) {
    return internal::VerifyV2Presigned(view, params, creds);
  }
  return Anonymous(*view.headers);
}

}  // namespace cairn::auth
