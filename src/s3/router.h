// Request routing for S3: where the bucket and key are (path style "/bucket/key" or
// virtual-host style "bucket.domain/key"), the decoded query, and which S3 operation a
// method plus query sub-resources select. Pure code over http::Request; no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/query.h"
#include "common/status.h"
#include "common/text.h"
#include "http/exchange.h"
#include "s3/operations.h"

namespace cairn::s3 {

// The S3 operation a request selects (s3/operations.h has the list).
enum class Op {
#define CAIRN_S3_OP_ENUMERATOR(op, name, handler) op,
  CAIRN_S3_OPERATIONS(CAIRN_S3_OP_ENUMERATOR)
#undef CAIRN_S3_OP_ENUMERATOR
};

#define CAIRN_S3_OP_COUNT(op, name, handler) +1
// How many operations there are; Op values are 0 ... kOpCount - 1.
inline constexpr std::size_t kOpCount = 0 CAIRN_S3_OPERATIONS(CAIRN_S3_OP_COUNT);
#undef CAIRN_S3_OP_COUNT

// "GetObject", ... for logs and metrics.
std::string_view OpName(Op op);

struct Route {
  std::string bucket;  // decoded; empty for service-level requests (ListBuckets)
  std::string key;     // decoded; empty for bucket-level requests
  bool virtual_host = false;
  QueryParams query;
  Op op = Op::kNotImplemented;
};

// Splits bucket and key from the request (Host against `domains` for virtual-host style),
// decodes them and the query, and selects the operation. Errors: kInvalidArgumentS3 for a
// bad percent escape, kKeyTooLong for a key over 1024 bytes.
Result<Route> ParseRoute(const http::Request& req, std::span<const std::string> domains);

// The operation a method selects; `has_copy_source` is the x-amz-copy-source header,
// `form_upload` a multipart/form-data Content-Type (POST Object), `form_urlencoded` an
// application/x-www-form-urlencoded one (POST / : the STS API, kStsAction, or with
// `iam_query`, a signature for service "iam", the IAM query API, kIamAction; Serve checks the
// signature's service against RequiredService).
Op SelectOperation(std::string_view method, const std::string& bucket, const std::string& key,
                   const QueryParams& query, bool has_copy_source, bool form_upload = false,
                   bool form_urlencoded = false, bool iam_query = false);

// The service of a SigV4 credential scope ("s3", "iam", ...): from the Authorization
// header's Credential=, else the X-Amz-Credential query parameter; "" when neither names one.
// Only routes: the signature check verifies the scope.
std::string_view SignedService(const http::Request& req, const QueryParams& query);

// The service a V4 signature's credential scope must name for `op` ("s3" for the S3
// operations, "sts" for kStsAction, "iam" for kIamAction): one table, in router.cc.
std::string_view RequiredService(Op op);

}  // namespace cairn::s3
