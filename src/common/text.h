// Small text helpers shared by every module: trimming, StrCat, and the one copy of hex and
// percent (URI) coding that signing, routing, the RPC and the load generator all use.
#pragma once

#include <cctype>
#include <optional>
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

// `s` without leading and trailing white space (std::isspace: also newlines).
inline std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
    s.remove_suffix(1);
  }
  return s;
}

// `s` with A-Z turned into a-z.
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
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

// Hex (text_encoding.cc). HexEncode writes lowercase; HexDecode and HexDigitValue take either
// case.
std::string HexEncode(std::string_view raw);
std::optional<std::string> HexDecode(std::string_view hex);  // nullopt: odd length, not hex
int HexDigitValue(char c);                                   // 0-15, or -1

// Percent coding (RFC 3986), escapes always in uppercase hex ("%2F").
//
// The unreserved bytes, never escaped: A-Z a-z 0-9 - _ . ~
bool IsUriUnreserved(unsigned char c);
// AWS UriEncode (SigV4's canonical form): every byte but the unreserved ones becomes %XX;
// '/' is kept when `keep_slash` (paths), escaped otherwise (query keys and values).
std::string UriEncode(std::string_view s, bool keep_slash);
// Decodes %XX (either case). '+' becomes a space when `plus_as_space` (query strings, HTML
// forms), else it stays '+' (paths). nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_as_space);
// The same, but a '%' not followed by two hex digits is kept as it is (signature checks,
// which must see what the client signed).
std::string PercentDecodeLenient(std::string_view s, bool plus_as_space);

}  // namespace cairn
