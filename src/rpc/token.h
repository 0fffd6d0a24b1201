// Inter-node authentication without TLS: every RPC carries a token, an HMAC-SHA256 over the
// HTTP method, the path and a timestamp, keyed with a key derived from the root credentials
// (so every node of a deployment holds it and nothing secret crosses the wire). A token older
// or newer than the allowed clock skew is refused, which bounds replays. Pure code.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn::rpc {

inline constexpr std::chrono::seconds kDefaultTokenSkew{60};

// The 32-byte token key of a deployment's root credentials.
std::string DeriveTokenKey(std::string_view access_key, std::string_view secret_key);

// A hex SHA-256 of the credentials under a label of its own (not the token key): what peers
// compare at bring-up to find a node started with other credentials.
std::string CredentialsHash(std::string_view access_key, std::string_view secret_key);

// "v1:<unix ms>:<hex hmac>" for one request.
std::string MakeToken(std::string_view key, std::string_view http_method, std::string_view path,
                      std::int64_t unix_ms);

// Checks a token. Errors: kRpcUnauthenticated (missing, malformed or wrong signature),
// kRequestTimeTooSkewed (timestamp further than `skew` from `now_unix_ms`).
Status VerifyToken(std::string_view key, std::string_view token, std::string_view http_method,
                   std::string_view path, std::int64_t now_unix_ms, std::chrono::seconds skew);

// Wall-clock milliseconds since the Unix epoch.
std::int64_t NowUnixMs();

}  // namespace cairn::rpc
