#include "erasure/codec.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace cairn::erasure {
namespace codec_test_internal {

// D + P shards of one size, with spans over them.
struct Shards {
  Shards(int total, std::size_t size) : bufs(total, std::vector<std::byte>(size)) {
    for (auto& b : bufs) {
      spans.emplace_back(b);
    }
  }

  std::vector<std::vector<std::byte>> bufs;
  std::vector<std::span<std::byte>> spans;
};

std::vector<std::byte> RandomBlock(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::byte> v(n);
  for (auto& b : v) {
    b = static_cast<std::byte>(rng());
  }
  return v;
}

// Reference GF(2^8) with ISA-L's polynomial x^8 + x^4 + x^3 + x^2 + 1, bit by bit.
std::uint8_t GfMul(std::uint8_t a, std::uint8_t b) {
  std::uint8_t r = 0;
  while (b != 0) {
    if (b & 1) {
      r ^= a;
    }
    a = static_cast<std::uint8_t>((a << 1) ^ ((a & 0x80) ? 0x1d : 0));
    b >>= 1;
  }
  return r;
}

std::uint8_t GfInv(std::uint8_t a) {
  for (int x = 1; x < 256; ++x) {
    if (GfMul(a, static_cast<std::uint8_t>(x)) == 1) {
      return static_cast<std::uint8_t>(x);
    }
  }
  return 0;
}

// All subsets of {0..n-1} of size k, or `limit` random ones (fixed seed) when there are more.
std::vector<std::vector<bool>> Subsets(int n, int k, std::size_t limit, std::uint64_t seed) {
  std::vector<std::vector<bool>> out;
  if (n <= 8) {
    for (int m = 0; m < (1 << n); ++m) {
      if (__builtin_popcount(m) == k) {
        std::vector<bool> s(n);
        for (int i = 0; i < n; ++i) {
          s[i] = (m >> i) & 1;
        }
        out.push_back(s);
      }
    }
    return out;
  }
  std::mt19937_64 rng(seed);
  std::vector<int> idx(n);
  for (int i = 0; i < n; ++i) {
    idx[i] = i;
  }
  // Always include "only parity plus the last data shards": the hardest patterns.
  std::vector<bool> tail(n, false);
  for (int i = n - k; i < n; ++i) {
    tail[i] = true;
  }
  out.push_back(tail);
  while (out.size() < limit) {
    std::shuffle(idx.begin(), idx.end(), rng);
    std::vector<bool> s(n, false);
    for (int i = 0; i < k; ++i) {
      s[idx[i]] = true;
    }
    out.push_back(s);
  }
  return out;
}

struct Geometry {
  int data;
  int parity;
};

void CheckRoundTrips(Geometry g, std::size_t block_len, std::size_t sample_limit) {
  SCOPED_TRACE(::testing::Message() << g.data << "+" << g.parity << " len " << block_len);
  const Codec codec(g.data, g.parity);
  const int total = g.data + g.parity;
  std::mt19937_64 rng(block_len * 1000 + total);
  const auto block = RandomBlock(rng, block_len);
  const std::size_t shard_size = codec.ShardSize(block_len);
  ASSERT_EQ(shard_size, (block_len + g.data - 1) / g.data);
  Shards orig(total, shard_size);
  codec.Encode(block, orig.spans);

  // Data shards hold the block in order, zero padded.
  std::vector<std::byte> joined(block_len);
  Codec::Join(std::span(orig.spans).first(g.data), joined);
  ASSERT_EQ(joined, block);
  for (std::size_t i = block_len; i < shard_size * g.data; ++i) {
    ASSERT_EQ(orig.bufs[i / shard_size][i % shard_size], std::byte{0}) << i;
  }

  Shards work(total, shard_size);
  for (const auto& present_v : Subsets(total, g.data, sample_limit, 99)) {
    for (bool data_only : {false, true}) {
      std::array<bool, 255> present_a{};
      std::copy(present_v.begin(), present_v.end(), present_a.begin());
      const std::span<const bool> present(present_a.data(), present_v.size());
      for (int i = 0; i < total; ++i) {
        if (present_v[i]) {
          work.bufs[i] = orig.bufs[i];
        } else {
          std::fill(work.bufs[i].begin(), work.bufs[i].end(), std::byte{0xa5});
        }
      }
      ASSERT_TRUE(codec.Reconstruct(work.spans, present, data_only).ok());
      for (int i = 0; i < total; ++i) {
        if (present_v[i] || i < g.data || !data_only) {
          ASSERT_EQ(work.bufs[i], orig.bufs[i]) << "shard " << i << " data_only " << data_only;
        } else {
          // data_only leaves missing parity alone.
          ASSERT_TRUE(std::all_of(work.bufs[i].begin(), work.bufs[i].end(),
                                  [](std::byte b) { return b == std::byte{0xa5}; }));
        }
      }
    }
  }
}

TEST(Codec, RoundTripsEveryPatternSmallBlocks) {
  const std::vector<Geometry> geometries = {{1, 1}, {2, 1}, {2, 2}, {4, 2},  {3, 3}, {4, 4},
                                            {5, 3}, {8, 4}, {8, 8}, {12, 4}, {1, 0}, {4, 0}};
  for (Geometry g : geometries) {
    for (std::size_t len : {1u, 2u, 5u, 63u, 64u, 65u, 1000u, 4097u, 99991u}) {
      CheckRoundTrips(g, len, 40);
    }
  }
}

TEST(Codec, RoundTripsOneMebibyte) {
  const std::vector<Geometry> geometries = {{2, 2}, {4, 2}, {3, 3}, {8, 4}, {8, 8}, {12, 4}};
  for (Geometry g : geometries) {
    CheckRoundTrips(g, std::size_t{1} << 20, 8);
    CheckRoundTrips(g, (std::size_t{1} << 20) + 7, 4);  // not divisible by D
  }
}

TEST(Codec, WideGeometries) {
  CheckRoundTrips({16, 16}, 12345, 20);
  CheckRoundTrips({100, 50}, 5000, 5);
  CheckRoundTrips({200, 55}, 1000, 3);
}

TEST(Codec, ParityMatchesCauchyDefinition) {
  // The on-disk format: parity row i (i >= D) has coefficients 1 / (i ^ j) over GF(2^8).
  for (Geometry g : std::vector<Geometry>{{2, 2}, {4, 2}, {8, 4}, {3, 5}}) {
    const Codec codec(g.data, g.parity);
    std::mt19937_64 rng(g.data * 31 + g.parity);
    const auto block = RandomBlock(rng, 333);
    const std::size_t shard_size = codec.ShardSize(block.size());
    Shards s(g.data + g.parity, shard_size);
    codec.Encode(block, s.spans);
    for (int p = 0; p < g.parity; ++p) {
      const int row = g.data + p;
      for (std::size_t b = 0; b < shard_size; ++b) {
        std::uint8_t want = 0;
        for (int j = 0; j < g.data; ++j) {
          const auto coef = GfInv(static_cast<std::uint8_t>(row ^ j));
          want ^= GfMul(coef, static_cast<std::uint8_t>(s.bufs[j][b]));
        }
        ASSERT_EQ(static_cast<std::uint8_t>(s.bufs[row][b]), want) << "row " << row << " b " << b;
      }
    }
  }
}

TEST(Codec, MoreThanDataShardsPresent) {
  const Codec codec(4, 3);
  std::mt19937_64 rng(5);
  const auto block = RandomBlock(rng, 10001);
  const std::size_t size = codec.ShardSize(block.size());
  Shards orig(7, size);
  codec.Encode(block, orig.spans);
  for (int k = 5; k <= 7; ++k) {
    for (const auto& present_v : Subsets(7, k, 0, 0)) {
      Shards work(7, size);
      bool present[7];
      for (int i = 0; i < 7; ++i) {
        present[i] = present_v[i];
        if (present[i]) {
          work.bufs[i] = orig.bufs[i];
        }
      }
      ASSERT_TRUE(codec.Reconstruct(work.spans, present, false).ok());
      ASSERT_EQ(work.bufs, orig.bufs);
    }
  }
}

TEST(Codec, FewerThanDataShardsIsReadQuorum) {
  const Codec codec(4, 2);
  Shards s(6, 100);
  for (auto& b : s.bufs) {
    std::fill(b.begin(), b.end(), std::byte{7});
  }
  const bool present[6] = {true, false, true, false, true, false};
  EXPECT_EQ(codec.Reconstruct(s.spans, present, false).code(), Errc::kReadQuorum);
  EXPECT_EQ(codec.Reconstruct(s.spans, present, true).code(), Errc::kReadQuorum);
  const bool none[6] = {};
  EXPECT_EQ(codec.Reconstruct(s.spans, none, true).code(), Errc::kReadQuorum);
  // Nothing was written.
  for (const auto& b : s.bufs) {
    EXPECT_TRUE(std::all_of(b.begin(), b.end(), [](std::byte x) { return x == std::byte{7}; }));
  }
}

TEST(Codec, NothingMissingIsANoOp) {
  const Codec codec(2, 2);
  Shards s(4, 10);
  const bool all[4] = {true, true, true, true};
  EXPECT_TRUE(codec.Reconstruct(s.spans, all, false).ok());
  const bool parity_gone[4] = {true, true, false, false};
  EXPECT_TRUE(codec.Reconstruct(s.spans, parity_gone, true).ok());
  EXPECT_EQ(codec.CachedPatternsForTest(), 0u);
}

TEST(Codec, CachesOnePlanPerPattern) {
  const Codec codec(3, 2);
  Shards s(5, 64);
  const bool a[5] = {false, true, true, true, true};
  const bool b[5] = {true, false, true, true, false};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(codec.Reconstruct(s.spans, a, false).ok());
  }
  EXPECT_EQ(codec.CachedPatternsForTest(), 1u);
  ASSERT_TRUE(codec.Reconstruct(s.spans, a, true).ok());  // data_only is its own pattern
  ASSERT_TRUE(codec.Reconstruct(s.spans, b, false).ok());
  ASSERT_TRUE(codec.Reconstruct(s.spans, b, false).ok());
  EXPECT_EQ(codec.CachedPatternsForTest(), 3u);
}

TEST(Codec, ValidGeometry) {
  EXPECT_TRUE(Codec::ValidGeometry(1, 0));
  EXPECT_TRUE(Codec::ValidGeometry(8, 8));
  EXPECT_TRUE(Codec::ValidGeometry(200, 55));
  EXPECT_FALSE(Codec::ValidGeometry(0, 2));
  EXPECT_FALSE(Codec::ValidGeometry(2, -1));
  EXPECT_FALSE(Codec::ValidGeometry(200, 56));
  EXPECT_FALSE(Codec::ValidGeometry(-3, 4));
}

TEST(Codec, WrongShardCountIsInvalidArgument) {
  const Codec codec(2, 2);
  Shards s(3, 10);
  const bool present[3] = {true, true, false};
  EXPECT_EQ(codec.Reconstruct(s.spans, present, false).code(), Errc::kInvalidArgument);
}

TEST(Codec, EmptyBlock) {
  const Codec codec(4, 2);
  EXPECT_EQ(codec.ShardSize(0), 0u);
  Shards s(6, 0);
  codec.Encode({}, s.spans);
  const bool present[6] = {false, true, true, false, true, true};
  EXPECT_TRUE(codec.Reconstruct(s.spans, present, false).ok());
  std::vector<std::byte> out;
  Codec::Join(std::span(s.spans).first(4), out);
}

TEST(Codec, DecodeCacheIsBoundedAndSharedAcrossThreads) {
  const Codec codec(6, 4);
  std::mt19937_64 rng(17);
  const auto block = RandomBlock(rng, 6 * 1000 + 1);
  const std::size_t size = codec.ShardSize(block.size());
  Shards orig(10, size);
  codec.Encode(block, orig.spans);
  // Every pattern with 6 of 10 present: 210 patterns, more than the cache holds.
  std::vector<std::vector<bool>> all;
  for (int m = 0; m < (1 << 10); ++m) {
    if (__builtin_popcount(m) == 6) {
      std::vector<bool> p(10);
      for (int i = 0; i < 10; ++i) {
        p[i] = (m >> i) & 1;
      }
      all.push_back(p);
    }
  }
  ASSERT_EQ(all.size(), 210u);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Shards work(10, size);
      for (int round = 0; round < 2; ++round) {
        for (std::size_t k = t; k < all.size(); k += 2) {
          bool present[10];
          for (int i = 0; i < 10; ++i) {
            present[i] = all[k][i];
            if (present[i]) {
              work.bufs[i] = orig.bufs[i];
            } else {
              std::fill(work.bufs[i].begin(), work.bufs[i].end(), std::byte{0});
            }
          }
          if (!codec.Reconstruct(work.spans, present, false).ok() || work.bufs != orig.bufs) {
            ++failures;
          }
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(codec.CachedPatternsForTest(), 0u);
  EXPECT_LE(codec.CachedPatternsForTest(), 64u);
}

TEST(Codec, JoinTruncatesToOutput) {
  const Codec codec(3, 1);
  std::mt19937_64 rng(23);
  for (std::size_t len : {1u, 2u, 3u, 4u, 10u, 3000u, 3001u}) {
    const auto block = RandomBlock(rng, len);
    Shards s(4, codec.ShardSize(len));
    codec.Encode(block, s.spans);
    for (std::size_t prefix : {std::size_t{0}, len / 2, len}) {
      std::vector<std::byte> out(prefix);
      Codec::Join(std::span(s.spans).first(3), out);
      EXPECT_TRUE(std::equal(out.begin(), out.end(), block.begin())) << len << " " << prefix;
    }
  }
}

}  // namespace codec_test_internal
}  // namespace cairn::erasure
