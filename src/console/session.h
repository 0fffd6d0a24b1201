// The console's sign-in session: the credentials a signed-in browser acts with (temporary
// credentials of the user that signed in, or a service account's own keys), sealed into an
// HttpOnly cookie. Sealed (AES-256-GCM) under a key derived from the root credentials, which
// every node shares, so any node behind a load balancer opens it, and neither the browser's
// scripts nor anyone who reads the cookie sees a secret. The CSRF token is an HMAC of the
// session's random nonce: the page gets it in a JSON answer (which another origin cannot
// read) and sends it back in a header on every change.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/package.h"

namespace cairn::console {

inline constexpr std::string_view kSessionCookie = "cairn_session";
inline constexpr std::string_view kCsrfHeader = "x-cairn-csrf";

struct Session {
  std::string user;        // the access key that signed in (shown, and aws:username's source)
  std::string kind;        // "root", "user" or "serviceaccount"
  std::string access_key;  // what the session's requests are signed with
  std::string secret_key;
  std::string session_token;    // "" for a service account's own keys
  std::int64_t expires_ns = 0;  // wall clock, ns since the epoch
  std::string nonce;            // random per sign-in; the CSRF token derives from it
};

class SessionSealer {
 public:
  SessionSealer(std::string_view root_access_key, std::string_view root_secret_key);

  // The cookie's value (base64, no characters a cookie cannot carry).
  std::string Seal(const Session& session) const;
  // Errors: kAccessDenied (not a session of this cluster, tampered, malformed),
  // kExpiredToken (expired at `now_ns`).
  Result<Session> Open(std::string_view cookie_value, std::int64_t now_ns) const;

  std::string CsrfToken(const Session& session) const;
  bool CsrfMatches(const Session& session, std::string_view token) const;

 private:
  crypto::Key key_;
};

// The values of the cookies named `name` in a Cookie header ("a=1; b=2"), in order (quotes
// taken off); views into `header`.
std::vector<std::string_view> CookieValues(std::string_view header, std::string_view name);

// Set-Cookie values of the session cookie: HttpOnly, SameSite=Strict, Path=/, Secure over
// TLS; `max_age_s` seconds (0 clears it).
std::string SessionCookie(std::string_view value, std::int64_t max_age_s, bool secure);

}  // namespace cairn::console
