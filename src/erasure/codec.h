// Reed-Solomon erasure codec over GF(2^8) with Intel ISA-L. One Codec per geometry (D data,
// P parity shards); its tables are built once in the constructor and it is immutable after
// (but for a mutex-guarded cache of decode tables), so one instance is shared by every thread.
// The encode matrix is ISA-L's systematic Cauchy matrix (gf_gen_cauchy1_matrix): parity row
// i >= D has coefficients 1 / (i ^ j); shards on disk depend on it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "common/status.h"

namespace cairn::erasure {

class Codec {
 public:
  // 1 <= data, 0 <= parity, data + parity <= 255 (RELEASE_ASSERT): check a geometry read from
  // metadata or a peer with ValidGeometry first.
  Codec(int data, int parity);
  ~Codec();
  Codec(const Codec&) = delete;
  Codec& operator=(const Codec&) = delete;

  static bool ValidGeometry(int data, int parity) {
    return data >= 1 && parity >= 0 && data + parity <= 255;
  }

  int data() const { return data_; }

  int parity() const { return parity_; }

  // Bytes per shard for a block of `block_len` bytes: ceil(block_len / data).
  std::size_t ShardSize(std::size_t block_len) const;

  // Splits `block` into `data` shards (the last zero padded) and computes the parity shards.
  // `shards` has data + parity spans, each exactly ShardSize(block.size()) bytes (a wrong
  // count or size is a caller bug: RELEASE_ASSERT). Allocates nothing; any thread.
  void Encode(std::span<const std::byte> block, std::span<const std::span<std::byte>> shards) const;
  // Computes parity shards from data shards already in place in `shards`.
  void EncodeParity(std::span<const std::span<std::byte>> shards) const;

  // Rebuilds the shards whose `present[i]` is false, in place, from any `data` present ones.
  // With `data_only`, rebuilds only missing data shards. Errors: kReadQuorum when fewer than
  // `data` shards are present (nothing is written then); kInvalidArgument when `shards` or
  // `present` do not have data + parity entries or the shards differ in size. Any thread; the
  // first use of an erasure pattern builds its decode tables, later uses allocate nothing.
  Status Reconstruct(std::span<const std::span<std::byte>> shards, std::span<const bool> present,
                     bool data_only) const;

  // Copies the data shards back into `out` (the first out.size() bytes of the block).
  static void Join(std::span<const std::span<std::byte>> data_shards, std::span<std::byte> out);

  // Number of erasure patterns whose decode tables are cached (for tests).
  std::size_t CachedPatternsForTest() const;

 private:
  // A bitmap over shard indices (data + parity <= 255).
  using ShardMask = std::array<std::uint64_t, 4>;

  // How to rebuild the missing shards of one erasure pattern: `targets` from `sources` (the
  // first `data` present shards) with ISA-L tables for the rows of the decode matrix.
  struct DecodePlan {
    std::vector<std::uint8_t> sources;
    std::vector<std::uint8_t> targets;
    std::vector<std::uint8_t> tables;
  };

  struct CacheEntry {
    ShardMask present;
    bool data_only;
    std::shared_ptr<const DecodePlan> plan;
  };

  static constexpr std::size_t kMaxCachedPlans = 64;

  Result<std::shared_ptr<const DecodePlan>> GetPlan(const ShardMask& present, bool data_only) const;
  Result<std::shared_ptr<const DecodePlan>> BuildPlan(const ShardMask& present,
                                                      bool data_only) const;

  int data_;
  int parity_;
  std::vector<std::uint8_t> encode_matrix_;  // (data + parity) x data, the top is the identity
  std::vector<std::uint8_t> encode_tables_;  // ec_init_tables of the parity rows
  // Decode plans by erasure pattern. Guarded by cache_mu_; the plans themselves are immutable
  // and used outside the lock. At most kMaxCachedPlans entries, replaced round-robin.
  mutable std::mutex cache_mu_;
  mutable std::vector<CacheEntry> cache_;
  mutable std::size_t next_victim_ = 0;
};

}  // namespace cairn::erasure
