// Checksums and digests used by S3 (ETag MD5, x-amz-checksum-*, SigV4 SHA-256) and small
// encoding helpers (hex, base64). Incremental, so they run while bytes stream through.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/text.h"  // HexEncode, HexDecode (declared with the other text coding)

namespace cairn {

enum class ChecksumAlgorithm { kCrc32, kCrc32c, kCrc64Nvme, kSha1, kSha256 };

// "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256" (as in x-amz-checksum-algorithm).
std::string_view ChecksumName(ChecksumAlgorithm algo);
// The header: "x-amz-checksum-crc32", ...
std::string ChecksumHeader(ChecksumAlgorithm algo);
// Parses a name case-insensitively ("crc32c", "CRC32C"); nullopt when unknown.
std::optional<ChecksumAlgorithm> ParseChecksumAlgorithm(std::string_view name);
// Length in bytes of the raw digest (4, 4, 8, 20, 32).
std::size_t ChecksumSize(ChecksumAlgorithm algo);

// An incremental digest: MD5, SHA-256 or one of the checksum algorithms.
class Hasher {
 public:
  virtual ~Hasher() = default;
  virtual void Update(std::span<const std::byte> data) = 0;

  void Update(std::string_view data) {
    Update(
        std::span<const std::byte>(reinterpret_cast<const std::byte*>(data.data()), data.size()));
  }

  // The raw digest (big-endian for CRCs, as S3 encodes them). Also resets the hasher to its
  // initial state, so one Hasher (and its OpenSSL context) can be reused for the next input.
  virtual std::string Finish() = 0;
};

std::unique_ptr<Hasher> NewChecksumHasher(ChecksumAlgorithm algo);

// True for the CRCs (CRC32, CRC32C, CRC64NVME), whose values combine (CombineCrc).
bool IsCrc(ChecksumAlgorithm algo);
// The CRC of A followed by B from the CRC of A, the CRC of B and B's length in bytes (what
// zlib's crc32_combine computes), for the three CRCs; values are raw big-endian digests as
// Hasher::Finish returns them. S3's FULL_OBJECT checksum of a multipart upload is the CRC of
// the whole object, combined from its parts' CRCs. nullopt for SHA-1/SHA-256 or a value of
// the wrong size.
std::optional<std::string> CombineCrc(ChecksumAlgorithm algo, std::string_view crc_a,
                                      std::string_view crc_b, std::uint64_t length_b);
std::unique_ptr<Hasher> NewMd5Hasher();
std::unique_ptr<Hasher> NewSha256Hasher();

// One-shot helpers; the results are raw bytes.
std::string Md5(std::string_view data);
std::string Sha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
std::string HmacSha1(std::string_view key, std::string_view data);

std::string Base64Encode(std::string_view raw);
// Strict standard base64 with padding; nullopt on any invalid input.
std::optional<std::string> Base64Decode(std::string_view b64);

// Constant-time equality, for signatures and tokens.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace cairn
