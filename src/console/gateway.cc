#include "console/gateway.h"

#include <algorithm>
#include <array>

#include "auth/signature.h"

namespace cairn::console::internal {

http::Request SignedRequest(const http::Request& from, std::string method, std::string path,
                            std::string query, const http::Headers& headers, const Session& s,
                            std::string_view region, std::chrono::system_clock::time_point now) {
  static constexpr std::array kDropped = {
      std::string_view("cookie"), std::string_view("authorization"), std::string_view("host"),
      std::string_view("x-amz-date"), std::string_view("x-amz-content-sha256"),
      std::string_view("x-amz-security-token"),
      // The console is no CORS client of its own API:
      // the bucket's CORS rules must not answer it.
      std::string_view("origin"), std::string_view("access-control-request-method"),
      std::string_view("access-control-request-headers"), kCsrfHeader};
  http::Request out;
  out.method = std::move(method);
  out.path = std::move(path);
  out.query = std::move(query);
  out.target = out.query.empty() ? out.path : out.path + "?" + out.query;
  out.content_length = from.content_length;
  out.chunked = from.chunked;
  out.remote_address = from.remote_address;
  out.tls = from.tls;
  out.version = from.version;
  auth::HeaderList signed_headers;
  signed_headers.reserve(headers.size() + 6);
  for (const auto& [name, value] : headers) {
    if (std::find(kDropped.begin(), kDropped.end(), name) == kDropped.end()) {
      signed_headers.emplace_back(name, value);
    }
  }
  if (!s.session_token.empty()) {
    signed_headers.emplace_back("x-amz-security-token", s.session_token);
  }
  auth::SignInput sign;
  sign.method = out.method;
  sign.path = out.path;
  sign.query = out.query;
  sign.region = std::string(region);
  sign.access_key = s.access_key;
  sign.secret_key = s.secret_key;
  sign.now = now;
  sign.host = std::string(kGatewayHost);
  auth::SignV4(sign, signed_headers);
  out.headers = std::move(signed_headers);
  return out;
}

}  // namespace cairn::console::internal
