// A wildcard pattern of the policy language (Action, Resource, StringLike, ArnLike values),
// split once at Parse into fixed-length segments between the `*`s so that matching does no
// allocation. Policy variables (`${aws:username}`) stay as atoms resolved per request from
// its condition values; `${*}`, `${?}` and `${$}` are the literal characters.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cairn::policy {

class ConditionValues;

class Pattern {
 public:
  struct Options {
    bool wildcards = true;   // `*` and `?` match; else they are literal (StringEquals)
    bool variables = true;   // `${key}` is a policy variable; else literal (Action)
    bool lowercase = false;  // store lowercase (case-insensitive matching, see Match)
  };

  static Pattern Compile(std::string_view text, Options options);

  // Whether `subject` matches. Variables take the single value `vars` holds for their key; a
  // key absent or multi-valued (or `vars` null) makes the pattern match nothing. With
  // `fold_case`, characters compare lowercased on both sides.
  bool Match(std::string_view subject, const ConditionValues* vars, bool fold_case) const;

  bool has_variables() const { return has_variables_; }

 private:
  enum class AtomKind { kLiteral, kAnyChar, kVariable };

  struct Atom {
    AtomKind kind;
    std::string text;  // the literal, or the variable's key
  };

  // The atoms between two `*`s: its length is fixed once the variables are resolved.
  using Segment = std::vector<Atom>;

  bool MatchSegmentAt(const Segment& segment, std::string_view subject, std::size_t& pos,
                      const ConditionValues* vars, bool fold_case) const;
  bool FindSegment(const Segment& segment, std::string_view subject, std::size_t& pos,
                   const ConditionValues* vars, bool fold_case) const;

  // Adds the length `segment` has once its variables are resolved; false when one is not.
  static bool ResolvedLength(const Segment& segment, const ConditionValues* vars,
                             std::size_t& length);
  static void AppendLiteral(Segment& segment, std::string_view text);

  std::vector<Segment> segments_;  // one more than the number of `*`s
  bool has_variables_ = false;
};

// The single value of a policy variable: nullptr when absent or multi-valued.
const std::string* VariableValue(const ConditionValues* vars, std::string_view key);

}  // namespace cairn::policy
