// Requests that ask for a feature cairn does not have yet (server-side encryption, object
// lock) are refused with the error AWS or MinIO gives, never served as if the feature had
// been applied: a client that asked for encryption must not believe its data is encrypted.
#pragma once

#include "common/status.h"
#include "http/exchange.h"
#include "s3/router.h"

namespace cairn::s3 {

// Ok, or the S3 error for the first unsupported feature the request asks for:
// - SSE-C (x-amz-server-side-encryption-customer-*, x-amz-copy-source-server-side-
//   encryption-customer-*): over plain HTTP 400 InvalidRequest, as AWS and MinIO refuse a
//   customer key sent in the clear; over TLS on GET and HEAD 400 InvalidRequest (no object is
//   encrypted, so the parameters do not apply), on writes 501 NotImplemented;
// - the refused rows of s3/parameters.h's table (SSE-S3 / SSE-KMS: 501 NotImplemented,
//   "Server side encryption specified but KMS is not configured", MinIO's answer without a
//   KMS; object lock: 400 InvalidRequest, "Bucket is missing Object Lock Configuration"; an
//   ACL other than private: 400 AccessControlListNotSupported; tagging, MFA, conditional
//   deletes, appends: 501 NotImplemented).
Status RefuseUnsupportedFeatures(Op op, const http::Request& request, const QueryParams& query);

}  // namespace cairn::s3
