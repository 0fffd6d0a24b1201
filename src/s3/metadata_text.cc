#include "s3/metadata_text.h"

#include <cstdint>
#include <optional>
#include <vector>

#include "common/checksum.h"
#include "common/text.h"

namespace cairn::s3 {
namespace {

// The code points of `s` when it is well-formed UTF-8 (no overlongs, no surrogates).
std::optional<std::vector<char32_t>> DecodeUtf8(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    int extra = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (c < 0x80) {
      out.push_back(c);
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
      min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
      min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
      min = 0x10000;
    } else {
      return std::nullopt;
    }
    if (i + static_cast<std::size_t>(extra) >= s.size()) {
      return std::nullopt;
    }
    for (int k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((cc & 0xC0) != 0x80) {
        return std::nullopt;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return std::nullopt;
    }
    out.push_back(cp);
    i += static_cast<std::size_t>(extra) + 1;
  }
  return out;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// ISO-8859-1 bytes as UTF-8.
std::string Latin1ToUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (char c : s) {
    AppendUtf8(out, static_cast<unsigned char>(c));
  }
  return out;
}

bool IsPrintableAscii(char32_t c) {
  return c >= 0x20 && c < 0x7F;
}

// One RFC 2047 encoded-word's text decoded ("B": base64, "Q": =XX and '_' for a space).
std::optional<std::string> DecodeWordText(char encoding, std::string_view text) {
  if (encoding == 'B' || encoding == 'b') {
    return Base64Decode(text);
  }
  if (encoding != 'Q' && encoding != 'q') {
    return std::nullopt;
  }
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '_') {
      out.push_back(' ');
    } else if (text[i] == '=') {
      if (i + 2 >= text.size()) {
        return std::nullopt;
      }
      const int hi = HexDigitValue(text[i + 1]);
      const int lo = HexDigitValue(text[i + 2]);
      if (hi < 0 || lo < 0) {
        return std::nullopt;
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// `s` decoded when it is a sequence of RFC 2047 encoded-words ("=?charset?enc?text?="
// separated by white space) in UTF-8, US-ASCII or ISO-8859-1; nullopt otherwise.
std::optional<std::string> DecodeEncodedWords(std::string_view s) {
  std::string out;
  bool any = false;
  s = TrimBlanks(s);
  while (!s.empty()) {
    if (!s.starts_with("=?")) {
      return std::nullopt;
    }
    const auto q1 = s.find('?', 2);
    if (q1 == std::string_view::npos || q1 + 2 >= s.size() || s[q1 + 2] != '?') {
      return std::nullopt;
    }
    const auto end = s.find("?=", q1 + 3);
    if (end == std::string_view::npos) {
      return std::nullopt;
    }
    const std::string charset = AsciiLower(s.substr(2, q1 - 2));
    auto text = DecodeWordText(s[q1 + 1], s.substr(q1 + 3, end - q1 - 3));
    if (!text) {
      return std::nullopt;
    }
    if (charset == "utf-8" || charset == "us-ascii") {
      if (!DecodeUtf8(*text)) {
        return std::nullopt;
      }
      out += *text;
    } else if (charset == "iso-8859-1" || charset == "latin1") {
      out += Latin1ToUtf8(*text);
    } else {
      return std::nullopt;
    }
    any = true;
    s = TrimBlanks(s.substr(end + 2));
  }
  if (!any) {
    return std::nullopt;
  }
  return out;
}

}  // namespace

std::string StoredMetadataValue(std::string_view received) {
  std::string text = DecodeUtf8(received) ? std::string(received) : Latin1ToUtf8(received);
  if (auto decoded = DecodeEncodedWords(text)) {
    return std::move(*decoded);
  }
  return text;
}

std::string MetadataHeaderValue(std::string_view stored) {
  std::optional<std::vector<char32_t>> cps = DecodeUtf8(stored);
  std::string utf8 = cps ? std::string(stored) : Latin1ToUtf8(stored);
  if (!cps) {
    cps = DecodeUtf8(utf8);
  }
  bool ascii = true;
  bool latin1 = true;
  for (char32_t c : *cps) {
    ascii = ascii && IsPrintableAscii(c);
    latin1 = latin1 && (IsPrintableAscii(c) || (c >= 0xA0 && c <= 0xFF));
  }
  if (ascii) {
    return utf8;
  }
  if (latin1) {
    std::string out;
    out.reserve(cps->size());
    for (char32_t c : *cps) {
      out.push_back(static_cast<char>(static_cast<unsigned char>(c)));
    }
    return out;
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "=?UTF-8?Q?";
  for (char ch : utf8) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ') {
      out.push_back('_');
    } else if (c > 0x20 && c < 0x7F && c != '=' && c != '?' && c != '_') {
      out.push_back(ch);
    } else {
      out.push_back('=');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  out += "?=";
  return out;
}

}  // namespace cairn::s3
