#include "loadgen/units.h"

#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "common/text.h"

namespace cairn::loadgen {
namespace {

bool ParseUint(std::string_view s, std::uint64_t& out) {
  s = TrimSpace(s);
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
}

}  // namespace

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
    std::string_view item = TrimSpace(s.substr(0, comma));
    s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
    if (item.empty()) {
      continue;
    }
    std::size_t eq = item.find_first_of("=:");
    if (eq == std::string_view::npos) {
      return Status(Errc::kInvalidArgument, fmt::format("mix item '{}' is not NAME=WEIGHT", item));
    }
    std::string name = AsciiLower(TrimSpace(item.substr(0, eq)));
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
    std::string_view item = TrimSpace(s.substr(0, comma));
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
