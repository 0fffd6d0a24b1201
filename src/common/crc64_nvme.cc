// CRC-64/NVME: slicing-by-8 tables and PCLMULQDQ / VPCLMULQDQ folding loops, all built from
// the polynomial at compile time, so no magic constant is typed in by hand.
#include "common/crc64_nvme.h"

#include <array>
#include <bit>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace cairn::internal {
namespace {

constexpr std::uint64_t kPoly = 0xAD93D23594C93659ull;  // x^64 is implied

constexpr std::uint64_t Reverse64(std::uint64_t v) {
  std::uint64_t r = 0;
  for (int i = 0; i < 64; ++i) {
    r |= ((v >> i) & 1) << (63 - i);
  }
  return r;
}

using Tables = std::array<std::array<std::uint64_t, 256>, 8>;

constexpr Tables MakeTables() {
  constexpr std::uint64_t kReflected = Reverse64(kPoly);
  Tables t{};
  for (std::uint64_t i = 0; i < 256; ++i) {
    std::uint64_t c = i;
    for (int b = 0; b < 8; ++b) {
      c = (c >> 1) ^ ((c & 1) ? kReflected : 0);
    }
    t[0][i] = c;
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (std::size_t i = 0; i < 256; ++i) {
      t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
    }
  }
  return t;
}

constexpr Tables kTables = MakeTables();

std::uint64_t LoadLittleEndian64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) {
    v = __builtin_bswap64(v);
  }
  return v;
}

std::uint64_t UpdateTable(std::uint64_t crc, const std::uint8_t* p, std::size_t n) {
  const auto& t = kTables;
  while (n >= 8) {
    crc ^= LoadLittleEndian64(p);  // the reflected CRC takes the first byte in the low bits
    crc = t[7][crc & 0xff] ^ t[6][(crc >> 8) & 0xff] ^ t[5][(crc >> 16) & 0xff] ^
          t[4][(crc >> 24) & 0xff] ^ t[3][(crc >> 32) & 0xff] ^ t[2][(crc >> 40) & 0xff] ^
          t[1][(crc >> 48) & 0xff] ^ t[0][crc >> 56];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) {
    crc = t[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  }
  return crc;
}

#if defined(__x86_64__)

// x^n mod P, in normal bit order.
constexpr std::uint64_t XPowMod(int n) {
  std::uint64_t r = 1;
  for (int i = 0; i < n; ++i) {
    const bool carry = (r >> 63) & 1;
    r <<= 1;
    if (carry) {
      r ^= kPoly;
    }
  }
  return r;
}

// Folding constants for a distance of `bits`: a 128-bit lane A = hi(x) x^64 + lo(x), moved
// `bits` further, is hi * (x^(bits+64) mod P) + lo * (x^bits mod P). In the reflected domain
// a carry-less product comes out multiplied by x, hence the -1. The low qword of a reflected
// lane holds the high-degree half.
struct Fold {
  std::uint64_t for_low_qword;
  std::uint64_t for_high_qword;
};

constexpr Fold FoldBy(int bits) {
  return Fold{Reverse64(XPowMod(bits + 64 - 1)), Reverse64(XPowMod(bits - 1))};
}

constexpr int kLanes = 8;
constexpr Fold kFold8 = FoldBy(128 * kLanes);
constexpr std::array<Fold, kLanes> kFoldLane = [] {
  std::array<Fold, kLanes> f{};
  for (int d = 1; d < kLanes; ++d) {
    f[d] = FoldBy(128 * d);
  }
  return f;
}();

__attribute__((target("pclmul,sse4.1"))) inline __m128i FoldInto(__m128i a, __m128i b, Fold k) {
  const __m128i kv = _mm_set_epi64x(static_cast<long long>(k.for_high_qword),
                                    static_cast<long long>(k.for_low_qword));
  const __m128i lo = _mm_clmulepi64_si128(a, kv, 0x00);
  const __m128i hi = _mm_clmulepi64_si128(a, kv, 0x11);
  return _mm_xor_si128(_mm_xor_si128(lo, hi), b);
}

// Folds the remaining 16-byte blocks into `acc`, the input so far folded down to one 128-bit
// lane congruent to it mod P, then lets the table finish: the CRC of those 16 bytes from a zero
// register equals the CRC of what they stand for.
__attribute__((target("pclmul,sse4.1"))) std::uint64_t Finish(__m128i acc, const std::uint8_t* p,
                                                              std::size_t n) {
  while (n >= 16) {
    acc = FoldInto(acc, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), kFoldLane[1]);
    p += 16;
    n -= 16;
  }
  alignas(16) std::uint8_t folded[16];
  _mm_store_si128(reinterpret_cast<__m128i*>(folded), acc);
  return UpdateTable(UpdateTable(0, folded, 16), p, n);
}

// 128-bit folding over eight lanes, 128 bytes a round. `n` must be at least 128.
__attribute__((target("pclmul,sse4.1"))) std::uint64_t UpdateClmul(std::uint64_t crc,
                                                                   const std::uint8_t* p,
                                                                   std::size_t n) {
  const auto load = [](const std::uint8_t* q) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
  };
  __m128i lane[kLanes];
  for (int i = 0; i < kLanes; ++i) {
    lane[i] = load(p + 16 * i);
  }
  // Starting from register `crc` is the same as starting from zero with crc XORed into the
  // first 8 bytes.
  lane[0] = _mm_xor_si128(lane[0], _mm_set_epi64x(0, static_cast<long long>(crc)));
  p += 16 * kLanes;
  n -= 16 * kLanes;
  while (n >= 16 * kLanes) {
    for (int i = 0; i < kLanes; ++i) {
      lane[i] = FoldInto(lane[i], load(p + 16 * i), kFold8);
    }
    p += 16 * kLanes;
    n -= 16 * kLanes;
  }
  __m128i acc = lane[kLanes - 1];
  for (int i = 0; i < kLanes - 1; ++i) {
    acc = FoldInto(lane[i], acc, kFoldLane[kLanes - 1 - i]);
  }
  return Finish(acc, p, n);
}

// The same with 512-bit registers (VPCLMULQDQ): four registers of four lanes, 256 bytes a
// round. `n` must be at least 256.
constexpr Fold kFold256Bytes = FoldBy(2048);
constexpr Fold kFold64Bytes = FoldBy(512);

__attribute__((target("avx512f,vpclmulqdq"))) inline __m512i FoldInto512(__m512i a, __m512i b,
                                                                         __m512i k) {
  const __m512i lo = _mm512_clmulepi64_epi128(a, k, 0x00);
  const __m512i hi = _mm512_clmulepi64_epi128(a, k, 0x11);
  return _mm512_ternarylogic_epi64(lo, hi, b, 0x96);  // lo ^ hi ^ b
}

__attribute__((target("avx512f,vpclmulqdq"))) inline __m512i Broadcast(Fold k) {
  const auto lo = static_cast<long long>(k.for_low_qword);
  const auto hi = static_cast<long long>(k.for_high_qword);
  return _mm512_set_epi64(hi, lo, hi, lo, hi, lo, hi, lo);
}

__attribute__((target("avx512f,vpclmulqdq,pclmul,sse4.1"))) std::uint64_t UpdateVpclmul(
    std::uint64_t crc, const std::uint8_t* p, std::size_t n) {
  __m512i x[4];
  for (int i = 0; i < 4; ++i) {
    x[i] = _mm512_loadu_si512(p + 64 * i);
  }
  x[0] = _mm512_xor_si512(x[0],
                          _mm512_zextsi128_si512(_mm_set_epi64x(0, static_cast<long long>(crc))));
  p += 256;
  n -= 256;
  const __m512i k256 = Broadcast(kFold256Bytes);
  while (n >= 256) {
    for (int i = 0; i < 4; ++i) {
      x[i] = FoldInto512(x[i], _mm512_loadu_si512(p + 64 * i), k256);
    }
    p += 256;
    n -= 256;
  }
  const __m512i k64 = Broadcast(kFold64Bytes);
  __m512i acc = FoldInto512(x[0], x[1], k64);
  acc = FoldInto512(acc, x[2], k64);
  acc = FoldInto512(acc, x[3], k64);
  // Four 128-bit lanes left, the first furthest from the end. (Stored and reloaded: GCC 12's
  // lane extract intrinsics trip -Wuninitialized.)
  alignas(64) std::uint8_t lanes[64];
  _mm512_store_si512(lanes, acc);
  const auto lane_at = [&lanes](int i) {
    return _mm_load_si128(reinterpret_cast<const __m128i*>(lanes + 16 * i));
  };
  __m128i lane = lane_at(3);
  lane = FoldInto(lane_at(2), lane, kFoldLane[1]);
  lane = FoldInto(lane_at(1), lane, kFoldLane[2]);
  lane = FoldInto(lane_at(0), lane, kFoldLane[3]);
  return Finish(lane, p, n);
}

bool HaveClmul() {
  static const bool have = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
  return have;
}

bool HaveVpclmul() {
  static const bool have =
      HaveClmul() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("vpclmulqdq");
  return have;
}

#endif  // __x86_64__

}  // namespace

std::uint64_t Crc64NvmeUpdate(std::uint64_t reg, const std::uint8_t* p, std::size_t n) {
#if defined(__x86_64__)
  if (n >= 256 && HaveVpclmul()) {
    return UpdateVpclmul(reg, p, n);
  }
  if (n >= 16 * kLanes && HaveClmul()) {
    return UpdateClmul(reg, p, n);
  }
#endif
  return UpdateTable(reg, p, n);
}

std::uint64_t Crc64NvmeUpdateClmulForTest(std::uint64_t reg, const std::uint8_t* p, std::size_t n) {
#if defined(__x86_64__)
  if (n >= 16 * kLanes && HaveClmul()) {
    return UpdateClmul(reg, p, n);
  }
#endif
  return UpdateTable(reg, p, n);
}

std::uint64_t Crc64NvmeUpdateTableForTest(std::uint64_t reg, const std::uint8_t* p, std::size_t n) {
  return UpdateTable(reg, p, n);
}

}  // namespace cairn::internal
