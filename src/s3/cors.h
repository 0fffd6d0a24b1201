// A bucket's CORS configuration (PutBucketCors): the rule model, its parser and validation
// (AWS's limits and errors), the canonical rendering that is stored and returned by
// GetBucketCors, and the matching of a browser request against the rules (the preflight
// OPTIONS and the CORS headers of actual requests, s3_server.cc).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "http/exchange.h"

namespace cairn::s3 {

inline constexpr std::size_t kMaxCorsRules = 100;

struct CorsRule {
  std::string id;
  std::vector<std::string> allowed_origins;  // each with at most one '*'
  std::vector<std::string> allowed_methods;  // GET PUT POST DELETE HEAD
  std::vector<std::string> allowed_headers;  // each with at most one '*'
  std::vector<std::string> expose_headers;
  std::optional<int> max_age_seconds;
};

struct CorsConfiguration {
  std::vector<CorsRule> rules;
};

// <CORSConfiguration><CORSRule>...</CORSRule>...</CORSConfiguration>. Errors: kMalformedXml
// (not the document, no rule, more than 100 rules, a rule without origin or method, a
// MaxAgeSeconds that is not an integer), kInvalidRequest (a method other than GET PUT POST
// DELETE HEAD; an origin or header with more than one '*').
Result<CorsConfiguration> ParseCorsConfiguration(std::string_view xml);

// The canonical document (what GetBucketCors returns).
std::string RenderCorsConfiguration(const CorsConfiguration& config);

// True when `text` matches `pattern`, in which one '*' stands for any run of characters.
// `ignore_case` compares ASCII letters case-insensitively (header names).
bool CorsWildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case);

// The comma-separated names of Access-Control-Request-Headers, trimmed, lowercased, empty
// items dropped.
std::vector<std::string> SplitCorsHeaderList(std::string_view list);

// The first rule that allows `origin` (case-sensitive, '*' wildcards), `method` and every
// name of `request_headers` (case-insensitive, '*' wildcards); nullptr when none does.
const CorsRule* MatchCorsRule(const CorsConfiguration& config, std::string_view origin,
                              std::string_view method,
                              std::span<const std::string> request_headers);

// The response headers a matched rule gives: Access-Control-Allow-Origin ("*" when only the
// rule's bare "*" lets `origin` in, else the origin, with Access-Control-Allow-Credentials:
// true),
// -Allow-Methods, -Expose-Headers, Vary; for a preflight also -Allow-Headers (the requested
// ones) and -Max-Age.
http::Headers CorsResponseHeaders(const CorsRule& rule, std::string_view origin,
                                  std::span<const std::string> request_headers, bool preflight);

}  // namespace cairn::s3
