// A wildcard pattern of the policy language (Action, Resource, StringLike, ArnLike values),
// split once at Parse into fixed-length segments between the `*`s so that matching does no
// allocation. Policy variables (`${aws:username}`) stay as atoms resolved per request from
// its condition values; `${*}`, `${?}` and `${$}` are the literal characters.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::policy {

class ConditionValues;

// A-Z to a-z, without the locale lookup of std::tolower (it runs per character on the
// evaluation path).
inline char LowerAscii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// memcmp(a, b, n) == 0 for the short strings of policies, inline: the library call was
// most of an evaluation. The last byte goes first because patterns that share an ARN
// prefix ("arn:aws:s3:::bucket-1/*", "arn:aws:s3:::bucket-2/*") differ near the end.
inline bool BytesEqual(const char* a, const char* b, std::size_t n) {
  if (n == 0) {
    return true;
  }
  if (a[n - 1] != b[n - 1]) {
    return false;
  }
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    if (x != y) {
      return false;
    }
  }
  for (; i < n; ++i) {
    if (a[i] != b[i]) {
      return false;
    }
  }
  return true;
}

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
  // Appends the (lowercase) keys of the pattern's variables.
  void AppendVariables(std::vector<std::string>& keys) const;

  bool Match(std::string_view subject, const ConditionValues* vars, bool fold_case) const {
    switch (shape_) {
      case Shape::kExact:
        return subject.size() == fixed_.size() && StartsWith(subject, fixed_, fold_case);
      case Shape::kPrefix:
        return StartsWith(subject, fixed_, fold_case);
      case Shape::kGeneral:
        break;
    }
    return MatchSegments(subject, vars, fold_case);
  }

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

  // The common shapes, matched without walking segments: "s3:getobject" and
  // "arn:aws:s3:::bucket/*" (no variable, no `?`, at most one `*`, at the end).
  enum class Shape { kExact, kPrefix, kGeneral };

  void Classify();
  bool MatchSegments(std::string_view subject, const ConditionValues* vars, bool fold_case) const;

  static bool StartsWith(std::string_view subject, std::string_view prefix, bool fold_case) {
    if (fold_case) {
      return StartsWithFolded(subject, prefix);
    }
    return subject.size() >= prefix.size() &&
           BytesEqual(subject.data(), prefix.data(), prefix.size());
  }

  static bool StartsWithFolded(std::string_view subject, std::string_view prefix);

  std::vector<Segment> segments_;  // one more than the number of `*`s
  Shape shape_ = Shape::kGeneral;
  std::string fixed_;  // kExact: the whole text; kPrefix: the text before the `*`
};

}  // namespace cairn::policy
