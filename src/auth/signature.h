// Request authentication for S3: AWS Signature V4 (Authorization header, presigned query,
// aws-chunked streaming with per-chunk signatures and trailers) and Signature V2 (header and
// presigned query). Pure code over a view of the request; no I/O, no HTTP library.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/byte_stream.h"
#include "common/status.h"

namespace cairn::auth {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  // The secret key of `access_key`, or nullopt when no such key exists.
  virtual std::optional<std::string> SecretKey(std::string_view access_key) const = 0;
};

struct RequestView {
  std::string_view method;
  std::string_view path;   // raw, percent-encoded, as on the wire (virtual-host: as sent)
  std::string_view query;  // raw query string, no '?'
  const HeaderList* headers = nullptr;  // lowercase names
  std::chrono::system_clock::time_point now;
};

enum class PayloadKind {
  kNone,             // no body expected to be hashed (GET, presigned, V2)
  kUnsigned,         // UNSIGNED-PAYLOAD
  kSigned,           // x-amz-content-sha256 is the hex SHA-256 of the body: verify it
  kStreamingSigned,  // STREAMING-AWS4-HMAC-SHA256-PAYLOAD
  kStreamingSignedTrailer,    // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
  kStreamingUnsignedTrailer,  // STREAMING-UNSIGNED-PAYLOAD-TRAILER
};

struct AuthResult {
  bool anonymous = false;  // no credentials at all (the caller decides whether to allow)
  int version = 4;         // 2 or 4
  std::string access_key;
  PayloadKind payload = PayloadKind::kNone;
  std::string payload_sha256_hex;  // kSigned: the expected body hash
  // For the streaming kinds: what the chunk verifier needs.
  std::string signing_key;     // raw HMAC key of the scope
  std::string scope;           // "20130524/us-east-1/s3/aws4_request"
  std::string amz_date;        // "20130524T000000Z"
  std::string seed_signature;  // the request's signature, hex
};

// Authenticates a request. Anonymous requests (no Authorization header, no signature in the
// query) return anonymous=true. Errors (all 403 unless noted): kInvalidAccessKeyId,
// kSignatureDoesNotMatch, kRequestTimeTooSkewed (more than 15 minutes off),
// kRequestExpired, kAuthorizationHeaderMalformed (400), kAuthorizationQueryParametersError
// (400), kMalformedDate, kMissingSecurityHeader (400), kUnsupportedSignature (400),
// kContentSha256Mismatch is never returned here (the body is checked as it streams).
Result<AuthResult> Authenticate(const RequestView& req, const CredentialProvider& creds);

// Decodes an aws-chunked body ("<hex-size>;chunk-signature=<sig>\r\n<data>\r\n"... then a
// 0-size chunk and, for trailer kinds, trailer lines and x-amz-trailer-signature), verifying
// each chunk's signature for the signed kinds. `raw` must outlive the reader.
// Errors: kInvalidChunkSignature -> S3 SignatureDoesNotMatch, kMalformedChunk ->
// IncompleteBody, kIncompleteBody.
class AwsChunkedReader final : public ByteSource {
 public:
  AwsChunkedReader(ByteSource& raw, const AuthResult& auth);
  ~AwsChunkedReader() override;
  Task<Result<std::size_t>> Read(std::span<std::byte> buf) override;
  // Trailer headers (lowercase names), available once Read returned 0.
  const HeaderList& trailers() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Client side, used by tests, the bench tool and the console: signs a request with SigV4.
// Adds host (if absent), x-amz-date, x-amz-content-sha256 and Authorization to `headers`.
struct SignInput {
  std::string method;
  std::string path;   // raw, percent-encoded
  std::string query;  // raw
  std::string payload_sha256_hex = "UNSIGNED-PAYLOAD";
  std::string region = "us-east-1";
  std::string access_key;
  std::string secret_key;
  std::chrono::system_clock::time_point now;
};
void SignV4(const SignInput& in, HeaderList& headers);
// A presigned URL's query string (X-Amz-Algorithm ... X-Amz-Signature) for `in`, appended to
// in.query; `host` is the Host header value the request will carry.
std::string PresignV4(const SignInput& in, std::string_view host, std::chrono::seconds expires);

}  // namespace cairn::auth
