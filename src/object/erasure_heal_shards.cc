// ErasureSet: the shard work of healing. CheckShards verifies one drive's shards of a
// version (sizes, and with a deep scan every block's bitrot hash); RebuildShards streams the
// shards of drives being healed, block by block, from any D good ones, verifying each block
// read, so that no more than one block of the object is ever in memory.
#include <algorithm>
#include <cstring>
#include <functional>
#include <utility>

#include "common/fan_out.h"
#include "common/log.h"
#include "common/run_blocking.h"
#include "erasure/bitrot.h"
#include "object/buffer_pool.h"
#include "object/erasure_set.h"
#include "object/heal_queue.h"
#include "object/set_util.h"

namespace cairn::object {

namespace {

constexpr std::size_t kHealHash = erasure::kBitrotHashSize;

bool HealSlotVerifies(const std::byte* slot, std::size_t len) {
  return erasure::BitrotVerify(std::span<const std::byte>(slot + kHealHash, len - kHealHash),
                               std::span<const std::byte, kHealHash>(slot, kHealHash));
}

// Where one part's shards come from and go to: read(i, offset, dst) fills dst with drive i's
// bytes of its shard at offset; write(i, bytes) appends to drive i's rebuilt shard.
struct HealPartIo {
  std::function<Task<Status>(std::size_t, std::uint64_t, std::span<std::byte>)> read;
  std::function<Task<Status>(std::size_t, std::span<const std::byte>)> write;
};

// Streams one part of `part_size` bytes: for each block, reads and verifies D shards from the
// drives in `sources` (data shards first; another source when one fails), rebuilds the
// others and writes each target's shard. A source that fails to read is dropped from
// `sources`, a target that fails to write from `targets`. Errors: kReadQuorum (fewer than D
// good shards of a block), kFaultyDisk (every target failed).
Task<Status> HealStreamPart(const ErasureSet& set, std::int64_t part_size,
                            const meta::ErasureInfo& er, std::vector<bool>& sources,
                            std::vector<bool>& targets, const HealPartIo& io, std::byte* area) {
  const auto n = static_cast<std::size_t>(set.size());
  // The object's own geometry, not the set's (HealLayoutFits checked it).
  const auto d = static_cast<std::size_t>(er.data_blocks);
  const erasure::Codec& codec = set.CodecFor(er.data_blocks, er.parity_blocks);
  const std::uint32_t bs = er.block_size;
  std::vector<std::size_t> shard_of(n);
  std::vector<std::size_t> drive_of(n, n);
  for (std::size_t i = 0; i < n; ++i) {
    shard_of[i] = er.distribution[i] - 1u;
    drive_of[shard_of[i]] = i;
  }
  const auto blocks = static_cast<std::uint64_t>((part_size + bs - 1) / bs);
  auto present = std::make_unique<bool[]>(n);
  for (std::uint64_t b = 0; b < blocks; ++b) {
    const auto block_len = static_cast<std::size_t>(
        std::min<std::int64_t>(bs, part_size - static_cast<std::int64_t>(b) * bs));
    const std::size_t shard = codec.ShardSize(block_len);
    const std::size_t slot = kHealHash + shard;
    const std::uint64_t off = erasure::ShardFileOffset(b, bs, er.data_blocks);
    const bool offload = block_len >= set.options().offload_threshold;
    std::vector<bool> tried(n, false);
    std::size_t good = 0;
    for (std::size_t k = 0; k < n; ++k) {
      present[k] = false;
    }
    while (good < d) {
      std::vector<std::size_t> batch;
      for (std::size_t k = 0; k < n && batch.size() < d - good; ++k) {
        if (!tried[k] && sources[drive_of[k]]) {
          batch.push_back(k);
        }
      }
      if (batch.empty()) {
        co_return Status(Errc::kReadQuorum, "fewer than " + std::to_string(d) + " good shards");
      }
      auto reads = co_await FanOut<Status>(batch.size(), [&](std::size_t j) {
        std::size_t k = batch[j];
        return io.read(drive_of[k], off, std::span<std::byte>(area + k * slot, slot));
      });
      std::vector<char> verified(batch.size(), 0);
      auto verify = [&] {
        for (std::size_t j = 0; j < batch.size(); ++j) {
          verified[j] = reads[j].ok() && HealSlotVerifies(area + batch[j] * slot, slot) ? 1 : 0;
        }
        return true;
      };
      if (offload) {
        co_await RunBlocking(set.compute(), verify);
      } else {
        verify();
      }
      for (std::size_t j = 0; j < batch.size(); ++j) {
        std::size_t k = batch[j];
        tried[k] = true;
        if (verified[j] != 0) {
          present[k] = true;
          ++good;
        } else if (!reads[j].ok() && reads[j].code() != Errc::kFileCorrupt) {
          sources[drive_of[k]] = false;  // a drive that fails a read is not asked again
        }
      }
    }
    auto rebuild = [&] {
      std::vector<std::span<std::byte>> shards(n);
      for (std::size_t k = 0; k < n; ++k) {
        shards[k] = std::span<std::byte>(area + k * slot + kHealHash, shard);
      }
      Status st = codec.Reconstruct(shards, std::span<const bool>(present.get(), n), false);
      if (st.ok()) {
        for (std::size_t k = 0; k < n; ++k) {
          if (!present[k]) {
            erasure::BitrotHash(shards[k],
                                std::span<std::byte, kHealHash>(area + k * slot, kHealHash));
          }
        }
      }
      return st;
    };
    Status built;
    if (offload) {
      built = co_await RunBlocking(set.compute(), rebuild);
    } else {
      built = rebuild();
    }
    CO_RETURN_IF_ERROR(built);
    auto writes = co_await FanOut<Status>(n, [&](std::size_t i) -> Task<Status> {
      if (!targets[i]) {
        co_return Status::Ok();
      }
      co_return co_await io.write(i, std::span<const std::byte>(area + shard_of[i] * slot, slot));
    });
    bool any = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (targets[i] && !writes[i].ok()) {
        targets[i] = false;
      }
      any = any || targets[i];
    }
    if (!any) {
      co_return Status(Errc::kFaultyDisk, "every drive being healed failed");
    }
  }
  co_return Status::Ok();
}

}  // namespace

void ErasureSet::QueueHeal(std::string_view bucket, std::string_view key,
                           std::string_view version_id, bool deep) const {
  if (opts_.heal_queue != nullptr) {
    opts_.heal_queue->Push(const_cast<ErasureSet*>(this), bucket, key, version_id, deep);
  }
}

Task<void> ErasureSet::HealBucketOn(const RequestContext& ctx, std::string_view bucket,
                                    const std::vector<bool>& mask) {
  auto vol = co_await StatBucket(ctx, bucket);
  if (!vol.ok()) {
    co_return;
  }
  auto made = co_await ForEachDriveIn<Status>(
      *this, mask,
      [&](storage::StorageApi& d, std::size_t) { return d.MakeVolume(ctx, bucket, vol->meta); });
  for (std::size_t i = 0; i < made.size(); ++i) {
    if (mask[i] && made[i].ok()) {
      LOG_INFO("heal: bucket {} created on {}", bucket, drives_[i]->endpoint());
    }
  }
}

Task<Status> ErasureSet::CheckShards(const RequestContext& ctx, std::size_t i,
                                     const meta::FileInfo& fi, bool deep) const {
  const std::uint32_t bs = fi.erasure.block_size;
  if (!GeometryFits(fi.erasure)) {
    co_return Status(Errc::kFileCorrupt, "an erasure layout that is not this set's");
  }
  const int data = fi.erasure.data_blocks;
  const erasure::Codec& codec = CodecFor(data, fi.erasure.parity_blocks);
  auto verify_blocks = [&](std::int64_t size, auto read) -> Task<Status> {
    if (!deep || size == 0) {
      co_return Status::Ok();
    }
    BufferPool::Buffer buf = buffers_->Get();
    const auto blocks = static_cast<std::uint64_t>((size + bs - 1) / bs);
    for (std::uint64_t b = 0; b < blocks; ++b) {
      const auto len = static_cast<std::size_t>(
          std::min<std::int64_t>(bs, size - static_cast<std::int64_t>(b) * bs));
      const std::size_t slot = SlotSizeWith(codec, len);
      const std::uint64_t off = erasure::ShardFileOffset(b, bs, data);
      Status got = co_await read(off, std::span<std::byte>(buf.get(), slot));
      CO_RETURN_IF_ERROR(got);
      bool ok = false;
      if (len >= opts_.offload_threshold) {
        ok =
            co_await RunBlocking(*opts_.compute, [&] { return HealSlotVerifies(buf.get(), slot); });
      } else {
        ok = HealSlotVerifies(buf.get(), slot);
      }
      if (!ok) {
        co_return Status(Errc::kFileCorrupt, "bitrot hash mismatch");
      }
    }
    co_return Status::Ok();
  };
  if (fi.is_inline) {
    if (fi.inline_data.size() != erasure::ShardFileSize(fi.size, bs, data)) {
      co_return Status(Errc::kFileCorrupt, "inline shard of the wrong size");
    }
    auto read_inline = [&](std::uint64_t off, std::span<std::byte> dst) -> Task<Status> {
      std::memcpy(dst.data(), fi.inline_data.data() + off, dst.size());
      co_return Status::Ok();
    };
    co_return co_await verify_blocks(fi.size, read_inline);
  }
  for (const auto& part : fi.parts) {
    auto opened = co_await drives_[i]->OpenShard(ctx, fi.data_dir, part.number);
    if (!opened.ok()) {
      co_return opened.status();
    }
    std::unique_ptr<storage::ShardReader> reader = std::move(opened).value();
    if (reader->size() != erasure::ShardFileSize(static_cast<std::uint64_t>(part.size), bs, data)) {
      co_return Status(Errc::kFileCorrupt, "shard file of the wrong size");
    }
    auto read_file = [&](std::uint64_t off, std::span<std::byte> dst) -> Task<Status> {
      auto got = co_await reader->ReadAt(off, dst);
      if (!got.ok()) {
        co_return got.status();
      }
      co_return *got == dst.size() ? Status::Ok() : Status(Errc::kFileCorrupt, "short read");
    };
    Status st = co_await verify_blocks(part.size, read_file);
    CO_RETURN_IF_ERROR(st);
  }
  co_return Status::Ok();
}

Task<Status> ErasureSet::RebuildShards(const RequestContext& ctx, const meta::FileInfo& want,
                                       const std::vector<Result<meta::FileInfo>>& copies,
                                       std::vector<bool>& sources, std::vector<bool>& targets,
                                       std::string_view tmp, std::vector<std::string>& inline_out,
                                       bool as_part_one) {
  const auto n = static_cast<std::size_t>(size());
  const auto& er = want.erasure;
  Status built;
  BufferPool::Buffer area = buffers_->Get();
  if (want.is_inline) {
    HealPartIo io;
    io.read = [&](std::size_t i, std::uint64_t off, std::span<std::byte> dst) -> Task<Status> {
      const std::string& src = copies[i]->inline_data;
      if (off + dst.size() > src.size()) {
        co_return Status(Errc::kFileCorrupt, "inline shard too short");
      }
      std::memcpy(dst.data(), src.data() + off, dst.size());
      co_return Status::Ok();
    };
    io.write = [&](std::size_t i, std::span<const std::byte> b) -> Task<Status> {
      inline_out[i].append(reinterpret_cast<const char*>(b.data()), b.size());
      co_return Status::Ok();
    };
    built = co_await HealStreamPart(*this, want.size, er, sources, targets, io, area.get());
  } else {
    for (const auto& part : want.parts) {
      if (!built.ok()) {
        break;
      }
      // An object of one part numbered 1 is one file, as PutObject stages it (docs/format.md).
      const bool flat = !as_part_one && want.parts.size() == 1 && part.number == 1;
      const std::string file =
          flat ? std::string(tmp)
               : std::string(tmp) + "/part." + std::to_string(as_part_one ? 1 : part.number);
      std::vector<std::unique_ptr<storage::ShardReader>> readers(n);
      std::vector<std::unique_ptr<storage::ShardWriter>> writers(n);
      auto created = co_await ForEachDriveIn<Result<std::unique_ptr<storage::ShardWriter>>>(
          *this, targets,
          [&](storage::StorageApi& d, std::size_t) { return d.CreateFile(ctx, file); });
      for (std::size_t i = 0; i < n; ++i) {
        if (!targets[i]) {
          continue;
        }
        if (created[i].ok()) {
          writers[i] = std::move(created[i]).value();
        } else {
          targets[i] = false;
        }
      }
      HealPartIo io;
      io.read = [&](std::size_t i, std::uint64_t off, std::span<std::byte> dst) -> Task<Status> {
        if (!readers[i]) {
          auto r = co_await drives_[i]->OpenShard(ctx, want.data_dir, part.number);
          if (!r.ok()) {
            co_return r.status();
          }
          readers[i] = std::move(r).value();
        }
        auto got = co_await readers[i]->ReadAt(off, dst);
        if (!got.ok()) {
          co_return got.status();
        }
        co_return *got == dst.size() ? Status::Ok() : Status(Errc::kFileCorrupt, "short shard");
      };
      io.write = [&](std::size_t i, std::span<const std::byte> b) { return writers[i]->Write(b); };
      if (std::count(targets.begin(), targets.end(), true) == 0) {
        built = Status(Errc::kFaultyDisk, "no drive being healed could stage a shard");
        break;
      }
      built = co_await HealStreamPart(*this, part.size, er, sources, targets, io, area.get());
      if (built.ok()) {
        auto closed = co_await FanOut<Status>(n, [&](std::size_t i) -> Task<Status> {
          if (!targets[i]) {
            co_return Status::Ok();
          }
          co_return co_await writers[i]->Close();
        });
        for (std::size_t i = 0; i < n; ++i) {
          targets[i] = targets[i] && closed[i].ok();
        }
      }
    }
  }
  co_return built;
}

}  // namespace cairn::object
