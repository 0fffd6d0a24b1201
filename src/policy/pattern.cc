#include "policy/pattern.h"

#include "common/text.h"
#include "policy/policy.h"

namespace cairn::policy {
namespace {

bool EqualAt(std::string_view subject, std::size_t pos, std::string_view text, bool fold_case) {
  if (subject.size() - pos < text.size()) {
    return false;
  }
  if (!fold_case) {
    return BytesEqual(subject.data() + pos, text.data(), text.size());
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (LowerAscii(subject[pos + i]) != LowerAscii(text[i])) {
      return false;
    }
  }
  return true;
}

// `${*}` and friends: the escapes AWS defines for characters that are otherwise special.
bool IsEscape(std::string_view key) {
  return key == "*" || key == "?" || key == "$";
}

// The single value of a policy variable: nullptr when absent or multi-valued.
const std::string* VariableValue(const ConditionValues* vars, std::string_view key) {
  const std::vector<std::string>* values = vars != nullptr ? vars->Find(key) : nullptr;
  return values != nullptr && values->size() == 1 ? &values->front() : nullptr;
}

}  // namespace

void Pattern::AppendLiteral(Segment& segment, std::string_view text) {
  if (!segment.empty() && segment.back().kind == AtomKind::kLiteral) {
    segment.back().text.append(text);
  } else {
    segment.push_back({AtomKind::kLiteral, std::string(text)});
  }
}

Pattern Pattern::Compile(std::string_view text, Options options) {
  Pattern p;
  p.segments_.emplace_back();
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (options.variables && c == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      const std::size_t close = text.find('}', i + 2);
      if (close != std::string_view::npos) {
        const std::string_view key = text.substr(i + 2, close - i - 2);
        if (IsEscape(key)) {
          AppendLiteral(p.segments_.back(), key);
        } else {
          p.segments_.back().push_back({AtomKind::kVariable, AsciiLower(key)});
        }
        i = close;
        continue;
      }
    }
    if (options.wildcards && c == '*') {
      p.segments_.emplace_back();
    } else if (options.wildcards && c == '?') {
      p.segments_.back().push_back({AtomKind::kAnyChar, {}});
    } else {
      const char stored = options.lowercase ? LowerAscii(c) : c;
      AppendLiteral(p.segments_.back(), std::string_view(&stored, 1));
    }
  }
  p.Classify();
  return p;
}

void Pattern::Classify() {
  const Segment& first = segments_.front();
  const bool literal = first.empty() || (first.size() == 1 && first[0].kind == AtomKind::kLiteral);
  if (!literal || segments_.size() > 2 || (segments_.size() == 2 && !segments_[1].empty())) {
    return;
  }
  shape_ = segments_.size() == 1 ? Shape::kExact : Shape::kPrefix;
  fixed_ = first.empty() ? std::string() : first[0].text;
}

// Matches `segment` exactly at `pos`; on success moves `pos` past it.
bool Pattern::MatchSegmentAt(const Segment& segment, std::string_view subject, std::size_t& pos,
                             const ConditionValues* vars, bool fold_case) const {
  std::size_t at = pos;
  for (const Atom& atom : segment) {
    std::string_view text = atom.text;
    if (atom.kind == AtomKind::kAnyChar) {
      if (at >= subject.size()) {
        return false;
      }
      ++at;
      continue;
    }
    if (atom.kind == AtomKind::kVariable) {
      const std::string* value = VariableValue(vars, atom.text);
      if (value == nullptr) {
        return false;
      }
      text = *value;
    }
    if (!EqualAt(subject, at, text, fold_case)) {
      return false;
    }
    at += text.size();
  }
  pos = at;
  return true;
}

// The leftmost match of `segment` at or after `pos`. Leftmost is always right for a segment
// between two `*`s: it leaves the most room for the segments after it.
bool Pattern::FindSegment(const Segment& segment, std::string_view subject, std::size_t& pos,
                          const ConditionValues* vars, bool fold_case) const {
  for (std::size_t start = pos; start <= subject.size(); ++start) {
    std::size_t at = start;
    if (MatchSegmentAt(segment, subject, at, vars, fold_case)) {
      pos = at;
      return true;
    }
  }
  return false;
}

bool Pattern::StartsWithFolded(std::string_view subject, std::string_view prefix) {
  return EqualAt(subject, 0, prefix, /*fold_case=*/true);
}

bool Pattern::MatchSegments(std::string_view subject, const ConditionValues* vars,
                            bool fold_case) const {
  std::size_t pos = 0;
  if (!MatchSegmentAt(segments_.front(), subject, pos, vars, fold_case)) {
    return false;
  }
  if (segments_.size() == 1) {
    return pos == subject.size();
  }
  for (std::size_t i = 1; i + 1 < segments_.size(); ++i) {
    if (!FindSegment(segments_[i], subject, pos, vars, fold_case)) {
      return false;
    }
  }
  // The last segment is anchored at the end, where its resolved length puts it.
  const Segment& last = segments_.back();
  std::size_t length = 0;
  if (!ResolvedLength(last, vars, length) || subject.size() - pos < length) {
    return false;
  }
  std::size_t at = subject.size() - length;
  return MatchSegmentAt(last, subject, at, vars, fold_case);
}

bool Pattern::ResolvedLength(const Segment& segment, const ConditionValues* vars,
                             std::size_t& length) {
  for (const Atom& atom : segment) {
    if (atom.kind == AtomKind::kVariable) {
      const std::string* value = VariableValue(vars, atom.text);
      if (value == nullptr) {
        return false;
      }
      length += value->size();
    } else {
      length += atom.kind == AtomKind::kAnyChar ? 1 : atom.text.size();
    }
  }
  return true;
}

void Pattern::AppendVariables(std::vector<std::string>& keys) const {
  for (const Segment& segment : segments_) {
    for (const Atom& atom : segment) {
      if (atom.kind == AtomKind::kVariable) {
        keys.push_back(atom.text);
      }
    }
  }
}

}  // namespace cairn::policy
