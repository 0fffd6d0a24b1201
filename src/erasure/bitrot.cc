// Bitrot hashing with HighwayHash-256 from libhighwayhash, dispatched once to the best
// implementation the CPU has (AVX2 on current x86-64), and the shard file layout arithmetic.
#include "erasure/bitrot.h"

#include <array>
#include <cstring>

#include <highwayhash/highwayhash_target.h>
#include <highwayhash/instruction_sets.h>

#include "erasure/highwayhash_portable.h"

namespace cairn::erasure {
namespace {

namespace hh = highwayhash;

// The fixed key: MinIO's magicHighwayHash256Key (the HighwayHash-256, under a zero key, of the
// first 100 decimals of pi), read as four little-endian 64-bit words. Changing it invalidates
// every shard on disk.
constexpr hh::HHKey kBitrotKey = {0xcd8a238efa34e74bull, 0x528596bbe6833e26ull,
                                  0x14449fa35d930f04ull, 0xa036de22139de097ull};

using HashFn = void (*)(const hh::HHKey&, const char*, std::size_t, hh::HHResult256*);

template <hh::TargetBits kTarget>
void HashOn(const hh::HHKey& key, const char* bytes, std::size_t size, hh::HHResult256* out) {
  hh::HighwayHash<kTarget>()(key, bytes, size, out);
}

// Not libhighwayhash's Portable target, which Debian's build gets wrong.
void HashPortable(const hh::HHKey& key, const char* bytes, std::size_t size, hh::HHResult256* out) {
  internal::HighwayHash256Portable(key, bytes, size, *out);
}

// The implementation for one HH_TARGET_* bit, or nullptr when this CPU cannot run it.
HashFn FunctionFor(hh::TargetBits target) {
  if (target == HH_TARGET_Portable) {
    return &HashPortable;
  }
#if HH_ARCH_X64
  if ((hh::InstructionSets::Supported() & target) != 0) {
    if (target == HH_TARGET_AVX2) {
      return &HashOn<HH_TARGET_AVX2>;
    }
    if (target == HH_TARGET_SSE41) {
      return &HashOn<HH_TARGET_SSE41>;
    }
  }
#endif
  return nullptr;
}

struct Dispatch {
  hh::TargetBits target;
  HashFn fn;
};

// Chosen once; immutable afterwards, so every thread may read it. Measured on the development
// machine (bench/README.md), 1 MiB: AVX2 11.5 GB/s, SSE4.1 9.2 GB/s, portable 1.5 GB/s.
const Dispatch& Best() {
  static const Dispatch best = [] {
    for (hh::TargetBits t : {HH_TARGET_AVX2, HH_TARGET_SSE41, HH_TARGET_Portable}) {
      if (HashFn fn = FunctionFor(t)) {
        return Dispatch{t, fn};
      }
    }
    return Dispatch{HH_TARGET_Portable, &HashPortable};
  }();
  return best;
}

// The 256-bit result as 32 bytes: four little-endian words, as MinIO's Go package writes it.
void Store(const hh::HHResult256& r, std::span<std::byte, kBitrotHashSize> out) {
  for (int w = 0; w < 4; ++w) {
    for (int b = 0; b < 8; ++b) {
      out[w * 8 + b] = static_cast<std::byte>((r[w] >> (8 * b)) & 0xff);
    }
  }
}

std::uint64_t PerBlock(std::uint64_t block_len, int data_blocks) {
  const auto d = static_cast<std::uint64_t>(data_blocks);
  return kBitrotHashSize + (block_len + d - 1) / d;
}

}  // namespace

void BitrotHash(std::span<const std::byte> data, std::span<std::byte, kBitrotHashSize> out) {
  hh::HHResult256 r;
  Best().fn(kBitrotKey, reinterpret_cast<const char*>(data.data()), data.size(), &r);
  Store(r, out);
}

bool BitrotVerify(std::span<const std::byte> data,
                  std::span<const std::byte, kBitrotHashSize> hash) {
  std::array<std::byte, kBitrotHashSize> got;
  BitrotHash(data, got);
  return std::memcmp(got.data(), hash.data(), kBitrotHashSize) == 0;
}

std::string_view BitrotHashTarget() {
  return hh::TargetName(Best().target);
}

bool HighwayHash256ForTest(std::span<const std::uint64_t, 4> key, unsigned target,
                           std::span<const std::byte> data,
                           std::span<std::byte, kBitrotHashSize> out) {
  const HashFn fn = FunctionFor(target);
  if (fn == nullptr) {
    return false;
  }
  const hh::HHKey k = {key[0], key[1], key[2], key[3]};
  hh::HHResult256 r;
  fn(k, reinterpret_cast<const char*>(data.data()), data.size(), &r);
  Store(r, out);
  return true;
}

std::uint64_t ShardFileSize(std::uint64_t object_size, std::uint32_t block_size, int data_blocks) {
  if (object_size == 0 || block_size == 0 || data_blocks < 1) {
    return 0;
  }
  const std::uint64_t full = object_size / block_size;
  const std::uint64_t rest = object_size % block_size;
  std::uint64_t size = full * PerBlock(block_size, data_blocks);
  if (rest > 0) {
    size += PerBlock(rest, data_blocks);
  }
  return size;
}

std::uint64_t ShardFileOffset(std::uint64_t block_index, std::uint32_t block_size,
                              int data_blocks) {
  if (block_size == 0 || data_blocks < 1) {
    return 0;
  }
  return block_index * PerBlock(block_size, data_blocks);
}

}  // namespace cairn::erasure
