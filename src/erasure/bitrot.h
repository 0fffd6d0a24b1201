// Bitrot protection: the streaming format of shard data. Every shard block is stored with a
// 32-byte HighwayHash-256 (fixed key) ahead of it:  [hash][block][hash][block]...
// A reader verifies each block before it is used, so corrupt bytes are never served.
// The key is MinIO's magicHighwayHash256Key (bitrot.cc); the hash is stored as four
// little-endian 64-bit words, so a block hashes to the same 32 bytes as in MinIO.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/status.h"

namespace cairn::erasure {

inline constexpr std::size_t kBitrotHashSize = 32;

// HighwayHash-256 of data with cairn's fixed key.
void BitrotHash(std::span<const std::byte> data, std::span<std::byte, kBitrotHashSize> out);
// True when `hash` is the bitrot hash of `data`.
bool BitrotVerify(std::span<const std::byte> data,
                  std::span<const std::byte, kBitrotHashSize> hash);

// Name of the HighwayHash implementation BitrotHash uses on this CPU ("AVX2", "SSE41",
// "Portable"), chosen once at first use; every implementation gives the same hash.
std::string_view BitrotHashTarget();
// HighwayHash-256 with any key on one implementation (a HH_TARGET_* bit: 1 portable, 2 SSE4.1,
// 4 AVX2), for tests and benchmarks. Returns false when this CPU cannot run that target.
bool HighwayHash256ForTest(std::span<const std::uint64_t, 4> key, unsigned target,
                           std::span<const std::byte> data,
                           std::span<std::byte, kBitrotHashSize> out);

// Size of one drive's shard file for `object_size` bytes of object data coded in blocks of
// `block_size` over `data_blocks` shards: the sum over blocks of (32 + shard size).
std::uint64_t ShardFileSize(std::uint64_t object_size, std::uint32_t block_size, int data_blocks);
// Offset in the shard file where erasure block number `block_index` starts.
// Both return 0 for a nonsensical geometry (block_size 0 or data_blocks < 1), which may come
// from corrupt metadata; callers validate the geometry before trusting sizes.
std::uint64_t ShardFileOffset(std::uint64_t block_index, std::uint32_t block_size, int data_blocks);

}  // namespace cairn::erasure
