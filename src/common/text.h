// Small text helpers shared by the parsers of HTTP and S3 headers, and StrCat.
#pragma once

#include <string>
#include <string_view>

namespace cairn {

// `s` without leading and trailing spaces and tabs (HTTP's optional whitespace).
inline std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// The pieces (anything a std::string_view can be made of) joined, with one allocation. Use it
// instead of `"literal" + std::string(x)`: for `const char* + std::string&&` GCC 12's -O3
// inliner reports a false -Wrestrict (an insert at the front of the temporary), which
// -Werror turns into a failed Release build.
template <class... Pieces>
std::string StrCat(const Pieces&... pieces) {
  std::string out;
  out.reserve((std::string_view(pieces).size() + ... + 0));
  (out.append(std::string_view(pieces)), ...);
  return out;
}

}  // namespace cairn
