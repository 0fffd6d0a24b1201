#include "erasure/bitrot.h"

#include <array>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/checksum.h"

namespace cairn::erasure {
namespace bitrot_test_internal {

using Hash = std::array<std::byte, kBitrotHashSize>;

constexpr unsigned kPortable = 1;
constexpr unsigned kSse41 = 2;
constexpr unsigned kAvx2 = 4;

std::string HexOf(std::span<const std::byte> b) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

std::vector<std::byte> RandomBytes(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::byte> v(n);
  for (auto& b : v) {
    b = static_cast<std::byte>(rng());
  }
  return v;
}

// Four 64-bit words as the 32 little-endian bytes BitrotHash stores.
std::string LittleEndianHex(std::array<std::uint64_t, 4> words) {
  Hash h;
  for (int w = 0; w < 4; ++w) {
    for (int b = 0; b < 8; ++b) {
      h[w * 8 + b] = static_cast<std::byte>(words[w] >> (8 * b));
    }
  }
  return HexOf(h);
}

TEST(Bitrot, ReferenceVectorsOnEveryTarget) {
  // kExpected256 of google/highwayhash's highwayhash_test.cc: key bytes 00..1f, input
  // bytes 00, 01, ... of each length. Lengths past 32 that are not a multiple of 32 are the
  // ones Debian's miscompiled Portable target gets wrong (see highwayhash_portable.h).
  const std::array<std::uint64_t, 4> key = {0x0706050403020100ull, 0x0F0E0D0C0B0A0908ull,
                                            0x1716151413121110ull, 0x1F1E1D1C1B1A1918ull};

  struct Vector {
    std::size_t size;
    std::array<std::uint64_t, 4> want;
  };

  const std::vector<Vector> vectors = {
      {0,
       {0xDD44482AC2C874F5ull, 0xD946017313C7351Full, 0xB3AEBECCB98714FFull,
        0x41DA233145751DF4ull}},
      {1,
       {0xEDB941BCE45F8254ull, 0xE20D44EF3DCAC60Full, 0x72651B9BCB324A47ull,
        0x2073624CB275E484ull}},
      {29,
       {0x1BD4954F7054C556ull, 0xFFDB2EFF7C596CEBull, 0x7C6AC69A1BAB6B5Bull,
        0x0F037670537FC153ull}},
      {31,
       {0x6880E276601A644Dull, 0xB3728B20B10FB7DAull, 0xD0BD12060610D16Eull,
        0x8AEF14EF33452EF2ull}},
      {32,
       {0xBCE38C9039A1C3FEull, 0x42D56326A3C11289ull, 0xE35595F764FCAEA9ull,
        0xC9B03C6BC9475A99ull}},
      {33,
       {0xF60115CBF034A6E5ull, 0x6C36EA75BFCE46D0ull, 0x3B17C8D382725990ull,
        0x7EDAA2ED11007A35ull}},
      {34,
       {0x1326E959EDF9DEA2ull, 0xC4776801739F720Cull, 0x5169500FD762F62Full,
        0x8A0DD0D90A2529ABull}},
      {64,
       {0x90D8E6FF6AC12475ull, 0x1A422A196EDAC1F2ull, 0x9E3765FE1F8EB002ull,
        0xC1BDD7C4C351CFBEull}},
  };
  int targets_run = 0;
  for (unsigned target : {kPortable, kSse41, kAvx2}) {
    for (const auto& v : vectors) {
      std::vector<std::byte> in(v.size);
      for (std::size_t i = 0; i < v.size; ++i) {
        in[i] = static_cast<std::byte>(i);
      }
      Hash got;
      if (!HighwayHash256ForTest(key, target, in, got)) {
        break;
      }
      EXPECT_EQ(HexOf(got), LittleEndianHex(v.want)) << "target " << target << " size " << v.size;
      if (v.size == 0) {
        ++targets_run;
      }
    }
  }
  EXPECT_GE(targets_run, 1);  // the portable target always runs
  Hash unused;
  EXPECT_FALSE(HighwayHash256ForTest(key, kSse41 | kAvx2, {}, unused));  // not a single target
}

TEST(Bitrot, KeyIsMinioMagicKey) {
  // The key is HighwayHash-256, under a zero key, of the first 100 decimals of pi.
  const std::string pi =
      "1415926535897932384626433832795028841971693993751058209749445923078164062862089986280348"
      "253421170679";
  ASSERT_EQ(pi.size(), 100u);
  Hash key_bytes;
  ASSERT_TRUE(HighwayHash256ForTest(
      std::array<std::uint64_t, 4>{}, kPortable,
      std::span(reinterpret_cast<const std::byte*>(pi.data()), pi.size()), key_bytes));
  EXPECT_EQ(HexOf(key_bytes), "4be734fa8e238acd263e83e6bb968552040f935da39f441497e09d1322de36a0");
  // And BitrotHash uses it: compare with the portable target under that key.
  std::array<std::uint64_t, 4> key{};
  for (int w = 0; w < 4; ++w) {
    for (int b = 0; b < 8; ++b) {
      key[w] |= static_cast<std::uint64_t>(key_bytes[w * 8 + b]) << (8 * b);
    }
  }
  std::mt19937_64 rng(1);
  const auto data = RandomBytes(rng, 1000);
  Hash want;
  Hash got;
  ASSERT_TRUE(HighwayHash256ForTest(key, kPortable, data, want));
  BitrotHash(data, got);
  EXPECT_EQ(HexOf(got), HexOf(want));
}

TEST(Bitrot, AllTargetsAgree) {
  std::mt19937_64 rng(2);
  const std::array<std::uint64_t, 4> key = {rng(), rng(), rng(), rng()};
  EXPECT_FALSE(BitrotHashTarget().empty());
  for (std::size_t n : {0u, 1u, 3u, 31u, 32u, 33u, 63u, 64u, 65u, 1000u, 4096u, 262145u}) {
    const auto data = RandomBytes(rng, n);
    Hash portable;
    ASSERT_TRUE(HighwayHash256ForTest(key, kPortable, data, portable));
    for (unsigned target : {kSse41, kAvx2}) {
      Hash other;
      if (HighwayHash256ForTest(key, target, data, other)) {
        EXPECT_EQ(HexOf(other), HexOf(portable)) << "target " << target << " size " << n;
      }
    }
  }
}

TEST(Bitrot, DetectsEverySingleBitFlip) {
  std::mt19937_64 rng(3);
  for (std::size_t n : {1u, 33u, 200u}) {
    auto data = RandomBytes(rng, n);
    Hash h;
    BitrotHash(data, h);
    ASSERT_TRUE(BitrotVerify(data, h));
    for (std::size_t bit = 0; bit < n * 8; ++bit) {
      data[bit / 8] ^= static_cast<std::byte>(1u << (bit % 8));
      EXPECT_FALSE(BitrotVerify(data, h)) << "n " << n << " bit " << bit;
      data[bit / 8] ^= static_cast<std::byte>(1u << (bit % 8));
    }
    // A flipped bit in the stored hash is caught too.
    for (std::size_t bit = 0; bit < kBitrotHashSize * 8; ++bit) {
      Hash bad = h;
      bad[bit / 8] ^= static_cast<std::byte>(1u << (bit % 8));
      EXPECT_FALSE(BitrotVerify(data, bad)) << "hash bit " << bit;
    }
  }
  // Large block: sampled bit positions, including the first and the last.
  auto big = RandomBytes(rng, std::size_t{1} << 20);
  Hash h;
  BitrotHash(big, h);
  ASSERT_TRUE(BitrotVerify(big, h));
  std::vector<std::size_t> bits = {0, big.size() * 8 - 1};
  for (int i = 0; i < 64; ++i) {
    bits.push_back(rng() % (big.size() * 8));
  }
  for (std::size_t bit : bits) {
    big[bit / 8] ^= static_cast<std::byte>(1u << (bit % 8));
    EXPECT_FALSE(BitrotVerify(big, h)) << "bit " << bit;
    big[bit / 8] ^= static_cast<std::byte>(1u << (bit % 8));
  }
  // Truncation and extension change the hash as well.
  EXPECT_FALSE(BitrotVerify(std::span(big).first(big.size() - 1), h));
}

TEST(Bitrot, ShardFileSize) {
  constexpr std::uint32_t kMiB = 1 << 20;
  EXPECT_EQ(ShardFileSize(0, kMiB, 4), 0u);
  EXPECT_EQ(ShardFileSize(1, kMiB, 4), 32u + 1u);
  EXPECT_EQ(ShardFileSize(4, kMiB, 4), 32u + 1u);
  EXPECT_EQ(ShardFileSize(5, kMiB, 4), 32u + 2u);
  // One full block: 1 MiB / 4 = 262144 bytes per shard.
  EXPECT_EQ(ShardFileSize(kMiB, kMiB, 4), 32u + 262144u);
  EXPECT_EQ(ShardFileSize(kMiB + 1, kMiB, 4), 262176u + 33u);
  // 10 full blocks over 3 shards (ceil(1048576 / 3) = 349526) and a 5-byte tail (2 bytes).
  EXPECT_EQ(ShardFileSize(10ull * kMiB + 5, kMiB, 3), 10u * 349558u + 34u);
  // One data shard holds everything.
  EXPECT_EQ(ShardFileSize(3ull * kMiB, kMiB, 1), 3u * (32u + kMiB));
  // 5 GiB over 12 data shards: 5120 blocks of ceil(1048576 / 12) = 87382.
  EXPECT_EQ(ShardFileSize(5ull << 30, kMiB, 12), 5120ull * (32u + 87382u));
  EXPECT_EQ(ShardFileSize(100, 64, 2), (32u + 32u) + (32u + 18u));
  EXPECT_EQ(ShardFileSize(100, 0, 2), 0u);
  EXPECT_EQ(ShardFileSize(100, 64, 0), 0u);
}

TEST(Bitrot, ShardFileOffset) {
  constexpr std::uint32_t kMiB = 1 << 20;
  EXPECT_EQ(ShardFileOffset(0, kMiB, 4), 0u);
  EXPECT_EQ(ShardFileOffset(1, kMiB, 4), 262176u);
  EXPECT_EQ(ShardFileOffset(3, kMiB, 4), 3u * 262176u);
  EXPECT_EQ(ShardFileOffset(7, kMiB, 3), 7u * 349558u);
  EXPECT_EQ(ShardFileOffset(2, 64, 2), 128u);
  // The offset of block i equals the file size of i full blocks.
  for (int d : {1, 2, 3, 5, 8, 12}) {
    for (std::uint64_t i : {0u, 1u, 2u, 17u}) {
      EXPECT_EQ(ShardFileOffset(i, kMiB, d), ShardFileSize(i * kMiB, kMiB, d));
    }
  }
}

}  // namespace bitrot_test_internal
}  // namespace cairn::erasure
