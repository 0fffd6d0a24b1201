// The OpenID Connect provider that AssumeRoleWithWebIdentity trusts: its configuration
// (MinIO's MINIO_IDENTITY_OPENID_* settings), discovery of its issuer and key set URL, and
// the key set itself, fetched with http::Client and cached (refetched when a token names an
// unknown key, at most every kRefetchInterval). Verification is auth/jwt.h's.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwt.h"
#include "common/status.h"
#include "common/task.h"

namespace cairn::s3 {

struct OpenIdOptions {
  // The issuer's "/.well-known/openid-configuration" (MINIO_IDENTITY_OPENID_CONFIG_URL):
  // `issuer` and `jwks_uri` are read from it.
  std::string config_url;
  // A provider without discovery (CAIRN_IDENTITY_OPENID_JWKS_URL, _ISSUER); they also
  // override what discovery says.
  std::string jwks_url;
  std::string issuer;
  // The token's aud (or azp) must name it (MINIO_IDENTITY_OPENID_CLIENT_ID).
  std::string client_id;
  // The claim that names the policies (MINIO_IDENTITY_OPENID_CLAIM_NAME).
  std::string claim_name = "policy";

  bool configured() const { return !config_url.empty() || !jwks_url.empty(); }
};

class OpenIdProvider {
 public:
  static constexpr std::chrono::seconds kRefetchInterval{10};

  explicit OpenIdProvider(
      OpenIdOptions options, std::function<std::chrono::system_clock::time_point()> now = [] {
        return std::chrono::system_clock::now();
      });
  OpenIdProvider(const OpenIdProvider&) = delete;
  OpenIdProvider& operator=(const OpenIdProvider&) = delete;

  const OpenIdOptions& options() const { return options_; }

  // Verifies `token` (signature against the provider's keys, issuer, audience, times) and
  // returns its claims. Called from any network thread (fetches run on the caller's
  // executor). Errors: kInvalidArgument (a bad token, a bad signature, a wrong issuer or
  // audience, no key for its kid), kExpiredToken, and kUnavailable-like transport errors of
  // the provider (kNodeOffline, kTimeout, kInternal for a bad answer): the caller answers
  // IDPCommunicationError for those.
  Task<Result<auth::jwt::Claims>> Verify(std::string_view token);

 private:
  struct Endpoints {
    std::string issuer;
    std::string jwks_url;
  };

  Task<Result<Endpoints>> Discover();
  // Fetches and parses the key set; replaces the cache.
  Task<Result<std::shared_ptr<const std::vector<auth::jwt::Jwk>>>> FetchKeys(
      const std::string& url);

  const OpenIdOptions options_;
  const std::function<std::chrono::system_clock::time_point()> now_;
  std::mutex mu_;
  // Guarded by mu_: what discovery found (empty until it succeeded), the cached key set
  // (nullptr until fetched) and when it was last fetched.
  std::optional<Endpoints> endpoints_;
  std::shared_ptr<const std::vector<auth::jwt::Jwk>> keys_;
  std::chrono::steady_clock::time_point fetched_at_{};
};

// GET `url` ("http(s)://host[:port]/path") with http::Client on the caller's executor.
// Errors: kInvalidArgument (a bad URL), the client's errors, kInternal (not a 200).
Task<Result<std::string>> FetchUrl(const std::string& url);

}  // namespace cairn::s3
