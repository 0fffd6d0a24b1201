#include "s3/upload_body.h"

#include <charconv>

#include "common/checksum.h"
#include "s3/xml.h"

namespace cairn::s3 {
namespace {

constexpr std::string_view kChecksumPrefix = "x-amz-checksum-";

std::optional<std::int64_t> ParseSize(std::string_view s) {
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || v < 0) {
    return std::nullopt;
  }
  return v;
}

Result<std::int64_t> DeclaredSize(const S3Request& req) {
  const http::Request& http = req.http();
  if (auth::IsStreaming(req.auth.payload)) {
    const std::string* decoded = req.Header("x-amz-decoded-content-length");
    if (decoded == nullptr) {
      return Status(Errc::kMissingContentLength);
    }
    auto size = ParseSize(*decoded);
    if (!size) {
      return Status(Errc::kInvalidArgumentS3, "x-amz-decoded-content-length is not a number");
    }
    return *size;
  }
  if (http.content_length) {
    return static_cast<std::int64_t>(*http.content_length);
  }
  if (http.chunked) {
    return std::int64_t{-1};
  }
  return Status(Errc::kMissingContentLength);
}

// Fails the end of a body shorter than `min` bytes (a POST policy's content-length-range).
class MinSizeSource final : public ByteSource {
 public:
  MinSizeSource(ByteSource& inner, std::int64_t min) : inner_(inner), min_(min) {}

  Task<Result<std::size_t>> Read(std::span<std::byte> buf) override {
    CO_ASSIGN_OR_RETURN(std::size_t n, co_await inner_.Read(buf));
    read_ += static_cast<std::int64_t>(n);
    if (n == 0 && read_ < min_) {
      co_return Status(Errc::kEntityTooSmall);
    }
    co_return n;
  }

 private:
  ByteSource& inner_;
  std::int64_t min_;
  std::int64_t read_ = 0;
};

// Content-MD5 and the x-amz-checksum-* of `req` into `expect`.
Result<ChecksumRequest> SetDigests(const http::Request& req, object::HashExpectations& expect) {
  if (const std::string* md5 = req.Header("content-md5")) {
    auto raw = Base64Decode(*md5);
    if (!raw || raw->size() != 16) {
      return Status(Errc::kInvalidDigest);
    }
    expect.content_md5 = std::move(*raw);
  }
  ASSIGN_OR_RETURN(ChecksumRequest checksum, ReadChecksumRequest(req));
  expect.checksum = checksum.algorithm;
  expect.checksum_base64 = checksum.base64;
  return checksum;
}

}  // namespace

Result<ChecksumRequest> ReadChecksumRequest(const http::Request& req) {
  ChecksumRequest out;
  for (const auto& [name, value] : req.headers) {
    if (name.rfind(kChecksumPrefix, 0) != 0) {
      continue;
    }
    std::string_view algo_name = std::string_view(name).substr(kChecksumPrefix.size());
    if (algo_name == "algorithm" || algo_name == "mode" || algo_name == "type") {
      continue;
    }
    auto algo = ParseChecksumAlgorithm(algo_name);
    if (!algo) {
      return Status(Errc::kInvalidRequest, "The checksum header " + name + " is not supported.");
    }
    if (out.algorithm) {
      return Status(Errc::kInvalidRequest, "Expecting a single x-amz-checksum- header.");
    }
    auto raw = Base64Decode(value);
    if (!raw || raw->size() != ChecksumSize(*algo)) {
      return Status(Errc::kInvalidChecksum, "Value for " + name + " header is invalid.");
    }
    out.algorithm = algo;
    out.base64 = value;
  }
  if (const std::string* trailer = req.Header("x-amz-trailer")) {
    std::string_view t = *trailer;
    if (t.rfind(kChecksumPrefix, 0) == 0) {
      auto algo = ParseChecksumAlgorithm(t.substr(kChecksumPrefix.size()));
      if (!algo) {
        return Status(Errc::kInvalidRequest, "The trailer " + *trailer + " is not supported.");
      }
      if (out.algorithm) {
        return Status(Errc::kInvalidRequest, "Expecting a single x-amz-checksum- header.");
      }
      out.algorithm = algo;
      out.trailer = true;
    }
  }
  for (std::string_view header : {"x-amz-sdk-checksum-algorithm", "x-amz-checksum-algorithm"}) {
    const std::string* value = req.Header(header);
    if (value == nullptr) {
      continue;
    }
    auto algo = ParseChecksumAlgorithm(*value);
    if (!algo) {
      return Status(Errc::kInvalidRequest,
                    "Checksum algorithm provided is unsupported. Please try again with any of "
                    "the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
    }
    if (out.algorithm && *out.algorithm != *algo) {
      return Status(Errc::kInvalidRequest,
                    "Value for " + std::string(header) +
                        " header is invalid: it does not match the checksum sent.");
    }
    out.algorithm = algo;
  }
  return out;
}

Result<std::string> MultipartChecksumType(std::optional<ChecksumAlgorithm> algorithm,
                                          const std::string* type) {
  if (type != nullptr && *type != "COMPOSITE" && *type != "FULL_OBJECT") {
    return Status(Errc::kInvalidRequest, "Value for x-amz-checksum-type header is invalid.");
  }
  if (!algorithm) {
    if (type != nullptr) {
      return Status(Errc::kInvalidRequest,
                    "The x-amz-checksum-type header can only be used with the "
                    "x-amz-checksum-algorithm header.");
    }
    return std::string();
  }
  const bool crc = IsCrc(*algorithm);
  const std::string name(ChecksumName(*algorithm));
  if (type == nullptr) {
    return std::string(*algorithm == ChecksumAlgorithm::kCrc64Nvme ? "FULL_OBJECT" : "COMPOSITE");
  }
  if (*type == "FULL_OBJECT" && !crc) {
    return Status(Errc::kInvalidRequest, "The FULL_OBJECT checksum type cannot be used with the " +
                                             name + " checksum algorithm.");
  }
  if (*type == "COMPOSITE" && *algorithm == ChecksumAlgorithm::kCrc64Nvme) {
    return Status(Errc::kInvalidRequest, "The COMPOSITE checksum type cannot be used with the " +
                                             name + " checksum algorithm.");
  }
  return *type;
}

Result<std::unique_ptr<UploadBody>> OpenUploadBody(S3Request& req, std::int64_t max_size) {
  ASSIGN_OR_RETURN(std::int64_t size, DeclaredSize(req));
  if (size > max_size) {
    return Status(Errc::kEntityTooLarge);
  }
  object::HashExpectations expect;
  expect.size = size;
  expect.max_size = max_size;  // a chunked body of unknown size stops at the cap too
  if (req.auth.payload == auth::PayloadKind::kSigned) {
    expect.sha256_hex = req.auth.payload_sha256_hex;
  }
  ASSIGN_OR_RETURN(ChecksumRequest checksum, SetDigests(req.http(), expect));

  auto body = std::make_unique<UploadBody>();
  ByteSource* source = &req.ex.body();
  if (auth::IsStreaming(req.auth.payload)) {
    body->chunked_ = std::make_unique<auth::AwsChunkedReader>(*source, req.auth);
    source = body->chunked_.get();
    if (checksum.trailer && checksum.algorithm) {
      auth::AwsChunkedReader* chunked = body->chunked_.get();
      std::string name = ChecksumHeader(*checksum.algorithm);
      expect.trailer_checksum = [chunked, name]() -> std::string {
        for (const auto& [k, v] : chunked->trailers()) {
          if (k == name) {
            return v;
          }
        }
        return {};
      };
    }
  }
  body->hash_ = std::make_unique<object::HashReader>(*source, std::move(expect));
  return body;
}

Result<std::unique_ptr<UploadBody>> OpenPostBody(
    ByteSource& file, const http::Request& fields,
    std::optional<std::pair<std::int64_t, std::int64_t>> length_range) {
  object::HashExpectations expect;
  expect.size = -1;
  expect.max_size = kMaxObjectSize;
  if (length_range && length_range->second < expect.max_size) {
    expect.max_size = length_range->second;
  }
  RETURN_IF_ERROR(SetDigests(fields, expect).status());
  auto body = std::make_unique<UploadBody>();
  ByteSource* source = &file;
  if (length_range && length_range->first > 0) {
    body->sized_ = std::make_unique<MinSizeSource>(file, length_range->first);
    source = body->sized_.get();
  }
  body->hash_ = std::make_unique<object::HashReader>(*source, std::move(expect));
  return body;
}

Task<Result<std::string>> ReadRequestXml(S3Request& req, std::size_t limit) {
  // The body is held whole while it is parsed: its room comes from the memory budget, the
  // declared length when there is one, else the limit (waits, then 503 SlowDown).
  object::MemoryBudget::Lease lease;
  if (req.opts.budget != nullptr) {
    std::size_t want = limit;
    if (const auto& length = req.http().content_length; length && *length < want) {
      want = static_cast<std::size_t>(*length);
    }
    CO_ASSIGN_OR_RETURN(lease, co_await req.opts.budget->Acquire(want));
  }
  std::string content_md5;
  if (const std::string* md5 = req.Header("content-md5")) {
    auto raw = Base64Decode(*md5);
    if (!raw || raw->size() != 16) {
      co_return Status(Errc::kInvalidDigest);
    }
    content_md5 = std::move(*raw);
  }
  std::unique_ptr<auth::AwsChunkedReader> chunked;
  ByteSource* source = &req.ex.body();
  if (auth::IsStreaming(req.auth.payload)) {
    chunked = std::make_unique<auth::AwsChunkedReader>(*source, req.auth);
    source = chunked.get();
  }
  CO_ASSIGN_OR_RETURN(std::string body, co_await ReadXmlBody(*source, limit));
  if (!content_md5.empty() && Md5(body) != content_md5) {
    co_return Status(Errc::kBadDigest);
  }
  if (req.auth.payload == auth::PayloadKind::kSigned &&
      !ConstantTimeEqual(HexEncode(Sha256(body)), req.auth.payload_sha256_hex)) {
    co_return Status(Errc::kContentSha256Mismatch);
  }
  co_return body;
}

}  // namespace cairn::s3
