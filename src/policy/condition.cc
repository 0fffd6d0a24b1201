#include "policy/condition.h"

#include <algorithm>
#include <optional>

#include "common/text.h"
#include "policy/policy.h"
#include "policy/values.h"

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

bool ConsumePrefix(std::string_view& s, std::string_view prefix) {
  if (!s.starts_with(prefix)) {
    return false;
  }
  s.remove_prefix(prefix.size());
  return true;
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
      ArnParts parts;
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
  IpBytes address;
  bool v6 = false;
  if (!ParseAddress(value, address, v6)) {
    return false;
  }
  return std::any_of(cidrs_.begin(), cidrs_.end(), [&](const Cidr& c) {
    return c.v6 == v6 && PrefixEqual(c.address, address, c.prefix_bits);
  });
}

bool Condition::MatchesArn(std::string_view value, const ConditionValues* request) const {
  ArnParts parts;
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

void Condition::AppendKeys(std::vector<std::string>& keys) const {
  keys.push_back(key_);
  for (const Pattern& p : patterns_) {
    p.AppendVariables(keys);
  }
}

}  // namespace cairn::policy
