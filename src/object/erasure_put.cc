// ErasureSet: the write path. A body streams through in blocks: read straight into the
// data shard slots, parity encoded and every shard bitrot-hashed (on the compute pool for
// large blocks), then one write per drive per block, all drives in parallel.
#include <algorithm>
#include <cstring>
#include <utility>

#include "common/run_blocking.h"
#include "erasure/bitrot.h"
#include "object/buffer_pool.h"
#include "object/erasure_set.h"
#include "object/multipart_checksum.h"
#include "object/object_util.h"
#include "object/quorum.h"
#include "object/set_util.h"

namespace cairn::object {

namespace {

using Span = std::span<std::byte>;

std::size_t CountTrue(const std::vector<bool>& v) {
  return static_cast<std::size_t>(std::count(v.begin(), v.end(), true));
}

// Encodes one block laid out in `area` (slot k = [hash][shard k]) and hashes every shard.
// With `contiguous`, the block's bytes are in `contiguous` and are split into the slots;
// otherwise the data shards are already in place.
void EncodeBlock(const erasure::Codec& codec, std::byte* area, std::size_t slot, std::size_t n,
                 std::span<const std::byte> contiguous) {
  std::vector<Span> shards(n);
  for (std::size_t k = 0; k < n; ++k) {
    shards[k] = Span(area + k * slot + erasure::kBitrotHashSize, slot - erasure::kBitrotHashSize);
  }
  if (!contiguous.empty()) {
    codec.Encode(contiguous, shards);
  } else {
    codec.EncodeParity(shards);
  }
  for (std::size_t k = 0; k < n; ++k) {
    erasure::BitrotHash(shards[k], std::span<std::byte, erasure::kBitrotHashSize>(
                                       area + k * slot, erasure::kBitrotHashSize));
  }
}

}  // namespace

Task<Result<ErasureSet::Streamed>> ErasureSet::StreamShards(const RequestContext& ctx,
                                                            HashReader& body,
                                                            const meta::ErasureInfo& layout,
                                                            std::string_view staged,
                                                            bool allow_inline) {
  if (!GeometryFits(layout) || layout.distribution.size() != drives_.size()) {
    co_return Status(Errc::kInternal, "a write layout that is not this set's");
  }
  const auto n = static_cast<std::size_t>(size());
  // The object's own geometry (raised parity when drives were offline), not the set's.
  const int data = layout.data_blocks;
  const erasure::Codec& codec = CodecFor(data, layout.parity_blocks);
  const auto d = static_cast<std::size_t>(data);
  const std::uint32_t bs = opts_.block_size;
  const std::size_t s_full = codec.ShardSize(bs);
  const std::size_t slot_full = erasure::kBitrotHashSize + s_full;
  const auto wq = static_cast<std::size_t>(WriteQuorumFor(data, layout.parity_blocks));
  const std::vector<std::uint8_t>& distribution = layout.distribution;
  // Reserve the block buffers this write will hold before taking any: a small body of known
  // size touches only its own bytes of one block buffer; any other body may hold two block
  // buffers (double buffering), the gather buffer of a short last block and one shard
  // writer's buffer per drive.
  MemoryBudget::Lease lease;
  if (opts_.budget != nullptr) {
    const std::int64_t known = body.size();
    const bool small = allow_inline && known >= 0 &&
                       erasure::ShardFileSize(static_cast<std::uint64_t>(known), bs, data) <=
                           opts_.inline_threshold;
    std::size_t writers = 0;  // what the shard writers hold of their own
    for (const auto& d : drives_) {
      writers += d != nullptr ? d->max_writer_buffer_bytes() : 0;
    }
    const std::size_t want = small ? SlotSizeWith(codec, static_cast<std::size_t>(known)) * n
                                   : 3 * buffers_->buffer_size() + writers;
    CO_ASSIGN_OR_RETURN(lease, co_await opts_.budget->Acquire(want));
  }
  BufferPool::Buffer area = buffers_->Get();
  BufferPool::Buffer gather;  // only for a short last block

  Streamed out;
  out.alive.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.alive[i] = drives_[i] != nullptr && drives_[i]->IsOnline();
  }
  std::vector<std::size_t> shard_of(n);
  for (std::size_t i = 0; i < n; ++i) {
    shard_of[i] = distribution[i] - 1u;
  }
  std::vector<std::unique_ptr<storage::ShardWriter>> writers(n);
  const std::string file(staged);

  const std::int64_t declared = body.size();
  bool decided = !allow_inline || declared >= 0;
  bool inline_mode = allow_inline && declared >= 0 &&
                     erasure::ShardFileSize(static_cast<std::uint64_t>(declared), bs, data) <=
                         opts_.inline_threshold;
  auto start_inline = [&](std::uint64_t total) {
    out.inline_shards.resize(n);
    std::size_t per = erasure::ShardFileSize(total, bs, data);
    for (auto& s : out.inline_shards) {
      s.reserve(per);
    }
  };
  if (inline_mode) {
    start_inline(static_cast<std::uint64_t>(declared));
  }

  // A drive that was full is why the write failed, when it failed: the client gets 507
  // XMinioStorageFull rather than a retryable 503 (drives fill up at slightly different
  // rates, so a set meets its first full drives while the others still take data).
  bool disk_full = false;
  auto drop = [&](std::size_t i, const Status& why) {
    out.alive[i] = false;
    disk_full = disk_full || why.code() == Errc::kDiskFull;
  };
  auto quorum_lost = [&]() -> Status {
    if (disk_full) {
      return Status(Errc::kDiskFull, "the drives of the set are full");
    }
    return Status(Errc::kWriteQuorum, "too many drives failed during the write");
  };
  auto create_files = [&]() -> Task<Status> {
    auto res = co_await ForEachDriveIn<Result<std::unique_ptr<storage::ShardWriter>>>(
        *this, out.alive,
        [&](storage::StorageApi& drive, std::size_t) { return drive.CreateFile(ctx, file); });
    out.files_created = true;
    for (std::size_t i = 0; i < n; ++i) {
      if (res[i].ok()) {
        writers[i] = std::move(res[i]).value();
      } else if (out.alive[i]) {
        drop(i, res[i].status());
      }
    }
    co_return CountTrue(out.alive) >= wq ? Status::Ok() : quorum_lost();
  };

  struct BlockRead {
    std::size_t got = 0;
    bool eof = false;
  };

  // Reads one block straight into the data shard slots of `a` (full-block layout).
  auto read_block = [&](std::byte* a) -> Task<Result<BlockRead>> {
    BlockRead b;
    for (std::size_t k = 0; k < d && !b.eof; ++k) {
      std::size_t want = std::min<std::size_t>(s_full, bs - k * s_full);
      auto r = co_await ReadFull(body, Span(a + k * slot_full + erasure::kBitrotHashSize, want));
      if (!r.ok()) {
        co_return r.status();
      }
      b.got += *r;
      b.eof = *r < want;
    }
    co_return b;
  };
  // Pads (or, for a short block, re-lays out) the block, encodes parity and hashes every
  // shard; returns the slot size of this block.
  auto encode_block = [&](std::byte* a, std::size_t got) -> Task<std::size_t> {
    std::size_t slot = slot_full;
    std::span<const std::byte> contiguous;
    if (got == bs) {
      std::size_t last_len = bs - (d - 1) * s_full;
      std::memset(a + (d - 1) * slot_full + erasure::kBitrotHashSize + last_len, 0,
                  s_full - last_len);
    } else {
      // A short last block has smaller shards: gather its bytes, Encode re-splits them.
      if (!gather) {
        gather = buffers_->Get();
      }
      for (std::size_t k = 0, done = 0; done < got; ++k) {
        std::size_t len = std::min(s_full, got - done);
        std::memcpy(gather.get() + done, a + k * slot_full + erasure::kBitrotHashSize, len);
        done += len;
      }
      contiguous = std::span<const std::byte>(gather.get(), got);
      slot = SlotSizeWith(codec, got);
    }
    if (got >= opts_.offload_threshold) {
      co_await RunBlocking(*opts_.compute, [&] {
        EncodeBlock(codec, a, slot, n, contiguous);
        return true;
      });
    } else {
      EncodeBlock(codec, a, slot, n, contiguous);
    }
    co_return slot;
  };
  // Writes drive i's slot to every live drive; a drive that fails is dropped.
  auto write_block = [&](const std::byte* a, std::size_t slot) -> Task<Status> {
    auto res =
        co_await ForEachDriveIn<Status>(*this, out.alive, [&](storage::StorageApi&, std::size_t i) {
          return writers[i]->Write(std::span<const std::byte>(a + shard_of[i] * slot, slot));
        });
    for (std::size_t i = 0; i < n; ++i) {
      if (out.alive[i] && !res[i].ok()) {
        drop(i, res[i]);
        writers[i].reset();
      }
    }
    co_return CountTrue(out.alive) >= wq ? Status::Ok() : quorum_lost();
  };

  BufferPool::Buffer areas[2] = {std::move(area), {}};
  CO_ASSIGN_OR_RETURN(BlockRead next, co_await read_block(areas[0].get()));
  int cur = 0;
  while (next.got > 0) {
    const BlockRead blk = next;
    std::byte* a = areas[cur].get();
    const std::size_t slot = co_await encode_block(a, blk.got);
    if (!decided) {
      decided = true;
      inline_mode = blk.eof && erasure::ShardFileSize(blk.got, bs, data) <= opts_.inline_threshold;
      if (inline_mode) {
        start_inline(blk.got);
      }
    }
    out.size += static_cast<std::int64_t>(blk.got);
    if (inline_mode) {
      for (std::size_t i = 0; i < n; ++i) {
        if (out.alive[i]) {
          out.inline_shards[i].append(reinterpret_cast<const char*>(a + shard_of[i] * slot), slot);
        }
      }
      if (blk.eof) {
        break;
      }
      CO_ASSIGN_OR_RETURN(next, co_await read_block(a));
      continue;
    }
    if (!out.files_created) {
      CO_RETURN_IF_ERROR(co_await create_files());
    }
    if (blk.eof) {
      CO_RETURN_IF_ERROR(co_await write_block(a, slot));
      break;
    }
    // Write this block to the drives while the next one is read from the body.
    if (!areas[1 - cur]) {
      areas[1 - cur] = buffers_->Get();
    }
    std::byte* other = areas[1 - cur].get();
    Result<BlockRead> read_res;
    auto both = co_await FanOut<Status>(2, [&](std::size_t i) -> Task<Status> {
      if (i == 0) {
        co_return co_await write_block(a, slot);
      }
      read_res = co_await read_block(other);
      co_return read_res.ok() ? Status::Ok() : read_res.status();
    });
    CO_RETURN_IF_ERROR(both[1]);  // a body error (digest, size) is the client's answer
    CO_RETURN_IF_ERROR(both[0]);
    next = *read_res;
    cur = 1 - cur;
  }
  if (!decided) {
    inline_mode = true;  // an empty body of unknown size
    start_inline(0);
  }
  out.is_inline = inline_mode;
  if (!inline_mode) {
    if (!out.files_created) {
      CO_RETURN_IF_ERROR(co_await create_files());  // an empty part still has its file
    }
    auto res = co_await ForEachDriveIn<Status>(
        *this, out.alive, [&](storage::StorageApi&, std::size_t i) { return writers[i]->Close(); });
    for (std::size_t i = 0; i < n; ++i) {
      if (out.alive[i] && !res[i].ok()) {
        drop(i, res[i]);
      }
    }
  }
  if (CountTrue(out.alive) < wq) {
    co_return quorum_lost();
  }
  co_return out;
}

Task<Status> ErasureSet::CheckWritePreconditions(const RequestContext& ctx, std::string_view bucket,
                                                 std::string_view key, const PutOptions& opts) {
  if (opts.if_match.empty() && opts.if_none_match.empty()) {
    co_return Status::Ok();
  }
  auto qi = co_await ReadQuorumInfo(ctx, bucket, key, "", false);
  if (!qi.ok() && qi.code() != Errc::kNoSuchKey) {
    co_return qi.status();
  }
  bool exists = qi.ok() && !qi->fi.deleted;
  std::string etag = exists ? FindMeta(qi->fi.metadata, "etag") : std::string();
  if (!opts.if_none_match.empty() && exists) {
    std::string_view want = StripQuotes(opts.if_none_match);
    if (want == "*" || want == etag) {
      co_return Status(Errc::kPreconditionFailed, "If-None-Match");
    }
  }
  if (!opts.if_match.empty()) {
    if (!exists) {
      co_return Status(Errc::kNoSuchKey, "If-Match on an object that does not exist");
    }
    std::string_view want = StripQuotes(opts.if_match);
    if (want != "*" && want != etag) {
      co_return Status(Errc::kPreconditionFailed, "If-Match");
    }
  }
  co_return Status::Ok();
}

Task<Result<ObjectInfo>> ErasureSet::PutObject(const RequestContext& ctx, std::string_view bucket,
                                               std::string_view key, HashReader& body,
                                               const PutOptions& opts) {
  // The data is staged without the object's lock (as MinIO does): the lock covers only the
  // commit, so a slow upload never blocks readers, and a copy of an object onto itself can
  // stream from its own source. Preconditions are checked early to fail fast, and again
  // under the lock, where they count.
  CO_RETURN_IF_ERROR(CheckWritable());
  CO_RETURN_IF_ERROR(co_await CheckWritePreconditions(ctx, bucket, key, opts));

  meta::FileInfo fi;
  fi.volume = std::string(bucket);
  fi.name = std::string(key);
  fi.version_id = opts.version_id;
  // Drives offline now raise the object's parity (recorded in its metadata).
  fi.erasure = NewErasureInfo(key, WriteParity(opts.parity));
  const int wq = WriteQuorumFor(fi.erasure.data_blocks, fi.erasure.parity_blocks);
  const std::string tmp = NewUuid();
  // Staged as one file, tmp/<tmp>, that RenameData moves to data/<xx>/<data_dir>: one inode
  // per drive, no folder to make and sync (docs/format.md).
  auto streamed = co_await StreamShards(ctx, body, fi.erasure, /*staged=*/tmp, true);
  if (!streamed.ok()) {
    co_await DeleteTmpAll(ctx, tmp);
    co_return streamed.status();
  }
  auto guard = co_await LockObject(ctx, bucket, key, true);
  if (!guard.ok()) {
    co_await DeleteTmpAll(ctx, tmp);
    co_return guard.status();
  }
  Status pre = co_await CheckWritePreconditions(ctx, bucket, key, opts);
  if (!pre.ok()) {
    co_await DeleteTmpAll(ctx, tmp);
    co_return pre;
  }
  fi.size = streamed->size;
  fi.mod_time_ns = NowNs();
  if (fi.version_id.empty() && opts.versioning == Versioning::kEnabled) {
    fi.version_id = NewVersionId(fi.mod_time_ns);
  }
  fi.metadata = opts.metadata;
  std::string etag = body.md5_hex();
  SetMeta(fi.metadata, "etag", etag);
  meta::ObjectPart part{1, etag, fi.size, fi.mod_time_ns, {}};
  if (auto cs = body.checksum()) {
    SetMeta(fi.metadata, cs->first, cs->second);
    SetMeta(fi.metadata, kChecksumTypeMeta, std::string(kChecksumFullObject));
    std::string algo = cs->first.substr(std::string_view("x-amz-checksum-").size());
    std::transform(algo.begin(), algo.end(), algo.begin(), ::toupper);
    part.checksums.emplace_back(std::move(algo), cs->second);
  }
  fi.parts.push_back(std::move(part));
  fi.is_inline = streamed->is_inline;
  if (!fi.is_inline) {
    fi.data_dir = NewUuid();
  }

  // Commit on every drive that took the data: one metadata write, or a rename + write.
  const auto n = static_cast<std::size_t>(size());
  std::vector<meta::FileInfo> per(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (streamed->alive[i]) {
      per[i] = fi;
      per[i].erasure.index = fi.erasure.distribution[i];
      if (fi.is_inline) {
        per[i].inline_data = std::move(streamed->inline_shards[i]);
      }
    }
  }
  auto res = co_await ForEachDriveIn<Result<storage::CommitUndo>>(
      *this, streamed->alive, [&](storage::StorageApi& drive, std::size_t i) {
        return fi.is_inline ? drive.WriteMetadata(ctx, per[i]) : drive.RenameData(ctx, per[i], tmp);
      });
  // Below quorum, every drive that committed gets back the object it held before.
  Status st = co_await SettleCommit(ctx, per, res, wq);
  if (!fi.is_inline && (!st.ok() || CountOk(res) < n)) {
    co_await DeleteTmpAll(ctx, tmp);
  }
  CO_RETURN_IF_ERROR(st);
  if (CountOk(res) < n) {
    QueueHeal(bucket, key, fi.version_id);  // committed on fewer than all drives
  }
  fi.is_latest = true;
  co_return ToObjectInfo(bucket, fi);
}

}  // namespace cairn::object
