// Reed-Solomon erasure codec over GF(2^8) with Intel ISA-L. One Codec per geometry (D data,
// P parity shards); its tables are built once in the constructor and it is immutable after,
// so one instance is shared by every thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"

namespace cairn::erasure {

class Codec {
 public:
  // 1 <= data, 0 <= parity, data + parity <= 255.
  Codec(int data, int parity);
  ~Codec();
  Codec(const Codec&) = delete;
  Codec& operator=(const Codec&) = delete;

  int data() const { return data_; }
  int parity() const { return parity_; }
  // Bytes per shard for a block of `block_len` bytes: ceil(block_len / data).
  std::size_t ShardSize(std::size_t block_len) const;

  // Splits `block` into `data` shards (the last zero padded) and computes the parity shards.
  // `shards` has data + parity spans, each exactly ShardSize(block.size()) bytes.
  void Encode(std::span<const std::byte> block, std::span<const std::span<std::byte>> shards) const;
  // Computes parity shards from data shards already in place in `shards`.
  void EncodeParity(std::span<const std::span<std::byte>> shards) const;

  // Rebuilds the shards whose `present[i]` is false, in place, from any `data` present ones.
  // With `data_only`, rebuilds only missing data shards. Errors: kReadQuorum when fewer than
  // `data` shards are present.
  Status Reconstruct(std::span<const std::span<std::byte>> shards, std::span<const bool> present,
                     bool data_only) const;

  // Copies the data shards back into `out` (the first out.size() bytes of the block).
  static void Join(std::span<const std::span<std::byte>> data_shards, std::span<std::byte> out);

 private:
  int data_;
  int parity_;
  std::vector<std::uint8_t> encode_matrix_;
  std::vector<std::uint8_t> encode_tables_;
};

}  // namespace cairn::erasure
