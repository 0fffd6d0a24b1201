// HashReader: the body of a PUT or UploadPart as the object layer reads it. Wraps the
// request's ByteSource, enforces the declared size, and computes the MD5 (the ETag) and any
// requested x-amz-checksum-* while the bytes flow, so nothing is hashed twice. At the end
// of the stream it verifies Content-MD5, x-amz-content-sha256 and the checksum, and fails
// the final Read (instead of returning 0) on a mismatch, which aborts the write.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/byte_stream.h"
#include "common/checksum.h"

namespace cairn::object {

struct HashExpectations {
  std::int64_t size = -1;  // exact body size; -1 = unknown (read to the end)
  // Most bytes the body may have (S3's 5 TiB object, 5 GiB part); -1 = no bound. Bounds a
  // body of unknown size (Transfer-Encoding: chunked) as `size` bounds a declared one.
  std::int64_t max_size = -1;
  std::string content_md5;  // raw 16 bytes decoded from Content-MD5; empty = none
  std::string sha256_hex;   // x-amz-content-sha256 when it is a real hash; empty = none
  // Requested checksum (x-amz-checksum-algorithm or an x-amz-checksum-* header) and its
  // expected base64 value when the client sent one up front.
  std::optional<ChecksumAlgorithm> checksum;
  std::string checksum_base64;
  // For trailing checksums (aws-chunked with x-amz-trailer): called at the end of the stream
  // to obtain the expected base64 value that arrived in the trailer.
  std::function<std::string()> trailer_checksum;
};

class HashReader final : public ByteSource {
 public:
  // `inner` must outlive this reader.
  HashReader(ByteSource& inner, HashExpectations expect);
  // A body derived from `origin`'s bytes (the encrypted stream of the plaintext `origin`
  // verifies) of `size` bytes (-1: unknown): it hashes nothing itself; md5_hex() is `etag()`,
  // called once at the end of the stream, and the checksum calls are `origin`'s. `origin`
  // must outlive this reader.
  HashReader(ByteSource& inner, std::int64_t size, HashReader& origin,
             std::function<std::string()> etag);
  ~HashReader() override;

  // Errors: kIncompleteBody (fewer bytes than declared), kBadDigest (Content-MD5 or
  // checksum), kContentSha256Mismatch, kEntityTooLarge (more bytes than declared, or than
  // max_size), and
  // whatever the inner source returns.
  Task<Result<std::size_t>> Read(std::span<std::byte> buf) override;

  std::int64_t size() const { return expect_.size; }  // declared; -1 when unknown

  std::int64_t bytes_read() const { return bytes_read_; }

  // The checksum the body is verified or hashed with, if any.
  std::optional<ChecksumAlgorithm> checksum_algorithm() const {
    return origin_ != nullptr ? origin_->checksum_algorithm() : expect_.checksum;
  }

  // Also computes `algo` (nothing to verify it against) when no checksum was asked for: a part
  // of an upload with a checksum algorithm, sent without one. Call before the first Read;
  // no-op when the body has a checksum already or was read from.
  void AddChecksum(ChecksumAlgorithm algo);

  // Valid after the end of the stream was reached without error.
  std::string md5_hex() const;
  // {"x-amz-checksum-crc32", base64} when a checksum was requested; nullopt otherwise.
  std::optional<std::pair<std::string, std::string>> checksum() const;

 private:
  ByteSource& inner_;
  HashExpectations expect_;
  std::int64_t bytes_read_ = 0;
  bool done_ = false;
  HashReader* origin_ = nullptr;
  std::function<std::string()> etag_;
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace cairn::object
