// Requests that ask for a feature cairn does not have yet (MFA delete, appends, website,
// ...) are refused with the error AWS or MinIO gives, never served as if the feature
// had been applied: a client that asked for encryption must not believe its data is encrypted.
#pragma once

#include "common/status.h"
#include "http/exchange.h"
#include "s3/router.h"

namespace cairn::s3 {

// Ok, or the S3 error for the first unsupported feature the request asks for: the refused
// rows of s3/parameters.h's table (MFA, conditional deletes, appends: 501 NotImplemented).
// Encryption and ACLs are checked by the handlers (s3/sse.h, s3/acl_access.h).
Status RefuseUnsupportedFeatures(Op op, const http::Request& request, const QueryParams& query);

}  // namespace cairn::s3
