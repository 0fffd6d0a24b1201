#include "cluster/ellipses.h"

#include <cctype>
#include <cstdint>
#include <optional>

#include <fmt/format.h>

namespace cairn::cluster {
namespace {

// One piece of a pattern: literal text, or the choices of one `{X...Y}` group.
struct Piece {
  std::string literal;
  std::vector<std::string> choices;  // empty for literal text
};

bool AllDigits(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

bool IsLetter(std::string_view s) {
  return s.size() == 1 && std::isalpha(static_cast<unsigned char>(s[0]));
}

Result<std::vector<std::string>> ExpandGroup(std::string_view pattern, std::string_view body) {
  auto bad = [&](std::string_view why) {
    return Status(Errc::kInvalidArgument,
                  fmt::format("bad range {{{}}} in '{}': {}", body, pattern, why));
  };
  const auto dots = body.find("...");
  std::string_view from = body.substr(0, dots);
  std::string_view to = body.substr(dots + 3);
  if (from.empty() || to.empty()) {
    return bad("write both ends, as in {1...4}");
  }
  if (to.find("...") != std::string_view::npos) {
    return bad("a range has exactly one '...', as in {1...4}");
  }
  std::vector<std::string> out;
  if (AllDigits(from) && AllDigits(to)) {
    if (from.size() > 9 || to.size() > 9) {
      return bad("the numbers are too large");
    }
    const std::uint64_t lo = std::stoull(std::string(from));
    const std::uint64_t hi = std::stoull(std::string(to));
    if (lo > hi) {
      return bad(fmt::format("the range goes backwards; write {{{}...{}}}", to, from));
    }
    if (hi - lo + 1 > kMaxEllipsesExpansion) {
      return bad(fmt::format("it names more than {} drives", kMaxEllipsesExpansion));
    }
    const bool padded = (from.size() > 1 && from[0] == '0') || (to.size() > 1 && to[0] == '0');
    const std::size_t width = padded ? std::max(from.size(), to.size()) : 0;
    for (std::uint64_t i = lo; i <= hi; ++i) {
      out.push_back(fmt::format("{:0{}}", i, width));
    }
    return out;
  }
  if (IsLetter(from) && IsLetter(to)) {
    const char lo = from[0];
    const char hi = to[0];
    if (std::islower(static_cast<unsigned char>(lo)) !=
        std::islower(static_cast<unsigned char>(hi))) {
      return bad("both letters must have the same case");
    }
    if (lo > hi) {
      return bad(fmt::format("the range goes backwards; write {{{}...{}}}", to, from));
    }
    for (char c = lo; c <= hi; ++c) {
      out.emplace_back(1, c);
    }
    return out;
  }
  return bad("both ends must be numbers ({1...8}, {01...16}) or single letters ({a...d})");
}

Result<std::vector<Piece>> Split(std::string_view pattern) {
  std::vector<Piece> pieces;
  auto append_literal = [&](std::string_view text) {
    if (pieces.empty() || !pieces.back().choices.empty()) {
      pieces.emplace_back();
    }
    pieces.back().literal.append(text);
  };
  std::size_t pos = 0;
  while (pos < pattern.size()) {
    const std::size_t open = pattern.find('{', pos);
    if (open == std::string_view::npos) {
      append_literal(pattern.substr(pos));
      break;
    }
    append_literal(pattern.substr(pos, open - pos));
    const std::size_t next = pattern.find_first_of("{}", open + 1);
    if (next == std::string_view::npos || pattern[next] == '{') {
      // No group here: this brace is plain text, unless it starts an unclosed range.
      const std::size_t end = next == std::string_view::npos ? pattern.size() : next;
      if (pattern.substr(open + 1, end - open - 1).find("...") != std::string_view::npos) {
        return Status(Errc::kInvalidArgument,
                      fmt::format("bad pattern '{}': a '{{' has no closing '}}'", pattern));
      }
      append_literal(pattern.substr(open, end - open));
      pos = end;
      continue;
    }
    const std::string_view body = pattern.substr(open + 1, next - open - 1);
    if (body.find("...") == std::string_view::npos) {
      append_literal(pattern.substr(open, next - open + 1));
    } else {
      ASSIGN_OR_RETURN(auto choices, ExpandGroup(pattern, body));
      Piece piece;
      piece.choices = std::move(choices);
      pieces.push_back(std::move(piece));
    }
    pos = next + 1;
  }
  return pieces;
}

}  // namespace

bool HasEllipses(std::string_view pattern) {
  std::size_t pos = 0;
  while ((pos = pattern.find('{', pos)) != std::string_view::npos) {
    const std::size_t next = pattern.find_first_of("{}", pos + 1);
    if (next == std::string_view::npos) {
      return false;
    }
    if (pattern[next] == '}' &&
        pattern.substr(pos + 1, next - pos - 1).find("...") != std::string_view::npos) {
      return true;
    }
    pos = next;
  }
  return false;
}

Result<std::vector<std::string>> ExpandEllipses(std::string_view pattern) {
  ASSIGN_OR_RETURN(auto pieces, Split(pattern));
  std::size_t total = 1;
  for (const Piece& p : pieces) {
    if (!p.choices.empty()) {
      total *= p.choices.size();
      if (total > kMaxEllipsesExpansion) {
        return Status(Errc::kInvalidArgument, fmt::format("pattern '{}' names more than {} drives",
                                                          pattern, kMaxEllipsesExpansion));
      }
    }
  }
  std::vector<std::string> out;
  out.reserve(total);
  // Mixed-radix counter over the groups; digit 0 (the leftmost group) turns fastest.
  std::vector<std::size_t> digit(pieces.size(), 0);
  for (std::size_t n = 0; n < total; ++n) {
    std::string name;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      name += pieces[i].choices.empty() ? pieces[i].literal : pieces[i].choices[digit[i]];
    }
    out.push_back(std::move(name));
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      if (pieces[i].choices.empty()) {
        continue;
      }
      if (++digit[i] < pieces[i].choices.size()) {
        break;
      }
      digit[i] = 0;
    }
  }
  return out;
}

}  // namespace cairn::cluster
