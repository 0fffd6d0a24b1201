// JSON Web Tokens as an OpenID Connect provider issues them (RFC 7519, 7515, 7517, 7518):
// parsing the compact form, verifying an RS256 or ES256 signature against the provider's
// JSON Web Key Set, and checking the standard claims. Pure code over OpenSSL 3; no I/O
// (fetching the key set is the caller's: s3/openid_provider.h).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::auth::jwt {

// base64url (RFC 4648 §5) without padding; decoding accepts '=' padding too.
std::string Base64UrlEncode(std::string_view raw);
std::optional<std::string> Base64UrlDecode(std::string_view text);

// One public key of a key set, its numbers decoded from base64url.
struct Jwk {
  std::string kid;
  std::string kty;  // "RSA" or "EC"
  std::string alg;  // optional: "RS256", "ES256"
  std::string n;    // RSA modulus, big-endian bytes
  std::string e;    // RSA exponent
  std::string crv;  // EC: "P-256"
  std::string x;    // EC coordinates, 32 bytes each for P-256
  std::string y;
};

// The keys of a JWKS document ({"keys": [...]}); keys of another type or curve, or meant
// for encryption ("use": "enc"), are skipped. Errors: kInvalidArgument (not a key set).
Result<std::vector<Jwk>> ParseJwks(std::string_view json);

// A token split and decoded; nothing verified yet.
struct Token {
  std::string alg;
  std::string kid;            // empty when the header has none
  std::string claims_json;    // the decoded payload
  std::string signing_input;  // "<header>.<payload>" as sent
  std::string signature;      // raw bytes
};

// Errors: kInvalidArgument (not three base64url parts, a header or payload that is not a JSON
// object, no "alg").
Result<Token> ParseToken(std::string_view compact);

// Verifies the signature with the key of the token's kid among `keys` (without a kid: any
// key of the right type). Only RS256 and ES256 are accepted ("none", HS256 and the others
// are refused). Errors: kNotFound (no key has the token's kid: the caller may refetch the
// key set), kInvalidArgument (an algorithm not accepted, a key of another type, a bad
// signature).
Status VerifySignature(const Token& token, std::span<const Jwk> keys);

struct ClaimChecks {
  std::string issuer;          // "iss" must equal it
  std::string audience;        // "aud" (a string or an array) must hold it, or "azp" equal it
  std::int64_t now_s = 0;      // seconds since the epoch
  std::int64_t leeway_s = 60;  // clock skew allowed on exp, nbf and iat
};

// The claims a caller of AssumeRoleWithWebIdentity needs.
struct Claims {
  std::string iss;
  std::string sub;
  std::int64_t exp = 0;
  std::string json;  // the whole payload (ClaimStrings reads other claims from it)
};

// Checks iss, aud/azp, exp (required), nbf and iat (not in the future). Errors: kExpiredToken
// (exp passed), kInvalidArgument (anything else, with a message).
Result<Claims> CheckClaims(const Token& token, const ClaimChecks& checks);

// The claim `name` of `claims_json` as a list of names: a string of comma-separated names or
// an array of strings (blanks trimmed, empty names dropped); empty when absent or of another
// type.
std::vector<std::string> ClaimStrings(std::string_view claims_json, std::string_view name);

}  // namespace cairn::auth::jwt
