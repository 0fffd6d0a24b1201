// audit::Entry: the audit record of one S3 or admin request, and its rendering as MinIO's audit
// JSON (internal/logger/message/audit, version "1"), so that tools reading MinIO's audit
// webhook read cairn's unchanged. Pure code: the logger renders each entry once, on the
// request's thread, and the targets only move the rendered text.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/exchange.h"

namespace cairn::audit {

// One request. The views and pointers need only stay valid during Logger::Log (which renders
// the entry before it returns), so the request path fills them without copying.
struct Entry {
  std::chrono::system_clock::time_point time;  // when the request arrived
  std::string_view deployment_id;              // empty: the logger's
  std::string_view node;                       // empty: the logger's (requestNode)
  std::string_view api_name;                   // "PutObject", "ServerInfo"
  std::string_view bucket;
  std::string_view object;
  std::string_view version_id;
  int status_code = 0;
  std::string_view error_code;     // the S3 (or admin) error Code; empty on success
  std::string_view error_message;  // the error's Message
  std::string_view request_id;
  std::string_view access_key;
  std::string_view parent_user;
  std::string_view remote_address;  // "ip:port" of the client (rendered as the ip)
  std::string_view method;
  std::string_view path;                            // raw (percent-encoded), as received
  std::string_view query;                           // raw query string
  const http::Headers* request_headers = nullptr;   // lowercase names
  const http::Headers* response_headers = nullptr;  // may be null
  std::uint64_t rx = 0;                             // request body bytes read
  std::uint64_t tx = 0;                             // response body bytes sent
  std::optional<std::chrono::nanoseconds> time_to_first_byte;
  std::chrono::nanoseconds time_to_response{0};
};

// Fills time, method, path, query, remote address and request headers from `r` (which must
// outlive the entry's use).
void FillFromRequest(Entry& entry, const http::Request& r);

// Which request headers a record carries: every x-amz-* header and those matching one of
// the configured patterns (lowercase names; a trailing '*' matches any suffix), never a
// secret (Authorization, cookies, x-amz-security-token, SSE-C keys) whatever the patterns.
class HeaderFilter {
 public:
  HeaderFilter() = default;
  explicit HeaderFilter(std::vector<std::string> patterns);

  bool Keep(std::string_view lower_name) const;

 private:
  std::vector<std::string> patterns_;  // lowercase
};

// True for the headers whose values are never logged.
bool IsSecretHeader(std::string_view lower_name);

// "x-amz-meta-color" -> "X-Amz-Meta-Color" (Go's canonical header form, as MinIO prints).
std::string CanonicalHeaderName(std::string_view lower_name);

// RFC 3339 with nanoseconds, trailing zeros of the fraction left out (Go's RFC3339Nano, in UTC):
// "2024-02-29T19:39:25.744431903Z".
std::string FormatTime(std::chrono::system_clock::time_point t);

// The record as one line of JSON (no newline). Fields of MinIO's audit entry: version "1",
// deploymentid, time, event, trigger "incoming", api {name, bucket, object, versionId,
// status, statusCode, rx, tx, timeToFirstByte(InNS), timeToResponse(InNS)}, remotehost,
// requestID, userAgent, requestPath, requestHost, requestNode, requestQuery, requestHeader,
// responseHeader, tags, accessKey, parentUser, error; and cairn's errorCode. `deployment_id`
// and `node` are used where the entry has none.
std::string RenderEntry(const Entry& entry, const HeaderFilter& filter,
                        std::string_view deployment_id, std::string_view node);

}  // namespace cairn::audit
