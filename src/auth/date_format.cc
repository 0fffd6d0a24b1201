// Date parsing and formatting for signatures (declared in auth/canonical.h).
#include <array>
#include <cstdio>

#include "auth/canonical.h"

namespace cairn::auth::internal {
namespace {

using namespace std::chrono;

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

// Parses exactly `width` decimal digits.
std::optional<int> Digits(std::string_view s, std::size_t pos, std::size_t width) {
  if (pos + width > s.size()) {
    return std::nullopt;
  }
  int v = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return std::nullopt;
    }
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

std::optional<TimePoint> Make(int y, int mon, int d, int h, int mi, int sec, int offset_min) {
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mon)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) {
    return std::nullopt;
  }
  auto t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} - minutes{offset_min};
  return time_point_cast<system_clock::duration>(t);
}

std::optional<int> MonthIndex(std::string_view name) {
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (IEquals(kMonths[i], name)) {
      return static_cast<int>(i) + 1;
    }
  }
  return std::nullopt;
}

// "HH:MM:SS" at pos.
bool Clock(std::string_view s, std::size_t pos, int& h, int& mi, int& sec) {
  auto hh = Digits(s, pos, 2);
  auto mm = Digits(s, pos + 3, 2);
  auto ss = Digits(s, pos + 6, 2);
  if (!hh || !mm || !ss || s[pos + 2] != ':' || s[pos + 5] != ':') {
    return false;
  }
  h = *hh;
  mi = *mm;
  sec = *ss;
  return true;
}

// "GMT", "UTC", "Z" or "+hhmm"/"-hhmm".
std::optional<int> Zone(std::string_view z) {
  if (z == "GMT" || z == "UTC" || z == "Z" || z == "UT") {
    return 0;
  }
  if (z.size() == 5 && (z[0] == '+' || z[0] == '-')) {
    auto hh = Digits(z, 1, 2);
    auto mm = Digits(z, 3, 2);
    if (!hh || !mm || *mm > 59) {
      return std::nullopt;
    }
    int off = *hh * 60 + *mm;
    return z[0] == '-' ? -off : off;
  }
  return std::nullopt;
}

// "Tue, 27 Mar 2007 19:36:42 GMT" and RFC 850 "Tuesday, 27-Mar-07 19:36:42 GMT".
std::optional<TimePoint> ParseRfc1123Or850(std::string_view s) {
  std::size_t comma = s.find(", ");
  if (comma == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view rest = s.substr(comma + 2);
  int y = 0;
  int mon = 0;
  int d = 0;
  std::size_t clock_pos = 0;
  if (rest.size() >= 11 && rest[2] == ' ' && rest[6] == ' ') {  // "27 Mar 2007 "
    auto dd = Digits(rest, 0, 2);
    auto mo = MonthIndex(rest.substr(3, 3));
    auto yy = Digits(rest, 7, 4);
    if (!dd || !mo || !yy) {
      return std::nullopt;
    }
    d = *dd;
    mon = *mo;
    y = *yy;
    clock_pos = 12;
  } else if (rest.size() >= 9 && rest[2] == '-' && rest[6] == '-') {  // "27-Mar-07 "
    auto dd = Digits(rest, 0, 2);
    auto mo = MonthIndex(rest.substr(3, 3));
    auto yy = Digits(rest, 7, 2);
    if (!dd || !mo || !yy) {
      return std::nullopt;
    }
    d = *dd;
    mon = *mo;
    y = *yy < 70 ? 2000 + *yy : 1900 + *yy;
    clock_pos = 10;
  } else {
    return std::nullopt;
  }
  if (rest.size() < clock_pos + 10 || rest[clock_pos - 1] != ' ' || rest[clock_pos + 8] != ' ') {
    return std::nullopt;
  }
  int h = 0;
  int mi = 0;
  int sec = 0;
  if (!Clock(rest, clock_pos, h, mi, sec)) {
    return std::nullopt;
  }
  auto zone = Zone(rest.substr(clock_pos + 9));
  if (!zone) {
    return std::nullopt;
  }
  return Make(y, mon, d, h, mi, sec, *zone);
}

// asctime: "Tue Mar 27 19:36:42 2007" (day of month may be space padded).
std::optional<TimePoint> ParseAsctime(std::string_view s) {
  if (s.size() != 24 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ') {
    return std::nullopt;
  }
  auto mo = MonthIndex(s.substr(4, 3));
  std::string day(s.substr(8, 2));
  if (day[0] == ' ') {
    day[0] = '0';
  }
  auto dd = Digits(day, 0, 2);
  auto yy = Digits(s, 20, 4);
  int h = 0;
  int mi = 0;
  int sec = 0;
  if (!mo || !dd || !yy || !Clock(s, 11, h, mi, sec)) {
    return std::nullopt;
  }
  return Make(*yy, *mo, *dd, h, mi, sec, 0);
}

}  // namespace

std::optional<TimePoint> ParseAmzDate(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') {
    return std::nullopt;
  }
  auto y = Digits(s, 0, 4);
  auto mo = Digits(s, 4, 2);
  auto d = Digits(s, 6, 2);
  auto h = Digits(s, 9, 2);
  auto mi = Digits(s, 11, 2);
  auto sec = Digits(s, 13, 2);
  if (!y || !mo || !d || !h || !mi || !sec || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 ||
      *mi > 59 || *sec > 60) {
    return std::nullopt;
  }
  return Make(*y, *mo, *d, *h, *mi, *sec, 0);
}

std::optional<TimePoint> ParseHttpDate(std::string_view s) {
  s = Trim(s);
  if (auto t = ParseAmzDate(s)) {
    return t;
  }
  if (auto t = ParseRfc1123Or850(s)) {
    return t;
  }
  return ParseAsctime(s);
}

std::string FormatAmzDate(TimePoint t) {
  auto day_start = floor<days>(t);
  year_month_day ymd{day_start};
  hh_mm_ss hms{floor<seconds>(t - day_start)};
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string FormatHttpDate(TimePoint t) {
  auto day_start = floor<days>(t);
  year_month_day ymd{day_start};
  weekday wd{day_start};
  hh_mm_ss hms{floor<seconds>(t - day_start)};
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%s, %02u %s %04d %02d:%02d:%02d GMT",
                std::string(kDays[wd.c_encoding()]).c_str(), static_cast<unsigned>(ymd.day()),
                std::string(kMonths[static_cast<unsigned>(ymd.month()) - 1]).c_str(),
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

}  // namespace cairn::auth::internal
