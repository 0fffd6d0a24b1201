#include "rpc/token.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <iterator>

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

std::string StringToSign(const TokenScope& scope, const TokenClaims& claims) {
  std::string s = "cairn-rpc-v2\n";
  for (std::string_view part :
       {scope.http_method, scope.path, scope.host, scope.resource, scope.args, scope.body_sha256}) {
    s += part;
    s += '\n';
  }
  s += std::to_string(claims.unix_ms);
  s += '\n';
  s += std::to_string(claims.sender);
  s += '\n';
  s += std::to_string(claims.counter);
  return s;
}

// The next ':'-separated field of `rest` as an integer (base 10 or 16).
template <class Int>
bool NextField(std::string_view& rest, Int& out, int base) {
  const auto colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return false;
  }
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + colon, out, base);
  if (ec != std::errc() || end != rest.data() + colon) {
    return false;
  }
  rest.remove_prefix(colon + 1);
  return true;
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

std::string MakeToken(std::string_view key, const TokenScope& scope, const TokenClaims& claims) {
  char sender[17];
  std::snprintf(sender, sizeof(sender), "%016llx", static_cast<unsigned long long>(claims.sender));
  return "v2:" + std::to_string(claims.unix_ms) + ":" + sender + ":" +
         std::to_string(claims.counter) + ":" + HexEncode(Hmac(key, StringToSign(scope, claims)));
}

Result<TokenClaims> VerifyToken(std::string_view key, std::string_view token,
                                const TokenScope& scope, std::int64_t now_unix_ms,
                                std::chrono::seconds skew) {
  if (token.empty()) {
    return Status(Errc::kRpcUnauthenticated, "the RPC carries no token");
  }
  if (!token.starts_with("v2:")) {
    return Status(Errc::kRpcUnauthenticated,
                  "the RPC token is not a v2 token (a node of another protocol version?)");
  }
  std::string_view rest = token.substr(3);
  TokenClaims claims;
  if (!NextField(rest, claims.unix_ms, 10) || !NextField(rest, claims.sender, 16) ||
      !NextField(rest, claims.counter, 10)) {
    return Status(Errc::kRpcUnauthenticated, "the RPC token is malformed");
  }
  const std::string expected = HexEncode(Hmac(key, StringToSign(scope, claims)));
  if (rest.size() != expected.size() ||
      CRYPTO_memcmp(rest.data(), expected.data(), expected.size()) != 0) {
    return Status(Errc::kRpcUnauthenticated,
                  "the RPC token's signature does not match (the nodes' credentials differ, or "
                  "the call is not the one it was made for)");
  }
  const std::int64_t diff =
      now_unix_ms > claims.unix_ms ? now_unix_ms - claims.unix_ms : claims.unix_ms - now_unix_ms;
  if (diff > std::chrono::duration_cast<std::chrono::milliseconds>(skew).count()) {
    return Status(Errc::kRequestTimeTooSkewed,
                  "the RPC token's time is " + std::to_string(diff / 1000) +
                      " s away from this node's clock (allowed: " + std::to_string(skew.count()) +
                      " s)");
  }
  return claims;
}

bool ReplayGuard::Accept(std::uint64_t sender, std::uint64_t counter, std::int64_t now_unix_ms) {
  constexpr std::uint64_t kWords = kWindow / 64;
  std::lock_guard lock(mu_);
  if (now_unix_ms - last_sweep_ms_ > validity_ms_) {
    // Senders silent for longer than a token lives can replay nothing: forget them.
    for (auto it = senders_.begin(); it != senders_.end();) {
      it = now_unix_ms - it->second.last_ms > 2 * validity_ms_ ? senders_.erase(it) : std::next(it);
    }
    last_sweep_ms_ = now_unix_ms;
  }
  auto [it, fresh] = senders_.try_emplace(sender);
  Sender& s = it->second;
  s.last_ms = now_unix_ms;
  auto bit = [&](std::uint64_t c) -> std::pair<std::uint64_t&, std::uint64_t> {
    const std::uint64_t i = c % kWindow;
    return {s.seen[i / 64], std::uint64_t{1} << (i % 64)};
  };
  if (fresh) {
    s.seen.assign(kWords, 0);
    s.top = counter;
    auto [word, mask] = bit(counter);
    word |= mask;
    return true;
  }
  if (counter > s.top) {
    // Slide the window: the counters it passes over are new, so their bits are cleared.
    const std::uint64_t gap = counter - s.top;
    if (gap >= kWindow) {
      std::fill(s.seen.begin(), s.seen.end(), 0);
    } else {
      for (std::uint64_t c = s.top + 1; c <= counter; ++c) {
        auto [word, mask] = bit(c);
        word &= ~mask;
      }
    }
    s.top = counter;
    auto [word, mask] = bit(counter);
    word |= mask;
    return true;
  }
  if (s.top - counter >= kWindow) {
    return false;  // too old to tell: refused
  }
  auto [word, mask] = bit(counter);
  if ((word & mask) != 0) {
    return false;
  }
  word |= mask;
  return true;
}

std::string BodySha256Hex(std::string_view body) {
  return HexEncode(Sha256(body));
}

std::int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace cairn::rpc
