// Hex and percent coding (common/text.h); strict base64 and constant-time comparison
// (common/checksum.h): the text forms in which S3 carries keys, digests and signatures.
#include <array>
#include <cstdint>

#include <openssl/crypto.h>

#include "common/checksum.h"
#include "common/text.h"

namespace cairn {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kUpperHexDigits[] = "0123456789ABCDEF";
constexpr char kBase64Chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Value of a base64 character, or -1.
constexpr std::array<std::int8_t, 256> MakeBase64Values() {
  std::array<std::int8_t, 256> v{};
  for (auto& x : v) {
    x = -1;
  }
  for (int i = 0; i < 64; ++i) {
    v[static_cast<unsigned char>(kBase64Chars[i])] = static_cast<std::int8_t>(i);
  }
  return v;
}

constexpr std::array<std::int8_t, 256> kBase64Values = MakeBase64Values();

void AppendEscaped(std::string& out, unsigned char c) {
  out.push_back('%');
  out.push_back(kUpperHexDigits[c >> 4]);
  out.push_back(kUpperHexDigits[c & 0xf]);
}

// Decodes `s`; a bad escape makes it fail when `strict`, else it is kept as is.
std::optional<std::string> Decode(std::string_view s, bool plus_as_space, bool strict) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      const int hi = i + 2 < s.size() ? HexDigitValue(s[i + 1]) : -1;
      const int lo = i + 2 < s.size() ? HexDigitValue(s[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
      if (strict) {
        return std::nullopt;
      }
    }
    out.push_back(c == '+' && plus_as_space ? ' ' : c);
  }
  return out;
}

}  // namespace

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string HexEncode(std::string_view raw) {
  std::string out(raw.size() * 2, '\0');
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const auto b = static_cast<unsigned char>(raw[i]);
    out[2 * i] = kHexDigits[b >> 4];
    out[2 * i + 1] = kHexDigits[b & 0xf];
  }
  return out;
}

std::optional<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return std::nullopt;
  }
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = HexDigitValue(hex[2 * i]);
    const int lo = HexDigitValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return std::nullopt;
    }
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

bool IsUriUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

std::string UriEncode(std::string_view s, bool keep_slash) {
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUriUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      AppendEscaped(out, c);
    }
  }
  return out;
}

std::optional<std::string> PercentDecode(std::string_view s, bool plus_as_space) {
  return Decode(s, plus_as_space, true);
}

std::string PercentDecodeLenient(std::string_view s, bool plus_as_space) {
  return *Decode(s, plus_as_space, false);
}

std::string Base64Encode(std::string_view raw) {
  std::string out;
  out.reserve((raw.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(raw[k]));
  };
  for (; i + 3 <= raw.size(); i += 3) {
    const std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out.push_back(kBase64Chars[(v >> 18) & 63]);
    out.push_back(kBase64Chars[(v >> 12) & 63]);
    out.push_back(kBase64Chars[(v >> 6) & 63]);
    out.push_back(kBase64Chars[v & 63]);
  }
  const std::size_t rest = raw.size() - i;
  if (rest > 0) {
    std::uint32_t v = byte(i) << 16;
    if (rest == 2) {
      v |= byte(i + 1) << 8;
    }
    out.push_back(kBase64Chars[(v >> 18) & 63]);
    out.push_back(kBase64Chars[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kBase64Chars[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view b64) {
  if (b64.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(b64.size() / 4 * 3);
  for (std::size_t i = 0; i < b64.size(); i += 4) {
    const bool last = i + 4 == b64.size();
    // Padding may only appear in the last quantum, as "xx==" or "xxx=".
    std::size_t pad = 0;
    if (last) {
      if (b64[i + 3] == '=') {
        pad = b64[i + 2] == '=' ? 2 : 1;
      }
    }
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      std::int8_t d = 0;
      if (k < 4 - pad) {
        d = kBase64Values[static_cast<unsigned char>(b64[i + k])];
        if (d < 0) {
          return std::nullopt;
        }
      }
      v = (v << 6) | static_cast<std::uint32_t>(d);
    }
    // Strict: the bits that padding drops must be zero, so each byte string has one encoding.
    if ((pad == 1 && (v & 0xff) != 0) || (pad == 2 && (v & 0xffff) != 0)) {
      return std::nullopt;
    }
    out.push_back(static_cast<char>((v >> 16) & 0xff));
    if (pad < 2) {
      out.push_back(static_cast<char>((v >> 8) & 0xff));
    }
    if (pad < 1) {
      out.push_back(static_cast<char>(v & 0xff));
    }
  }
  return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  // The length is not secret (signatures have a fixed size); the contents are.
  if (a.size() != b.size()) {
    return false;
  }
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace cairn
