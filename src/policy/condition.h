// One entry of a statement's Condition block (`"StringLike": {"s3:prefix": ["a/*", "b/*"]}`
// gives one Condition per key), compiled at Parse: the operator looked up once, its values
// typed (patterns, numbers, instants, CIDRs) so that evaluation parses only the request's.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "policy/pattern.h"
#include "policy/values.h"

namespace cairn::policy {

class ConditionValues;

class Condition {
 public:
  // `op` is the operator as written ("ForAnyValue:StringNotLikeIfExists"), `values` the
  // key's values as text. Errors: kMalformedPolicy for an unknown operator or a value the
  // operator cannot take (a bad date, number, boolean, CIDR, base64 or ARN).
  static Result<Condition> Compile(std::string_view op, std::string_view key,
                                   std::span<const std::string> values);

  // Whether the request's condition values (nullptr: none) satisfy this entry, with AWS's
  // rules for absent keys: see README.md.
  bool Evaluate(const ConditionValues* request) const;

  // Appends the (lowercase) condition keys this entry reads: its own and its values' variables.
  void AppendKeys(std::vector<std::string>& keys) const;

  enum class Family {
    kString,
    kStringIgnoreCase,
    kStringLike,
    kNumeric,
    kDate,
    kBool,
    kIp,
    kNull,
    kBinary,
    kArn
  };
  enum class Compare { kEqual, kLess, kLessEqual, kGreater, kGreaterEqual };
  enum class SetQualifier { kNone, kForAnyValue, kForAllValues };

 private:
  struct Cidr {
    IpBytes address{};
    int prefix_bits = 0;
    bool v6 = false;
  };

  Status CompileValue(const std::string& text);
  bool MatchesValue(std::string_view value, const ConditionValues* request) const;
  bool MatchesOrdered(double value) const;
  bool MatchesIp(std::string_view value) const;
  bool MatchesArn(std::string_view value, const ConditionValues* request) const;

  Family family_ = Family::kString;
  Compare compare_ = Compare::kEqual;
  SetQualifier set_ = SetQualifier::kNone;
  bool negated_ = false;    // StringNotEquals, NotIpAddress, ArnNotLike, ...
  bool if_exists_ = false;  // ...IfExists: an absent key satisfies it
  std::string key_;         // lowercase
  std::string op_;          // as written, for error messages

  // The values, in the form of the family: one of these is filled.
  std::vector<Pattern> patterns_;   // strings (kArn: six per value, one a component)
  std::vector<double> numbers_;     // numbers; instants in seconds since the epoch
  std::vector<bool> bools_;         // kBool, kNull
  std::vector<Cidr> cidrs_;         // kIp
  std::vector<std::string> texts_;  // kBinary (base64 as written)
};

}  // namespace cairn::policy
