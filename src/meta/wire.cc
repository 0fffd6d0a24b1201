#include "meta/wire.h"

#include <xxhash.h>

#include <cstring>

namespace cairn::meta {
namespace {

// A little-endian 64-bit value.
inline std::uint64_t Load64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) {
    v = (v << 8) | p[i];
  }
  return v;
}

}  // namespace

std::uint64_t XxHash64(std::string_view data, std::uint64_t seed) {
  return XXH64(data.data(), data.size(), seed);
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
