// The body of a PutObject, UploadPart or POST Object as the object layer reads it: the
// request's body (or the form's file part), then auth::AwsChunkedReader for the streaming
// payload kinds, then object::HashReader with the declared size, Content-MD5, the signed
// SHA-256 and any x-amz-checksum-* (header or trailer). Validates those headers up front so a
// bad request fails before any byte moves.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "auth/signature.h"
#include "common/status.h"
#include "object/hash_reader.h"
#include "s3/request.h"

namespace cairn::s3 {

inline constexpr std::int64_t kMaxObjectSize = std::int64_t{5} << 40;  // 5 TiB
inline constexpr std::int64_t kMaxPartSize = std::int64_t{5} << 30;    // 5 GiB

class UploadBody {
 public:
  UploadBody() = default;
  UploadBody(const UploadBody&) = delete;
  UploadBody& operator=(const UploadBody&) = delete;

  object::HashReader& reader() { return *hash_; }

 private:
  friend Result<std::unique_ptr<UploadBody>> OpenUploadBody(S3Request& req, std::int64_t max_size);
  friend Result<std::unique_ptr<UploadBody>> OpenPostBody(
      ByteSource& file, const http::Request& fields,
      std::optional<std::pair<std::int64_t, std::int64_t>> length_range);
  std::unique_ptr<auth::AwsChunkedReader> chunked_;
  std::unique_ptr<ByteSource> sized_;  // POST Object: the content-length-range's minimum
  std::unique_ptr<object::HashReader> hash_;
};

// Errors: kMissingContentLength (no Content-Length, no chunked transfer coding, or no
// x-amz-decoded-content-length for a streaming payload), kEntityTooLarge (over max_size),
// kInvalidDigest (Content-MD5 not base64 of 16 bytes), kInvalidChecksum / kInvalidRequest
// (bad or conflicting x-amz-checksum-* headers).
Result<std::unique_ptr<UploadBody>> OpenUploadBody(S3Request& req, std::int64_t max_size);

// The file of a POST Object form as the object layer reads it: `file` (the form's file part),
// then object::HashReader with the Content-MD5 and x-amz-checksum-* of `fields` (the form's
// fields as headers), of unknown size up to the policy's content-length-range maximum (else
// 5 TiB). Errors: as OpenUploadBody's for those fields; reading then fails with
// kEntityTooLarge past the maximum and, at the end, kEntityTooSmall under the minimum.
Result<std::unique_ptr<UploadBody>> OpenPostBody(
    ByteSource& file, const http::Request& fields,
    std::optional<std::pair<std::int64_t, std::int64_t>> length_range);

// Reads the small XML body of CreateBucket, DeleteObjects or CompleteMultipartUpload (at
// most `limit` bytes), decoding aws-chunked and verifying Content-MD5 and a signed
// x-amz-content-sha256 like an upload. Errors: kMalformedXml (too large), kBadDigest,
// kInvalidDigest, kContentSha256Mismatch, and body read errors.
Task<Result<std::string>> ReadRequestXml(S3Request& req, std::size_t limit);

// The checksum a request asks for, from x-amz-checksum-<algo> (with its value),
// x-amz-sdk-checksum-algorithm / x-amz-checksum-algorithm, or x-amz-trailer.
struct ChecksumRequest {
  std::optional<ChecksumAlgorithm> algorithm;
  std::string base64;    // the value sent in a header; empty when none (or in a trailer)
  bool trailer = false;  // the value arrives in the aws-chunked trailer
};

// Errors: kInvalidChecksum (a value that is not base64 of the right size),
// kInvalidRequest (unknown algorithm, several checksum headers, or a mismatch between the
// algorithm and the header sent).
Result<ChecksumRequest> ReadChecksumRequest(const http::Request& req);

// The checksum type of a CreateMultipartUpload for `algorithm`: the x-amz-checksum-type
// header (`type`, null when absent: COMPOSITE, or FULL_OBJECT for CRC64NVME); "" without an
// algorithm. Errors: kInvalidRequest (an unknown type, a type without an algorithm,
// FULL_OBJECT with SHA1 or SHA256, COMPOSITE with CRC64NVME: S3's rules).
Result<std::string> MultipartChecksumType(std::optional<ChecksumAlgorithm> algorithm,
                                          const std::string* type);

}  // namespace cairn::s3
