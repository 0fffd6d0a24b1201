// Micro benchmarks of the per-byte work on the data path: copies, digests, bitrot hashing and
// Reed-Solomon coding of one 1 MiB erasure block. Throughput is reported in bytes/s.
#include <cstring>
#include <random>
#include <span>
#include <vector>

#include <benchmark/benchmark.h>

#include "common/checksum.h"
#include "erasure/bitrot.h"
#include "erasure/codec.h"

namespace cairn {
namespace {

constexpr std::size_t kBlock = std::size_t{1} << 20;

std::vector<std::byte> RandomBytes(std::size_t n) {
  std::mt19937_64 rng(1);
  std::vector<std::byte> v(n);
  for (auto& b : v) {
    b = static_cast<std::byte>(rng());
  }
  return v;
}

void BM_Memcpy(benchmark::State& state) {
  const auto src = RandomBytes(kBlock);
  std::vector<std::byte> dst(kBlock);
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), kBlock);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBlock));
}

BENCHMARK(BM_Memcpy);

void RunHasher(benchmark::State& state, Hasher& hasher) {
  const auto data = RandomBytes(kBlock);
  for (auto _ : state) {
    hasher.Update(data);
    benchmark::DoNotOptimize(hasher.Finish());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBlock));
}

void BM_Md5(benchmark::State& state) {
  RunHasher(state, *NewMd5Hasher());
}

BENCHMARK(BM_Md5);

void BM_Sha256(benchmark::State& state) {
  RunHasher(state, *NewSha256Hasher());
}

BENCHMARK(BM_Sha256);

void BM_Crc32(benchmark::State& state) {
  RunHasher(state, *NewChecksumHasher(ChecksumAlgorithm::kCrc32));
}

BENCHMARK(BM_Crc32);

void BM_Crc32c(benchmark::State& state) {
  RunHasher(state, *NewChecksumHasher(ChecksumAlgorithm::kCrc32c));
}

BENCHMARK(BM_Crc32c);

void BM_Crc64Nvme(benchmark::State& state) {
  RunHasher(state, *NewChecksumHasher(ChecksumAlgorithm::kCrc64Nvme));
}

BENCHMARK(BM_Crc64Nvme);

// The small-input calls of every SigV4 request: a signing-key step and a canonical request.
void BM_HmacSha256Small(benchmark::State& state) {
  const std::string key(32, 'k');
  const std::string msg = "20260101/us-east-1/s3/aws4_request";
  for (auto _ : state) {
    benchmark::DoNotOptimize(HmacSha256(key, msg));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * msg.size()));
}

BENCHMARK(BM_HmacSha256Small);

void BM_Sha256Small(benchmark::State& state) {
  const std::string msg(300, 'c');
  for (auto _ : state) {
    benchmark::DoNotOptimize(Sha256(msg));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * msg.size()));
}

BENCHMARK(BM_Sha256Small);

void BM_HighwayHash256(benchmark::State& state) {
  const auto data = RandomBytes(kBlock);
  std::array<std::byte, erasure::kBitrotHashSize> out;
  for (auto _ : state) {
    erasure::BitrotHash(data, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBlock));
  state.SetLabel(std::string(erasure::BitrotHashTarget()));
}

BENCHMARK(BM_HighwayHash256);

// Each implementation, to check that the dispatch picks the fastest: arg 1 portable,
// 2 SSE4.1, 4 AVX2.
void BM_HighwayHash256Target(benchmark::State& state) {
  const auto data = RandomBytes(kBlock);
  const std::array<std::uint64_t, 4> key = {1, 2, 3, 4};
  std::array<std::byte, erasure::kBitrotHashSize> out;
  const auto target = static_cast<unsigned>(state.range(0));
  if (!erasure::HighwayHash256ForTest(key, target, data, out)) {
    state.SkipWithError("target not supported by this CPU");
    return;
  }
  for (auto _ : state) {
    erasure::HighwayHash256ForTest(key, target, data, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBlock));
}

BENCHMARK(BM_HighwayHash256Target)->Arg(1)->Arg(2)->Arg(4);

struct Shards {
  Shards(const erasure::Codec& codec, std::size_t block)
      : size(codec.ShardSize(block)),
        bufs(codec.data() + codec.parity(), std::vector<std::byte>(size)) {
    for (auto& b : bufs) {
      spans.emplace_back(b);
    }
  }

  std::size_t size;
  std::vector<std::vector<std::byte>> bufs;
  std::vector<std::span<std::byte>> spans;
};

// Encode splits the 1 MiB block into D shards (a copy) and computes P parity shards.
void BM_Encode(benchmark::State& state) {
  const erasure::Codec codec(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const auto block = RandomBytes(kBlock);
  Shards shards(codec, kBlock);
  for (auto _ : state) {
    codec.Encode(block, shards.spans);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBlock));
}

BENCHMARK(BM_Encode)->Args({2, 2})->Args({4, 2})->Args({8, 4});

// 2+2 with both data shards missing: rebuilds the whole block from parity.
void BM_Reconstruct2Plus2(benchmark::State& state) {
  const erasure::Codec codec(2, 2);
  const auto block = RandomBytes(kBlock);
  Shards shards(codec, kBlock);
  codec.Encode(block, shards.spans);
  const bool present[4] = {false, false, true, true};
  for (auto _ : state) {
    if (!codec.Reconstruct(shards.spans, present, /*data_only=*/true).ok()) {
      state.SkipWithError("Reconstruct failed");
      return;
    }
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBlock));
}

BENCHMARK(BM_Reconstruct2Plus2);

}  // namespace
}  // namespace cairn

BENCHMARK_MAIN();
