// Server-side encryption on the S3 surface: SSE-C (the client's key), SSE-S3 (the KMS's
// default key) and SSE-KMS (a named KMS key). The object layer stores and erasure codes the
// encrypted package stream (crypto/package.h) like any other bytes, so bitrot checks, healing
// and the scanner never need a key; this file turns requests into keys and streams:
//
// - every object (and every multipart upload) gets a random 32-byte object key; part N of it
//   (a single PUT is part 1) is encrypted under DeriveKey(object key, "part N"), so a part
//   uploaded twice never reuses a key with a nonce;
// - the object key is stored sealed (crypto::SealKey) under a key-encryption key, with the
//   mode, bucket and key as associated data, so a sealed key copied to another object does
//   not open: for SSE-C the KEK is derived from the client's key, which is never stored (a
//   salted HMAC of it is, to tell a wrong key from a tampered object); for SSE-S3 and SSE-KMS
//   the KEK is a data key the KMS generated and sealed under the named key, with the
//   encryption context {"aws:s3:arn": "arn:aws:s3:::bucket/key"} plus the client's own;
// - what is stored is internal metadata (x-cairn-internal-sse-*, never returned as headers);
//   sizes in listings and on GET are the plaintext's, computed from the stored sizes;
// - ETags: SSE-S3 keeps the plaintext's MD5; SSE-C and SSE-KMS get an HMAC of it under the
//   object key (AWS: "not an MD5 digest of the object data").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/task.h"
#include "crypto/keys.h"
#include "crypto/package.h"
#include "http/exchange.h"
#include "kms/kms.h"
#include "object/object_layer.h"
#include "s3/request.h"

namespace cairn::s3 {

enum class SseMode { kNone, kSseC, kSseS3, kSseKms };

// The internal metadata of an encrypted object or upload.
inline constexpr std::string_view kSseMeta = "x-cairn-internal-sse";  // SSE-C, SSE-S3, SSE-KMS
inline constexpr std::string_view kSseSealedKeyMeta = "x-cairn-internal-sse-sealed-key";
inline constexpr std::string_view kSseKmsKeyIdMeta = "x-cairn-internal-sse-kms-key-id";
inline constexpr std::string_view kSseKmsDataKeyMeta = "x-cairn-internal-sse-kms-data-key";
inline constexpr std::string_view kSseContextMeta = "x-cairn-internal-sse-context";
inline constexpr std::string_view kSseCCheckMeta = "x-cairn-internal-sse-c-check";
inline constexpr std::string_view kSseBucketKeyMeta = "x-cairn-internal-sse-bucket-key";

// What a request asks for.
struct SseRequest {
  SseMode mode = SseMode::kNone;
  crypto::Key customer_key{};    // SSE-C
  std::string customer_key_md5;  // SSE-C: base64, as sent (echoed in responses)
  std::string kms_key_id;        // SSE-KMS: as sent, "arn:aws:kms:" stripped; "" = default
  std::string context_header;    // SSE-KMS: x-amz-server-side-encryption-context as sent
  kms::Context context;          // ... decoded
  bool bucket_key = false;       // x-amz-server-side-encryption-bucket-key-enabled
};

// The encryption headers of a write (PutObject, POST, CreateMultipartUpload, CopyObject's
// target): x-amz-server-side-encryption (AES256 or aws:kms, with -aws-kms-key-id, -context,
// -bucket-key-enabled) or the SSE-C triple. Errors: kSseInvalidMethod, kSseIncompatible,
// kInvalidArgumentS3 (a KMS key id or context without aws:kms, a context that is not base64
// JSON), and ParseSseC's.
Result<SseRequest> ParseSseWrite(const http::Request& req);
// The SSE-C triple alone, of the object (a read, UploadPart) or with `copy_source` of
// x-amz-copy-source-server-side-encryption-customer-*. mode kNone when absent. Errors:
// kSseInvalidAlgorithm, kSseMissingKey, kSseMissingKeyMd5, kSseKeyMd5Mismatch,
// kInvalidArgumentS3 (a key without the algorithm, a key that is not 32 bytes).
Result<SseRequest> ParseSseC(const http::Request& req, bool copy_source);
// A GET or HEAD: SSE-C only (x-amz-server-side-encryption on a read is AWS's 400).
Result<SseRequest> ParseSseRead(const http::Request& req);

// SSE-C over plain HTTP, unless the server allows it (--sse-c-allow-http): kSseInsecureRequest.
Status CheckSseCTransport(const S3Request& req, const SseRequest& sse);

// The encryption of a new object in req.route.bucket: what it asked for, else the bucket's
// default encryption, else SSE-S3 when the server encrypts every object. Errors:
// kKmsNotConfigured (SSE-S3 or SSE-KMS without a KMS), the bucket's.
Task<Result<SseRequest>> ResolveWriteSse(S3Request& req, SseRequest asked);

SseMode StoredSseMode(const object::Metadata& metadata);

inline bool IsEncrypted(const object::ObjectInfo& info) {
  return StoredSseMode(info.metadata) != SseMode::kNone;
}

// A fresh object key for bucket/key under `sse` (not kNone), and the metadata that stores it.
struct ObjectKey {
  crypto::Key key{};
  object::Metadata metadata;
};

// Errors: the KMS's (kKmsNotConfigured, kKmsKeyNotFound, kKmsKeyDisabled).
Task<Result<ObjectKey>> NewObjectKey(S3Request& req, const SseRequest& sse, std::string_view bucket,
                                     std::string_view key);

// A new object's encryption in req.route.bucket: the write headers of `headers` (the
// request's, or a POST form's fields) checked and resolved (ResolveWriteSse), its object key
// made and that key's metadata appended to `metadata`. key is nullopt for a plain object.
struct SseWrite {
  SseRequest sse;
  std::optional<crypto::Key> key;
};

Task<Result<SseWrite>> PrepareSseWrite(S3Request& req, const http::Request& headers,
                                       std::string_view key, object::Metadata& metadata);

// The object key of a stored object or upload (`metadata`), opened with the request's SSE-C
// key `given` when it is SSE-C; nullopt for an object that is not encrypted. Errors:
// kSseEncryptedObject (SSE-C without the key), kSseInvalidParameters (SSE-C headers for an
// object that is not SSE-C), kSseWrongKey, kObjectTampered, kKmsNotConfigured, the KMS's.
Task<Result<std::optional<crypto::Key>>> OpenObjectKey(S3Request& req,
                                                       const object::Metadata& metadata,
                                                       std::string_view bucket,
                                                       std::string_view key,
                                                       const SseRequest& given);

// The object key of the multipart upload req.route (its metadata, as stored, with it), opened
// with the request's SSE-C key `given`. Errors: the object layer's (kNoSuchUpload), and
// OpenObjectKey's.
struct UploadKey {
  object::Metadata metadata;
  std::optional<crypto::Key> key;
};

Task<Result<UploadKey>> OpenUploadKey(S3Request& req, std::string_view upload_id,
                                      const SseRequest& given);

// What a HEAD or GetObjectAttributes of a stored object checks, as its GET would: an SSE-C
// object needs its key, and SSE-C headers need an SSE-C object (SSE-S3 and SSE-KMS need no
// key to be described). Errors: OpenObjectKey's.
Task<Status> CheckSseCKey(S3Request& req, const object::Metadata& metadata, std::string_view bucket,
                          std::string_view key, const SseRequest& given);

crypto::Key PartKey(const crypto::Key& object_key, int part_number);

// Sizes as a client sees them: the plaintext's.
std::int64_t PlainObjectSize(const object::ObjectInfo& info);
std::int64_t PlainPartSize(std::int64_t stored_size);  // a part of an encrypted object
// `info` with its size and parts' sizes the plaintext's (unchanged when not encrypted).
object::ObjectInfo PlainObjectInfo(object::ObjectInfo info);

// The response headers that name an object's encryption: x-amz-server-side-encryption (+ KMS
// key id, bucket key) or, for SSE-C, the algorithm and the MD5 of the key in `given`.
void AddSseHeaders(const object::Metadata& stored, const SseRequest& given, http::Headers& headers);

// The body of a write (part `part_number`; a single PUT is part 1) as the object layer
// reads it: `plain` itself (which verifies the client's digests) when `object_key` is nullopt,
// else `plain` encrypted under PartKey(object_key, part_number), whose ETag is the plaintext
// MD5 for SSE-S3 and the MD5's HMAC under the object key otherwise.
class StoredBody {
 public:
  StoredBody(object::HashReader& plain, SseMode mode, const std::optional<crypto::Key>& object_key,
             int part_number);

  object::HashReader& reader() { return stored_ ? *stored_ : plain_; }

 private:
  object::HashReader& plain_;
  std::unique_ptr<crypto::EncryptingSource> source_;
  std::unique_ptr<object::HashReader> stored_;
};

// Reads a stored encrypted object as plaintext. `opened` is the object layer's reader of what
// `opts` asked for, with the range and part number taken as the plaintext's; when the packages
// they need are another stored range, the object is opened again (the same version) for
// those. The reader's info(), offset() and length() are the plaintext's. Errors: kInvalidRange,
// kInvalidPartNumber, the object layer's; reading: kObjectTampered.
Task<Result<std::unique_ptr<object::ObjectReader>>> DecryptObject(
    S3Request& req, std::string_view bucket, std::string_view key,
    std::unique_ptr<object::ObjectReader> opened, const object::GetOptions& opts,
    const crypto::Key& object_key);

// `opened` (a GET's or a copy source's reader of bucket/key with `opts`) as plaintext: through
// DecryptObject with the key OpenObjectKey opens when the object is encrypted or `given` names
// an SSE-C key; else `opened` itself. Errors: OpenObjectKey's and DecryptObject's.
Task<Result<std::unique_ptr<object::ObjectReader>>> OpenPlaintext(
    S3Request& req, std::string_view bucket, std::string_view key,
    std::unique_ptr<object::ObjectReader> opened, const object::GetOptions& opts,
    const SseRequest& given);

}  // namespace cairn::s3
