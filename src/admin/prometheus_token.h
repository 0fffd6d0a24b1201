// Bearer tokens for the metrics pages, as MinIO's `mc admin prometheus generate` makes them:
// a JWT signed with HS512 under the root secret key, "sub" = the access key, "iss" =
// "prometheus", "exp" = expiry (seconds since the epoch).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "auth/signature.h"
#include "common/status.h"

namespace cairn::admin {

// A token for `access_key` that expires at `expires`.
std::string MakePrometheusToken(std::string_view access_key, std::string_view secret_key,
                                std::chrono::system_clock::time_point expires);

// Checks a bearer token: HS512 over the secret of its "sub", not expired at `now`; returns
// the "sub" (the access key, which the caller then authorizes). Errors: kAccessDenied
// (malformed, another algorithm, expired), kInvalidAccessKeyId, kSignatureDoesNotMatch.
Result<std::string> VerifyPrometheusToken(std::string_view token,
                                          const auth::CredentialProvider& creds,
                                          std::chrono::system_clock::time_point now);

}  // namespace cairn::admin
