// Private digest helpers of auth/: SHA-256, HMAC, hex, base64 and constant-time compare, in
// the exact shapes the signature code needs. Kept behind this small header so the signature
// code does not depend on how they are implemented.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace cairn::auth::internal {

std::string Sha256(std::string_view data);  // raw 32 bytes
std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw
std::string HmacSha1(std::string_view key, std::string_view data);    // raw
std::string Hex(std::string_view raw);                                // lowercase
std::string Base64(std::string_view raw);
bool ConstantTimeEqual(std::string_view a, std::string_view b);

// Incremental SHA-256 for chunk bodies.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(const void* data, std::size_t size);
  // Hex digest of everything since the last Reset; resets the stream.
  std::string FinishHex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The hex SHA-256 of the empty string.
inline constexpr std::string_view kEmptySha256Hex =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

}  // namespace cairn::auth::internal
