// The verifiers behind Authenticate(), one per signature scheme. Internal to auth/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "auth/canonical.h"
#include "auth/signature.h"

namespace cairn::auth::internal {

// Largest clock difference accepted between a signed request and the server.
inline constexpr std::chrono::minutes kMaxSkew{15};
// Longest lifetime of a presigned V4 URL (seven days).
inline constexpr std::int64_t kMaxPresignExpires = 604800;

Result<AuthResult> VerifyV4Header(const RequestView& req, std::string_view authorization,
                                  const CredentialProvider& creds);
Result<AuthResult> VerifyV4Presigned(const RequestView& req, const QueryParams& params,
                                     const CredentialProvider& creds);
Result<AuthResult> VerifyV2Header(const RequestView& req, std::string_view authorization,
                                  const CredentialProvider& creds);
Result<AuthResult> VerifyV2Presigned(const RequestView& req, const QueryParams& params,
                                     const CredentialProvider& creds);

// The credential scope "AKID/20130524/us-east-1/s3/aws4_request" (the access key may itself
// contain '/': the four scope elements are taken from the right).
struct CredentialScope {
  std::string access_key;
  std::string date8;
  std::string region;
  std::string service;
};

// The service must be "s3", "sts" or "iam". Errors: `err` with a message saying what is wrong.
Status ParseCredentialScope(std::string_view s, Errc err, CredentialScope& out);

// Sets out.payload (and payload_sha256_hex) from an x-amz-content-sha256 value. Errors:
// kInvalidArgumentS3 (not a known value), kUnsupportedSignature (SigV4a), kInvalidRequest
// (signed streaming on a presigned request).
Status ClassifyPayload(std::string_view value, bool presigned, AuthResult& out);

// Fills decoded_content_length and declared_trailers from the streaming headers.
// Errors: kInvalidArgumentS3 (x-amz-decoded-content-length is not a number).
Status ReadStreamingHeaders(const HeaderList& headers, AuthResult& out);

// The V2 string to sign. `date` is the Date line (the Expires value for presigned requests);
// `skip_amz_date` leaves x-amz-date out of the x-amz-* lines.
std::string StringToSignV2(const RequestView& req, std::string_view date, bool skip_amz_date);

}  // namespace cairn::auth::internal
