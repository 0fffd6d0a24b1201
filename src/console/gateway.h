// The gateway's signing, shared by the console's handlers: a request to the S3 or admin API
// made as the session's user (SigV4 over the given headers, UNSIGNED-PAYLOAD, the session's
// token), for the handlers in process.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "console/session.h"
#include "http/exchange.h"

namespace cairn::console::internal {

// The host the gateway signs for: never one of --domain's, so the S3 API reads the bucket
// from the path.
inline constexpr std::string_view kGatewayHost = "cairn-console";

// `method path?query` with `headers` (lowercase names; cookie, authorization, host, x-amz-date,
// x-amz-content-sha256, x-amz-security-token, origin, the CORS preflight's and the CSRF
// header are dropped), signed as `s`.
// The client's address, TLS and body framing come from `from`.
http::Request SignedRequest(const http::Request& from, std::string method, std::string path,
                            std::string query, const http::Headers& headers, const Session& s,
                            std::string_view region, std::chrono::system_clock::time_point now);

}  // namespace cairn::console::internal
