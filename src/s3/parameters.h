// The request parameters (query parameters and headers) of every S3 operation cairn serves,
// listed once with what cairn does with each: supported, ignored (accepted, with no effect,
// where AWS's effect does not apply to cairn, e.g. x-amz-request-payer), or refused with
// AWS's error because cairn lacks the feature (never accepted as if it had been applied).
// RefuseUnsupportedFeatures applies the refused rows; docs/s3-compat.md is rendered from this
// table and tests/unit/s3/parameters_test.cc checks it against the handlers' sources.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/exchange.h"
#include "s3/router.h"

namespace cairn::s3 {

enum class ParamIn { kQuery, kHeader };

enum class Support { kSupported, kIgnored, kRefused };

struct ParamSpec {
  Op op;
  ParamIn in;
  // Lowercase for headers. A trailing '*' names a prefix ("x-amz-meta-*").
  std::string_view name;
  Support support;
  // kSupported / kIgnored: what cairn does with it (for the docs).
  // kRefused: the message of the refusal.
  std::string_view note;
  // kRefused: the error, and the values that are accepted all the same (comma-separated,
  // case-insensitive; e.g. x-amz-acl "private"), where a value is harmless.
  Errc error = Errc::kOk;
  std::string_view accepted = {};
};

// Every row, grouped by operation in the order of s3/operations.h.
std::span<const ParamSpec> ParameterTable();

// True when `name` (a lowercase header name or a query parameter) matches `spec.name`.
bool ParamMatches(const ParamSpec& spec, std::string_view name);

// The first refused parameter of `op` that `request` carries with a value not accepted, as
// its error; Ok when there is none. (SSE-C's refusal depends on the connection and is in
// RefuseUnsupportedFeatures.)
Status RefuseByTable(Op op, const http::Request& request, const QueryParams& query);

// docs/s3-compat.md's table: one section per operation, a row per parameter.
std::string RenderCompatTable();

}  // namespace cairn::s3
