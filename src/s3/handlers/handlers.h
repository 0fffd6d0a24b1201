// The S3 operation handlers, one family per file. Each parses its request, calls the
// ObjectLayer and renders the answer; auth, request ids, error rendering and logging are
// done around them by S3Api::Handle. A handler returns Status::Ok() once it responded, or
// the error for the middleware to render.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "common/task.h"
#include "s3/request.h"

namespace cairn::s3 {

// bucket_handlers.cc
Task<Status> ListBuckets(S3Request& req);
Task<Status> CreateBucket(S3Request& req);
Task<Status> HeadBucket(S3Request& req);
Task<Status> DeleteBucket(S3Request& req);
Task<Status> GetBucketLocation(S3Request& req);
Task<Status> GetBucketVersioning(S3Request& req);
Task<Status> PutBucketVersioning(S3Request& req);
// S3's rules: 3-63 characters of a-z 0-9 . -, starting and ending with a letter or digit,
// no "..", not an IPv4 address.
bool IsValidBucketName(std::string_view name);

// object_put.cc
Task<Status> PutObject(S3Request& req);
// object_post.cc: POST Object, a browser upload (the middleware read and authenticated its
// form into req.post_form).
Task<Status> PostObject(S3Request& req);
// object_get.cc (GET and HEAD)
Task<Status> GetObject(S3Request& req);
Task<Status> DeleteObject(S3Request& req);
// object_attributes.cc
Task<Status> GetObjectAttributes(S3Request& req);
Task<Status> GetObjectTorrent(S3Request& req);

// object_copy.cc
struct CopySource {
  std::string bucket;
  std::string key;
  std::string version_id;
};

// x-amz-copy-source: "[/]bucket/key[?versionId=v]", percent-decoded ('+' stays '+').
// Errors: kInvalidCopySource.
Result<CopySource> ParseCopySource(std::string_view header);
Task<Status> CopyObject(S3Request& req);
Task<Status> UploadPartCopy(S3Request& req);
// multipart.cc
Task<Status> CreateMultipartUpload(S3Request& req);
Task<Status> UploadPart(S3Request& req);
Task<Status> CompleteMultipartUpload(S3Request& req);
Task<Status> AbortMultipartUpload(S3Request& req);
Task<Status> ListParts(S3Request& req);
Task<Status> ListMultipartUploads(S3Request& req);
// list.cc
Task<Status> ListObjectsV1(S3Request& req);
Task<Status> ListObjectsV2(S3Request& req);
// Buckets are not versioned: every object is listed once, as version "null", the latest
// (as MinIO answers for an unversioned bucket).
Task<Status> ListObjectVersions(S3Request& req);
// The opaque V2 continuation token: base64 of the key to continue after.
std::string EncodeContinuationToken(std::string_view key);
Result<std::string> DecodeContinuationToken(std::string_view token);
// tagging.cc: object tags (?tagging on a key, with ?versionId=) and bucket tags.
Task<Status> PutObjectTagging(S3Request& req);
Task<Status> GetObjectTagging(S3Request& req);
Task<Status> DeleteObjectTagging(S3Request& req);
Task<Status> PutBucketTagging(S3Request& req);
Task<Status> GetBucketTagging(S3Request& req);
Task<Status> DeleteBucketTagging(S3Request& req);
// delete_objects.cc
Task<Status> DeleteObjects(S3Request& req);

// object_lock.cc: the bucket's object lock configuration, a version's retention and legal
// hold (s3/object_lock.h has the rules).
Task<Status> PutObjectLockConfiguration(S3Request& req);
Task<Status> GetObjectLockConfiguration(S3Request& req);
Task<Status> PutObjectRetention(S3Request& req);
Task<Status> GetObjectRetention(S3Request& req);
Task<Status> PutObjectLegalHold(S3Request& req);
Task<Status> GetObjectLegalHold(S3Request& req);
// The metadata a write (PutObject, CopyObject, CreateMultipartUpload, POST Object) stores
// to `key` because of its bucket, from `headers` (the request's, or POST Object's form fields):
// object lock (x-amz-object-lock-* or the bucket's default retention: LockMetadataFromHeaders) and
// the ACL (x-amz-acl / x-amz-grant-* under the bucket's Object Ownership: NewObjectAcl).
Task<Result<object::Metadata>> BucketWriteMetadata(S3Request& req, const http::Request& headers,
                                                   std::string_view key);
// x-amz-bypass-governance-retention: true, from a principal allowed to bypass (the root user).
bool BypassGovernance(const S3Request& req);
// DeleteOptions for removing `version_id` that refuse a version under retention or legal hold.
object::DeleteOptions LockedDeleteOptions(const S3Request& req, std::string version_id);

// bucket_config.cc: CORS, lifecycle and default encryption configurations, the CORS
// preflight.
Task<Status> PutBucketCors(S3Request& req);
Task<Status> GetBucketCors(S3Request& req);
Task<Status> DeleteBucketCors(S3Request& req);
Task<Status> PutBucketLifecycleConfiguration(S3Request& req);
Task<Status> GetBucketLifecycleConfiguration(S3Request& req);
Task<Status> DeleteBucketLifecycle(S3Request& req);
// The bucket's default encryption (s3/bucket_encryption.h). Put errors: kNoSuchBucket,
// kMalformedXml, kSseInvalidMethod, kInvalidArgumentS3, then kKmsNotConfigured (501) without
// a KMS (S3Options::kms). Get: kNoEncryptionConfiguration (404) without one. Delete: 204.
Task<Status> PutBucketEncryption(S3Request& req);
Task<Status> GetBucketEncryption(S3Request& req);
Task<Status> DeleteBucketEncryption(S3Request& req);

// Bucket policies (JSON). Put: 204; kMalformedPolicy (not a policy, a statement without a
// Principal, a Resource outside the bucket, over 20 KiB). Get: the document as put,
// kNoSuchBucketPolicy (404) without one. Delete: 204. Status: <PolicyStatus><IsPublic>, true
// when a statement allows everyone ("*") without conditions.
Task<Status> PutBucketPolicy(S3Request& req);
Task<Status> GetBucketPolicy(S3Request& req);
Task<Status> DeleteBucketPolicy(S3Request& req);
Task<Status> GetBucketPolicyStatus(S3Request& req);

// acl.cc: ACLs and Object Ownership (s3/acl.h). PutBucketAcl / PutObjectAcl take x-amz-acl,
// x-amz-grant-* or an AccessControlPolicy body: 200; kAccessControlListNotSupported when the
// bucket's Object Ownership is BucketOwnerEnforced and the ACL is not the owner's alone,
// kMalformedAcl, kInvalidArgumentS3 (an unknown grantee), kUnexpectedContent (headers and a
// body). GetBucketOwnershipControls: kOwnershipControlsNotFound after a Delete (204);
// PutBucketOwnershipControls: 200, kInvalidBucketAclWithOwnership (BucketOwnerEnforced while
// the bucket's ACL grants others).
Task<Status> GetBucketAcl(S3Request& req);
Task<Status> PutBucketAcl(S3Request& req);
Task<Status> GetObjectAcl(S3Request& req);
Task<Status> PutObjectAcl(S3Request& req);
Task<Status> GetBucketOwnershipControls(S3Request& req);
Task<Status> PutBucketOwnershipControls(S3Request& req);
Task<Status> DeleteBucketOwnershipControls(S3Request& req);
// OPTIONS on a bucket or object: the preflight, answered from the bucket's CORS rules.
// Errors, in S3's order: kCorsBadRequest (no Origin), kCorsForbidden (no such bucket, no CORS
// configuration), kCorsBadRequest (no Access-Control-Request-Method), kCorsForbidden (no rule
// allows the request).
Task<Status> OptionsObject(S3Request& req);
// Appends x-amz-expiration when a current-version Expiration rule of the bucket's lifecycle
// configuration applies to `info` (GET, HEAD, PUT, CopyObject and CompleteMultipartUpload).
Task<void> AddExpirationHeader(S3Request& req, const object::ObjectInfo& info,
                               http::Headers& headers);

// sts.cc: the STS API (POST / with a form; the form's Action: AssumeRole,
// AssumeRoleWithWebIdentity). Answers its own errors in STS's <ErrorResponse> (InvalidAction,
// MissingParameter, InvalidParameterValue, MalformedPolicyDocument, AccessDenied,
// InvalidIdentityToken, ExpiredTokenException, IDPCommunicationError); sets req.api_name to
// the Action.
Task<Status> StsAction(S3Request& req);
// Reads the STS form (at most sts::kMaxFormBytes) into req.form_body before the request is
// authenticated (MinIO's order: a V4 signature without x-amz-content-sha256 covers the
// form's hash). Errors: kInvalidArgumentS3 (too large), body read errors.
Task<Status> ReadStsForm(S3Request& req);

// The handler of `op` (s3/operations.h), or nullptr for kNotImplemented, kMethodNotAllowed
// and a value outside Op. s3_server.cc.
using HandlerFn = Task<Status> (*)(S3Request&);
HandlerFn HandlerFor(Op op);

// iam_query.cc: the IAM query API (POST / with a form body signed for service "iam"; the
// middleware read the form into req.form_body): dispatches on Action, authorizes it and
// answers in IAM's XML.
Task<Status> IamAction(S3Request& req);

}  // namespace cairn::s3
