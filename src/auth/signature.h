// Request authentication for S3: AWS Signature V4 (Authorization header, presigned query,
// aws-chunked streaming with per-chunk signatures and trailers) and Signature V2 (header and
// presigned query). Pure code over a view of the request; no I/O, no HTTP library.
#pragma once

#include <chrono>
#include <cstdint>
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
  // Virtual-host style only: the bucket named by the Host header. Signature V2 signs
  // "/" + bucket + path; V4 ignores it (it signs the path as sent).
  std::string_view virtual_host_bucket;
  // The SHA-256 (lowercase hex) of a body the caller read before authenticating (the STS
  // form, as MinIO does): a V4 header signature without x-amz-content-sha256 covers it
  // instead of the empty body's hash. Empty: none.
  std::string_view body_sha256_hex;
};

enum class PayloadKind {
  kNone,                      // no body expected to be hashed (GET, presigned, V2)
  kUnsigned,                  // UNSIGNED-PAYLOAD
  kSigned,                    // x-amz-content-sha256 is the hex SHA-256 of the body: verify it
  kStreamingSigned,           // STREAMING-AWS4-HMAC-SHA256-PAYLOAD
  kStreamingSignedTrailer,    // STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
  kStreamingUnsignedTrailer,  // STREAMING-UNSIGNED-PAYLOAD-TRAILER
};

// True for the three aws-chunked kinds (the body must go through AwsChunkedReader).
inline bool IsStreaming(PayloadKind kind) {
  return kind == PayloadKind::kStreamingSigned || kind == PayloadKind::kStreamingSignedTrailer ||
         kind == PayloadKind::kStreamingUnsignedTrailer;
}

struct AuthResult {
  bool anonymous = false;  // no credentials at all (the caller decides whether to allow)
  int version = 4;         // 2 or 4
  bool presigned = false;  // authenticated by query parameters
  std::string access_key;
  // The service of a V4 credential scope: "s3", "sts" or "iam" (the caller checks that it is
  // the one its operation belongs to). "s3" for V2 and anonymous requests.
  std::string service = "s3";
  PayloadKind payload = PayloadKind::kNone;
  std::string payload_sha256_hex;  // kSigned: the expected body hash (lowercase hex)
  // For the streaming kinds: what the chunk verifier needs.
  std::string signing_key;     // raw HMAC key of the scope
  std::string scope;           // "20130524/us-east-1/s3/aws4_request"
  std::string amz_date;        // "20130524T000000Z"
  std::string seed_signature;  // the request's signature, hex
  // x-amz-decoded-content-length for the streaming kinds; -1 when absent.
  std::int64_t decoded_content_length = -1;
  // x-amz-trailer as sent (comma-separated trailer names); empty when absent.
  std::string declared_trailers;
};

// Authenticates a request. Anonymous requests (no Authorization header, no signature in the
// query) return anonymous=true, with the payload kind of their x-amz-content-sha256 (a signed
// streaming kind is refused: kAccessDenied). Errors (all 403 unless noted): kInvalidAccessKeyId,
// kSignatureDoesNotMatch, kRequestTimeTooSkewed (more than 15 minutes off),
// kRequestExpired, kAuthorizationHeaderMalformed (400), kAuthorizationQueryParametersError
// (400), kMalformedDate (400: unparseable x-amz-date/Date), kUnsupportedSignature (400),
// kAccessDenied (no usable date; unsigned x-amz-* header; presigned URL not valid yet),
// kInvalidArgumentS3 (400: bad x-amz-content-sha256, two auth mechanisms at once),
// kInvalidRequest (400: streaming payload on a presigned request).
// kContentSha256Mismatch is never returned here (the body is checked as it streams).
//
// Payload choice (V4 header auth), following MinIO: a missing x-amz-content-sha256 is
// signed as the empty-body hash but the body is not verified (payload kNone). A presigned V4
// request is UNSIGNED-PAYLOAD (kUnsigned) unless X-Amz-Content-Sha256 is in the query or
// the headers. V2 is always kNone.
Result<AuthResult> Authenticate(const RequestView& req, const CredentialProvider& creds);

// Decodes an aws-chunked body ("<hex-size>;chunk-signature=<sig>\r\n<data>\r\n"... then a
// 0-size chunk and, for trailer kinds, trailer lines and x-amz-trailer-signature), verifying
// each chunk's signature for the signed kinds. `raw` must outlive the reader.
// Errors: kInvalidChunkSignature (a chunk or the trailer signature) -> S3
// SignatureDoesNotMatch, kMalformedChunk -> IncompleteBody, kIncompleteBody (truncated, or
// not x-amz-decoded-content-length bytes), and whatever `raw` returns.
//
// Streaming, bounded memory: a chunk's bytes are handed to the caller as they arrive (never
// buffered whole; chunks may be up to 16 MiB), and its signature is checked as soon as its
// last byte has been read, inside the same Read call that returns that last byte. So a bad
// chunk fails a Read before the stream ends, and the object layer, which aborts the PUT on
// any failed Read, never commits it. The final chunk and the trailers are checked eagerly
// too, so a caller that stops after the declared length has still verified everything.
// Errors are sticky: once a Read fails, every later Read returns the same error.
class AwsChunkedReader final : public ByteSource {
 public:
  AwsChunkedReader(ByteSource& raw, const AuthResult& auth);
  ~AwsChunkedReader() override;
  Task<Result<std::size_t>> Read(std::span<std::byte> buf) override;
  // Trailer headers (lowercase names, trimmed values). Complete once the end of the stream
  // was verified: with the last data bytes, at the latest when Read returned 0.
  const HeaderList& trailers() const;

  static constexpr std::uint64_t kMaxChunkSize = 16u << 20;
  static constexpr std::size_t kMaxLineLength = 4096;
  static constexpr std::size_t kMaxTrailers = 16;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Client side, used by tests, the bench tool and the console: signs a request with SigV4.
// Adds host (if absent), x-amz-date, x-amz-content-sha256 and Authorization to `headers`.
// Every header in `headers` is signed except user-agent, expect and x-amzn-trace-id.
struct SignInput {
  std::string method;
  std::string path;   // raw, percent-encoded
  std::string query;  // raw
  std::string payload_sha256_hex = "UNSIGNED-PAYLOAD";
  std::string region = "us-east-1";
  std::string access_key;
  std::string secret_key;
  std::chrono::system_clock::time_point now;
  std::string host;  // value of the host header added when `headers` has none
  std::string service = "s3";
  // false: do not add x-amz-content-sha256 (only for signing non-S3 test vectors).
  bool add_content_sha256_header = true;
};

void SignV4(const SignInput& in, HeaderList& headers);
// A presigned URL's query string (X-Amz-Algorithm ... X-Amz-Signature) for `in`, appended to
// in.query; `host` is the Host header value the request will carry. A payload hash other than
// UNSIGNED-PAYLOAD is carried as X-Amz-Content-Sha256.
std::string PresignV4(const SignInput& in, std::string_view host, std::chrono::seconds expires);

// Signature V2 client helpers (tests and old-client compatibility). SignV2 sets the date
// header (from in.now) and Authorization; PresignV2 returns in.query plus AWSAccessKeyId,
// Expires and Signature. `virtual_host_bucket` as in RequestView.
void SignV2(const SignInput& in, HeaderList& headers, std::string_view virtual_host_bucket = {});
std::string PresignV2(const SignInput& in, std::chrono::system_clock::time_point expires_at,
                      std::string_view virtual_host_bucket = {});

// Client side of aws-chunked bodies: frames data as chunks for one of the streaming kinds.
// For the signed kinds, `signed_headers` are the headers SignV4 produced for `in` (with
// in.payload_sha256_hex set to the STREAMING-... value); the seed signature is read from
// their Authorization header.
class AwsChunkedEncoder {
 public:
  AwsChunkedEncoder(PayloadKind kind, const SignInput& in, const HeaderList& signed_headers);
  // One data chunk, framed (and signed). `data` must not be empty.
  std::string Chunk(std::string_view data);
  // The final 0-size chunk, then (trailer kinds) the trailers, x-amz-trailer-signature for
  // the signed kind, and the closing CRLF.
  std::string Final(const HeaderList& trailers = {});

 private:
  PayloadKind kind_;
  std::string signing_key_;
  std::string scope_;
  std::string amz_date_;
  std::string prev_signature_;
};

// The signature of one aws-chunked chunk (hex) given the previous signature (the seed for
// the first chunk) and the chunk's SHA-256 (hex).
std::string ChunkSignature(std::string_view signing_key, std::string_view amz_date,
                           std::string_view scope, std::string_view prev_signature,
                           std::string_view chunk_sha256_hex);
// The x-amz-trailer-signature (hex) over canonical trailers ("name:value\n" each).
std::string TrailerSignature(std::string_view signing_key, std::string_view amz_date,
                             std::string_view scope, std::string_view prev_signature,
                             std::string_view canonical_trailers);

}  // namespace cairn::auth
