#include "http/endpoint.h"

#include <charconv>

#include <fmt/format.h>

namespace cairn::http {

Result<Endpoint> ParseEndpoint(std::string_view url) {
  std::string_view s = url;
  Endpoint ep;
  if (s.starts_with("https://")) {
    s.remove_prefix(8);
    ep.https = true;
    ep.port = 443;
  } else if (s.starts_with("http://")) {
    s.remove_prefix(7);
  }
  if (s.ends_with('/')) {
    s.remove_suffix(1);
  }
  if (s.empty() || s.find('/') != std::string_view::npos) {
    return Status(Errc::kInvalidArgument, fmt::format("'{}' is not http://HOST[:PORT]", url));
  }
  std::size_t colon = s.rfind(':');
  bool bracketed = s.front() == '[';
  if (colon != std::string_view::npos && (!bracketed || s[colon - 1] == ']')) {
    std::string_view port = s.substr(colon + 1);
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) {
      return Status(Errc::kInvalidArgument, fmt::format("'{}': bad port", url));
    }
    ep.port = static_cast<std::uint16_t>(value);
    ep.host = std::string(s.substr(0, colon));
  } else {
    ep.host = std::string(s);
  }
  ep.host_header = std::string(s);
  if (bracketed && ep.host.size() >= 2 && ep.host.back() == ']') {
    ep.host = ep.host.substr(1, ep.host.size() - 2);
  }
  return ep;
}

}  // namespace cairn::http
