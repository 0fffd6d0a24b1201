#include "policy/values.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>

#include <arpa/inet.h>

#include "policy/pattern.h"  // LowerAscii

namespace cairn::policy {
namespace {

// Reads exactly `digits` decimal digits at `pos`.
std::optional<int> ReadDigits(std::string_view s, std::size_t& pos, std::size_t digits) {
  int value = 0;
  if (s.size() - std::min(pos, s.size()) < digits) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < digits; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  pos += digits;
  return value;
}

bool ReadChar(std::string_view s, std::size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

// `.fff`, then `Z`, `+hh:mm`, `+hhmm` or nothing (UTC); adds the fraction to `seconds` and
// returns the zone's offset east of UTC in seconds.
std::optional<int> ReadFractionAndZone(std::string_view s, std::size_t& pos, double& seconds) {
  if (ReadChar(s, pos, '.')) {
    const std::size_t start = pos;
    double scale = 0.1;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      seconds += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      return std::nullopt;
    }
  }
  if (pos == s.size() || ReadChar(s, pos, 'Z')) {
    return pos == s.size() ? std::optional<int>(0) : std::nullopt;
  }
  const int sign = s[pos] == '-' ? -1 : 1;
  if (!ReadChar(s, pos, '+') && !ReadChar(s, pos, '-')) {
    return std::nullopt;
  }
  const auto hours = ReadDigits(s, pos, 2);
  ReadChar(s, pos, ':');
  const auto minutes = ReadDigits(s, pos, 2);
  if (!hours || !minutes || pos != s.size() || *hours > 23 || *minutes > 59) {
    return std::nullopt;
  }
  return sign * (*hours * 3600 + *minutes * 60);
}

bool EqualsIgnoreCase(std::string_view s, std::string_view lower) {
  return s.size() == lower.size() && std::equal(s.begin(), s.end(), lower.begin(),
                                                [](char c, char l) { return LowerAscii(c) == l; });
}

}  // namespace

std::optional<double> ParseNumber(std::string_view s) {
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> ParseDate(std::string_view s) {
  if (!s.empty() && s.find_first_not_of("0123456789.") == std::string_view::npos) {
    return ParseNumber(s);  // epoch seconds, maybe with a fraction
  }
  std::size_t pos = 0;
  const auto year = ReadDigits(s, pos, 4);
  const bool dash1 = ReadChar(s, pos, '-');
  const auto month = ReadDigits(s, pos, 2);
  const bool dash2 = ReadChar(s, pos, '-');
  const auto day = ReadDigits(s, pos, 2);
  if (!year || !month || !day || !dash1 || !dash2) {
    return std::nullopt;
  }
  const std::chrono::year_month_day date{std::chrono::year(*year),
                                         std::chrono::month(static_cast<unsigned>(*month)),
                                         std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) {
    return std::nullopt;
  }
  double seconds =
      static_cast<double>(std::chrono::sys_days(date).time_since_epoch().count()) * 86400;
  if (pos == s.size()) {
    return seconds;
  }
  std::optional<int> h, m, sec = 0;
  if (ReadChar(s, pos, 'T')) {
    h = ReadDigits(s, pos, 2);
    m = ReadChar(s, pos, ':') ? ReadDigits(s, pos, 2) : std::nullopt;
    sec = ReadChar(s, pos, ':') ? ReadDigits(s, pos, 2) : 0;
  }
  if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) {
    return std::nullopt;
  }
  seconds += *h * 3600 + *m * 60 + *sec;
  const auto offset = ReadFractionAndZone(s, pos, seconds);
  if (!offset) {
    return std::nullopt;
  }
  return seconds - *offset;
}

std::optional<bool> ParseBool(std::string_view s) {
  if (EqualsIgnoreCase(s, "true")) {
    return true;
  }
  if (EqualsIgnoreCase(s, "false")) {
    return false;
  }
  return std::nullopt;
}

bool ParseAddress(std::string_view s, IpBytes& out, bool& v6) {
  char buffer[INET6_ADDRSTRLEN + 1];
  if (s.size() >= sizeof(buffer)) {
    return false;
  }
  std::memcpy(buffer, s.data(), s.size());
  buffer[s.size()] = '\0';
  v6 = s.find(':') != std::string_view::npos;
  out.fill(0);
  return inet_pton(v6 ? AF_INET6 : AF_INET, buffer, out.data()) == 1;
}

bool PrefixEqual(const IpBytes& a, const IpBytes& b, int bits) {
  const int bytes = bits / 8;
  if (std::memcmp(a.data(), b.data(), bytes) != 0) {
    return false;
  }
  const int rest = bits % 8;
  if (rest == 0) {
    return true;
  }
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (a[bytes] & mask) == (b[bytes] & mask);
}

bool IsBase64(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0) {
    return false;
  }
  const std::size_t data = s.find_last_not_of('=') + 1;
  if (s.size() - data > 2) {
    return false;
  }
  return std::all_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(data), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '/';
  });
}

bool SplitArn(std::string_view arn, ArnParts& parts) {
  for (std::size_t i = 0; i + 1 < kArnComponents; ++i) {
    const std::size_t colon = arn.find(':');
    if (colon == std::string_view::npos) {
      return false;
    }
    parts[i] = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  parts[kArnComponents - 1] = arn;
  return parts[0] == "arn";
}

}  // namespace cairn::policy
