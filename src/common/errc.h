// The one error code enum of cairn. Codes cross the wire between nodes, so every
// enumerator has an explicit, stable number: never renumber, only add. kUnknown stands
// for a code sent by a newer peer. Grouped by layer: generic, drive, object, auth, cluster.
#pragma once

#include <cstdint>
#include <string_view>

namespace cairn {

enum class Errc : std::int32_t {
  kOk = 0,
  kInternal = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kCancelled = 4,
  kTimeout = 5,
  kNotImplemented = 6,
  kNotFound = 7,  // a named thing (a heal sequence, ...) that does not exist

  // Drive (StorageApi) errors.
  kDiskNotFound = 100,  // offline, unreachable, or a network failure to a remote drive
  kFileNotFound = 101,
  kFileVersionNotFound = 102,
  kVolumeNotFound = 103,
  kVolumeExists = 104,
  kVolumeNotEmpty = 105,
  kDiskFull = 106,
  kFileCorrupt = 107,  // bitrot: a block's hash does not match
  kDiskAccessDenied = 108,
  kUnformattedDisk = 109,
  kFaultyDisk = 110,
  kInconsistentDisk = 111,  // format.json belongs to another deployment or position
  kFileNameTooLong = 112,
  kCorruptedFormat = 113,
  kUploadNotFound = 114,
  kPartNotFound = 115,

  // Object layer errors (map to S3 error codes in s3/errors.cc).
  kNoSuchBucket = 200,
  kBucketExists = 201,  // BucketAlreadyOwnedByYou
  kBucketNotEmpty = 202,
  kInvalidBucketName = 203,
  kNoSuchKey = 204,
  kNoSuchVersion = 205,
  kInvalidObjectName = 206,
  kKeyTooLong = 207,
  kIncompleteBody = 208,
  kWriteQuorum = 209,  // 503 SlowDownWrite
  kReadQuorum = 210,   // 503 SlowDownRead
  kNoSuchUpload = 211,
  kInvalidPart = 212,
  kInvalidPartOrder = 213,
  kEntityTooSmall = 214,
  kEntityTooLarge = 215,
  kPreconditionFailed = 216,
  kNotModified = 217,
  kInvalidRange = 218,
  kBadDigest = 219,              // Content-MD5 or x-amz-checksum-* mismatch
  kInvalidDigest = 220,          // Content-MD5 not valid base64 of 16 bytes
  kContentSha256Mismatch = 221,  // XAmzContentSHA256Mismatch
  kMethodNotAllowed = 222,
  kSlowDown = 223,
  kMalformedXml = 224,
  kInvalidRequest = 225,
  kMissingContentLength = 226,
  kInvalidCopySource = 227,
  kServerNotInitialized = 228,
  kInvalidChecksum = 229,  // InvalidRequest: malformed x-amz-checksum-* value
  kTooManyParts = 230,
  kInvalidArgumentS3 = 231,  // S3 InvalidArgument (400)
  kKeyReserved = 232,        // a name reserved for cairn's own use
  kBucketNameReserved = 233,
  kInvalidLocationConstraint = 234,
  kRequestTimeout = 235,  // client sent the body too slowly
  kMalformedPolicy = 236,
  kNoSuchBucketPolicy = 237,
  kInvalidStorageClass = 238,
  kObjectLocked = 239,
  kInvalidEncodingType = 240,
  kInvalidMaxKeys = 241,
  kMetadataTooLarge = 242,
  kInvalidTag = 243,
  kEntityTooLargeHeader = 244,   // request header section too large
  kVersionIsDeleteMarker = 245,  // a read of a version by id that is a delete marker (S3: 405)
  kInvalidPartNumber = 246,      // a read of part N of an object with fewer parts
  kAccessControlListNotSupported = 247,  // an ACL other than private (ACLs are disabled)

  // POST Object (browser uploads) and its form.
  kMalformedPostRequest = 250,    // not well-formed multipart/form-data
  kMaxPostPreDataExceeded = 251,  // the fields before the file are too large
  kInvalidPolicyDocument = 252,   // the policy is not base64 JSON of a policy

  // Versioning, object lock.
  kInvalidBucketState = 260,  // the bucket's state forbids the request (S3: 409)

  // Bucket CORS and lifecycle configurations (270-279, kept apart from other features').
  kNoSuchCorsConfiguration = 270,
  kCorsForbidden = 271,   // a CORS request no rule allows: 403 AccessForbidden
  kCorsBadRequest = 272,  // a preflight without Origin or Access-Control-Request-Method
  kNoSuchLifecycleConfiguration = 273,

  // Object lock (280-299).
  kInvalidRetentionPeriod = 280,           // a default retention of Days or Years <= 0
  kObjectLockConfigurationNotFound = 281,  // a bucket without object lock: 404
  kNoSuchObjectLockConfiguration = 282,    // a version without retention / legal hold: 404

  // Authentication and authorization.
  kAccessDenied = 300,
  kSignatureDoesNotMatch = 301,
  kInvalidAccessKeyId = 302,
  kRequestTimeTooSkewed = 303,
  kAuthorizationHeaderMalformed = 304,
  kMissingSecurityHeader = 305,
  kRequestExpired = 306,  // presigned URL past its expiry: 403 AccessDenied
  kMalformedDate = 307,
  kAuthorizationQueryParametersError = 308,
  kMissingAuthentication = 309,  // anonymous request where none is allowed
  kUnsupportedSignature = 310,
  kInvalidChunkSignature = 311,  // aws-chunked chunk signature mismatch
  kMalformedChunk = 312,
  kPostPolicyDenied = 313,  // POST Object: policy expired or a condition failed (403 AccessDenied)

  // Cluster.
  kNodeOffline = 400,
  kLockTimeout = 401,
  kClusterNotReady = 402,
  kRpcUnauthenticated = 403,

  // Tagging (S3).
  kNoSuchTagSet = 420,  // a bucket without tags: 404 NoSuchTagSet
  kBadRequest = 421,    // S3 BadRequest (400), e.g. more tags than allowed

  // Server-side encryption and the KMS (430-449).
  kObjectTampered = 430,        // an encrypted package failed its tag: never served
  kSseEncryptedObject = 431,    // an SSE-C object read without its key (400 InvalidRequest)
  kSseInvalidAlgorithm = 432,   // SSE-C algorithm other than AES256
  kSseMissingKey = 433,         // SSE-C algorithm without a key
  kSseMissingKeyMd5 = 434,      // SSE-C key without its MD5
  kSseKeyMd5Mismatch = 435,     // the key's MD5 is not the MD5 sent, or the key is not 32 bytes
  kSseInvalidParameters = 436,  // SSE-C headers on an object that is not SSE-C, or the reverse
  kSseInsecureRequest = 437,    // SSE-C over plain HTTP
  kSseInvalidMethod = 438,      // x-amz-server-side-encryption other than AES256 / aws:kms
  kSseIncompatible = 439,       // SSE-C together with SSE-S3 / SSE-KMS headers
  kSseWrongKey = 440,           // an SSE-C key that is not the object's: 403 AccessDenied
  kKmsNotConfigured = 441,      // SSE-S3 / SSE-KMS without a KMS: 501 NotImplemented
  kKmsKeyNotFound = 442,        // KMS.NotFoundException
  kKmsKeyDisabled = 443,        // KMS.DisabledException
  kKmsInternal = 444,           // a sealed key the KMS cannot open (another master key)
  kNoEncryptionConfiguration = 445,  // ServerSideEncryptionConfigurationNotFoundError (404)
  kKmsKeyExists = 446,               // KMS.AlreadyExistsException (creating a key twice)

  // Identity and access management (460-479).
  kAccessKeyDisabled = 460,        // a disabled key or user: 403 InvalidAccessKeyId
  kExpiredToken = 461,             // STS credentials past their expiry: 400 ExpiredToken
  kInvalidToken = 462,             // a missing or wrong session token: 400 InvalidToken
  kIamNoSuchUser = 463,            // admin: XMinioAdminNoSuchUser; IAM: NoSuchEntity
  kIamNoSuchGroup = 464,           // admin: XMinioAdminNoSuchGroup
  kIamNoSuchPolicy = 465,          // admin: XMinioAdminNoSuchPolicy
  kIamNoSuchServiceAccount = 466,  // admin: XMinioAdminNoSuchServiceAccount
  kIamGroupNotEmpty = 467,         // removing a group that has members
  kIamPolicyInUse = 468,           // removing a policy still attached (IAM: DeleteConflict)
  kIamKeyExists = 469,             // an access key already in use (IAM: EntityAlreadyExists)

  // ACLs and Object Ownership (s3/acl.h).
  kMalformedAcl = 470,                   // S3 MalformedACLError (400)
  kUnresolvableGrantByEmail = 471,       // a grant to an e-mail address (400)
  kInvalidBucketAclWithOwnership = 472,  // ACLs with BucketOwnerEnforced (400)
  kOwnershipControlsNotFound = 473,      // 404 OwnershipControlsNotFoundError
  kBucketAlreadyExists = 474,            // 409: the name is another owner's bucket
  kUnexpectedContent = 475,              // 400: a body where none is taken
};

// Stable name of a code for logs and tests, e.g. "kNoSuchKey".
std::string_view ErrcName(Errc code);

}  // namespace cairn
