#include "common/units.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "common/text.h"

namespace cairn {
namespace {

// Splits "12.5abc" into the number and the rest; nullopt when there is no number.
bool SplitNumber(std::string_view s, double& number, std::string_view& rest) {
  std::size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) {
    ++i;
  }
  if (i == 0) {
    return false;
  }
  std::string digits(s.substr(0, i));
  char* end = nullptr;
  number = std::strtod(digits.c_str(), &end);
  if (end != digits.c_str() + digits.size() || !std::isfinite(number)) {
    return false;
  }
  rest = s.substr(i);
  return true;
}

}  // namespace

Result<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  std::string_view s = TrimSpace(text);
  if (s.empty()) {
    return Status(Errc::kInvalidArgument, "empty duration");
  }
  double total_ns = 0;
  bool first = true;
  while (!s.empty()) {
    double number = 0;
    std::string_view rest;
    if (!SplitNumber(s, number, rest)) {
      return Status(Errc::kInvalidArgument,
                    fmt::format("'{}' is not a duration (use 30s, 2m, 500ms, 1h)", text));
    }
    std::size_t unit_len = 0;
    while (unit_len < rest.size() && std::isalpha(static_cast<unsigned char>(rest[unit_len]))) {
      ++unit_len;
    }
    std::string unit = AsciiLower(rest.substr(0, unit_len));
    double scale = 0;
    if (unit.empty() || unit == "s" || unit == "sec") {
      scale = 1e9;
    } else if (unit == "ms") {
      scale = 1e6;
    } else if (unit == "us") {
      scale = 1e3;
    } else if (unit == "m" || unit == "min") {
      scale = 60e9;
    } else if (unit == "h") {
      scale = 3600e9;
    } else if (unit == "d") {
      scale = 86400e9;
    } else {
      return Status(Errc::kInvalidArgument,
                    fmt::format("'{}': unknown duration unit '{}'", text, unit));
    }
    if (unit.empty() && !first) {
      return Status(Errc::kInvalidArgument, fmt::format("'{}': a unit is missing", text));
    }
    first = false;
    total_ns += number * scale;
    s = rest.substr(unit_len);
  }
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(total_ns)));
}

Result<std::uint64_t> ParseSize(std::string_view text) {
  std::string_view s = TrimSpace(text);
  double number = 0;
  std::string_view rest;
  if (!SplitNumber(s, number, rest)) {
    return Status(Errc::kInvalidArgument,
                  fmt::format("'{}' is not a size (use 4KiB, 1MiB, 64MiB)", text));
  }
  std::string unit = AsciiLower(TrimSpace(rest));
  double scale = 0;
  static constexpr std::string_view kUnits = "kmgt";
  if (unit.empty() || unit == "b") {
    scale = 1;
  } else if (unit.size() <= 3 && kUnits.find(unit[0]) != std::string_view::npos &&
             (unit.size() == 1 || unit.substr(1) == "i" || unit.substr(1) == "ib" ||
              unit.substr(1) == "b")) {
    bool decimal = unit.substr(1) == "b";
    int power = static_cast<int>(kUnits.find(unit[0])) + 1;
    scale = std::pow(decimal ? 1000.0 : 1024.0, power);
  } else {
    return Status(Errc::kInvalidArgument, fmt::format("'{}': unknown size unit '{}'", text, unit));
  }
  double bytes = number * scale;
  if (bytes != std::floor(bytes) || bytes > 1e18) {
    return Status(Errc::kInvalidArgument, fmt::format("'{}' is not a whole number of bytes", text));
  }
  return static_cast<std::uint64_t>(bytes);
}

std::string FormatSize(std::uint64_t bytes) {
  static constexpr const char* kNames[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int i = 0;
  while (v >= 1024 && i < 4) {
    v /= 1024;
    ++i;
  }
  if (v == std::floor(v)) {
    return fmt::format("{} {}", static_cast<std::uint64_t>(v), kNames[i]);
  }
  return fmt::format("{:.1f} {}", v, kNames[i]);
}

}  // namespace cairn
