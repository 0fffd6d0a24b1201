// Conditional requests: If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since on
// GET and HEAD, and their x-amz-copy-source-if-* twins on CopyObject and UploadPartCopy,
// evaluated with the precedence RFC 9110 and AWS document.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/exchange.h"

namespace cairn::s3 {

struct Preconditions {
  std::optional<std::string> if_match;
  std::optional<std::string> if_none_match;
  std::optional<std::int64_t> if_modified_since;    // seconds; an unparsable date is ignored
  std::optional<std::int64_t> if_unmodified_since;  // seconds

  bool empty() const {
    return !if_match && !if_none_match && !if_modified_since && !if_unmodified_since;
  }
};

// Reads If-* (prefix "") or x-amz-copy-source-if-* (prefix "x-amz-copy-source-").
Preconditions ReadPreconditions(const http::Request& req, std::string_view prefix);

// True when `etag` (no quotes) is in the comma-separated list `header` ("*" matches all;
// quotes and W/ are ignored).
bool EtagListMatches(std::string_view header, std::string_view etag);

// GET and HEAD: ok, kPreconditionFailed (412) or kNotModified (304).
// If-Match beats If-Unmodified-Since; If-None-Match beats If-Modified-Since.
Status EvaluateGetPreconditions(const Preconditions& p, std::string_view etag,
                                std::int64_t mod_time_ns);

// Copy source: the same rules, but every failure is kPreconditionFailed (AWS).
Status EvaluateCopyPreconditions(const Preconditions& p, std::string_view etag,
                                 std::int64_t mod_time_ns);

}  // namespace cairn::s3
