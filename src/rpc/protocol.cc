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
