// Inter-node authentication without TLS: every RPC carries a token, an HMAC-SHA256 over the
// call (target node, method, drive, arguments, body hash), a timestamp and a per-sender
// counter, keyed with a key derived from the root credentials (so every node of a deployment
// holds it and nothing secret crosses the wire). A token older or newer than the allowed
// clock skew is refused, and the ReplayGuard refuses one seen before (docs/rpc.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

namespace cairn::rpc {

inline constexpr std::chrono::seconds kDefaultTokenSkew{60};

// The 32-byte token key of a deployment's root credentials.
std::string DeriveTokenKey(std::string_view access_key, std::string_view secret_key);

// A hex SHA-256 of the credentials under a label of its own (not the token key): what peers
// compare at bring-up to find a node started with other credentials.
std::string CredentialsHash(std::string_view access_key, std::string_view secret_key);

// What a token is bound to: the call itself, so that a captured token is good for nothing
// else (another node, drive, argument or body).
struct TokenScope {
  std::string_view http_method;  // "POST"
  std::string_view path;         // "/cairn/rpc/v3/<method id>"
  std::string_view host;         // the Host header: the target node as the caller names it
  std::string_view resource;     // the x-cairn-rpc-resource header as sent (the drive)
  std::string_view args;         // the x-cairn-rpc-args header as sent (stream calls)
  std::string_view body_sha256;  // hex SHA-256 of the body, or kUnsignedStreamBody
};

// The body hash of a call whose body streams (shard data): the MAC covers its arguments but
// not its bytes (they carry their own bitrot hashes; mutual TLS authenticates them).
inline constexpr std::string_view kUnsignedStreamBody = "UNSIGNED-STREAM";

// Who made a token and in which order: a random id per client process and a counter that
// grows by one per token, which is what the replay guard tracks.
struct TokenClaims {
  std::int64_t unix_ms = 0;
  std::uint64_t sender = 0;
  std::uint64_t counter = 0;
};

// "v2:<unix ms>:<sender, 16 hex>:<counter>:<hex hmac>" for one call.
std::string MakeToken(std::string_view key, const TokenScope& scope, const TokenClaims& claims);

// Checks a token's signature over `scope` and its time. Errors: kRpcUnauthenticated (missing,
// malformed, another version, or a wrong signature), kRequestTimeTooSkewed (timestamp further
// than `skew` from `now_unix_ms`).
Result<TokenClaims> VerifyToken(std::string_view key, std::string_view token,
                                const TokenScope& scope, std::int64_t now_unix_ms,
                                std::chrono::seconds skew);

// Refuses a token seen before. Per sender it keeps the highest counter and a window of the
// kWindow counters below it (IPsec's anti-replay window: calls of one sender may arrive out
// of order over several connections); a counter below the window is refused too. Senders
// unseen for longer than the tokens' validity are forgotten, which is safe: their tokens have
// expired. Bounded memory: kWindow / 8 bytes per live sender. Thread-safe.
class ReplayGuard {
 public:
  static constexpr std::uint64_t kWindow = 1 << 16;

  explicit ReplayGuard(std::chrono::seconds validity) : validity_ms_(validity.count() * 1000) {}

  // True the first time (sender, counter) is offered, false for a replay (or a counter too
  // far behind the sender's newest).
  bool Accept(std::uint64_t sender, std::uint64_t counter, std::int64_t now_unix_ms);

 private:
  struct Sender {
    std::uint64_t top = 0;            // highest counter accepted
    std::vector<std::uint64_t> seen;  // bit (top - c) % kWindow for c in (top - kWindow, top]
    std::int64_t last_ms = 0;
  };

  const std::int64_t validity_ms_;
  std::mutex mu_;
  std::unordered_map<std::uint64_t, Sender> senders_;  // guarded by mu_
  std::int64_t last_sweep_ms_ = 0;                     // guarded by mu_
};

// Hex SHA-256 of a call's body, for TokenScope::body_sha256.
std::string BodySha256Hex(std::string_view body);

// Wall-clock milliseconds since the Unix epoch.
std::int64_t NowUnixMs();

}  // namespace cairn::rpc
