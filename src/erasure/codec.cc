// Reed-Solomon over GF(2^8) with ISA-L. The encode matrix is systematic Cauchy (identity on
// top, 1/(i ^ j) below), so every square submatrix of D rows is invertible for any D + P <= 255.
#include "erasure/codec.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include <isa-l.h>

namespace cairn::erasure {
namespace {

constexpr int kMaxShards = 255;

// ISA-L takes lengths as int; shards larger than this are coded in pieces.
constexpr std::size_t kMaxCodeLen = std::size_t{1} << 30;

std::uint8_t* Ptr(std::span<std::byte> s) {
  return reinterpret_cast<std::uint8_t*>(s.data());
}

// ec_encode_data over `len` bytes of every source and destination, in pieces ISA-L accepts.
void Code(std::size_t len, int k, int rows, const std::uint8_t* tables,
          std::array<std::uint8_t*, kMaxShards>& src, std::array<std::uint8_t*, kMaxShards>& dst) {
  std::size_t done = 0;
  while (done < len) {
    const std::size_t n = std::min(len - done, kMaxCodeLen);
    if (done > 0) {
      for (int i = 0; i < k; ++i) {
        src[i] += kMaxCodeLen;
      }
      for (int i = 0; i < rows; ++i) {
        dst[i] += kMaxCodeLen;
      }
    }
    ec_encode_data(static_cast<int>(n), k, rows, const_cast<std::uint8_t*>(tables), src.data(),
                   dst.data());
    done += n;
  }
}

bool Test(const std::array<std::uint64_t, 4>& mask, int i) {
  return (mask[i / 64] >> (i % 64)) & 1;
}

}  // namespace

Codec::Codec(int data, int parity) : data_(data), parity_(parity) {
  RELEASE_ASSERT(ValidGeometry(data, parity), "erasure geometry out of range");
  const int total = data + parity;
  encode_matrix_.resize(static_cast<std::size_t>(total) * data);
  gf_gen_cauchy1_matrix(encode_matrix_.data(), total, data);
  if (parity > 0) {
    encode_tables_.resize(32 * static_cast<std::size_t>(data) * parity);
    ec_init_tables(data, parity, encode_matrix_.data() + static_cast<std::size_t>(data) * data,
                   encode_tables_.data());
  }
}

Codec::~Codec() = default;

std::size_t Codec::ShardSize(std::size_t block_len) const {
  const auto d = static_cast<std::size_t>(data_);
  return (block_len + d - 1) / d;
}

void Codec::Encode(std::span<const std::byte> block,
                   std::span<const std::span<std::byte>> shards) const {
  const std::size_t shard_size = ShardSize(block.size());
  RELEASE_ASSERT(shards.size() == static_cast<std::size_t>(data_ + parity_),
                 "Encode: wrong number of shards");
  for (int i = 0; i < data_; ++i) {
    std::span<std::byte> shard = shards[i];
    RELEASE_ASSERT(shard.size() == shard_size, "Encode: wrong shard size");
    const std::size_t off = static_cast<std::size_t>(i) * shard_size;
    const std::size_t n = off < block.size() ? std::min(shard_size, block.size() - off) : 0;
    if (n > 0) {
      std::memcpy(shard.data(), block.data() + off, n);
    }
    if (n < shard_size) {
      std::memset(shard.data() + n, 0, shard_size - n);
    }
  }
  EncodeParity(shards);
}

void Codec::EncodeParity(std::span<const std::span<std::byte>> shards) const {
  RELEASE_ASSERT(shards.size() == static_cast<std::size_t>(data_ + parity_),
                 "EncodeParity: wrong number of shards");
  const std::size_t len = shards[0].size();
  if (parity_ == 0 || len == 0) {
    return;
  }
  std::array<std::uint8_t*, kMaxShards> src;
  std::array<std::uint8_t*, kMaxShards> dst;
  for (int i = 0; i < data_; ++i) {
    ASSERT(shards[i].size() == len);
    src[i] = Ptr(shards[i]);
  }
  for (int i = 0; i < parity_; ++i) {
    RELEASE_ASSERT(shards[data_ + i].size() == len, "EncodeParity: shard sizes differ");
    dst[i] = Ptr(shards[data_ + i]);
  }
  Code(len, data_, parity_, encode_tables_.data(), src, dst);
}

Status Codec::Reconstruct(std::span<const std::span<std::byte>> shards,
                          std::span<const bool> present, bool data_only) const {
  const auto total = static_cast<std::size_t>(data_ + parity_);
  if (shards.size() != total || present.size() != total) {
    return Status(Errc::kInvalidArgument, "Reconstruct: shards and present must have D+P entries");
  }
  ShardMask mask{};
  int have = 0;
  bool missing = false;
  for (std::size_t i = 0; i < total; ++i) {
    if (present[i]) {
      mask[i / 64] |= std::uint64_t{1} << (i % 64);
      ++have;
    } else if (!data_only || i < static_cast<std::size_t>(data_)) {
      missing = true;
    }
  }
  if (have < data_) {
    return Status(Errc::kReadQuorum, "Reconstruct: " + std::to_string(have) + " of " +
                                         std::to_string(data_) + " needed shards present");
  }
  if (!missing) {
    return Status::Ok();
  }
  const std::size_t len = shards[0].size();
  for (std::size_t i = 1; i < total; ++i) {
    if (shards[i].size() != len) {
      return Status(Errc::kInvalidArgument, "Reconstruct: shard sizes differ");
    }
  }
  if (len == 0) {
    return Status::Ok();
  }
  auto plan = GetPlan(mask, data_only);
  if (!plan.ok()) {
    return plan.status();
  }
  const DecodePlan& p = **plan;
  std::array<std::uint8_t*, kMaxShards> src;
  std::array<std::uint8_t*, kMaxShards> dst;
  for (int i = 0; i < data_; ++i) {
    src[i] = Ptr(shards[p.sources[i]]);
  }
  const int rows = static_cast<int>(p.targets.size());
  for (int i = 0; i < rows; ++i) {
    dst[i] = Ptr(shards[p.targets[i]]);
  }
  Code(len, data_, rows, p.tables.data(), src, dst);
  return Status::Ok();
}

Result<std::shared_ptr<const Codec::DecodePlan>> Codec::GetPlan(const ShardMask& present,
                                                                bool data_only) const {
  {
    std::lock_guard lock(cache_mu_);
    for (const CacheEntry& e : cache_) {
      if (e.present == present && e.data_only == data_only) {
        return e.plan;
      }
    }
  }
  // Built outside the lock: two threads may build the same plan, and both are correct.
  auto built = BuildPlan(present, data_only);
  if (!built.ok()) {
    return built;
  }
  std::lock_guard lock(cache_mu_);
  for (const CacheEntry& e : cache_) {
    if (e.present == present && e.data_only == data_only) {
      return e.plan;
    }
  }
  CacheEntry entry{present, data_only, *built};
  if (cache_.size() < kMaxCachedPlans) {
    cache_.push_back(std::move(entry));
  } else {
    cache_[next_victim_] = std::move(entry);
    next_victim_ = (next_victim_ + 1) % kMaxCachedPlans;
  }
  return built;
}

Result<std::shared_ptr<const Codec::DecodePlan>> Codec::BuildPlan(const ShardMask& present,
                                                                  bool data_only) const {
  const int k = data_;
  const int total = data_ + parity_;
  auto plan = std::make_shared<DecodePlan>();
  for (int i = 0; i < total && static_cast<int>(plan->sources.size()) < k; ++i) {
    if (Test(present, i)) {
      plan->sources.push_back(static_cast<std::uint8_t>(i));
    }
  }
  for (int i = 0; i < (data_only ? k : total); ++i) {
    if (!Test(present, i)) {
      plan->targets.push_back(static_cast<std::uint8_t>(i));
    }
  }
  // The rows of the encode matrix for the sources map the data to the sources; its inverse
  // maps the sources back to the data.
  std::vector<std::uint8_t> sub(static_cast<std::size_t>(k) * k);
  for (int r = 0; r < k; ++r) {
    std::memcpy(&sub[static_cast<std::size_t>(r) * k],
                &encode_matrix_[static_cast<std::size_t>(plan->sources[r]) * k], k);
  }
  std::vector<std::uint8_t> inv(static_cast<std::size_t>(k) * k);
  if (gf_invert_matrix(sub.data(), inv.data(), k) != 0) {
    return Status(Errc::kInternal, "Reconstruct: singular decode matrix");
  }
  // A missing data shard is a row of the inverse; a missing parity shard is its encode row
  // applied to the recovered data, i.e. encode_row x inverse.
  const auto rows = plan->targets.size();
  std::vector<std::uint8_t> decode(rows * k);
  for (std::size_t t = 0; t < rows; ++t) {
    const int target = plan->targets[t];
    std::uint8_t* out = &decode[t * k];
    if (target < k) {
      std::memcpy(out, &inv[static_cast<std::size_t>(target) * k], k);
      continue;
    }
    const std::uint8_t* enc = &encode_matrix_[static_cast<std::size_t>(target) * k];
    for (int j = 0; j < k; ++j) {
      std::uint8_t acc = 0;
      for (int m = 0; m < k; ++m) {
        acc ^= gf_mul(enc[m], inv[static_cast<std::size_t>(m) * k + j]);
      }
      out[j] = acc;
    }
  }
  plan->tables.resize(32 * static_cast<std::size_t>(k) * rows);
  ec_init_tables(k, static_cast<int>(rows), decode.data(), plan->tables.data());
  return std::shared_ptr<const DecodePlan>(std::move(plan));
}

void Codec::Join(std::span<const std::span<std::byte>> data_shards, std::span<std::byte> out) {
  std::size_t done = 0;
  for (const auto& shard : data_shards) {
    if (done == out.size()) {
      break;
    }
    const std::size_t n = std::min(shard.size(), out.size() - done);
    std::memcpy(out.data() + done, shard.data(), n);
    done += n;
  }
  RELEASE_ASSERT(done == out.size(), "Join: data shards shorter than the output");
}

std::size_t Codec::CachedPatternsForTest() const {
  std::lock_guard lock(cache_mu_);
  return cache_.size();
}

}  // namespace cairn::erasure
