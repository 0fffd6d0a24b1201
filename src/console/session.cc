#include "console/session.h"

#include <nlohmann/json.hpp>

#include "common/checksum.h"
#include "common/text.h"
#include "crypto/keys.h"

namespace cairn::console {
namespace {

constexpr std::string_view kAssociated = "cairn console session v1";

crypto::Key DeriveSessionKey(std::string_view ak, std::string_view sk) {
  const std::string material = std::string(ak) + "\n" + std::string(sk);
  // Sha256 is 32 bytes: KeyFromBytes cannot fail.
  const crypto::Key base = *crypto::KeyFromBytes(Sha256(material));
  return crypto::DeriveKey(base, "cairn console session key v1");
}

}  // namespace

SessionSealer::SessionSealer(std::string_view root_access_key, std::string_view root_secret_key)
    : key_(DeriveSessionKey(root_access_key, root_secret_key)) {}

std::string SessionSealer::Seal(const Session& s) const {
  const nlohmann::json j = {{"u", s.user},       {"k", s.kind},          {"a", s.access_key},
                            {"s", s.secret_key}, {"t", s.session_token}, {"e", s.expires_ns},
                            {"n", s.nonce}};
  return Base64Encode(crypto::SealBytes(key_, j.dump(), kAssociated));
}

Result<Session> SessionSealer::Open(std::string_view cookie_value, std::int64_t now_ns) const {
  const Status bad(Errc::kAccessDenied, "not a console session of this cluster");
  const std::optional<std::string> raw = Base64Decode(cookie_value);
  if (!raw) {
    return bad;
  }
  Result<std::string> text = crypto::OpenBytes(key_, *raw, kAssociated);
  if (!text.ok()) {
    return bad;
  }
  const nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object()) {
    return bad;
  }
  Session s;
  try {
    s.user = j.at("u").get<std::string>();
    s.kind = j.at("k").get<std::string>();
    s.access_key = j.at("a").get<std::string>();
    s.secret_key = j.at("s").get<std::string>();
    s.session_token = j.at("t").get<std::string>();
    s.expires_ns = j.at("e").get<std::int64_t>();
    s.nonce = j.at("n").get<std::string>();
  } catch (const nlohmann::json::exception&) {
    return bad;
  }
  if (s.expires_ns <= now_ns) {
    return Status(Errc::kExpiredToken, "the console session expired: sign in again");
  }
  return s;
}

std::string SessionSealer::CsrfToken(const Session& s) const {
  return HexEncode(HmacSha256(crypto::KeyBytes(key_), "csrf\n" + s.nonce));
}

bool SessionSealer::CsrfMatches(const Session& s, std::string_view token) const {
  return !token.empty() && ConstantTimeEqual(CsrfToken(s), token);
}

std::vector<std::string_view> CookieValues(std::string_view header, std::string_view name) {
  std::vector<std::string_view> out;
  while (!header.empty()) {
    const std::size_t semi = header.find(';');
    const std::string_view pair = TrimBlanks(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || TrimBlanks(pair.substr(0, eq)) != name) {
      continue;
    }
    std::string_view value = TrimBlanks(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    out.push_back(value);
  }
  return out;
}

std::string SessionCookie(std::string_view value, std::int64_t max_age_s, bool secure) {
  std::string c = std::string(kSessionCookie) + "=" + std::string(value) +
                  "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
  if (secure) {
    c += "; Secure";
  }
  return c;
}

}  // namespace cairn::console
