#include "s3/unsupported.h"

#include <string_view>

namespace cairn::s3 {
namespace {

bool IsWrite(Op op) {
  switch (op) {
    case Op::kPutObject:
    case Op::kCopyObject:
    case Op::kCreateMultipartUpload:
    case Op::kUploadPart:
    case Op::kUploadPartCopy:
      return true;
    default:
      return false;
  }
}

bool IsObjectRead(Op op) {
  return op == Op::kGetObject || op == Op::kHeadObject;
}

// True when any header name starts with `prefix` (names are lowercase).
bool AnyHeaderStartsWith(const http::Request& request, std::string_view prefix) {
  for (const auto& [name, value] : request.headers) {
    if (std::string_view(name).starts_with(prefix)) {
      return true;
    }
  }
  return false;
}

}  // namespace

Status RefuseUnsupportedFeatures(Op op, const http::Request& request) {
  if (!IsWrite(op) && !IsObjectRead(op)) {
    return Status::Ok();
  }
  const bool customer_key =
      AnyHeaderStartsWith(request, "x-amz-server-side-encryption-customer-") ||
      AnyHeaderStartsWith(request, "x-amz-copy-source-server-side-encryption-customer-");
  if (customer_key) {
    if (!request.tls) {
      return Status(Errc::kInvalidRequest,
                    "Requests specifying Server Side Encryption with Customer provided keys "
                    "must be made over a secure connection.");
    }
    if (IsObjectRead(op)) {
      return Status(Errc::kInvalidRequest,
                    "The encryption parameters are not applicable to this object.");
    }
    return Status(Errc::kNotImplemented,
                  "Server side encryption with customer provided keys is not supported yet");
  }
  if (!IsWrite(op)) {
    return Status::Ok();
  }
  if (request.Header("x-amz-server-side-encryption") != nullptr ||
      AnyHeaderStartsWith(request, "x-amz-server-side-encryption-aws-kms-") ||
      request.Header("x-amz-server-side-encryption-context") != nullptr ||
      request.Header("x-amz-server-side-encryption-bucket-key-enabled") != nullptr) {
    return Status(Errc::kNotImplemented,
                  "Server side encryption specified but KMS is not configured");
  }
  if (op != Op::kUploadPart && op != Op::kUploadPartCopy &&
      AnyHeaderStartsWith(request, "x-amz-object-lock-")) {
    return Status(Errc::kInvalidRequest, "Bucket is missing Object Lock Configuration");
  }
  return Status::Ok();
}

}  // namespace cairn::s3
