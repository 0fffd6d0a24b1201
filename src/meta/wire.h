// Building blocks of cairn's binary value encodings (docs/format.md): little-endian fixed
// integers, LEB128 varints, length-prefixed strings, the XXH64 checksum, and "sealed"
// records (magic, version, payload, checksum). Pure code; every read is bounds checked, so
// a decoder fed garbage fails cleanly instead of reading out of bounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn::meta {

// XXH64 (Yann Collet's xxHash, 64-bit variant) of `data` with `seed`. Bit-exact with the
// reference implementation: XXH64("", 0) == 0xEF46DB3751D8E999.
std::uint64_t XxHash64(std::string_view data, std::uint64_t seed = 0);

// Appends encoded values to a string the caller owns.
class WireWriter {
 public:
  explicit WireWriter(std::string& out) : out_(out) {}

  void U8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }

  void Fixed64(std::uint64_t v);
  void Varint(std::uint64_t v);

  // Signed values as zigzag varints (small magnitudes stay small).
  void Signed(std::int64_t v) {
    Varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }

  void Bytes(std::string_view s) { out_.append(s.data(), s.size()); }

  // varint length, then the bytes.
  void Str(std::string_view s) {
    Varint(s.size());
    Bytes(s);
  }

  std::size_t size() const { return out_.size(); }

  std::string& out() { return out_; }

 private:
  std::string& out_;
};

// Reads encoded values from a byte view. Every accessor returns false (or nullopt) instead
// of reading past the end; once a read failed, `ok()` stays false.
class WireReader {
 public:
  explicit WireReader(std::string_view in) : in_(in) {}

  bool U8(std::uint8_t& v);
  bool Fixed64(std::uint64_t& v);
  // Rejects encodings longer than 10 bytes or that overflow 64 bits.
  bool Varint(std::uint64_t& v);
  bool Signed(std::int64_t& v);
  // A view of the next n bytes (no copy).
  bool Bytes(std::size_t n, std::string_view& v);
  // A varint length and that many bytes, as a view.
  bool Str(std::string_view& v);
  bool Str(std::string& v);
  // A count of items that each take at least `min_item_bytes`: fails when the remaining
  // input cannot hold that many, so a corrupt count never triggers a huge allocation.
  bool Count(std::uint64_t& n, std::size_t min_item_bytes = 1);

  std::size_t remaining() const { return in_.size() - pos_; }

  std::size_t position() const { return pos_; }

  bool ok() const { return ok_; }

  std::string_view rest() const { return in_.substr(pos_); }

 private:
  bool Fail() {
    ok_ = false;
    return false;
  }

  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

// A sealed record: 4-byte magic, 1-byte format version, payload, then 8 bytes of
// XXH64(seed 0) over everything before them. Used for the small values of the namespace
// store (volumes, uploads, parts).
std::string SealRecord(std::string_view magic, std::uint8_t version, std::string_view payload);
// Returns the payload of a sealed record with this magic and version; kFileCorrupt when the
// magic, version, length or checksum is wrong.
Result<std::string_view> OpenRecord(std::string_view bytes, std::string_view magic,
                                    std::uint8_t version);

}  // namespace cairn::meta
