#include <array>
#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include "common/byte_stream.h"
#include "common/log.h"
#include "common/status.h"

namespace cairn {

std::string_view ErrcName(Errc code) {
  switch (code) {
#define CAIRN_ERRC_NAME(x) \
  case Errc::x:            \
    return #x;
    CAIRN_ERRC_NAME(kOk)
    CAIRN_ERRC_NAME(kInternal)
    CAIRN_ERRC_NAME(kUnknown)
    CAIRN_ERRC_NAME(kInvalidArgument)
    CAIRN_ERRC_NAME(kCancelled)
    CAIRN_ERRC_NAME(kTimeout)
    CAIRN_ERRC_NAME(kNotImplemented)
    CAIRN_ERRC_NAME(kNotFound)
    CAIRN_ERRC_NAME(kDiskNotFound)
    CAIRN_ERRC_NAME(kFileNotFound)
    CAIRN_ERRC_NAME(kFileVersionNotFound)
    CAIRN_ERRC_NAME(kVolumeNotFound)
    CAIRN_ERRC_NAME(kVolumeExists)
    CAIRN_ERRC_NAME(kVolumeNotEmpty)
    CAIRN_ERRC_NAME(kDiskFull)
    CAIRN_ERRC_NAME(kFileCorrupt)
    CAIRN_ERRC_NAME(kDiskAccessDenied)
    CAIRN_ERRC_NAME(kUnformattedDisk)
    CAIRN_ERRC_NAME(kFaultyDisk)
    CAIRN_ERRC_NAME(kInconsistentDisk)
    CAIRN_ERRC_NAME(kFileNameTooLong)
    CAIRN_ERRC_NAME(kCorruptedFormat)
    CAIRN_ERRC_NAME(kUploadNotFound)
    CAIRN_ERRC_NAME(kPartNotFound)
    CAIRN_ERRC_NAME(kNoSuchBucket)
    CAIRN_ERRC_NAME(kBucketExists)
    CAIRN_ERRC_NAME(kBucketNotEmpty)
    CAIRN_ERRC_NAME(kInvalidBucketName)
    CAIRN_ERRC_NAME(kNoSuchKey)
    CAIRN_ERRC_NAME(kNoSuchVersion)
    CAIRN_ERRC_NAME(kInvalidObjectName)
    CAIRN_ERRC_NAME(kKeyTooLong)
    CAIRN_ERRC_NAME(kIncompleteBody)
    CAIRN_ERRC_NAME(kWriteQuorum)
    CAIRN_ERRC_NAME(kReadQuorum)
    CAIRN_ERRC_NAME(kNoSuchUpload)
    CAIRN_ERRC_NAME(kInvalidPart)
    CAIRN_ERRC_NAME(kInvalidPartOrder)
    CAIRN_ERRC_NAME(kEntityTooSmall)
    CAIRN_ERRC_NAME(kEntityTooLarge)
    CAIRN_ERRC_NAME(kPreconditionFailed)
    CAIRN_ERRC_NAME(kNotModified)
    CAIRN_ERRC_NAME(kInvalidRange)
    CAIRN_ERRC_NAME(kBadDigest)
    CAIRN_ERRC_NAME(kInvalidDigest)
    CAIRN_ERRC_NAME(kContentSha256Mismatch)
    CAIRN_ERRC_NAME(kMethodNotAllowed)
    CAIRN_ERRC_NAME(kSlowDown)
    CAIRN_ERRC_NAME(kMalformedXml)
    CAIRN_ERRC_NAME(kInvalidRequest)
    CAIRN_ERRC_NAME(kMissingContentLength)
    CAIRN_ERRC_NAME(kInvalidCopySource)
    CAIRN_ERRC_NAME(kServerNotInitialized)
    CAIRN_ERRC_NAME(kInvalidChecksum)
    CAIRN_ERRC_NAME(kTooManyParts)
    CAIRN_ERRC_NAME(kInvalidArgumentS3)
    CAIRN_ERRC_NAME(kKeyReserved)
    CAIRN_ERRC_NAME(kBucketNameReserved)
    CAIRN_ERRC_NAME(kInvalidLocationConstraint)
    CAIRN_ERRC_NAME(kRequestTimeout)
    CAIRN_ERRC_NAME(kMalformedPolicy)
    CAIRN_ERRC_NAME(kNoSuchBucketPolicy)
    CAIRN_ERRC_NAME(kInvalidStorageClass)
    CAIRN_ERRC_NAME(kObjectLocked)
    CAIRN_ERRC_NAME(kInvalidEncodingType)
    CAIRN_ERRC_NAME(kInvalidMaxKeys)
    CAIRN_ERRC_NAME(kMetadataTooLarge)
    CAIRN_ERRC_NAME(kInvalidTag)
    CAIRN_ERRC_NAME(kNoSuchTagSet)
    CAIRN_ERRC_NAME(kBadRequest)
    CAIRN_ERRC_NAME(kObjectTampered)
    CAIRN_ERRC_NAME(kSseEncryptedObject)
    CAIRN_ERRC_NAME(kSseInvalidAlgorithm)
    CAIRN_ERRC_NAME(kSseMissingKey)
    CAIRN_ERRC_NAME(kSseMissingKeyMd5)
    CAIRN_ERRC_NAME(kSseKeyMd5Mismatch)
    CAIRN_ERRC_NAME(kSseInvalidParameters)
    CAIRN_ERRC_NAME(kSseInsecureRequest)
    CAIRN_ERRC_NAME(kSseInvalidMethod)
    CAIRN_ERRC_NAME(kSseIncompatible)
    CAIRN_ERRC_NAME(kSseWrongKey)
    CAIRN_ERRC_NAME(kKmsNotConfigured)
    CAIRN_ERRC_NAME(kKmsKeyNotFound)
    CAIRN_ERRC_NAME(kKmsKeyDisabled)
    CAIRN_ERRC_NAME(kKmsInternal)
    CAIRN_ERRC_NAME(kNoEncryptionConfiguration)
    CAIRN_ERRC_NAME(kKmsKeyExists)
    CAIRN_ERRC_NAME(kAccessKeyDisabled)
    CAIRN_ERRC_NAME(kExpiredToken)
    CAIRN_ERRC_NAME(kInvalidToken)
    CAIRN_ERRC_NAME(kIamNoSuchUser)
    CAIRN_ERRC_NAME(kIamNoSuchGroup)
    CAIRN_ERRC_NAME(kIamNoSuchPolicy)
    CAIRN_ERRC_NAME(kIamNoSuchServiceAccount)
    CAIRN_ERRC_NAME(kIamGroupNotEmpty)
    CAIRN_ERRC_NAME(kIamPolicyInUse)
    CAIRN_ERRC_NAME(kIamKeyExists)
    CAIRN_ERRC_NAME(kMalformedAcl)
    CAIRN_ERRC_NAME(kUnresolvableGrantByEmail)
    CAIRN_ERRC_NAME(kInvalidBucketAclWithOwnership)
    CAIRN_ERRC_NAME(kOwnershipControlsNotFound)
    CAIRN_ERRC_NAME(kBucketAlreadyExists)
    CAIRN_ERRC_NAME(kUnexpectedContent)
    CAIRN_ERRC_NAME(kEntityTooLargeHeader)
    CAIRN_ERRC_NAME(kVersionIsDeleteMarker)
    CAIRN_ERRC_NAME(kInvalidPartNumber)
    CAIRN_ERRC_NAME(kAccessControlListNotSupported)
    CAIRN_ERRC_NAME(kInvalidBucketState)
    CAIRN_ERRC_NAME(kMalformedPostRequest)
    CAIRN_ERRC_NAME(kMaxPostPreDataExceeded)
    CAIRN_ERRC_NAME(kInvalidPolicyDocument)
    CAIRN_ERRC_NAME(kAccessDenied)
    CAIRN_ERRC_NAME(kSignatureDoesNotMatch)
    CAIRN_ERRC_NAME(kInvalidAccessKeyId)
    CAIRN_ERRC_NAME(kRequestTimeTooSkewed)
    CAIRN_ERRC_NAME(kAuthorizationHeaderMalformed)
    CAIRN_ERRC_NAME(kMissingSecurityHeader)
    CAIRN_ERRC_NAME(kRequestExpired)
    CAIRN_ERRC_NAME(kMalformedDate)
    CAIRN_ERRC_NAME(kAuthorizationQueryParametersError)
    CAIRN_ERRC_NAME(kMissingAuthentication)
    CAIRN_ERRC_NAME(kUnsupportedSignature)
    CAIRN_ERRC_NAME(kInvalidChunkSignature)
    CAIRN_ERRC_NAME(kMalformedChunk)
    CAIRN_ERRC_NAME(kPostPolicyDenied)
    CAIRN_ERRC_NAME(kNoSuchCorsConfiguration)
    CAIRN_ERRC_NAME(kCorsForbidden)
    CAIRN_ERRC_NAME(kCorsBadRequest)
    CAIRN_ERRC_NAME(kNoSuchLifecycleConfiguration)
    CAIRN_ERRC_NAME(kInvalidRetentionPeriod)
    CAIRN_ERRC_NAME(kObjectLockConfigurationNotFound)
    CAIRN_ERRC_NAME(kNoSuchObjectLockConfiguration)
    CAIRN_ERRC_NAME(kNodeOffline)
    CAIRN_ERRC_NAME(kLockTimeout)
    CAIRN_ERRC_NAME(kClusterNotReady)
    CAIRN_ERRC_NAME(kRpcUnauthenticated)
#undef CAIRN_ERRC_NAME
  }
  return "kUnknown";
}

std::string Status::ToString() const {
  std::string out(ErrcName(code_));
  if (!message_.empty()) {
    out += ": ";
    out += message_;
  }
  return out;
}

void AssertFail(const char* cond, const char* file, int line, const char* msg) {
  std::fprintf(stderr, "assertion failed: %s at %s:%d %s\n", cond, file, line, msg);
  std::abort();
}

Task<Result<std::size_t>> ReadFull(ByteSource& source, std::span<std::byte> buf) {
  std::size_t done = 0;
  while (done < buf.size()) {
    auto n = co_await source.Read(buf.subspan(done));
    if (!n.ok()) {
      co_return n.status();
    }
    if (*n == 0) {
      break;
    }
    done += *n;
  }
  co_return done;
}

Task<Result<std::string>> ReadAll(ByteSource& source, std::size_t limit) {
  std::string out;
  std::array<std::byte, 16384> buf;
  for (;;) {
    auto n = co_await source.Read(buf);
    if (!n.ok()) {
      co_return n.status();
    }
    if (*n == 0) {
      co_return out;
    }
    if (out.size() + *n > limit) {
      co_return Status(Errc::kEntityTooLarge,
                       fmt::format("the request body is larger than {} bytes", limit));
    }
    out.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
}

namespace log {

void Init(std::string_view level, bool json) {
  auto logger = spdlog::stderr_color_mt("cairn");
  if (json) {
    logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","thread":%t,"msg":"%v"})",
                        spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  }
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(logger);
}

}  // namespace log
}  // namespace cairn
