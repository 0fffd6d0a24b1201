#include "s3/errors.h"

#include <array>

#include "s3/xml.h"

namespace cairn::s3 {
namespace {

constexpr bool kDetail = true;  // use the Status message when there is one

// The one table. Codes and messages are AWS's (MinIO's where AWS has none).
constexpr std::array kErrors = std::to_array<S3ErrorInfo>({
    // Generic.
    {Errc::kOk, "InternalError", 500, "We encountered an internal error, please try again."},
    {Errc::kInternal, "InternalError", 500, "We encountered an internal error, please try again."},
    {Errc::kUnknown, "InternalError", 500, "We encountered an internal error, please try again."},
    {Errc::kInvalidArgument, "InvalidArgument", 400, "Invalid argument.", kDetail},
    {Errc::kCancelled, "ClientDisconnected", 499, "Client disconnected before response was ready."},
    {Errc::kTimeout, "OperationTimedOut", 503,
     "A timeout occurred while trying to lock a resource, please reduce your request rate."},
    {Errc::kNotImplemented, "NotImplemented", 501,
     "A header you provided implies functionality that is not implemented.", kDetail},
    {Errc::kNotFound, "NotFound", 404, "The specified resource does not exist.", kDetail},

    // Drive errors that reach the front door untranslated.
    {Errc::kDiskNotFound, "InternalError", 500,
     "We encountered an internal error, please try again."},
    {Errc::kFileNotFound, "NoSuchKey", 404, "The specified key does not exist."},
    {Errc::kFileVersionNotFound, "NoSuchVersion", 404, "The specified version does not exist."},
    {Errc::kVolumeNotFound, "NoSuchBucket", 404, "The specified bucket does not exist."},
    {Errc::kVolumeExists, "BucketAlreadyOwnedByYou", 409,
     "Your previous request to create the named bucket succeeded and you already own it."},
    {Errc::kVolumeNotEmpty, "BucketNotEmpty", 409, "The bucket you tried to delete is not empty."},
    {Errc::kDiskFull, "XMinioStorageFull", 507,
     "Storage backend has reached its minimum free drive threshold. Please delete a few "
     "objects to proceed."},
    {Errc::kFileCorrupt, "InternalError", 500,
     "We encountered an internal error, please try again."},
    {Errc::kDiskAccessDenied, "InternalError", 500,
     "We encountered an internal error, please try again."},
    {Errc::kUnformattedDisk, "XMinioServerNotInitialized", 503,
     "Server not initialized yet, please try again."},
    {Errc::kFaultyDisk, "InternalError", 500,
     "We encountered an internal error, please try again."},
    {Errc::kInconsistentDisk, "InternalError", 500,
     "We encountered an internal error, please try again."},
    {Errc::kFileNameTooLong, "KeyTooLongError", 400, "Your key is too long."},
    {Errc::kCorruptedFormat, "InternalError", 500,
     "We encountered an internal error, please try again."},
    {Errc::kUploadNotFound, "NoSuchUpload", 404,
     "The specified multipart upload does not exist. The upload ID may be invalid, or the "
     "upload may have been aborted or completed."},
    {Errc::kPartNotFound, "InvalidPart", 400,
     "One or more of the specified parts could not be found. The part may not have been "
     "uploaded, or the specified entity tag may not match the part's entity tag."},

    // Object layer.
    {Errc::kNoSuchBucket, "NoSuchBucket", 404, "The specified bucket does not exist."},
    {Errc::kBucketExists, "BucketAlreadyOwnedByYou", 409,
     "Your previous request to create the named bucket succeeded and you already own it."},
    {Errc::kBucketNotEmpty, "BucketNotEmpty", 409, "The bucket you tried to delete is not empty."},
    {Errc::kInvalidBucketName, "InvalidBucketName", 400, "The specified bucket is not valid."},
    {Errc::kNoSuchKey, "NoSuchKey", 404, "The specified key does not exist."},
    {Errc::kNoSuchVersion, "NoSuchVersion", 404, "The specified version does not exist."},
    {Errc::kInvalidObjectName, "XMinioInvalidObjectName", 400,
     "Object name contains unsupported characters."},
    {Errc::kKeyTooLong, "KeyTooLongError", 400, "Your key is too long."},
    {Errc::kIncompleteBody, "IncompleteBody", 400,
     "You did not provide the number of bytes specified by the Content-Length HTTP header."},
    {Errc::kWriteQuorum, "SlowDownWrite", 503,
     "Resource requested is unwritable, please reduce your request rate."},
    {Errc::kReadQuorum, "SlowDownRead", 503,
     "Resource requested is unreadable, please reduce your request rate."},
    {Errc::kNoSuchUpload, "NoSuchUpload", 404,
     "The specified multipart upload does not exist. The upload ID may be invalid, or the "
     "upload may have been aborted or completed."},
    {Errc::kInvalidPart, "InvalidPart", 400,
     "One or more of the specified parts could not be found. The part may not have been "
     "uploaded, or the specified entity tag may not match the part's entity tag."},
    {Errc::kInvalidPartOrder, "InvalidPartOrder", 400,
     "The list of parts was not in ascending order. The parts list must be specified in order "
     "by part number."},
    {Errc::kEntityTooSmall, "EntityTooSmall", 400,
     "Your proposed upload is smaller than the minimum allowed object size."},
    {Errc::kEntityTooLarge, "EntityTooLarge", 400,
     "Your proposed upload exceeds the maximum allowed object size."},
    {Errc::kPreconditionFailed, "PreconditionFailed", 412,
     "At least one of the pre-conditions you specified did not hold"},
    {Errc::kNotModified, "NotModified", 304, "Not Modified"},
    {Errc::kInvalidRange, "InvalidRange", 416, "The requested range is not satisfiable"},
    {Errc::kBadDigest, "BadDigest", 400,
     "The Content-Md5 you specified did not match what we received.", kDetail},
    {Errc::kInvalidDigest, "InvalidDigest", 400, "The Content-Md5 you specified is not valid."},
    {Errc::kContentSha256Mismatch, "XAmzContentSHA256Mismatch", 400,
     "The provided 'x-amz-content-sha256' header does not match what was computed."},
    {Errc::kMethodNotAllowed, "MethodNotAllowed", 405,
     "The specified method is not allowed against this resource."},
    // AWS answers a GET or HEAD of a delete marker by version id so.
    {Errc::kVersionIsDeleteMarker, "MethodNotAllowed", 405,
     "The specified method is not allowed against this resource."},
    {Errc::kInvalidPartNumber, "InvalidPartNumber", 400,
     "The requested partnumber is not satisfiable"},
    {Errc::kAccessControlListNotSupported, "AccessControlListNotSupported", 400,
     "The bucket does not allow ACLs"},
    {Errc::kInvalidBucketState, "InvalidBucketState", 409,
     "The request is not valid with the current state of the bucket.", kDetail},
    {Errc::kSlowDown, "SlowDown", 503, "Please reduce your request rate."},
    {Errc::kMalformedXml, "MalformedXML", 400,
     "The XML you provided was not well-formed or did not validate against our published "
     "schema."},
    {Errc::kInvalidRequest, "InvalidRequest", 400, "Invalid Request", kDetail},
    {Errc::kMissingContentLength, "MissingContentLength", 411,
     "You must provide the Content-Length HTTP header."},
    {Errc::kInvalidCopySource, "InvalidArgument", 400,
     "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.", kDetail},
    {Errc::kServerNotInitialized, "XMinioServerNotInitialized", 503,
     "Server not initialized yet, please try again."},
    {Errc::kInvalidChecksum, "InvalidRequest", 400,
     "The value of the x-amz-checksum header is invalid.", kDetail},
    {Errc::kTooManyParts, "InvalidArgument", 400,
     "Part number must be an integer between 1 and 10000, inclusive."},
    {Errc::kInvalidArgumentS3, "InvalidArgument", 400, "Invalid argument.", kDetail},
    {Errc::kKeyReserved, "XMinioInvalidObjectName", 400,
     "Object name is reserved for internal use."},
    {Errc::kBucketNameReserved, "InvalidBucketName", 400,
     "The bucket name is reserved for internal use."},
    {Errc::kInvalidLocationConstraint, "InvalidLocationConstraint", 400,
     "The specified location-constraint is not valid."},
    {Errc::kRequestTimeout, "RequestTimeout", 400,
     "Your socket connection to the server was not read from or written to within the "
     "timeout period."},
    {Errc::kMalformedPolicy, "MalformedPolicy", 400, "Policy has invalid resource.", kDetail},
    {Errc::kNoSuchBucketPolicy, "NoSuchBucketPolicy", 404, "The bucket policy does not exist."},
    {Errc::kInvalidStorageClass, "InvalidStorageClass", 400,
     "The storage class you specified is not valid."},
    {Errc::kObjectLocked, "InvalidRequest", 400,
     "Object is WORM protected and cannot be "
     "overwritten."},
    {Errc::kInvalidEncodingType, "InvalidArgument", 400,
     "Invalid Encoding Method specified in Request"},
    {Errc::kInvalidMaxKeys, "InvalidArgument", 400,
     "Argument maxKeys must be an integer between 0 and 2147483647"},
    {Errc::kMetadataTooLarge, "MetadataTooLarge", 400,
     "Your metadata headers exceed the maximum allowed metadata size."},
    {Errc::kInvalidTag, "InvalidTag", 400, "The tag provided was not a valid tag.", kDetail},
    {Errc::kNoSuchTagSet, "NoSuchTagSet", 404, "The TagSet does not exist"},
    {Errc::kBadRequest, "BadRequest", 400, "Bad Request", kDetail},
    // Server-side encryption (MinIO's codes and texts).
    {Errc::kObjectTampered, "XMinioObjectTampered", 500,
     "The requested object was modified and may be compromised"},
    {Errc::kSseEncryptedObject, "InvalidRequest", 400,
     "The object was stored using a form of Server Side Encryption. The correct parameters "
     "must be provided to retrieve the object."},
    {Errc::kSseInvalidAlgorithm, "InvalidEncryptionAlgorithmError", 400,
     "The encryption request you specified is not valid. The valid value is AES256."},
    {Errc::kSseMissingKey, "InvalidArgument", 400,
     "Requests specifying Server Side Encryption with Customer provided keys must provide an "
     "appropriate secret key."},
    {Errc::kSseMissingKeyMd5, "InvalidArgument", 400,
     "Requests specifying Server Side Encryption with Customer provided keys must provide the "
     "client calculated MD5 of the secret key."},
    {Errc::kSseKeyMd5Mismatch, "InvalidArgument", 400,
     "The calculated MD5 hash of the key did not match the hash that was provided.", kDetail},
    {Errc::kSseInvalidParameters, "InvalidArgument", 400,
     "The provided encryption parameters did not match the ones used originally.", kDetail},
    {Errc::kSseInsecureRequest, "InvalidRequest", 400,
     "Requests specifying Server Side Encryption with Customer provided keys must be made over "
     "a secure connection."},
    {Errc::kSseInvalidMethod, "InvalidArgument", 400,
     "The encryption method specified is not supported", kDetail},
    {Errc::kSseIncompatible, "InvalidArgument", 400,
     "Server side encryption specified with both SSE-C and SSE-S3 headers", kDetail},
    {Errc::kSseWrongKey, "AccessDenied", 403, "Access Denied.", kDetail},
    {Errc::kKmsNotConfigured, "NotImplemented", 501,
     "Server side encryption specified but KMS is not configured"},
    {Errc::kKmsKeyNotFound, "KMS.NotFoundException", 400, "Invalid keyId", kDetail},
    {Errc::kKmsKeyDisabled, "KMS.DisabledException", 400, "The KMS key is disabled", kDetail},
    {Errc::kKmsInternal, "KMS.InternalException", 500, "The KMS could not open the object's key",
     kDetail},
    {Errc::kNoEncryptionConfiguration, "ServerSideEncryptionConfigurationNotFoundError", 404,
     "The server side encryption configuration was not found"},
    {Errc::kKmsKeyExists, "KMS.AlreadyExistsException", 409, "The KMS key already exists", kDetail},
    {Errc::kEntityTooLargeHeader, "RequestHeaderSectionTooLarge", 400,
     "Your request header section exceeds the maximum allowed size."},
    {Errc::kMalformedPostRequest, "MalformedPOSTRequest", 400,
     "The body of your POST request is not well-formed multipart/form-data.", kDetail},
    {Errc::kMaxPostPreDataExceeded, "MaxPostPreDataLengthExceeded", 400,
     "Your POST request fields preceding the upload file were too large."},
    {Errc::kInvalidPolicyDocument, "InvalidPolicyDocument", 400,
     "The content of the form does not meet the conditions specified in the policy document.",
     kDetail},

    // Authentication.
    {Errc::kAccessDenied, "AccessDenied", 403, "Access Denied."},
    {Errc::kSignatureDoesNotMatch, "SignatureDoesNotMatch", 403,
     "The request signature we calculated does not match the signature you provided. Check "
     "your key and signing method."},
    {Errc::kInvalidAccessKeyId, "InvalidAccessKeyId", 403,
     "The Access Key Id you provided does not exist in our records."},
    {Errc::kAccessKeyDisabled, "InvalidAccessKeyId", 403,
     "Your account is disabled; please contact your administrator."},
    {Errc::kExpiredToken, "ExpiredToken", 400, "The provided token has expired."},
    {Errc::kInvalidToken, "InvalidToken", 400,
     "The provided token is malformed or otherwise invalid."},
    // Identity management (the IAM query API's codes).
    {Errc::kIamNoSuchUser, "NoSuchEntity", 404, "The user does not exist.", kDetail},
    {Errc::kIamNoSuchGroup, "NoSuchEntity", 404, "The group does not exist.", kDetail},
    {Errc::kIamNoSuchPolicy, "NoSuchEntity", 404, "The policy does not exist.", kDetail},
    {Errc::kIamNoSuchServiceAccount, "NoSuchEntity", 404, "The access key does not exist.",
     kDetail},
    {Errc::kIamGroupNotEmpty, "DeleteConflict", 409, "The group still has members.", kDetail},
    {Errc::kIamPolicyInUse, "DeleteConflict", 409, "The policy is still attached.", kDetail},
    {Errc::kIamKeyExists, "EntityAlreadyExists", 409, "The access key is already in use.", kDetail},
    // ACLs and Object Ownership.
    {Errc::kMalformedAcl, "MalformedACLError", 400,
     "The XML you provided was not well-formed or did not validate against our published "
     "schema.",
     kDetail},
    {Errc::kUnresolvableGrantByEmail, "UnresolvableGrantByEmailAddress", 400,
     "The e-mail address you provided does not match any account on record."},
    {Errc::kInvalidBucketAclWithOwnership, "InvalidBucketAclWithObjectOwnership", 400,
     "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"},
    {Errc::kOwnershipControlsNotFound, "OwnershipControlsNotFoundError", 404,
     "The bucket ownership controls were not found"},
    {Errc::kBucketAlreadyExists, "BucketAlreadyExists", 409,
     "The requested bucket name is not available. The bucket namespace is shared by all users "
     "of the system. Please select a different name and try again."},
    {Errc::kUnexpectedContent, "UnexpectedContent", 400, "This request does not support content"},
    {Errc::kRequestTimeTooSkewed, "RequestTimeTooSkewed", 403,
     "The difference between the request time and the server's time is too large."},
    {Errc::kAuthorizationHeaderMalformed, "AuthorizationHeaderMalformed", 400,
     "The authorization header is malformed.", kDetail},
    {Errc::kMissingSecurityHeader, "MissingSecurityHeader", 400,
     "Your request was missing a required header", kDetail},
    {Errc::kRequestExpired, "AccessDenied", 403, "Request has expired"},
    {Errc::kMalformedDate, "MalformedDate", 400,
     "Invalid date format header, expected to be in ISO8601, RFC1123 or RFC1123Z time "
     "format."},
    {Errc::kAuthorizationQueryParametersError, "AuthorizationQueryParametersError", 400,
     "Error parsing the X-Amz-Credential parameter.", kDetail},
    {Errc::kMissingAuthentication, "AccessDenied", 403, "Access Denied."},
    {Errc::kUnsupportedSignature, "InvalidRequest", 400,
     "The authorization mechanism you have provided is not supported. Please use "
     "AWS4-HMAC-SHA256."},
    {Errc::kInvalidChunkSignature, "SignatureDoesNotMatch", 403,
     "The request signature we calculated does not match the signature you provided. Check "
     "your key and signing method."},
    {Errc::kMalformedChunk, "IncompleteBody", 400,
     "You did not provide the number of bytes specified by the Content-Length HTTP header."},
    {Errc::kPostPolicyDenied, "AccessDenied", 403, "Invalid according to Policy", kDetail},

    // Bucket CORS and lifecycle configurations.
    {Errc::kNoSuchCorsConfiguration, "NoSuchCORSConfiguration", 404,
     "The CORS configuration does not exist"},
    {Errc::kCorsForbidden, "AccessForbidden", 403,
     "CORSResponse: This CORS request is not allowed. This is usually because the evalution of "
     "Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers "
     "are not whitelisted by the resource's CORS spec.",
     kDetail},
    {Errc::kCorsBadRequest, "BadRequest", 400, "Insufficient information.", kDetail},
    {Errc::kInvalidRetentionPeriod, "InvalidRetentionPeriod", 400,
     "Default retention period must be a positive integer value."},
    {Errc::kObjectLockConfigurationNotFound, "ObjectLockConfigurationNotFoundError", 404,
     "Object Lock configuration does not exist for this bucket"},
    {Errc::kNoSuchObjectLockConfiguration, "NoSuchObjectLockConfiguration", 404,
     "The specified object does not have a ObjectLock configuration"},
    {Errc::kNoSuchLifecycleConfiguration, "NoSuchLifecycleConfiguration", 404,
     "The lifecycle configuration does not exist"},

    // Cluster.
    {Errc::kNodeOffline, "SlowDown", 503, "Please reduce your request rate."},
    {Errc::kLockTimeout, "OperationTimedOut", 503,
     "A timeout occurred while trying to lock a resource, please reduce your request rate."},
    {Errc::kClusterNotReady, "XMinioServerNotInitialized", 503,
     "Server not initialized yet, please try again."},
    {Errc::kRpcUnauthenticated, "AccessDenied", 403, "Access Denied."},
});

}  // namespace

const S3ErrorInfo* FindS3Error(Errc code) {
  for (const auto& e : kErrors) {
    if (e.errc == code) {
      return &e;
    }
  }
  return nullptr;
}

const S3ErrorInfo& S3ErrorFor(Errc code) {
  const S3ErrorInfo* info = FindS3Error(code);
  return info != nullptr ? *info : *FindS3Error(Errc::kInternal);
}

RenderedError RenderError(const Status& status, const ErrorContext& where, bool head) {
  const S3ErrorInfo& info = S3ErrorFor(status.code());
  RenderedError out;
  out.http_status = info.http_status;
  out.code = std::string(info.code);
  out.message = info.use_status_message && !status.message().empty() ? status.message()
                                                                     : std::string(info.message);
  if (head || out.http_status == 304) {
    return out;
  }
  XmlWriter w;
  w.Open("Error", false).Element("Code", out.code).Element("Message", out.message);
  if (!where.key.empty()) {
    w.Element("Key", where.key);
  }
  if (!where.bucket.empty()) {
    w.Element("BucketName", where.bucket);
  }
  w.Element("Resource", where.resource)
      .Element("RequestId", where.request_id)
      .Element("HostId", where.host_id);
  out.body = w.Finish();
  return out;
}

}  // namespace cairn::s3
