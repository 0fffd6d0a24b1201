// JWT verification: tokens signed here with keys made by OpenSSL (RS256, ES256), checked
// against their JWKs; tampering, unknown kid, "alg": "none", expiry, audience and issuer.
#include "auth/jwt.h"

#include <memory>

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

namespace cairn::auth::jwt {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string BnBytes(const EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1);
  std::string out(pad > 0 ? pad : BN_num_bytes(bn), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return out;
}

std::string Sign(EVP_PKEY* key, std::string_view input) {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EXPECT_EQ(EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key), 1);
  std::size_t len = 0;
  EXPECT_EQ(EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()),
            1);
  std::string sig(len, '\0');
  EXPECT_EQ(EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  sig.resize(len);
  EVP_MD_CTX_free(md);
  return sig;
}

// DER ECDSA signature -> JWS r || s.
std::string EcdsaDerToRaw(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  std::string out(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(out.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(out.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return out;
}

struct Key {
  PkeyPtr pkey;
  Jwk jwk;
};

Key RsaKey(std::string kid) {
  Key k;
  k.pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
  k.jwk.kid = std::move(kid);
  k.jwk.kty = "RSA";
  k.jwk.n = BnBytes(k.pkey.get(), OSSL_PKEY_PARAM_RSA_N);
  k.jwk.e = BnBytes(k.pkey.get(), OSSL_PKEY_PARAM_RSA_E);
  return k;
}

Key EcKey(std::string kid) {
  Key k;
  k.pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  k.jwk.kid = std::move(kid);
  k.jwk.kty = "EC";
  k.jwk.crv = "P-256";
  k.jwk.x = BnBytes(k.pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32);
  k.jwk.y = BnBytes(k.pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32);
  return k;
}

std::string MakeToken(const Key& key, std::string_view alg, std::string_view claims,
                      std::string_view kid) {
  std::string header = "{\"alg\":\"" + std::string(alg) + "\",\"typ\":\"JWT\"";
  if (!kid.empty()) {
    header += ",\"kid\":\"" + std::string(kid) + "\"";
  }
  header += "}";
  std::string input = Base64UrlEncode(header) + "." + Base64UrlEncode(claims);
  std::string sig = Sign(key.pkey.get(), input);
  if (alg == "ES256") {
    sig = EcdsaDerToRaw(sig);
  }
  return input + "." + Base64UrlEncode(sig);
}

constexpr std::int64_t kNow = 1'700'000'000;

std::string ClaimsJson(std::int64_t exp, std::string_view aud = "cairn-client",
                       std::string_view iss = "http://idp.example") {
  return "{\"iss\":\"" + std::string(iss) + "\",\"aud\":\"" + std::string(aud) +
         "\",\"sub\":\"alice\",\"exp\":" + std::to_string(exp) +
         ",\"iat\":" + std::to_string(kNow - 10) + ",\"policy\":\"readonly, diagnostics\"}";
}

ClaimChecks Checks() {
  ClaimChecks c;
  c.issuer = "http://idp.example";
  c.audience = "cairn-client";
  c.now_s = kNow;
  return c;
}

TEST(Jwt, Base64Url) {
  for (std::string raw : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\xfd"}) {
    auto back = Base64UrlDecode(Base64UrlEncode(raw));
    ASSERT_TRUE(back.has_value()) << raw;
    EXPECT_EQ(*back, raw);
  }
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(*Base64UrlDecode("-_8="), "\xfb\xff");
  EXPECT_FALSE(Base64UrlDecode("a+b/").has_value());
  EXPECT_FALSE(Base64UrlDecode("abcde").has_value());
}

TEST(Jwt, GoodTokensVerify) {
  const Key rsa = RsaKey("r1");
  const Key ec = EcKey("e1");
  const std::vector<Jwk> keys = {rsa.jwk, ec.jwk};
  for (const auto& [key, alg] : {std::pair{&rsa, "RS256"}, std::pair{&ec, "ES256"}}) {
    auto token = ParseToken(MakeToken(*key, alg, ClaimsJson(kNow + 3600), key->jwk.kid));
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    EXPECT_EQ(token->alg, alg);
    EXPECT_TRUE(VerifySignature(*token, keys).ok()) << alg;
    auto claims = CheckClaims(*token, Checks());
    ASSERT_TRUE(claims.ok()) << claims.status().ToString();
    EXPECT_EQ(claims->sub, "alice");
    EXPECT_EQ(claims->exp, kNow + 3600);
    EXPECT_EQ(ClaimStrings(claims->json, "policy"),
              (std::vector<std::string>{"readonly", "diagnostics"}));
  }
  // No kid: any key of the token's type.
  auto token = ParseToken(MakeToken(rsa, "RS256", ClaimsJson(kNow + 60), ""));
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(VerifySignature(*token, keys).ok());
}

TEST(Jwt, BadSignaturesAndKeys) {
  const Key rsa = RsaKey("r1");
  const Key other = RsaKey("r1");  // same kid, another key
  const std::vector<Jwk> keys = {rsa.jwk};
  auto forged = ParseToken(MakeToken(other, "RS256", ClaimsJson(kNow + 60), "r1"));
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(VerifySignature(*forged, keys).code(), Errc::kInvalidArgument);
  // A payload changed after signing.
  std::string good = MakeToken(rsa, "RS256", ClaimsJson(kNow + 60), "r1");
  const auto dot1 = good.find('.');
  const auto dot2 = good.find('.', dot1 + 1);
  std::string tampered =
      good.substr(0, dot1 + 1) + Base64UrlEncode(ClaimsJson(kNow + 999999)) + good.substr(dot2);
  auto t = ParseToken(tampered);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(VerifySignature(*t, keys).code(), Errc::kInvalidArgument);
  // An unknown kid: kNotFound (the caller refetches the key set).
  auto unknown = ParseToken(MakeToken(rsa, "RS256", ClaimsJson(kNow + 60), "r2"));
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(VerifySignature(*unknown, keys).code(), Errc::kNotFound);
  // An RSA token against an EC key of the same kid.
  const Key ec = EcKey("r1");
  const std::vector<Jwk> ec_keys = {ec.jwk};
  auto ok_token = ParseToken(good);
  ASSERT_TRUE(ok_token.ok());
  EXPECT_EQ(VerifySignature(*ok_token, ec_keys).code(), Errc::kInvalidArgument);
}

TEST(Jwt, AlgorithmNoneAndHmacRefused) {
  const Key rsa = RsaKey("r1");
  const std::vector<Jwk> keys = {rsa.jwk};
  for (const char* alg : {"none", "HS256", "RS512"}) {
    std::string token = Base64UrlEncode(std::string("{\"alg\":\"") + alg + "\",\"kid\":\"r1\"}") +
                        "." + Base64UrlEncode(ClaimsJson(kNow + 60)) + ".";
    auto t = ParseToken(token);
    ASSERT_TRUE(t.ok()) << alg;
    EXPECT_EQ(VerifySignature(*t, keys).code(), Errc::kInvalidArgument) << alg;
  }
  EXPECT_FALSE(ParseToken("a.b").ok());
  EXPECT_FALSE(ParseToken("a.b.c.d").ok());
  EXPECT_FALSE(ParseToken(Base64UrlEncode("{}") + "." + Base64UrlEncode("{}") + ".").ok());
  EXPECT_FALSE(ParseToken(Base64UrlEncode("[1]") + "." + Base64UrlEncode("{}") + ".").ok());
}

TEST(Jwt, ClaimChecks) {
  const Key rsa = RsaKey("r1");
  auto check = [&](const std::string& claims) {
    auto t = ParseToken(MakeToken(rsa, "RS256", claims, "r1"));
    EXPECT_TRUE(t.ok());
    return CheckClaims(*t, Checks());
  };
  EXPECT_TRUE(check(ClaimsJson(kNow + 1)).ok());
  EXPECT_TRUE(check(ClaimsJson(kNow - 30)).ok());  // within the leeway
  EXPECT_EQ(check(ClaimsJson(kNow - 61)).status().code(), Errc::kExpiredToken);
  EXPECT_EQ(check(ClaimsJson(kNow + 60, "someone-else")).status().code(), Errc::kInvalidArgument);
  EXPECT_EQ(check(ClaimsJson(kNow + 60, "cairn-client", "http://evil")).status().code(),
            Errc::kInvalidArgument);
  // aud as an array; azp when aud does not name the client.
  EXPECT_TRUE(check("{\"iss\":\"http://idp.example\",\"aud\":[\"x\",\"cairn-client\"],\"exp\":" +
                    std::to_string(kNow + 60) + "}")
                  .ok());
  EXPECT_TRUE(check("{\"iss\":\"http://idp.example\",\"aud\":\"x\",\"azp\":\"cairn-client\","
                    "\"exp\":" +
                    std::to_string(kNow + 60) + "}")
                  .ok());
  EXPECT_FALSE(check("{\"iss\":\"http://idp.example\",\"aud\":\"cairn-client\"}").ok());  // no exp
  EXPECT_FALSE(check("{\"iss\":\"http://idp.example\",\"aud\":\"cairn-client\",\"exp\":" +
                     std::to_string(kNow + 600) + ",\"nbf\":" + std::to_string(kNow + 300) + "}")
                   .ok());
  EXPECT_FALSE(check("{\"iss\":\"http://idp.example\",\"aud\":\"cairn-client\",\"exp\":" +
                     std::to_string(kNow + 600) + ",\"iat\":" + std::to_string(kNow + 300) + "}")
                   .ok());
}

TEST(Jwt, JwksAndClaimStrings) {
  const std::string jwks = R"({"keys":[
    {"kty":"RSA","kid":"a","n":"AQAB","e":"AQAB","alg":"RS256"},
    {"kty":"RSA","kid":"enc","n":"AQAB","e":"AQAB","use":"enc"},
    {"kty":"oct","kid":"h","k":"c2VjcmV0"},
    {"kty":"EC","kid":"p384","crv":"P-384","x":"AQAB","y":"AQAB"},
    {"kty":"EC","kid":"e","crv":"P-256","x":")" +
                           Base64UrlEncode(std::string(32, '\1')) + R"(","y":")" +
                           Base64UrlEncode(std::string(32, '\2')) + R"("}]})";
  auto keys = ParseJwks(jwks);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].kid, "a");
  EXPECT_EQ((*keys)[0].n, std::string("\x01\x00\x01", 3));
  EXPECT_EQ((*keys)[1].kid, "e");
  EXPECT_EQ((*keys)[1].x, std::string(32, '\1'));
  EXPECT_FALSE(ParseJwks("{}").ok());
  EXPECT_FALSE(ParseJwks("not json").ok());
  EXPECT_EQ(ClaimStrings(R"({"p":["a","b, c",3]})", "p"),
            (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(ClaimStrings(R"({"p":7})", "p").empty());
  EXPECT_TRUE(ClaimStrings(R"({"q":"a"})", "p").empty());
}

}  // namespace
}  // namespace cairn::auth::jwt
