#include "s3/unsupported.h"

#include <string_view>

#include "s3/parameters.h"

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

Status RefuseUnsupportedFeatures(Op op, const http::Request& request, const QueryParams& query) {
  const bool customer_key =
      AnyHeaderStartsWith(request, "x-amz-server-side-encryption-customer-") ||
      AnyHeaderStartsWith(request, "x-amz-copy-source-server-side-encryption-customer-");
  if (customer_key && (IsWrite(op) || IsObjectRead(op))) {
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
  return RefuseByTable(op, request, query);
}

}  // namespace cairn::s3
