#include "s3/parameters.h"

#include <array>
#include <string>
#include <vector>

#include "s3/errors.h"

namespace cairn::s3 {
namespace {

using enum ParamIn;
using enum Support;

constexpr std::string_view kSseC =
    "SSE-C: AES256 with the key and its MD5; 400 InvalidRequest over plain HTTP unless the server "
    "runs with --sse-c-allow-http";
constexpr std::string_view kSseCopySource = "SSE-C key of an SSE-C copy source";
constexpr std::string_view kCannedAcl =
    "private, public-read, public-read-write, authenticated-read, bucket-owner-read, "
    "bucket-owner-full-control (InvalidArgument otherwise); with Object Ownership "
    "BucketOwnerEnforced only private and bucket-owner-full-control (400 "
    "AccessControlListNotSupported)";
constexpr std::string_view kGrantHeader =
    "id=\"<canonical id or user name>\", uri=\"<AllUsers / AuthenticatedUsers group>\" "
    "(emailAddress: 400 UnresolvableGrantByEmailAddress); not with x-amz-acl (400 "
    "InvalidRequest), nor with BucketOwnerEnforced";

class TableBuilder {
 public:
  TableBuilder& Add(Op op, ParamIn in, std::string_view name, Support support,
                    std::string_view note, Errc error = Errc::kOk, std::string_view accepted = {}) {
    rows_.push_back(ParamSpec{op, in, name, support, note, error, accepted});
    return *this;
  }

  // Requester-pays and owner checks: a single-tenant store has one payer and one owner.
  TableBuilder& Common(Op op) {
    Add(op, kHeader, "x-amz-expected-bucket-owner", kIgnored,
        "cairn has no 12-digit account ids to compare");
    return Add(op, kHeader, "x-amz-request-payer", kIgnored, "there is no requester pays");
  }

  // The headers a write stores with the object (PutObject, CopyObject with REPLACE,
  // CreateMultipartUpload).
  TableBuilder& StoredHeaders(Op op) {
    Add(op, kHeader, "content-type", kSupported, "stored; binary/octet-stream by default");
    Add(op, kHeader, "cache-control", kSupported, "stored and returned");
    Add(op, kHeader, "content-disposition", kSupported, "stored and returned");
    Add(op, kHeader, "content-encoding", kSupported,
        "stored and returned as sent, without aws-chunked");
    Add(op, kHeader, "content-language", kSupported, "stored and returned");
    Add(op, kHeader, "expires", kSupported, "stored and returned");
    Add(op, kHeader, "x-amz-meta-*", kSupported,
        "stored as UTF-8 (RFC 2047 words decoded), 2 KiB in all; returned as AWS does");
    Add(op, kHeader, "x-amz-storage-class", kSupported,
        "STANDARD and REDUCED_REDUNDANCY: the parity of CAIRN_STORAGE_CLASS_STANDARD / "
        "CAIRN_STORAGE_CLASS_RRS (EC:N); others InvalidStorageClass");
    Add(op, kHeader, "x-amz-tagging", kSupported,
        "k1=v1&k2=v2, URL-encoded: at most 10 tags (AWS's rules); stored with the object");
    Add(op, kHeader, "x-amz-website-redirect-location", kSupported, "stored and returned");
    return *this;
  }

  // What a write takes beyond its stored headers: its ACL (under the bucket's Object
  // Ownership), and the encryption and object lock headers.
  TableBuilder& RefusedOnWrites(Op op, bool lock) {
    Add(op, kHeader, "x-amz-acl", kSupported, kCannedAcl);
    for (std::string_view grant : {"x-amz-grant-full-control", "x-amz-grant-read",
                                   "x-amz-grant-read-acp", "x-amz-grant-write-acp"}) {
      Add(op, kHeader, grant, kSupported, kGrantHeader);
    }
    Add(op, kHeader, "x-amz-server-side-encryption", kSupported,
        "AES256 (SSE-S3) or aws:kms (SSE-KMS); 501 NotImplemented without a KMS");
    Add(op, kHeader, "x-amz-server-side-encryption-aws-kms-key-id", kSupported,
        "a key of the KMS (default: its default key); KMS.NotFoundException / DisabledException");
    Add(op, kHeader, "x-amz-server-side-encryption-context", kSupported,
        "base64 JSON, bound to the object's data key");
    Add(op, kHeader, "x-amz-server-side-encryption-bucket-key-enabled", kSupported,
        "stored and returned");
    SseC(op);
    if (lock) {
      for (std::string_view h : {"x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date",
                                 "x-amz-object-lock-legal-hold"}) {
        Add(op, kHeader, h, kSupported,
            "stored with the version in a bucket with object lock; elsewhere 400 InvalidRequest "
            "(Bucket is missing Object Lock Configuration)");
      }
    }
    return *this;
  }

  TableBuilder& SseC(Op op) {
    return Add(op, kHeader, "x-amz-server-side-encryption-customer-*", kSupported, kSseC);
  }

  TableBuilder& Checksums(Op op) {
    Add(op, kHeader, "content-md5", kSupported, "verified: BadDigest on a mismatch");
    Add(op, kHeader, "x-amz-checksum-*", kSupported,
        "CRC32, CRC32C, CRC64NVME, SHA1, SHA256: verified (BadDigest), stored, returned");
    Add(op, kHeader, "x-amz-sdk-checksum-algorithm", kSupported,
        "the algorithm of the checksum header or aws-chunked trailer");
    Add(op, kHeader, "x-amz-content-sha256", kSupported,
        "SigV4 payload hash, UNSIGNED-PAYLOAD and the STREAMING-* forms");
    Add(op, kHeader, "x-amz-decoded-content-length", kSupported, "aws-chunked bodies");
    return Add(op, kHeader, "x-amz-trailer", kSupported, "a checksum trailer");
  }

  TableBuilder& ReadConditions(Op op, std::string_view prefix) {
    if (prefix.empty()) {
      Add(op, kHeader, "if-match", kSupported, "412 PreconditionFailed");
      Add(op, kHeader, "if-none-match", kSupported, "304 Not Modified");
      Add(op, kHeader, "if-modified-since", kSupported, "304 Not Modified");
      return Add(op, kHeader, "if-unmodified-since", kSupported, "412 PreconditionFailed");
    }
    Add(op, kHeader, "x-amz-copy-source-if-match", kSupported, "412 PreconditionFailed");
    Add(op, kHeader, "x-amz-copy-source-if-none-match", kSupported, "412 PreconditionFailed");
    Add(op, kHeader, "x-amz-copy-source-if-modified-since", kSupported, "412 PreconditionFailed");
    return Add(op, kHeader, "x-amz-copy-source-if-unmodified-since", kSupported,
               "412 PreconditionFailed");
  }

  // A configuration document in the body (PutBucketCors, PutBucketLifecycleConfiguration):
  // Content-MD5 verified when sent but not required, as for DeleteObjects (MinIO's choice).
  TableBuilder& ConfigBody(Op op) {
    Add(op, kHeader, "content-md5", kSupported, "verified when sent (not required)");
    Add(op, kHeader, "x-amz-sdk-checksum-algorithm", kSupported, "");
    return Add(op, kHeader, "x-amz-checksum-*", kSupported, "verified");
  }

  std::vector<ParamSpec> Take() { return std::move(rows_); }

 private:
  std::vector<ParamSpec> rows_;
};

std::vector<ParamSpec> BuildTable() {
  TableBuilder t;
  // Buckets.
  t.Add(Op::kListBuckets, kQuery, "max-buckets", kSupported, "1-10000; pages of 10000 by default")
      .Add(Op::kListBuckets, kQuery, "continuation-token", kSupported, "opaque")
      .Add(Op::kListBuckets, kQuery, "prefix", kSupported, "bucket names that begin with it")
      .Add(Op::kListBuckets, kQuery, "bucket-region", kSupported, "buckets of that region");
  t.Add(Op::kCreateBucket, kHeader, "x-amz-acl", kSupported,
        "the bucket's canned ACL (as PutBucketAcl); with BucketOwnerEnforced only private: 400 "
        "InvalidBucketAclWithObjectOwnership");
  for (std::string_view grant :
       {"x-amz-grant-full-control", "x-amz-grant-read", "x-amz-grant-read-acp", "x-amz-grant-write",
        "x-amz-grant-write-acp"}) {
    t.Add(Op::kCreateBucket, kHeader, grant, kSupported, kGrantHeader);
  }
  t.Add(Op::kCreateBucket, kHeader, "x-amz-bucket-object-lock-enabled", kSupported,
        "true: versioning Enabled and object lock on")
      .Add(Op::kCreateBucket, kHeader, "x-amz-object-ownership", kSupported,
           "ObjectWriter, BucketOwnerPreferred, BucketOwnerEnforced; without it "
           "CAIRN_DEFAULT_OBJECT_OWNERSHIP (ObjectWriter)");
  t.Common(Op::kHeadBucket).Common(Op::kDeleteBucket).Common(Op::kGetBucketLocation);
  t.Common(Op::kGetBucketVersioning);
  // Listing.
  for (Op op : {Op::kListObjectsV1, Op::kListObjectsV2, Op::kListObjectVersions}) {
    t.Add(op, kQuery, "prefix", kSupported, "")
        .Add(op, kQuery, "delimiter", kSupported, "")
        .Add(op, kQuery, "max-keys", kSupported, "0-1000 (more is 1000)")
        .Add(op, kQuery, "encoding-type", kSupported,
             "url: keys, prefixes, delimiter and markers URI-encoded as AWS does")
        .Add(op, kHeader, "x-amz-optional-object-attributes", kIgnored,
             "RestoreStatus: nothing is archived")
        .Common(op);
  }
  t.Add(Op::kListObjectsV1, kQuery, "marker", kSupported, "");
  t.Add(Op::kListObjectsV2, kQuery, "list-type", kSupported, "2")
      .Add(Op::kListObjectsV2, kQuery, "continuation-token", kSupported, "empty is absent")
      .Add(Op::kListObjectsV2, kQuery, "start-after", kSupported, "")
      .Add(Op::kListObjectsV2, kQuery, "fetch-owner", kSupported, "");
  t.Add(Op::kListObjectVersions, kQuery, "key-marker", kSupported, "")
      .Add(Op::kListObjectVersions, kQuery, "version-id-marker", kSupported,
           "needs key-marker; \"null\" names the null version");
  t.Add(Op::kPutBucketVersioning, kHeader, "content-md5", kSupported, "verified")
      .Add(Op::kPutBucketVersioning, kHeader, "x-amz-sdk-checksum-algorithm", kSupported, "")
      .Add(Op::kPutBucketVersioning, kHeader, "x-amz-checksum-*", kSupported, "verified")
      .Add(Op::kPutBucketVersioning, kHeader, "x-amz-mfa", kRefused, "MFA delete is not supported",
           Errc::kNotImplemented)
      .Common(Op::kPutBucketVersioning);
  t.Add(Op::kListMultipartUploads, kQuery, "prefix", kSupported, "")
      .Add(Op::kListMultipartUploads, kQuery, "delimiter", kSupported, "")
      .Add(Op::kListMultipartUploads, kQuery, "encoding-type", kSupported, "url")
      .Add(Op::kListMultipartUploads, kQuery, "key-marker", kSupported, "")
      .Add(Op::kListMultipartUploads, kQuery, "upload-id-marker", kSupported, "")
      .Add(Op::kListMultipartUploads, kQuery, "max-uploads", kSupported, "0-1000")
      .Common(Op::kListMultipartUploads);
  // Objects.
  t.Add(Op::kDeleteObjects, kHeader, "content-md5", kSupported, "verified")
      .Add(Op::kDeleteObjects, kHeader, "x-amz-sdk-checksum-algorithm", kSupported, "")
      .Add(Op::kDeleteObjects, kHeader, "x-amz-checksum-*", kSupported, "verified")
      .Add(Op::kDeleteObjects, kHeader, "x-amz-bypass-governance-retention", kSupported,
           "true: removes versions under GOVERNANCE retention")
      .Add(Op::kDeleteObjects, kHeader, "x-amz-mfa", kRefused, "MFA delete is not supported",
           Errc::kNotImplemented)
      .Common(Op::kDeleteObjects);
  t.StoredHeaders(Op::kPutObject)
      .Checksums(Op::kPutObject)
      .RefusedOnWrites(Op::kPutObject, true)
      .Add(Op::kPutObject, kHeader, "content-length", kSupported,
           "required unless the body is chunked: 411 MissingContentLength")
      .Add(Op::kPutObject, kHeader, "if-match", kSupported, "conditional write")
      .Add(Op::kPutObject, kHeader, "if-none-match", kSupported, "*: create only")
      .Add(Op::kPutObject, kHeader, "x-amz-write-offset-bytes", kRefused,
           "Appends are not supported", Errc::kNotImplemented)
      .Common(Op::kPutObject);
  t.StoredHeaders(Op::kCopyObject)
      .RefusedOnWrites(Op::kCopyObject, true)
      .ReadConditions(Op::kCopyObject, "x-amz-copy-source-")
      .Add(Op::kCopyObject, kHeader, "x-amz-copy-source", kSupported, "bucket/key[?versionId=]")
      .Add(Op::kCopyObject, kHeader, "x-amz-metadata-directive", kSupported, "COPY, REPLACE")
      .Add(Op::kCopyObject, kHeader, "x-amz-tagging-directive", kSupported,
           "COPY (the source's tags, the default), REPLACE (the request's x-amz-tagging)")
      .Add(Op::kCopyObject, kHeader, "x-amz-checksum-algorithm", kSupported, "the copy's checksum")
      .Add(Op::kCopyObject, kHeader, "x-amz-copy-source-server-side-encryption-customer-*",
           kSupported, kSseCopySource)
      .Common(Op::kCopyObject);
  for (Op op : {Op::kGetObject, Op::kHeadObject}) {
    t.Add(op, kQuery, "versionId", kSupported, "a version or \"null\"; delete markers 405")
        .Add(op, kQuery, "partNumber", kSupported, "InvalidPartNumber past the parts")
        .Add(op, kHeader, "range", kSupported, "one range; 416 InvalidRange")
        .ReadConditions(op, "")
        .Add(op, kHeader, "x-amz-checksum-mode", kSupported, "ENABLED")
        .SseC(op)
        .Common(op);
    for (std::string_view p :
         {"response-content-type", "response-content-language", "response-expires",
          "response-cache-control", "response-content-disposition", "response-content-encoding"}) {
      t.Add(op, kQuery, p, kSupported, "overrides the response header");
    }
  }
  t.Add(Op::kDeleteObject, kQuery, "versionId", kSupported,
        "removes that version; without, a versioned bucket gets a delete marker")
      .Add(Op::kDeleteObject, kHeader, "x-amz-bypass-governance-retention", kSupported,
           "true: removes a version under GOVERNANCE retention")
      .Add(Op::kDeleteObject, kHeader, "x-amz-mfa", kRefused, "MFA delete is not supported",
           Errc::kNotImplemented)
      .Add(Op::kDeleteObject, kHeader, "if-match", kRefused,
           "Conditional deletes are not supported yet", Errc::kNotImplemented)
      .Add(Op::kDeleteObject, kHeader, "x-amz-if-match-last-modified-time", kRefused,
           "Conditional deletes are not supported yet", Errc::kNotImplemented)
      .Add(Op::kDeleteObject, kHeader, "x-amz-if-match-size", kRefused,
           "Conditional deletes are not supported yet", Errc::kNotImplemented)
      .Common(Op::kDeleteObject);
  // Multipart.
  t.StoredHeaders(Op::kCreateMultipartUpload)
      .RefusedOnWrites(Op::kCreateMultipartUpload, true)
      .Add(Op::kCreateMultipartUpload, kHeader, "x-amz-checksum-algorithm", kSupported,
           "the parts' checksum algorithm")
      .Add(Op::kCreateMultipartUpload, kHeader, "x-amz-checksum-type", kSupported,
           "COMPOSITE, FULL_OBJECT")
      .Common(Op::kCreateMultipartUpload);
  t.Add(Op::kUploadPart, kQuery, "uploadId", kSupported, "")
      .Add(Op::kUploadPart, kQuery, "partNumber", kSupported, "1-10000")
      .Add(Op::kUploadPart, kHeader, "content-length", kSupported, "up to 5 GiB")
      .Checksums(Op::kUploadPart)
      .SseC(Op::kUploadPart)
      .Common(Op::kUploadPart);
  t.Add(Op::kUploadPartCopy, kQuery, "uploadId", kSupported, "")
      .Add(Op::kUploadPartCopy, kQuery, "partNumber", kSupported, "1-10000")
      .Add(Op::kUploadPartCopy, kHeader, "x-amz-copy-source", kSupported, "bucket/key[?versionId=]")
      .Add(Op::kUploadPartCopy, kHeader, "x-amz-copy-source-range", kSupported,
           "bytes=first-last; InvalidRange past the source")
      .ReadConditions(Op::kUploadPartCopy, "x-amz-copy-source-")
      .SseC(Op::kUploadPartCopy)
      .Add(Op::kUploadPartCopy, kHeader, "x-amz-copy-source-server-side-encryption-customer-*",
           kSupported, kSseCopySource)
      .Common(Op::kUploadPartCopy);
  t.Add(Op::kCompleteMultipartUpload, kQuery, "uploadId", kSupported, "")
      .Add(Op::kCompleteMultipartUpload, kHeader, "if-match", kSupported, "conditional write")
      .Add(Op::kCompleteMultipartUpload, kHeader, "if-none-match", kSupported, "*: create only")
      .Add(Op::kCompleteMultipartUpload, kHeader, "x-amz-checksum-*", kSupported,
           "the whole object's checksum")
      .Add(Op::kCompleteMultipartUpload, kHeader, "x-amz-checksum-type", kSupported,
           "COMPOSITE, FULL_OBJECT")
      .Add(Op::kCompleteMultipartUpload, kHeader, "x-amz-mp-object-size", kIgnored,
           "the parts give the size")
      .SseC(Op::kCompleteMultipartUpload)
      .Common(Op::kCompleteMultipartUpload);
  t.Add(Op::kAbortMultipartUpload, kQuery, "uploadId", kSupported, "")
      .Add(Op::kAbortMultipartUpload, kHeader, "x-amz-if-match-initiated-time", kRefused,
           "Conditional aborts are not supported yet", Errc::kNotImplemented)
      .Common(Op::kAbortMultipartUpload);
  t.Add(Op::kListParts, kQuery, "uploadId", kSupported, "")
      .Add(Op::kListParts, kQuery, "max-parts", kSupported, "0-1000")
      .Add(Op::kListParts, kQuery, "part-number-marker", kSupported, "")
      .Add(Op::kListParts, kQuery, "encoding-type", kSupported, "url")
      .SseC(Op::kListParts)
      .Common(Op::kListParts);
  t.Add(Op::kGetObjectAttributes, kQuery, "versionId", kSupported, "null")
      .Add(Op::kGetObjectAttributes, kHeader, "x-amz-object-attributes", kSupported,
           "ETag, Checksum, ObjectParts, StorageClass, ObjectSize")
      .Add(Op::kGetObjectAttributes, kHeader, "x-amz-max-parts", kSupported, "0-1000")
      .Add(Op::kGetObjectAttributes, kHeader, "x-amz-part-number-marker", kSupported, "")
      .SseC(Op::kGetObjectAttributes)
      .Common(Op::kGetObjectAttributes);
  t.Add(Op::kGetObjectTorrent, kQuery, "versionId", kSupported,
        "the object must exist; then 501 NotImplemented")
      .Common(Op::kGetObjectTorrent);
  // Tagging.
  for (Op op : {Op::kPutObjectTagging, Op::kGetObjectTagging, Op::kDeleteObjectTagging}) {
    t.Add(op, kQuery, "versionId", kSupported, "the version's tags; x-amz-version-id answers")
        .Common(op);
  }
  for (Op op : {Op::kPutObjectTagging, Op::kPutBucketTagging}) {
    t.Add(op, kHeader, "content-md5", kSupported, "verified")
        .Add(op, kHeader, "x-amz-sdk-checksum-algorithm", kSupported, "")
        .Add(op, kHeader, "x-amz-checksum-*", kSupported, "verified");
  }
  t.Common(Op::kPutBucketTagging).Common(Op::kGetBucketTagging).Common(Op::kDeleteBucketTagging);
  // POST Object's parameters are its form's fields, which act as PutObject's headers (stored,
  // verified and refused alike); the request's own headers only carry the form.
  t.Add(Op::kPostObject, kHeader, "content-type", kSupported,
        "multipart/form-data with a boundary: the form's fields (key, policy and its "
        "signature, the stored headers, x-amz-meta-*, Content-MD5, x-amz-checksum-*, acl, "
        "tagging (a <Tagging> document), success_action_status, success_action_redirect) act "
        "as PutObject's headers")
      .Add(Op::kPostObject, kHeader, "content-length", kSupported,
           "required unless the body is chunked: 411 MissingContentLength")
      .Common(Op::kPostObject);
  // Bucket configurations.
  t.Common(Op::kGetBucketCors);
  t.ConfigBody(Op::kPutBucketCors).Common(Op::kPutBucketCors);
  t.Common(Op::kDeleteBucketCors);
  t.Common(Op::kGetBucketLifecycleConfiguration);
  t.ConfigBody(Op::kPutBucketLifecycleConfiguration)
      .Add(Op::kPutBucketLifecycleConfiguration, kHeader,
           "x-amz-transition-default-minimum-object-size", kIgnored,
           "transitions are refused (no storage tiers)")
      .Common(Op::kPutBucketLifecycleConfiguration);
  t.Common(Op::kDeleteBucketLifecycle);
  t.ConfigBody(Op::kPutBucketEncryption).Common(Op::kPutBucketEncryption);
  t.Common(Op::kGetBucketEncryption);
  t.Common(Op::kDeleteBucketEncryption);
  t.ConfigBody(Op::kPutBucketPolicy)
      .Add(Op::kPutBucketPolicy, kHeader, "x-amz-confirm-remove-self-bucket-access", kIgnored,
           "the root user is never locked out")
      .Common(Op::kPutBucketPolicy);
  t.Common(Op::kGetBucketPolicy).Common(Op::kDeleteBucketPolicy).Common(Op::kGetBucketPolicyStatus);
  // ACLs and Object Ownership.
  t.Common(Op::kGetBucketAcl);
  t.Add(Op::kPutBucketAcl, kHeader, "x-amz-acl", kSupported, kCannedAcl);
  for (std::string_view grant :
       {"x-amz-grant-full-control", "x-amz-grant-read", "x-amz-grant-read-acp", "x-amz-grant-write",
        "x-amz-grant-write-acp"}) {
    t.Add(Op::kPutBucketAcl, kHeader, grant, kSupported, kGrantHeader);
  }
  t.ConfigBody(Op::kPutBucketAcl).Common(Op::kPutBucketAcl);
  t.Add(Op::kGetObjectAcl, kQuery, "versionId", kSupported, "that version's ACL")
      .Common(Op::kGetObjectAcl);
  t.Add(Op::kPutObjectAcl, kQuery, "versionId", kSupported, "that version's ACL")
      .Add(Op::kPutObjectAcl, kHeader, "x-amz-acl", kSupported, kCannedAcl);
  for (std::string_view grant : {"x-amz-grant-full-control", "x-amz-grant-read",
                                 "x-amz-grant-read-acp", "x-amz-grant-write-acp"}) {
    t.Add(Op::kPutObjectAcl, kHeader, grant, kSupported, kGrantHeader);
  }
  t.ConfigBody(Op::kPutObjectAcl).Common(Op::kPutObjectAcl);
  t.Common(Op::kGetBucketOwnershipControls);
  t.ConfigBody(Op::kPutBucketOwnershipControls).Common(Op::kPutBucketOwnershipControls);
  t.Common(Op::kDeleteBucketOwnershipControls);
  // Object lock.
  t.ConfigBody(Op::kPutObjectLockConfiguration)
      .Add(Op::kPutObjectLockConfiguration, kHeader, "x-amz-bucket-object-lock-token", kIgnored,
           "no replication tokens")
      .Common(Op::kPutObjectLockConfiguration);
  t.Common(Op::kGetObjectLockConfiguration);
  for (Op op : {Op::kPutObjectRetention, Op::kGetObjectRetention, Op::kPutObjectLegalHold,
                Op::kGetObjectLegalHold}) {
    t.Add(op, kQuery, "versionId", kSupported, "that version; the latest without").Common(op);
  }
  t.ConfigBody(Op::kPutObjectRetention)
      .Add(Op::kPutObjectRetention, kHeader, "x-amz-bypass-governance-retention", kSupported,
           "true: shortens or removes a GOVERNANCE retention");
  t.ConfigBody(Op::kPutObjectLegalHold);
  t.Add(Op::kOptionsObject, kHeader, "origin", kSupported,
        "required (400 BadRequest); matched against the bucket's AllowedOrigin ('*' wildcards); "
        "on other requests it adds the matching rule's CORS headers")
      .Add(Op::kOptionsObject, kHeader, "access-control-request-method", kSupported,
           "required (400 BadRequest); matched against AllowedMethod")
      .Add(Op::kOptionsObject, kHeader, "access-control-request-headers", kSupported,
           "each matched against AllowedHeader, case-insensitively; 403 AccessForbidden when "
           "no rule allows the request");
  return t.Take();
}

bool Accepted(std::string_view accepted, std::string_view value) {
  const std::string v = AsciiLower(TrimBlanks(value));
  while (!accepted.empty()) {
    const auto comma = accepted.find(',');
    if (AsciiLower(accepted.substr(0, comma)) == v) {
      return true;
    }
    if (comma == std::string_view::npos) {
      break;
    }
    accepted.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::span<const ParamSpec> ParameterTable() {
  static const std::vector<ParamSpec> kTable = BuildTable();
  return kTable;
}

bool ParamMatches(const ParamSpec& spec, std::string_view name) {
  if (spec.name.ends_with('*')) {
    return name.starts_with(spec.name.substr(0, spec.name.size() - 1));
  }
  return name == spec.name;
}

Status RefuseByTable(Op op, const http::Request& request, const QueryParams& query) {
  // The refused rows of each operation, indexed once: a request looks at its own few.
  static const auto kRefusedByOp = [] {
    std::array<std::vector<const ParamSpec*>, kOpCount> index;
    for (const ParamSpec& spec : ParameterTable()) {
      if (spec.support == Support::kRefused) {
        index[static_cast<std::size_t>(spec.op)].push_back(&spec);
      }
    }
    return index;
  }();
  const auto i = static_cast<std::size_t>(op);
  if (i >= kOpCount) {
    return Status::Ok();
  }
  for (const ParamSpec* row : kRefusedByOp[i]) {
    const ParamSpec& spec = *row;
    auto refuse = [&](std::string_view value) {
      return spec.accepted.empty() || !Accepted(spec.accepted, value);
    };
    if (spec.in == ParamIn::kHeader) {
      for (const auto& [name, value] : request.headers) {
        if (ParamMatches(spec, name) && refuse(value)) {
          return Status(spec.error, std::string(spec.note));
        }
      }
    } else {
      for (const auto& [name, value] : query.all()) {
        if (ParamMatches(spec, name) && refuse(value)) {
          return Status(spec.error, std::string(spec.note));
        }
      }
    }
  }
  return Status::Ok();
}

std::string RenderCompatTable() {
  std::string out;
  const std::span<const ParamSpec> table = ParameterTable();
  for (std::size_t op = 0; op < kOpCount; ++op) {
    const auto o = static_cast<Op>(op);
    if (o == Op::kNotImplemented || o == Op::kMethodNotAllowed || o == Op::kIamAction) {
      continue;  // IamAction: the IAM query API, not S3 (README, "IAM API")
    }
    out += "### " + std::string(OpName(o)) + "\n\n";
    bool any = false;
    for (const ParamSpec& p : table) {
      if (p.op != o) {
        continue;
      }
      if (!any) {
        out += "| parameter | in | cairn |\n| --- | --- | --- |\n";
        any = true;
      }
      std::string what;
      if (p.support == Support::kRefused) {
        const S3ErrorInfo& e = S3ErrorFor(p.error);
        what = "refused: " + std::to_string(e.http_status) + " " + std::string(e.code) + " \"" +
               std::string(p.note) + "\"";
        if (!p.accepted.empty()) {
          what += "; accepted values: " + std::string(p.accepted);
        }
      } else {
        what = p.support == Support::kSupported ? "supported" : "ignored";
        if (!p.note.empty()) {
          what += ": " + std::string(p.note);
        }
      }
      out += "| `" + std::string(p.name) + "` | " + (p.in == ParamIn::kQuery ? "query" : "header") +
             " | " + what + " |\n";
    }
    if (!any) {
      out += "No parameters beyond the bucket and the key.\n";
    }
    out += "\n";
  }
  return out;
}

}  // namespace cairn::s3
