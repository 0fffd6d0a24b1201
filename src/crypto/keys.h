// Keys of server-side encryption: random keys, sealing one key under another (AES-256-GCM
// with associated data that binds the sealed key to where it belongs) and deriving keys.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/package.h"

namespace cairn::crypto {

// 32 random bytes from OpenSSL's CSPRNG.
Key RandomKey();

// `key` sealed under `kek`: version (1 byte, = 1) | nonce (12, random) | ciphertext (32) |
// tag (16), 61 bytes. `associated` is authenticated, not stored: UnsealKey needs the same.
std::string SealKey(const Key& kek, const Key& key, std::string_view associated);
inline constexpr std::size_t kSealedKeySize = 61;

// Errors: kObjectTampered (not sealed under `kek` with `associated`, or not a sealed key).
Result<Key> UnsealKey(const Key& kek, std::string_view sealed, std::string_view associated);

// Any bytes sealed under `kek` as SealKey seals a key (version | nonce | ciphertext | tag:
// 29 bytes more than the plaintext): secrets kept at rest (IAM's secret keys).
std::string SealBytes(const Key& kek, std::string_view plaintext, std::string_view associated);
// Errors: kObjectTampered (not sealed under `kek` with `associated`).
Result<std::string> OpenBytes(const Key& kek, std::string_view sealed, std::string_view associated);

// HMAC-SHA256(key, label): a key for one purpose (a part's key, a key check).
Key DeriveKey(const Key& key, std::string_view label);

// A key from raw bytes; nullopt unless exactly 32.
std::optional<Key> KeyFromBytes(std::string_view raw);
std::string_view KeyBytes(const Key& key);

}  // namespace cairn::crypto
