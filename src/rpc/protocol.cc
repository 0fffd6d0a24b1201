#include "rpc/protocol.h"

#include <charconv>

namespace cairn::rpc {

std::int64_t ErrcToWire(Errc code) {
  return static_cast<std::int64_t>(code);
}

Errc ErrcFromWire(std::int64_t number) {
  if (number < INT32_MIN || number > INT32_MAX) {
    return Errc::kUnknown;
  }
  const auto code = static_cast<Errc>(static_cast<std::int32_t>(number));
  // ErrcName knows every enumerator of this build and says "kUnknown" for anything else.
  if (code != Errc::kUnknown && ErrcName(code) == "kUnknown") {
    return Errc::kUnknown;
  }
  return code;
}

namespace {

constexpr char kHex[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

bool Unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~' || c == '/';
}

}  // namespace

std::string PercentEncode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (Unreserved(c)) {
      out.push_back(c);
    } else {
      const auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 15]);
    }
  }
  return out;
}

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) {
      return std::nullopt;
    }
    const int hi = HexValue(s[i + 1]);
    const int lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string MethodPath(MethodId id) {
  return std::string(kPathPrefix) + std::to_string(id);
}

std::optional<MethodId> ParseMethodPath(std::string_view path) {
  if (!path.starts_with(kPathPrefix)) {
    return std::nullopt;
  }
  const std::string_view rest = path.substr(kPathPrefix.size());
  if (rest.empty() || rest.size() > 5) {
    return std::nullopt;
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (ec != std::errc() || end != rest.data() + rest.size() || value > 65535) {
    return std::nullopt;
  }
  return static_cast<MethodId>(value);
}

}  // namespace cairn::rpc
