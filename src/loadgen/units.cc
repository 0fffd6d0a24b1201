#include "loadgen/units.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace cairn::loadgen {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

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

bool ParseUint(std::string_view s, std::uint64_t& out) {
  s = Trim(s);
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
}

}  // namespace

Result<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  std::string_view s = Trim(text);
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
    std::string unit = Lower(rest.substr(0, unit_len));
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
  std::string_view s = Trim(text);
  double number = 0;
  std::string_view rest;
  if (!SplitNumber(s, number, rest)) {
    return Status(Errc::kInvalidArgument,
                  fmt::format("'{}' is not a size (use 4KiB, 1MiB, 64MiB)", text));
  }
  std::string unit = Lower(Trim(rest));
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

std::string_view MixOpName(MixOp op) {
  static constexpr std::string_view kNames[] = {"GET", "STAT", "PUT", "DELETE"};
  return kNames[static_cast<int>(op)];
}

MixOp Mix::Pick(std::uint32_t draw) const {
  for (std::size_t i = 0; i < kMixOps; ++i) {
    if (draw < weight[i]) {
      return static_cast<MixOp>(i);
    }
    draw -= weight[i];
  }
  return MixOp::kGet;
}

Result<Mix> ParseMix(std::string_view text) {
  Mix mix;
  mix.weight = {0, 0, 0, 0};
  std::array<bool, kMixOps> seen = {};
  std::string_view s = text;
  while (!s.empty()) {
    std::size_t comma = s.find(',');
    std::string_view item = Trim(s.substr(0, comma));
    s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
    if (item.empty()) {
      continue;
    }
    std::size_t eq = item.find_first_of("=:");
    if (eq == std::string_view::npos) {
      return Status(Errc::kInvalidArgument, fmt::format("mix item '{}' is not NAME=WEIGHT", item));
    }
    std::string name = Lower(Trim(item.substr(0, eq)));
    int index = -1;
    if (name == "get") {
      index = 0;
    } else if (name == "stat" || name == "head") {
      index = 1;
    } else if (name == "put") {
      index = 2;
    } else if (name == "delete") {
      index = 3;
    } else {
      return Status(Errc::kInvalidArgument,
                    fmt::format("mix: unknown operation '{}' (get, stat, put, delete)", name));
    }
    std::uint64_t weight = 0;
    if (!ParseUint(item.substr(eq + 1), weight) || weight > 1000000) {
      return Status(Errc::kInvalidArgument, fmt::format("mix: bad weight in '{}'", item));
    }
    if (seen[index]) {
      return Status(Errc::kInvalidArgument, fmt::format("mix: '{}' is given twice", name));
    }
    seen[index] = true;
    mix.weight[index] = static_cast<std::uint32_t>(weight);
  }
  if (mix.total() == 0) {
    return Status(Errc::kInvalidArgument, "mix: every weight is 0");
  }
  return mix;
}

Result<std::vector<int>> ParseCpuList(std::string_view text) {
  std::vector<int> cpus;
  std::string_view s = text;
  while (!s.empty()) {
    std::size_t comma = s.find(',');
    std::string_view item = Trim(s.substr(0, comma));
    s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
    std::size_t dash = item.find('-');
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    bool ok = dash == std::string_view::npos
                  ? ParseUint(item, lo)
                  : ParseUint(item.substr(0, dash), lo) && ParseUint(item.substr(dash + 1), hi);
    if (dash == std::string_view::npos) {
      hi = lo;
    }
    if (!ok || hi < lo || hi > 4095) {
      return Status(Errc::kInvalidArgument, fmt::format("'{}' is not a CPU list", text));
    }
    for (std::uint64_t c = lo; c <= hi; ++c) {
      cpus.push_back(static_cast<int>(c));
    }
  }
  if (cpus.empty()) {
    return Status(Errc::kInvalidArgument, "empty CPU list");
  }
  return cpus;
}

}  // namespace cairn::loadgen
