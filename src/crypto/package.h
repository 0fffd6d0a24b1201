// The encrypted package stream of an SSE object (MinIO's DARE idea, cairn's own format;
// docs/format.md "Encryption"). A plaintext stream is cut into packages of 64 KiB (the last
// one shorter, possibly empty); each package is stored as
//
//   header (16 bytes): version (1, = 1) | cipher (1) | flags (1: bit 0 = final package) |
//                      reserved (1, = 0) | stream nonce (12, random per stream)
//   ciphertext (as long as the payload)
//   tag (16 bytes)
//
// sealed with AES-256-GCM or ChaCha20-Poly1305 (the header's cipher byte) under the stream's
// 32-byte key, with the nonce = stream nonce XOR (the package's sequence number, big endian,
// in its last 4 bytes) and the header as associated data. So a package moved to another
// place in the stream (or to another stream) fails its tag, a stream cut after a package
// lacks the final flag, and a range read decrypts only the packages it covers, knowing their
// sequence numbers from their offsets. An empty plaintext is one empty final package (32
// bytes), so even an empty object cannot be truncated unseen.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/byte_stream.h"
#include "common/status.h"

namespace cairn::crypto {

inline constexpr std::size_t kKeySize = 32;
using Key = std::array<std::byte, kKeySize>;

inline constexpr std::size_t kPackagePayload = 64 * 1024;
inline constexpr std::size_t kPackageHeader = 16;
inline constexpr std::size_t kPackageTag = 16;
inline constexpr std::size_t kPackageOverhead = kPackageHeader + kPackageTag;
inline constexpr std::size_t kPackageSize = kPackagePayload + kPackageOverhead;

enum class Cipher : std::uint8_t { kAes256Gcm = 0, kChaCha20Poly1305 = 1 };

// AES-256-GCM when the CPU has AES-NI and carry-less multiply (OpenSSL then runs it at
// several GB/s a core), else ChaCha20-Poly1305. Decided once per process.
Cipher PreferredCipher();

// Stored size of a plaintext of `plain` bytes: plain + 32 per package, at least one package
// (-1 for a negative `plain`).
std::int64_t EncryptedSize(std::int64_t plain);
// Plaintext size of a stored stream of `encrypted` bytes, the inverse of EncryptedSize; -1
// when no stream has that size (<= 0, a last package shorter than its overhead, or an empty
// last package after a full one: a multiple of 64 KiB ends with a full final package).
std::int64_t PlainSize(std::int64_t encrypted);

// Reads plaintext from `inner` and yields the package stream. Read fills `buf` with as much of
// the stream as it has (a package is sealed once its 64 KiB are read, or at the end of
// `inner`); inner's errors pass through unchanged. Reads `inner` to its end (a Read that
// returned 0) before it yields its own end, so a HashReader underneath verifies its digests.
class EncryptingSource final : public ByteSource {
 public:
  // `inner` must outlive this source. A random stream nonce is drawn per source.
  EncryptingSource(ByteSource& inner, const Key& key, Cipher cipher = PreferredCipher());
  ~EncryptingSource() override;
  Task<Result<std::size_t>> Read(std::span<std::byte> buf) override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Decrypts a run of whole packages of one stream, starting at package `first_sequence`:
// ciphertext goes in as it arrives (split anywhere), plaintext comes out package by package.
// Errors are kObjectTampered: a tag that does not verify (wrong key, corrupt or moved
// package), an unknown version or cipher, a package after the final one, a package whose
// stream nonce differs from the first one's, a non-final package shorter than kPackageSize,
// or, from Finish, a partial package left over or a stream that must end (`expect_end`) but
// has no final package. The plaintext of a range is its packages' payloads, concatenated.
class PackageDecryptor {
 public:
  PackageDecryptor(const Key& key, std::uint32_t first_sequence);
  ~PackageDecryptor();
  PackageDecryptor(const PackageDecryptor&) = delete;
  PackageDecryptor& operator=(const PackageDecryptor&) = delete;

  // Appends the plaintext of every package that `in` completes to `out`. A package is
  // complete once kPackageSize bytes of it are in; a shorter one (the stream's final package)
  // only at Finish, since the header does not hold its length. `out` only ever receives
  // authenticated plaintext (on error it is left as it was). Once an Update or Finish failed,
  // the decryptor must not be used further.
  Status Update(std::span<const std::byte> in, std::string& out);
  // Ends the input: opens what is left over (it must be a whole final package) and appends its
  // plaintext to `out`. `expect_end`: the input reached the end of the stream, so its last
  // package must be final (a range that ends earlier passes false: PackageRange::reaches_end).
  Status Finish(bool expect_end, std::string& out);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The packages a plaintext range [offset, offset + length) of a stream of `plain_size` bytes
// needs: the stored range [encrypted_offset, encrypted_offset + encrypted_length), its first
// package's sequence number and how many plaintext bytes of the first package to skip.
// Requires 0 <= offset, offset + length <= plain_size. The decryptor yields the plaintext of
// whole packages: the range is its bytes [skip, skip + length). Length 0 needs no package
// (encrypted_length 0, skip 0), except in an empty stream, whose range is its one empty final
// package (32 bytes, reaches_end), so that reading an empty object still verifies it was not cut.
struct PackageRange {
  std::int64_t encrypted_offset = 0;
  std::int64_t encrypted_length = 0;
  std::uint32_t first_sequence = 0;
  std::int64_t skip = 0;
  bool reaches_end = false;  // the range's last package is the stream's last
};

PackageRange PackagesFor(std::int64_t plain_size, std::int64_t offset, std::int64_t length);

}  // namespace cairn::crypto
