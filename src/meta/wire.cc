#include "meta/wire.h"

#include <cstring>

namespace cairn::meta {
namespace {

constexpr std::uint64_t kP1 = 0x9E3779B185EBCA87ULL;
constexpr std::uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
constexpr std::uint64_t kP3 = 0x165667B19E3779F9ULL;
constexpr std::uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
constexpr std::uint64_t kP5 = 0x27D4EB2F165667C5ULL;

inline std::uint64_t Rotl(std::uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}

inline std::uint64_t Load64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) {
    v = (v << 8) | p[i];
  }
  return v;
}

inline std::uint32_t Load32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

inline std::uint64_t Round(std::uint64_t acc, std::uint64_t input) {
  acc += input * kP2;
  acc = Rotl(acc, 31);
  return acc * kP1;
}

inline std::uint64_t MergeRound(std::uint64_t acc, std::uint64_t val) {
  acc ^= Round(0, val);
  return acc * kP1 + kP4;
}

}  // namespace

std::uint64_t XxHash64(std::string_view data, std::uint64_t seed) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const unsigned char* end = p + data.size();
  std::uint64_t h;
  if (data.size() >= 32) {
    std::uint64_t v1 = seed + kP1 + kP2;
    std::uint64_t v2 = seed + kP2;
    std::uint64_t v3 = seed;
    std::uint64_t v4 = seed - kP1;
    const unsigned char* limit = end - 32;
    do {
      v1 = Round(v1, Load64(p));
      v2 = Round(v2, Load64(p + 8));
      v3 = Round(v3, Load64(p + 16));
      v4 = Round(v4, Load64(p + 24));
      p += 32;
    } while (p <= limit);
    h = Rotl(v1, 1) + Rotl(v2, 7) + Rotl(v3, 12) + Rotl(v4, 18);
    h = MergeRound(h, v1);
    h = MergeRound(h, v2);
    h = MergeRound(h, v3);
    h = MergeRound(h, v4);
  } else {
    h = seed + kP5;
  }
  h += static_cast<std::uint64_t>(data.size());
  while (end - p >= 8) {
    h ^= Round(0, Load64(p));
    h = Rotl(h, 27) * kP1 + kP4;
    p += 8;
  }
  if (end - p >= 4) {
    h ^= static_cast<std::uint64_t>(Load32(p)) * kP1;
    h = Rotl(h, 23) * kP2 + kP3;
    p += 4;
  }
  while (p < end) {
    h ^= static_cast<std::uint64_t>(*p) * kP5;
    h = Rotl(h, 11) * kP1;
    ++p;
  }
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

void WireWriter::Fixed64(std::uint64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i) {
    buf[i] = static_cast<char>(v >> (8 * i));
  }
  out_.append(buf, 8);
}

void WireWriter::Varint(std::uint64_t v) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out_.append(buf, n);
}

bool WireReader::U8(std::uint8_t& v) {
  if (!ok_ || remaining() < 1) {
    return Fail();
  }
  v = static_cast<std::uint8_t>(in_[pos_++]);
  return true;
}

bool WireReader::Fixed64(std::uint64_t& v) {
  if (!ok_ || remaining() < 8) {
    return Fail();
  }
  v = Load64(reinterpret_cast<const unsigned char*>(in_.data() + pos_));
  pos_ += 8;
  return true;
}

bool WireReader::Varint(std::uint64_t& v) {
  if (!ok_) {
    return false;
  }
  std::uint64_t out = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= in_.size()) {
      return Fail();
    }
    auto b = static_cast<std::uint8_t>(in_[pos_++]);
    if (shift == 63 && b > 1) {
      return Fail();  // overflows 64 bits
    }
    out |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      v = out;
      return true;
    }
  }
  return Fail();
}

bool WireReader::Signed(std::int64_t& v) {
  std::uint64_t u = 0;
  if (!Varint(u)) {
    return false;
  }
  v = static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
  return true;
}

bool WireReader::Bytes(std::size_t n, std::string_view& v) {
  if (!ok_ || remaining() < n) {
    return Fail();
  }
  v = in_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool WireReader::Str(std::string_view& v) {
  std::uint64_t n = 0;
  if (!Varint(n) || n > remaining()) {
    return Fail();
  }
  return Bytes(static_cast<std::size_t>(n), v);
}

bool WireReader::Str(std::string& v) {
  std::string_view view;
  if (!Str(view)) {
    return false;
  }
  v.assign(view.data(), view.size());
  return true;
}

bool WireReader::Count(std::uint64_t& n, std::size_t min_item_bytes) {
  if (!Varint(n)) {
    return false;
  }
  if (min_item_bytes > 0 && n > remaining() / min_item_bytes) {
    return Fail();
  }
  return true;
}

std::string SealRecord(std::string_view magic, std::uint8_t version, std::string_view payload) {
  std::string out;
  out.reserve(magic.size() + 1 + payload.size() + 8);
  WireWriter w(out);
  w.Bytes(magic);
  w.U8(version);
  w.Bytes(payload);
  w.Fixed64(XxHash64(out));
  return out;
}

Result<std::string_view> OpenRecord(std::string_view bytes, std::string_view magic,
                                    std::uint8_t version) {
  if (bytes.size() < magic.size() + 1 + 8 || bytes.substr(0, magic.size()) != magic) {
    return Status(Errc::kFileCorrupt, "record: bad length or magic");
  }
  if (static_cast<std::uint8_t>(bytes[magic.size()]) != version) {
    return Status(Errc::kFileCorrupt, "record: unsupported format version");
  }
  std::string_view body = bytes.substr(0, bytes.size() - 8);
  WireReader tail(bytes.substr(bytes.size() - 8));
  std::uint64_t sum = 0;
  if (!tail.Fixed64(sum) || sum != XxHash64(body)) {
    return Status(Errc::kFileCorrupt, "record: checksum mismatch");
  }
  return body.substr(magic.size() + 1);
}

}  // namespace cairn::meta
