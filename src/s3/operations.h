// The S3 operations cairn serves, listed once: router.h's `Op` enum, `OpName` (logs, metric
// labels) and the handler table of s3_server.cc are all generated from this list, so an
// operation cannot have one without the others (tests/unit/s3/router_test.cc checks it).
#pragma once

// X(enumerator, name, handler): `name` is the S3 API name ("GetObject"); `handler` is the
// function of handlers/handlers.h that serves it, or `nullptr` for the two pseudo-operations
// that are answered with an error before any handler runs:
//   kNotImplemented    a known method with a sub-resource cairn does not implement: 501
//   kMethodNotAllowed  a method S3 does not have: 405
// Append new operations before those two (the metrics index counters by the enum's value).
#define CAIRN_S3_OPERATIONS(X)                                                              \
  X(kListBuckets, "ListBuckets", &ListBuckets)                                              \
  X(kCreateBucket, "CreateBucket", &CreateBucket)                                           \
  X(kHeadBucket, "HeadBucket", &HeadBucket)                                                 \
  X(kDeleteBucket, "DeleteBucket", &DeleteBucket)                                           \
  X(kGetBucketLocation, "GetBucketLocation", &GetBucketLocation)                            \
  X(kGetBucketVersioning, "GetBucketVersioning", &GetBucketVersioning)                      \
  X(kListObjectsV1, "ListObjects", &ListObjectsV1)                                          \
  X(kListObjectsV2, "ListObjectsV2", &ListObjectsV2)                                        \
  X(kListObjectVersions, "ListObjectVersions", &ListObjectVersions)                         \
  X(kListMultipartUploads, "ListMultipartUploads", &ListMultipartUploads)                   \
  X(kDeleteObjects, "DeleteObjects", &DeleteObjects)                                        \
  X(kPutObject, "PutObject", &PutObject)                                                    \
  X(kCopyObject, "CopyObject", &CopyObject)                                                 \
  X(kGetObject, "GetObject", &GetObject)                                                    \
  X(kHeadObject, "HeadObject", &GetObject) /* GetObject serves HEAD too */                  \
  X(kDeleteObject, "DeleteObject", &DeleteObject)                                           \
  X(kCreateMultipartUpload, "CreateMultipartUpload", &CreateMultipartUpload)                \
  X(kUploadPart, "UploadPart", &UploadPart)                                                 \
  X(kUploadPartCopy, "UploadPartCopy", &UploadPartCopy)                                     \
  X(kCompleteMultipartUpload, "CompleteMultipartUpload", &CompleteMultipartUpload)          \
  X(kAbortMultipartUpload, "AbortMultipartUpload", &AbortMultipartUpload)                   \
  X(kListParts, "ListParts", &ListParts)                                                    \
  X(kGetObjectAttributes, "GetObjectAttributes", &GetObjectAttributes)                      \
  X(kGetObjectTorrent, "GetObjectTorrent", &GetObjectTorrent)                               \
  X(kPostObject, "PostObject", &PostObject)                                                 \
  X(kPutBucketVersioning, "PutBucketVersioning", &PutBucketVersioning)                      \
  X(kGetBucketCors, "GetBucketCors", &GetBucketCors)                                        \
  X(kPutBucketCors, "PutBucketCors", &PutBucketCors)                                        \
  X(kDeleteBucketCors, "DeleteBucketCors", &DeleteBucketCors)                               \
  X(kGetBucketLifecycleConfiguration, "GetBucketLifecycleConfiguration",                    \
    &GetBucketLifecycleConfiguration)                                                       \
  X(kPutBucketLifecycleConfiguration, "PutBucketLifecycleConfiguration",                    \
    &PutBucketLifecycleConfiguration)                                                       \
  X(kDeleteBucketLifecycle, "DeleteBucketLifecycle", &DeleteBucketLifecycle)                \
  X(kOptionsObject, "OptionsObject", &OptionsObject) /* CORS preflight, no auth */          \
  X(kPutObjectTagging, "PutObjectTagging", &PutObjectTagging)                               \
  X(kGetObjectTagging, "GetObjectTagging", &GetObjectTagging)                               \
  X(kDeleteObjectTagging, "DeleteObjectTagging", &DeleteObjectTagging)                      \
  X(kPutBucketTagging, "PutBucketTagging", &PutBucketTagging)                               \
  X(kGetBucketTagging, "GetBucketTagging", &GetBucketTagging)                               \
  X(kDeleteBucketTagging, "DeleteBucketTagging", &DeleteBucketTagging)                      \
  X(kPutObjectLockConfiguration, "PutObjectLockConfiguration", &PutObjectLockConfiguration) \
  X(kGetObjectLockConfiguration, "GetObjectLockConfiguration", &GetObjectLockConfiguration) \
  X(kPutObjectRetention, "PutObjectRetention", &PutObjectRetention)                         \
  X(kGetObjectRetention, "GetObjectRetention", &GetObjectRetention)                         \
  X(kPutObjectLegalHold, "PutObjectLegalHold", &PutObjectLegalHold)                         \
  X(kGetObjectLegalHold, "GetObjectLegalHold", &GetObjectLegalHold)                         \
  X(kPutBucketEncryption, "PutBucketEncryption", &PutBucketEncryption)                      \
  X(kGetBucketEncryption, "GetBucketEncryption", &GetBucketEncryption)                      \
  X(kDeleteBucketEncryption, "DeleteBucketEncryption", &DeleteBucketEncryption)             \
  X(kPutBucketPolicy, "PutBucketPolicy", &PutBucketPolicy)                                  \
  X(kGetBucketPolicy, "GetBucketPolicy", &GetBucketPolicy)                                  \
  X(kDeleteBucketPolicy, "DeleteBucketPolicy", &DeleteBucketPolicy)                         \
  X(kGetBucketPolicyStatus, "GetBucketPolicyStatus", &GetBucketPolicyStatus)                \
  X(kIamAction, "IamAction", &IamAction) /* the IAM query API (POST /, service iam) */      \
  X(kStsAction, "STS", &StsAction)                                                          \
  X(kGetBucketAcl, "GetBucketAcl", &GetBucketAcl)                                           \
  X(kPutBucketAcl, "PutBucketAcl", &PutBucketAcl)                                           \
  X(kGetObjectAcl, "GetObjectAcl", &GetObjectAcl)                                           \
  X(kPutObjectAcl, "PutObjectAcl", &PutObjectAcl)                                           \
  X(kGetBucketOwnershipControls, "GetBucketOwnershipControls", &GetBucketOwnershipControls) \
  X(kPutBucketOwnershipControls, "PutBucketOwnershipControls", &PutBucketOwnershipControls) \
  X(kDeleteBucketOwnershipControls, "DeleteBucketOwnershipControls",                        \
    &DeleteBucketOwnershipControls)                                                         \
  X(kNotImplemented, "NotImplemented", nullptr)                                             \
  X(kMethodNotAllowed, "MethodNotAllowed", nullptr)
