#include "auth/jwt.h"

#include <memory>

#include <nlohmann/json.hpp>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "common/text.h"

namespace cairn::auth::jwt {
namespace {

using Json = nlohmann::json;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};

struct CtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};

struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};

struct BldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};

struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};

struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};

struct SigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '-') {
    return 62;
  }
  if (c == '_') {
    return 63;
  }
  return -1;
}

BnPtr ToBignum(std::string_view bytes) {
  return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                         static_cast<int>(bytes.size()), nullptr));
}

// The public key of `jwk` as an EVP_PKEY (nullptr when OpenSSL refuses it).
PkeyPtr MakeKey(const Jwk& jwk) {
  std::unique_ptr<OSSL_PARAM_BLD, BldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld) {
    return nullptr;
  }
  const char* type = nullptr;
  BnPtr n;
  BnPtr e;
  std::string point;
  if (jwk.kty == "RSA") {
    type = "RSA";
    n = ToBignum(jwk.n);
    e = ToBignum(jwk.e);
    if (!n || !e || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
      return nullptr;
    }
  } else if (jwk.kty == "EC" && jwk.crv == "P-256" && jwk.x.size() == 32 && jwk.y.size() == 32) {
    type = "EC";
    point = "\x04" + jwk.x + jwk.y;  // uncompressed point
    if (OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
            1 ||
        OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                         point.size()) != 1) {
      return nullptr;
    }
  } else {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return nullptr;
  }
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return PkeyPtr(key);
}

// JWS carries an ES256 signature as r || s (32 bytes each); OpenSSL wants DER.
std::optional<std::string> EcdsaRawToDer(std::string_view raw) {
  if (raw.size() != 64) {
    return std::nullopt;
  }
  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  BnPtr r = ToBignum(raw.substr(0, 32));
  BnPtr s = ToBignum(raw.substr(32));
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return std::nullopt;
  }
  (void)r.release();  // owned by sig now
  (void)s.release();
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) {
    return std::nullopt;
  }
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

bool VerifyWith(const Jwk& jwk, std::string_view alg, const Token& token) {
  PkeyPtr key = MakeKey(jwk);
  if (!key) {
    return false;
  }
  std::string sig = token.signature;
  if (alg == "ES256") {
    auto der = EcdsaRawToDer(token.signature);
    if (!der) {
      return false;
    }
    sig = std::move(*der);
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> md(EVP_MD_CTX_new());
  if (!md || EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(token.signing_input.data()),
                          token.signing_input.size()) == 1;
}

std::string KeyTypeOf(std::string_view alg) {
  return alg == "RS256" ? "RSA" : "EC";
}

// A member of `obj` as a string, or "" when absent or not a string.
std::string StringMember(const Json& obj, const char* name) {
  auto it = obj.find(name);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A NumericDate claim; nullopt when absent or not a number.
std::optional<std::int64_t> TimeMember(const Json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_number()) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(it->get<double>());
}

}  // namespace

std::string Base64UrlEncode(std::string_view raw) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((raw.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= raw.size(); i += 3) {
    const auto v = (static_cast<std::uint32_t>(static_cast<unsigned char>(raw[i])) << 16) |
                   (static_cast<std::uint32_t>(static_cast<unsigned char>(raw[i + 1])) << 8) |
                   static_cast<unsigned char>(raw[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  const std::size_t rest = raw.size() - i;
  if (rest > 0) {
    std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(raw[i])) << 16;
    if (rest == 2) {
      v |= static_cast<std::uint32_t>(static_cast<unsigned char>(raw[i + 1])) << 8;
    }
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    if (rest == 2) {
      out.push_back(kAlphabet[(v >> 6) & 63]);
    }
  }
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  if (text.size() % 4 == 1) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = Base64UrlValue(c);
    if (v < 0) {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

Result<std::vector<Jwk>> ParseJwks(std::string_view json) {
  Json doc = Json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    return Status(Errc::kInvalidArgument, "not a JSON Web Key Set");
  }
  std::vector<Jwk> keys;
  for (const Json& k : doc["keys"]) {
    if (!k.is_object() || StringMember(k, "use") == "enc") {
      continue;
    }
    Jwk jwk;
    jwk.kid = StringMember(k, "kid");
    jwk.kty = StringMember(k, "kty");
    jwk.alg = StringMember(k, "alg");
    if (jwk.kty == "RSA") {
      auto n = Base64UrlDecode(StringMember(k, "n"));
      auto e = Base64UrlDecode(StringMember(k, "e"));
      if (!n || !e || n->empty() || e->empty()) {
        continue;
      }
      jwk.n = std::move(*n);
      jwk.e = std::move(*e);
    } else if (jwk.kty == "EC") {
      jwk.crv = StringMember(k, "crv");
      auto x = Base64UrlDecode(StringMember(k, "x"));
      auto y = Base64UrlDecode(StringMember(k, "y"));
      if (jwk.crv != "P-256" || !x || !y || x->size() != 32 || y->size() != 32) {
        continue;
      }
      jwk.x = std::move(*x);
      jwk.y = std::move(*y);
    } else {
      continue;
    }
    keys.push_back(std::move(jwk));
  }
  return keys;
}

Result<Token> ParseToken(std::string_view compact) {
  const auto dot1 = compact.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : compact.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || compact.find('.', dot2 + 1) != std::string_view::npos) {
    return Status(Errc::kInvalidArgument, "the token is not a JWS in compact form");
  }
  auto header = Base64UrlDecode(compact.substr(0, dot1));
  auto payload = Base64UrlDecode(compact.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = Base64UrlDecode(compact.substr(dot2 + 1));
  if (!header || !payload || !signature) {
    return Status(Errc::kInvalidArgument, "the token is not base64url");
  }
  Json h = Json::parse(*header, nullptr, false);
  Json p = Json::parse(*payload, nullptr, false);
  if (h.is_discarded() || !h.is_object() || p.is_discarded() || !p.is_object()) {
    return Status(Errc::kInvalidArgument, "the token's header or claims are not a JSON object");
  }
  Token token;
  token.alg = StringMember(h, "alg");
  if (token.alg.empty()) {
    return Status(Errc::kInvalidArgument, "the token's header has no alg");
  }
  token.kid = StringMember(h, "kid");
  token.claims_json = std::move(*payload);
  token.signing_input = std::string(compact.substr(0, dot2));
  token.signature = std::move(*signature);
  return token;
}

Status VerifySignature(const Token& token, std::span<const Jwk> keys) {
  if (token.alg != "RS256" && token.alg != "ES256") {
    return Status(Errc::kInvalidArgument,
                  "the token's algorithm \"" + token.alg + "\" is not accepted (RS256, ES256)");
  }
  const std::string kty = KeyTypeOf(token.alg);
  bool found = false;
  for (const Jwk& key : keys) {
    if (!token.kid.empty() && key.kid != token.kid) {
      continue;
    }
    found = true;
    if (key.kty != kty || (!key.alg.empty() && key.alg != token.alg)) {
      continue;
    }
    if (VerifyWith(key, token.alg, token)) {
      return Status::Ok();
    }
  }
  if (!found) {
    return Status(Errc::kNotFound,
                  "no key of the provider has the token's kid \"" + token.kid + "\"");
  }
  return Status(Errc::kInvalidArgument, "the token's signature does not verify");
}

Result<Claims> CheckClaims(const Token& token, const ClaimChecks& checks) {
  Json c = Json::parse(token.claims_json, nullptr, false);
  if (c.is_discarded() || !c.is_object()) {
    return Status(Errc::kInvalidArgument, "the token's claims are not a JSON object");
  }
  Claims out;
  out.iss = StringMember(c, "iss");
  out.sub = StringMember(c, "sub");
  if (out.iss != checks.issuer) {
    return Status(Errc::kInvalidArgument, "the token's issuer \"" + out.iss +
                                              "\" is not the provider's \"" + checks.issuer + "\"");
  }
  bool audience_ok = false;
  if (auto aud = c.find("aud"); aud != c.end()) {
    if (aud->is_string()) {
      audience_ok = aud->get<std::string>() == checks.audience;
    } else if (aud->is_array()) {
      for (const Json& a : *aud) {
        audience_ok = audience_ok || (a.is_string() && a.get<std::string>() == checks.audience);
      }
    }
  }
  if (!audience_ok && StringMember(c, "azp") != checks.audience) {
    return Status(Errc::kInvalidArgument, "the token's audience is not the client id");
  }
  const auto exp = TimeMember(c, "exp");
  if (!exp) {
    return Status(Errc::kInvalidArgument, "the token has no exp");
  }
  if (*exp + checks.leeway_s <= checks.now_s) {
    return Status(Errc::kExpiredToken, "the token has expired");
  }
  if (auto nbf = TimeMember(c, "nbf"); nbf && *nbf > checks.now_s + checks.leeway_s) {
    return Status(Errc::kInvalidArgument, "the token is not valid yet (nbf)");
  }
  if (auto iat = TimeMember(c, "iat"); iat && *iat > checks.now_s + checks.leeway_s) {
    return Status(Errc::kInvalidArgument, "the token was issued in the future (iat)");
  }
  out.exp = *exp;
  out.json = token.claims_json;
  return out;
}

std::vector<std::string> ClaimStrings(std::string_view claims_json, std::string_view name) {
  std::vector<std::string> out;
  Json c = Json::parse(claims_json, nullptr, false);
  if (c.is_discarded() || !c.is_object()) {
    return out;
  }
  auto it = c.find(std::string(name));
  if (it == c.end()) {
    return out;
  }
  auto add_split = [&out](std::string_view s) {
    while (!s.empty()) {
      const auto comma = s.find(',');
      std::string_view part = TrimBlanks(s.substr(0, comma));
      if (!part.empty()) {
        out.emplace_back(part);
      }
      if (comma == std::string_view::npos) {
        break;
      }
      s.remove_prefix(comma + 1);
    }
  };
  if (it->is_string()) {
    add_split(it->get<std::string>());
  } else if (it->is_array()) {
    for (const Json& v : *it) {
      if (v.is_string()) {
        add_split(v.get<std::string>());
      }
    }
  }
  return out;
}

}  // namespace cairn::auth::jwt
