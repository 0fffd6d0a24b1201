#include "policy/condition.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <optional>

#include <arpa/inet.h>

#include "common/text.h"
#include "policy/policy.h"

namespace cairn::policy {
namespace {

using Family = Condition::Family;
using Compare = Condition::Compare;

struct OperatorInfo {
  std::string_view name;
  Family family;
  Compare compare;
  bool negated;
};

constexpr auto kOperators = std::to_array<OperatorInfo>({
    {"StringEquals", Family::kString, Compare::kEqual, false},
    {"StringNotEquals", Family::kString, Compare::kEqual, true},
    {"StringEqualsIgnoreCase", Family::kStringIgnoreCase, Compare::kEqual, false},
    {"StringNotEqualsIgnoreCase", Family::kStringIgnoreCase, Compare::kEqual, true},
    {"StringLike", Family::kStringLike, Compare::kEqual, false},
    {"StringNotLike", Family::kStringLike, Compare::kEqual, true},
    {"NumericEquals", Family::kNumeric, Compare::kEqual, false},
    {"NumericNotEquals", Family::kNumeric, Compare::kEqual, true},
    {"NumericLessThan", Family::kNumeric, Compare::kLess, false},
    {"NumericLessThanEquals", Family::kNumeric, Compare::kLessEqual, false},
    {"NumericGreaterThan", Family::kNumeric, Compare::kGreater, false},
    {"NumericGreaterThanEquals", Family::kNumeric, Compare::kGreaterEqual, false},
    {"DateEquals", Family::kDate, Compare::kEqual, false},
    {"DateNotEquals", Family::kDate, Compare::kEqual, true},
    {"DateLessThan", Family::kDate, Compare::kLess, false},
    {"DateLessThanEquals", Family::kDate, Compare::kLessEqual, false},
    {"DateGreaterThan", Family::kDate, Compare::kGreater, false},
    {"DateGreaterThanEquals", Family::kDate, Compare::kGreaterEqual, false},
    {"Bool", Family::kBool, Compare::kEqual, false},
    {"IpAddress", Family::kIp, Compare::kEqual, false},
    {"NotIpAddress", Family::kIp, Compare::kEqual, true},
    {"Null", Family::kNull, Compare::kEqual, false},
    {"BinaryEquals", Family::kBinary, Compare::kEqual, false},
    {"ArnEquals", Family::kArn, Compare::kEqual, false},
    {"ArnLike", Family::kArn, Compare::kEqual, false},
    {"ArnNotEquals", Family::kArn, Compare::kEqual, true},
    {"ArnNotLike", Family::kArn, Compare::kEqual, true},
});

constexpr std::string_view kIfExists = "IfExists";
constexpr std::size_t kArnComponents = 6;

bool ConsumePrefix(std::string_view& s, std::string_view prefix) {
  if (!s.starts_with(prefix)) {
    return false;
  }
  s.remove_prefix(prefix.size());
  return true;
}

std::optional<double> ParseNumber(std::string_view s) {
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

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

// ISO 8601 ("2026-01-02", "2026-01-02T03:04:05Z", "...05.123+02:00") or epoch seconds, as
// seconds since the epoch.
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

bool EqualsIgnoreCase(std::string_view s, std::string_view lower) {
  return s.size() == lower.size() && std::equal(s.begin(), s.end(), lower.begin(),
                                                [](char c, char l) { return LowerAscii(c) == l; });
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

// An IPv4 or IPv6 address into 16 bytes; no allocation (request values are parsed here too).
bool ParseAddress(std::string_view s, std::array<std::uint8_t, 16>& out, bool& v6) {
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

bool PrefixEqual(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
                 int bits) {
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

// The six colon-separated components of an ARN (the last keeps any further colons).
bool SplitArn(std::string_view arn, std::array<std::string_view, kArnComponents>& parts) {
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

}  // namespace

Result<Condition> Condition::Compile(std::string_view op, std::string_view key,
                                     std::span<const std::string> values) {
  Condition c;
  c.op_ = std::string(op);
  c.key_ = AsciiLower(key);
  std::string_view name = op;
  if (ConsumePrefix(name, "ForAnyValue:")) {
    c.set_ = SetQualifier::kForAnyValue;
  } else if (ConsumePrefix(name, "ForAllValues:")) {
    c.set_ = SetQualifier::kForAllValues;
  }
  if (name.ends_with(kIfExists)) {
    c.if_exists_ = true;
    name.remove_suffix(kIfExists.size());
  }
  const auto* info = std::find_if(kOperators.begin(), kOperators.end(),
                                  [&](const OperatorInfo& i) { return i.name == name; });
  if (info == kOperators.end() || key.empty() || values.empty()) {
    return Status(Errc::kMalformedPolicy, StrCat("Invalid Condition operator ", op));
  }
  c.family_ = info->family;
  c.compare_ = info->compare;
  c.negated_ = info->negated;
  for (const std::string& value : values) {
    if (Status s = c.CompileValue(value); !s.ok()) {
      return s;
    }
  }
  return c;
}

Status Condition::CompileValue(const std::string& text) {
  bool valid = true;
  switch (family_) {
    case Family::kString:
    case Family::kStringIgnoreCase:
      patterns_.push_back(Pattern::Compile(text, {.wildcards = false}));
      break;
    case Family::kStringLike:
      patterns_.push_back(Pattern::Compile(text, {}));
      break;
    case Family::kNumeric:
    case Family::kDate: {
      const auto n = family_ == Family::kNumeric ? ParseNumber(text) : ParseDate(text);
      valid = n.has_value();
      numbers_.push_back(n.value_or(0));
      break;
    }
    case Family::kBool:
    case Family::kNull: {
      const auto b = ParseBool(text);
      valid = b.has_value();
      bools_.push_back(b.value_or(false));
      break;
    }
    case Family::kIp: {
      Cidr cidr;
      const std::size_t slash = text.find('/');
      valid = ParseAddress(std::string_view(text).substr(0, slash), cidr.address, cidr.v6);
      const int max_bits = cidr.v6 ? 128 : 32;
      const auto bits = slash == std::string::npos
                            ? std::optional<double>(max_bits)
                            : ParseNumber(std::string_view(text).substr(slash + 1));
      valid = valid && bits && *bits >= 0 && *bits <= max_bits && *bits == static_cast<int>(*bits);
      cidr.prefix_bits = valid ? static_cast<int>(*bits) : 0;
      cidrs_.push_back(cidr);
      break;
    }
    case Family::kBinary:
      valid = IsBase64(text);
      texts_.push_back(text);
      break;
    case Family::kArn: {
      std::array<std::string_view, kArnComponents> parts;
      valid = SplitArn(text, parts);
      for (std::string_view part : parts) {
        patterns_.push_back(Pattern::Compile(part, {}));
      }
      break;
    }
  }
  if (!valid) {
    return Status(Errc::kMalformedPolicy,
                  StrCat("Invalid value ", text, " for Condition operator ", op_));
  }
  return Status::Ok();
}

bool Condition::Evaluate(const ConditionValues* request) const {
  const std::vector<std::string>* values = request != nullptr ? request->Find(key_) : nullptr;
  const bool absent = values == nullptr || values->empty();
  if (family_ == Family::kNull) {
    // "true": the key must be absent; "false": present.
    return std::find(bools_.begin(), bools_.end(), absent) != bools_.end();
  }
  if (absent) {
    if (if_exists_ || set_ == SetQualifier::kForAllValues) {
      return true;
    }
    return set_ == SetQualifier::kNone && negated_;
  }
  const auto holds = [&](const std::string& v) { return MatchesValue(v, request) != negated_; };
  switch (set_) {
    case SetQualifier::kForAnyValue:
      return std::any_of(values->begin(), values->end(), holds);
    case SetQualifier::kForAllValues:
      return std::all_of(values->begin(), values->end(), holds);
    case SetQualifier::kNone:
      break;
  }
  // A plain operator on a multi-valued key: the positive form holds when any value matches,
  // and the negated form is its opposite (no value matches).
  const bool any = std::any_of(values->begin(), values->end(),
                               [&](const std::string& v) { return MatchesValue(v, request); });
  return any != negated_;
}

// Whether `value` matches one of the policy's values under the operator's positive form.
bool Condition::MatchesValue(std::string_view value, const ConditionValues* request) const {
  switch (family_) {
    case Family::kString:
    case Family::kStringLike:
    case Family::kStringIgnoreCase: {
      const bool fold = family_ == Family::kStringIgnoreCase;
      return std::any_of(patterns_.begin(), patterns_.end(),
                         [&](const Pattern& p) { return p.Match(value, request, fold); });
    }
    case Family::kNumeric:
    case Family::kDate: {
      const auto n = family_ == Family::kNumeric ? ParseNumber(value) : ParseDate(value);
      return n.has_value() && MatchesOrdered(*n);
    }
    case Family::kBool: {
      const auto b = ParseBool(value);
      return b.has_value() && std::find(bools_.begin(), bools_.end(), *b) != bools_.end();
    }
    case Family::kIp:
      return MatchesIp(value);
    case Family::kBinary:
      return std::find(texts_.begin(), texts_.end(), value) != texts_.end();
    case Family::kArn:
      return MatchesArn(value, request);
    case Family::kNull:
      break;
  }
  return false;
}

bool Condition::MatchesOrdered(double value) const {
  return std::any_of(numbers_.begin(), numbers_.end(), [&](double policy_value) {
    switch (compare_) {
      case Compare::kEqual:
        return value == policy_value;
      case Compare::kLess:
        return value < policy_value;
      case Compare::kLessEqual:
        return value <= policy_value;
      case Compare::kGreater:
        return value > policy_value;
      case Compare::kGreaterEqual:
        return value >= policy_value;
    }
    return false;
  });
}

bool Condition::MatchesIp(std::string_view value) const {
  std::array<std::uint8_t, 16> address;
  bool v6 = false;
  if (!ParseAddress(value, address, v6)) {
    return false;
  }
  return std::any_of(cidrs_.begin(), cidrs_.end(), [&](const Cidr& c) {
    return c.v6 == v6 && PrefixEqual(c.address, address, c.prefix_bits);
  });
}

bool Condition::MatchesArn(std::string_view value, const ConditionValues* request) const {
  std::array<std::string_view, kArnComponents> parts;
  if (!SplitArn(value, parts)) {
    return false;
  }
  for (std::size_t first = 0; first < patterns_.size(); first += kArnComponents) {
    bool all = true;
    for (std::size_t i = 0; i < kArnComponents && all; ++i) {
      all = patterns_[first + i].Match(parts[i], request, false);
    }
    if (all) {
      return true;
    }
  }
  return false;
}

}  // namespace cairn::policy
