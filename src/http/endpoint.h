// Where an HTTP client connects: the "http(s)://HOST[:PORT]" or "HOST:PORT" that `cairn bench`
// and `cairn admin` take as --endpoint, parsed once for both.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn::http {

struct Endpoint {
  std::string host;         // as given: name or address (an IPv6 address without brackets)
  std::uint16_t port = 80;  // default 80 for http://, 443 for https://
  std::string host_header;  // "host:port" (port left out when the URL had none)
  bool https = false;       // "https://": the load generator refuses it, `cairn admin` not
};

// "http(s)://HOST[:PORT]" (a trailing '/' is allowed) or "HOST:PORT". Errors:
// kInvalidArgument (a path, a bad port).
Result<Endpoint> ParseEndpoint(std::string_view url);

}  // namespace cairn::http
