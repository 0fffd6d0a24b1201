// ErrorFor (admin_api.h): the admin API's one Errc -> {HTTP status, Code} table, with MinIO's
// codes for the admin errors (XMinioAdmin*) and S3's for the signature errors.
#include "admin/admin_api.h"

namespace cairn::admin {

AdminError ErrorFor(Errc code) {
  switch (code) {
    case Errc::kInvalidArgument:
    case Errc::kInvalidArgumentS3:
    case Errc::kInvalidBucketName:
    case Errc::kInvalidObjectName:
      return {400, "InvalidArgument"};
    case Errc::kNotFound:
      return {404, "NotFound"};
    case Errc::kNoSuchBucket:
      return {404, "NoSuchBucket"};
    case Errc::kMethodNotAllowed:
      return {405, "MethodNotAllowed"};
    case Errc::kNotImplemented:
    case Errc::kKmsNotConfigured:
      return {501, "NotImplemented"};
    case Errc::kKmsKeyNotFound:
      return {404, "KMS.NotFoundException"};
    case Errc::kKmsKeyDisabled:
      return {400, "KMS.DisabledException"};
    case Errc::kKmsKeyExists:
      return {409, "KMS.AlreadyExistsException"};
    case Errc::kKmsInternal:
      return {500, "KMS.InternalException"};
    case Errc::kIamNoSuchUser:
      return {404, "XMinioAdminNoSuchUser"};
    case Errc::kIamNoSuchGroup:
      return {404, "XMinioAdminNoSuchGroup"};
    case Errc::kIamNoSuchPolicy:
      return {404, "XMinioAdminNoSuchPolicy"};
    case Errc::kIamNoSuchServiceAccount:
      return {404, "XMinioAdminNoSuchServiceAccount"};
    case Errc::kIamGroupNotEmpty:
      return {400, "XMinioAdminGroupNotEmpty"};
    case Errc::kIamPolicyInUse:
      return {400, "XMinioAdminPolicyInUse"};
    case Errc::kIamKeyExists:
      return {409, "XMinioAdminServiceAccountExists"};
    case Errc::kMalformedPolicy:
      return {400, "XMinioMalformedIAMPolicy"};
    case Errc::kBadRequest:
      return {400, "XMinioAdminConfigBadJSON"};
    case Errc::kEntityTooLarge:
      return {400, "XMinioAdminConfigTooLarge"};
    case Errc::kContentSha256Mismatch:
      return {400, "XAmzContentSHA256Mismatch"};
    case Errc::kIncompleteBody:
      return {400, "IncompleteBody"};
    case Errc::kInvalidRequest:
      return {400, "InvalidRequest"};
    case Errc::kExpiredToken:
      return {400, "ExpiredToken"};
    case Errc::kInvalidToken:
      return {400, "InvalidToken"};
    case Errc::kServerNotInitialized:
    case Errc::kClusterNotReady:
      return {503, "XMinioServerNotInitialized"};
    case Errc::kReadQuorum:
    case Errc::kWriteQuorum:
      return {503, "XMinioServerNotInitialized"};
    case Errc::kSignatureDoesNotMatch:
      return {403, "SignatureDoesNotMatch"};
    case Errc::kInvalidAccessKeyId:
    case Errc::kAccessKeyDisabled:
      return {403, "InvalidAccessKeyId"};
    case Errc::kRequestTimeTooSkewed:
      return {403, "RequestTimeTooSkewed"};
    case Errc::kAccessDenied:
    case Errc::kMissingAuthentication:
    case Errc::kRequestExpired:
    case Errc::kAuthorizationHeaderMalformed:
    case Errc::kAuthorizationQueryParametersError:
    case Errc::kMissingSecurityHeader:
    case Errc::kMalformedDate:
    case Errc::kUnsupportedSignature:
      return {403, "AccessDenied"};
    default:
      return {500, "InternalError"};
  }
}

}  // namespace cairn::admin
