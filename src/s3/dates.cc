#include "s3/dates.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>

namespace cairn::s3 {
namespace {

constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct Civil {
  int year = 0;
  unsigned month = 0;  // 1..12
  unsigned day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  unsigned weekday = 0;  // 0 = Sunday
  int millis = 0;
};

Civil ToCivil(std::int64_t unix_ns) {
  using namespace std::chrono;
  sys_time<nanoseconds> tp{nanoseconds(unix_ns)};
  auto secs = floor<seconds>(tp);
  auto day = floor<days>(secs);
  year_month_day ymd(day);
  hh_mm_ss hms(secs - day);
  Civil c;
  c.year = static_cast<int>(ymd.year());
  c.month = static_cast<unsigned>(ymd.month());
  c.day = static_cast<unsigned>(ymd.day());
  c.hour = static_cast<int>(hms.hours().count());
  c.minute = static_cast<int>(hms.minutes().count());
  c.second = static_cast<int>(hms.seconds().count());
  c.weekday = weekday(day).c_encoding();
  c.millis = static_cast<int>(duration_cast<milliseconds>(tp - secs).count());
  return c;
}

// Reads a fixed-width or variable-width number from the front of `s`.
bool TakeNumber(std::string_view& s, int& out, std::size_t max_digits) {
  std::size_t n = 0;
  while (n < s.size() && n < max_digits && s[n] >= '0' && s[n] <= '9') {
    ++n;
  }
  if (n == 0) {
    return false;
  }
  std::from_chars(s.data(), s.data() + n, out);
  s.remove_prefix(n);
  return true;
}

bool TakeLiteral(std::string_view& s, std::string_view lit) {
  if (s.substr(0, lit.size()) != lit) {
    return false;
  }
  s.remove_prefix(lit.size());
  return true;
}

bool TakeMonth(std::string_view& s, int& month) {
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (TakeLiteral(s, kMonths[i])) {
      month = static_cast<int>(i) + 1;
      return true;
    }
  }
  return false;
}

bool TakeClock(std::string_view& s, int& h, int& m, int& sec) {
  return TakeNumber(s, h, 2) && TakeLiteral(s, ":") && TakeNumber(s, m, 2) && TakeLiteral(s, ":") &&
         TakeNumber(s, sec, 2);
}

std::optional<std::int64_t> ToUnix(int year, int month, int day, int h, int m, int s) {
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                     std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok() || h > 23 || m > 59 || s > 60) {
    return std::nullopt;
  }
  auto tp = sys_days(ymd) + hours(h) + minutes(m) + seconds(s);
  return tp.time_since_epoch().count();
}

}  // namespace

std::string FormatHttpDate(std::int64_t unix_ns) {
  Civil c = ToCivil(unix_ns);
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%s, %02u %s %04d %02d:%02d:%02d GMT",
                kDays[c.weekday].data(), c.day, kMonths[c.month - 1].data(), c.year, c.hour,
                c.minute, c.second);
  return buf.data();
}

std::string FormatIso8601(std::int64_t unix_ns) {
  Civil c = ToCivil(unix_ns);
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", c.year, c.month,
                c.day, c.hour, c.minute, c.second, c.millis);
  return buf.data();
}

std::optional<std::int64_t> ParseHttpDate(std::string_view text) {
  int day = 0;
  int month = 0;
  int year = 0;
  int h = 0;
  int m = 0;
  int s = 0;
  auto comma = text.find(',');
  std::string_view rest = text;
  if (comma != std::string_view::npos) {
    rest = text.substr(comma + 1);
    if (!TakeLiteral(rest, " ")) {
      return std::nullopt;
    }
    if (comma == 3) {  // RFC 1123: "Sun, 06 Nov 1994 08:49:37 GMT"
      if (TakeNumber(rest, day, 2) && TakeLiteral(rest, " ") && TakeMonth(rest, month) &&
          TakeLiteral(rest, " ") && TakeNumber(rest, year, 4) && TakeLiteral(rest, " ") &&
          TakeClock(rest, h, m, s) && TakeLiteral(rest, " GMT") && rest.empty()) {
        return ToUnix(year, month, day, h, m, s);
      }
      return std::nullopt;
    }
    // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
    if (TakeNumber(rest, day, 2) && TakeLiteral(rest, "-") && TakeMonth(rest, month) &&
        TakeLiteral(rest, "-") && TakeNumber(rest, year, 2) && TakeLiteral(rest, " ") &&
        TakeClock(rest, h, m, s) && TakeLiteral(rest, " GMT") && rest.empty()) {
      year += year < 70 ? 2000 : 1900;
      return ToUnix(year, month, day, h, m, s);
    }
    return std::nullopt;
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  if (rest.size() < 4) {
    return std::nullopt;
  }
  rest.remove_prefix(4);
  if (!TakeMonth(rest, month) || !TakeLiteral(rest, " ")) {
    return std::nullopt;
  }
  TakeLiteral(rest, " ");
  if (TakeNumber(rest, day, 2) && TakeLiteral(rest, " ") && TakeClock(rest, h, m, s) &&
      TakeLiteral(rest, " ") && TakeNumber(rest, year, 4) && rest.empty()) {
    return ToUnix(year, month, day, h, m, s);
  }
  return std::nullopt;
}

}  // namespace cairn::s3
