#include "admin/prometheus_token.h"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/checksum.h"

namespace cairn::admin {
namespace {

std::string HmacSha512(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha512(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

// base64url without padding (RFC 7515).
std::string Base64Url(std::string_view raw) {
  std::string s = Base64Encode(raw);
  while (!s.empty() && s.back() == '=') {
    s.pop_back();
  }
  for (char& c : s) {
    c = c == '+' ? '-' : c == '/' ? '_' : c;
  }
  return s;
}

std::optional<std::string> FromBase64Url(std::string_view s) {
  std::string b64(s);
  for (char& c : b64) {
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  while (b64.size() % 4 != 0) {
    b64 += '=';
  }
  return Base64Decode(b64);
}

}  // namespace

std::string MakePrometheusToken(std::string_view access_key, std::string_view secret_key,
                                std::chrono::system_clock::time_point expires) {
  const nlohmann::json header = {{"alg", "HS512"}, {"typ", "JWT"}};
  const nlohmann::json claims = {
      {"exp", std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count()},
      {"sub", access_key},
      {"iss", "prometheus"}};
  const std::string signing_input = Base64Url(header.dump()) + "." + Base64Url(claims.dump());
  return signing_input + "." + Base64Url(HmacSha512(secret_key, signing_input));
}

Result<std::string> VerifyPrometheusToken(std::string_view token,
                                          const auth::CredentialProvider& creds,
                                          std::chrono::system_clock::time_point now) {
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) {
    return Status(Errc::kAccessDenied, "malformed bearer token");
  }
  auto header_raw = FromBase64Url(token.substr(0, dot1));
  auto claims_raw = FromBase64Url(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = FromBase64Url(token.substr(dot2 + 1));
  if (!header_raw || !claims_raw || !signature) {
    return Status(Errc::kAccessDenied, "malformed bearer token");
  }
  const nlohmann::json header = nlohmann::json::parse(*header_raw, nullptr, false);
  const nlohmann::json claims = nlohmann::json::parse(*claims_raw, nullptr, false);
  if (!header.is_object() || !claims.is_object() || header.value("alg", "") != "HS512" ||
      !claims.contains("sub") || !claims["sub"].is_string() || !claims.contains("exp") ||
      !claims["exp"].is_number()) {
    return Status(Errc::kAccessDenied, "the bearer token is not an HS512 JWT with sub and exp");
  }
  std::string access_key = claims["sub"].get<std::string>();
  std::optional<std::string> secret = creds.SecretKey(access_key);
  if (!secret) {
    return Status(Errc::kInvalidAccessKeyId, "the bearer token's access key is unknown");
  }
  if (!ConstantTimeEqual(HmacSha512(*secret, token.substr(0, dot2)), *signature)) {
    return Status(Errc::kSignatureDoesNotMatch, "the bearer token's signature does not match");
  }
  const auto exp = std::chrono::system_clock::time_point(
      std::chrono::seconds(claims["exp"].get<std::int64_t>()));
  if (now >= exp) {
    return Status(Errc::kAccessDenied, "the bearer token expired");
  }
  return access_key;
}

}  // namespace cairn::admin
