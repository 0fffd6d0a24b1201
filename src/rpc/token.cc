#include "rpc/token.h"

#include <charconv>
#include <chrono>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "rpc/protocol.h"

namespace cairn::rpc {
namespace {

std::string Hmac(std::string_view key, std::string_view msg) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string Sha256(std::string_view msg) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out);
  return std::string(reinterpret_cast<const char*>(out), sizeof(out));
}

std::string StringToSign(std::string_view http_method, std::string_view path, std::int64_t ms) {
  std::string s = "cairn-rpc-v1\n";
  s += http_method;
  s += '\n';
  s += path;
  s += '\n';
  s += std::to_string(ms);
  return s;
}

}  // namespace

std::string DeriveTokenKey(std::string_view access_key, std::string_view secret_key) {
  std::string msg(access_key);
  msg += '\n';
  msg += secret_key;
  return Hmac("cairn-rpc-token-key-v1", msg);
}

std::string CredentialsHash(std::string_view access_key, std::string_view secret_key) {
  std::string msg = "cairn-credentials-hash-v1\n";
  msg += access_key;
  msg += '\n';
  msg += secret_key;
  return HexEncode(Sha256(msg));
}

std::string MakeToken(std::string_view key, std::string_view http_method, std::string_view path,
                      std::int64_t unix_ms) {
  return "v1:" + std::to_string(unix_ms) + ":" +
         HexEncode(Hmac(key, StringToSign(http_method, path, unix_ms)));
}

Status VerifyToken(std::string_view key, std::string_view token, std::string_view http_method,
                   std::string_view path, std::int64_t now_unix_ms, std::chrono::seconds skew) {
  if (token.empty()) {
    return Status(Errc::kRpcUnauthenticated, "the RPC carries no token");
  }
  if (!token.starts_with("v1:")) {
    return Status(Errc::kRpcUnauthenticated, "the RPC token is not a v1 token");
  }
  const std::string_view rest = token.substr(3);
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos) {
    return Status(Errc::kRpcUnauthenticated, "the RPC token is malformed");
  }
  std::int64_t ms = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + colon, ms);
  if (ec != std::errc() || end != rest.data() + colon) {
    return Status(Errc::kRpcUnauthenticated, "the RPC token's time is malformed");
  }
  const std::string expected = HexEncode(Hmac(key, StringToSign(http_method, path, ms)));
  const std::string_view given = rest.substr(colon + 1);
  if (given.size() != expected.size() ||
      CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return Status(Errc::kRpcUnauthenticated,
                  "the RPC token's signature does not match (the nodes' credentials differ)");
  }
  const std::int64_t diff = now_unix_ms > ms ? now_unix_ms - ms : ms - now_unix_ms;
  if (diff > std::chrono::duration_cast<std::chrono::milliseconds>(skew).count()) {
    return Status(Errc::kRequestTimeTooSkewed,
                  "the RPC token's time is " + std::to_string(diff / 1000) +
                      " s away from this node's clock (allowed: " + std::to_string(skew.count()) +
                      " s)");
  }
  return Status::Ok();
}

std::int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace cairn::rpc
