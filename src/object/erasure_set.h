// ErasureSet: one erasure set, a fixed group of drives (in set order) that stores every
// object of its keys as D data + P parity shards with bitrot hashes, and decides each
// operation by quorum. Thread-safe: immutable after construction but for the locker and the
// buffer pool, which are thread-safe themselves. Readers it returns must not outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/thread_pool.hpp>

#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"
#include "erasure/codec.h"
#include "meta/file_info.h"
#include "object/hash_reader.h"
#include "object/heal_types.h"
#include "object/memory_budget.h"
#include "object/ns_lock.h"
#include "object/object_layer.h"
#include "storage/storage_api.h"

namespace cairn::object {

class HealQueue;

struct ErasureSetOptions {
  std::uint32_t block_size = 1 << 20;
  // Objects whose per-drive shard (with bitrot hashes) is at most this many bytes live
  // inline in the metadata entry.
  std::size_t inline_threshold = 128 << 10;
  // Blocks at least this large are encoded, hashed and decoded on `compute`; smaller ones on
  // the caller's thread (the hop costs more than the work). A GET verifies each shard it read
  // on its own thread whatever the size.
  std::size_t offload_threshold = 64 << 10;
  std::int64_t min_part_size = 5 << 20;         // every multipart part but the last
  boost::asio::thread_pool* compute = nullptr;  // required; outlives the set
  NsLocker* locker = nullptr;                   // required; outlives the set
  // Bounds the block buffers of writes in flight; null = unbounded. Outlives the set.
  MemoryBudget* budget = nullptr;
  // Where writes and reads that met a missing, stale or corrupt drive queue the object for
  // healing; null = nothing is queued. Outlives the set.
  HealQueue* heal_queue = nullptr;
};

// One listing entry of a set: an object with its newest version, or a common prefix.
struct SetListEntry {
  std::string name;
  bool is_prefix = false;
  meta::FileInfo fi;
};

struct SetListResult {
  std::vector<SetListEntry> entries;  // in key order
  bool truncated = false;
};

// One page of a heal walk: keys that any drive of the set holds.
struct HealWalkPage {
  struct Entry {
    std::string key;
    // Every drive that answered listed the key with the same single version (what the walk
    // may skip without reading every version).
    bool agree = false;
    std::int64_t size = 0;  // of the newest copy listed
  };

  std::vector<Entry> entries;  // in key order
  bool truncated = false;
  int answered = 0;  // drives that answered (a drive without the bucket answers: it is empty)
};

class BufferPool;

class ErasureSet {
 public:
  using DrivePtr = std::shared_ptr<storage::StorageApi>;

  // `drives` in set order (a null entry is an absent drive); 0 <= parity <= size / 2.
  ErasureSet(std::vector<DrivePtr> drives, int parity, ErasureSetOptions opts);
  ~ErasureSet();
  ErasureSet(const ErasureSet&) = delete;
  ErasureSet& operator=(const ErasureSet&) = delete;

  int size() const { return static_cast<int>(drives_.size()); }

  int data() const { return data_; }

  int parity() const { return parity_; }

  int read_quorum() const { return data_; }

  int write_quorum() const { return WriteQuorumFor(data_, parity_); }

  // Objects keep the geometry they were written with (fi.erasure), which may differ from the
  // set's: a write that finds k drives offline raises its parity to min(P + k, size / 2)
  // (WriteParity, as MinIO does), so the object keeps P-drive tolerance once they return.
  // The write quorum of a geometry is D, or D + 1 when D == P.
  static int WriteQuorumFor(int data, int parity) {
    return data + (parity == data && parity > 0 ? 1 : 0);
  }

  // The parity of an object written now: `parity` (-1 = the set's) plus one per drive offline,
  // at most half the set.
  int WriteParity(int parity = -1) const;
  // True when `er` is a geometry of this set: D + P == size(), 1 <= D, P <= size() / 2.
  bool GeometryFits(const meta::ErasureInfo& er) const;
  // The read quorum of a version: its own data count (the set's when it does not fit).
  int ReadQuorumOf(const meta::FileInfo& fi) const;
  // The codec of a geometry of this set (made on first use, then kept). Thread-safe.
  const erasure::Codec& CodecFor(int data, int parity) const;

  const std::vector<DrivePtr>& drives() const { return drives_; }

  const ErasureSetOptions& options() const { return opts_; }

  int OnlineDrives() const;
  // kWriteQuorum when fewer than write quorum drives are online: a write that cannot
  // succeed is refused before it changes any drive (a partial delete cannot be undone).
  Status CheckWritable() const;

  // Buckets on this set's drives (the pools call every set). Errors: kBucketExists,
  // kNoSuchBucket, kBucketNotEmpty, kWriteQuorum, kReadQuorum.
  Task<Status> MakeBucket(const RequestContext& ctx, std::string_view bucket,
                          std::string_view meta);
  Task<Result<storage::VolumeInfo>> StatBucket(const RequestContext& ctx, std::string_view bucket);
  Task<Result<std::vector<storage::VolumeInfo>>> ListBuckets(const RequestContext& ctx);
  Task<Status> DeleteBucket(const RequestContext& ctx, std::string_view bucket, bool force);
  // Replaces the bucket's metadata bytes on every drive. Errors: kNoSuchBucket, kWriteQuorum.
  Task<Status> UpdateBucketMeta(const RequestContext& ctx, std::string_view bucket,
                                std::string_view meta);
  // Creates each of `buckets` on the drives of this set that lack it (a drive replaced or
  // wiped while the server was down), and gives the bucket's metadata to a drive whose
  // differs (it missed a configuration change). Best effort: a drive that fails is left for later.
  Task<void> HealBuckets(const RequestContext& ctx,
                         const std::vector<storage::VolumeInfo>& buckets);

  // Objects; names are validated by the caller. Errors as ObjectLayer documents them.
  Task<Result<ObjectInfo>> PutObject(const RequestContext& ctx, std::string_view bucket,
                                     std::string_view key, HashReader& body,
                                     const PutOptions& opts);
  Task<Result<std::unique_ptr<ObjectReader>>> GetObject(const RequestContext& ctx,
                                                        std::string_view bucket,
                                                        std::string_view key,
                                                        const GetOptions& opts);
  Task<Result<ObjectInfo>> GetObjectInfo(const RequestContext& ctx, std::string_view bucket,
                                         std::string_view key, const GetOptions& opts);
  Task<Result<ObjectInfo>> UpdateObjectMetadata(const RequestContext& ctx, std::string_view bucket,
                                                std::string_view key, std::string_view version_id,
                                                const MetadataUpdate& update);
  Task<Result<ObjectInfo>> DeleteObject(const RequestContext& ctx, std::string_view bucket,
                                        std::string_view key, const DeleteOptions& opts);
  // Every version after (key_marker, version_marker) that its read quorum of drives reports,
  // merged, in key order and newest first within a key; at most `limit` (versions and common
  // prefixes). Errors: kNoSuchBucket, kReadQuorum.
  Task<Result<SetListResult>> ListVersions(const RequestContext& ctx, std::string_view bucket,
                                           std::string_view prefix, std::string_view key_marker,
                                           std::string_view version_marker,
                                           std::string_view delimiter, std::size_t limit);
  // Entries after `start_after` (exclusive) that read quorum of drives report, merged;
  // at most `limit`. Delete markers are skipped. Errors: kNoSuchBucket, kReadQuorum.
  Task<Result<SetListResult>> ListEntries(const RequestContext& ctx, std::string_view bucket,
                                          std::string_view prefix, std::string_view start_after,
                                          std::string_view delimiter, std::size_t limit);

  // Heal walk (erasure_heal_walk.cc). Keys after `start_after` under `prefix` that ANY drive
  // holds (delete markers too; a key on one drive may be dangling), merged in key order; at
  // most `limit`. A drive without the bucket counts as an empty answer. Errors: kReadQuorum
  // when no drive answers.
  Task<Result<HealWalkPage>> ListForHeal(const RequestContext& ctx, std::string_view bucket,
                                         std::string_view prefix, std::string_view start_after,
                                         std::size_t limit);
  // The version ids of `key` whose copies differ between the drives that answer (missing on
  // some, or another version), newest first; with `all`, every version id any drive holds.
  Task<Result<std::vector<std::string>>> VersionsToHeal(const RequestContext& ctx,
                                                        std::string_view bucket,
                                                        std::string_view key, bool all);

  // Multipart. The upload id is random URL-safe base64 followed by `id_suffix`.
  Task<Result<std::string>> NewMultipartUpload(const RequestContext& ctx, std::string_view bucket,
                                               std::string_view key, const PutOptions& opts,
                                               std::string_view id_suffix = {});
  Task<Result<PartInfo>> PutObjectPart(const RequestContext& ctx, std::string_view bucket,
                                       std::string_view key, std::string_view upload_id,
                                       int part_number, HashReader& body);
  Task<Result<ListPartsResult>> ListObjectParts(const RequestContext& ctx, std::string_view bucket,
                                                std::string_view key, std::string_view upload_id,
                                                int part_number_marker, int max_parts,
                                                bool metadata_only = false);
  // Uploads of this set after the markers whose key starts with prefix, in (key, id)
  // order; at most `limit`. Folding by delimiter is the caller's.
  Task<Result<std::vector<storage::MultipartUpload>>> ListUploads(
      const RequestContext& ctx, std::string_view bucket, std::string_view prefix,
      std::string_view key_marker, std::string_view upload_id_marker, std::size_t limit);
  Task<Result<ObjectInfo>> CompleteMultipartUpload(const RequestContext& ctx,
                                                   std::string_view bucket, std::string_view key,
                                                   std::string_view upload_id,
                                                   const std::vector<CompletePart>& parts,
                                                   const PutOptions& opts);
  Task<Status> AbortMultipartUpload(const RequestContext& ctx, std::string_view bucket,
                                    std::string_view key, std::string_view upload_id);

  // Heals one version of bucket/key (empty version_id = the latest) under the object's write
  // lock: decides the newest version that read quorum holds (a stale version never wins),
  // rebuilds the shards of every drive that misses it, holds an older version, or (with
  // deep_scan) has bad shards, block by block from any D good shards, and commits them with
  // RenameData (WriteMetadata when inline or a delete marker). A version that the quorum
  // deleted is removed; a dangling one only with remove_dangling. Errors: kNoSuchKey (no
  // drive has it), kNoSuchBucket, kReadQuorum (too few drives answer to decide), kLockTimeout.
  Task<Result<HealResult>> HealObject(const RequestContext& ctx, std::string_view bucket,
                                      std::string_view key, std::string_view version_id,
                                      const HealOptions& opts);

  // Heals the multipart uploads in progress under `prefix` (erasure_heal_uploads.cc): every
  // upload any drive lists is healed under its write lock (part uploads wait meanwhile): a
  // drive that lacks the upload's record gets it, and one that lacks a part the read quorum
  // agrees on (or holds another copy of it) gets its shard, rebuilt from D good ones. An
  // upload without read quorum is left (it completes, is aborted or expires as it is), and so
  // is one whose lock stays taken for a few seconds (parts being written: a later pass). With
  // dry_run, only counts. Errors: kReadQuorum (no drive answers the listing).
  struct UploadHealStats {
    std::uint64_t uploads = 0;         // uploads looked at
    std::uint64_t records_healed = 0;  // upload records written to drives that lacked them
    std::uint64_t parts_healed = 0;    // part shards rebuilt (per drive), or needed (dry run)
    std::uint64_t failed = 0;          // uploads that could not be healed on every drive
    std::uint64_t busy = 0;  // uploads whose lock was not free within a few seconds (skipped)
  };

  Task<Result<UploadHealStats>> HealUploads(const RequestContext& ctx, std::string_view bucket,
                                            std::string_view prefix, bool dry_run);

  // Queues bucket/key/version for healing when the set has a queue (cheap, never blocks).
  // Const because readers hold a const set; the queue is not part of the set's state.
  void QueueHeal(std::string_view bucket, std::string_view key, std::string_view version_id,
                 bool deep = false) const;

  // --- Internals shared by the erasure_*.cc files. ---

  // The version read quorum agrees on, and each drive's copy of it (null where a drive
  // failed or disagrees).
  struct QuorumInfo {
    meta::FileInfo fi;
    std::vector<std::unique_ptr<meta::FileInfo>> per_drive;
  };

  // Errors: kNoSuchKey, kNoSuchVersion, kNoSuchBucket, kReadQuorum. Delete markers are
  // returned as they are.
  Task<Result<QuorumInfo>> ReadQuorumInfo(const RequestContext& ctx, std::string_view bucket,
                                          std::string_view key, std::string_view version_id,
                                          bool read_data);
  // The same answer from fewer reads, for GET and HEAD: reads only the D drives that hold
  // the data shards under the key's placement. D drives intersect every write quorum, so
  // when they all return the same version it is the newest acknowledged one; otherwise (a
  // drive missing, stale, absent or failing) falls back to ReadQuorumInfo. `per_drive` is
  // then set for those D drives only: CompleteQuorumInfo adds the others when needed.
  Task<Result<QuorumInfo>> ReadQuorumInfoFast(const RequestContext& ctx, std::string_view bucket,
                                              std::string_view key, std::string_view version_id,
                                              bool read_data);
  // Reads the drives that `qi` lacks and keeps those that hold the same version (a reader
  // that needs parity shards). Drives that fail or differ stay null.
  Task<void> CompleteQuorumInfo(const RequestContext& ctx, QuorumInfo& qi, bool read_data) const;

  // What StreamShards wrote.
  struct Streamed {
    std::int64_t size = 0;
    bool is_inline = false;
    std::vector<std::string> inline_shards;  // per drive, when is_inline
    std::vector<bool> alive;                 // drives that took every block
    bool files_created = false;              // tmp files exist (DeleteTmp on failure)
  };

  // Reads `body` to its end in blocks, encodes and bitrot-hashes each block, and writes
  // drive i's shard to the file `staged` of its tmp folder ("<uuid>" for an object,
  // "<uuid>/part.1" for an upload's part) or, when `allow_inline` and small enough, to
  // memory. On error the caller removes the staged entry. Errors: body errors, kWriteQuorum.
  // `layout` gives the geometry (data and parity counts) and the distribution.
  Task<Result<Streamed>> StreamShards(const RequestContext& ctx, HashReader& body,
                                      const meta::ErasureInfo& layout, std::string_view staged,
                                      bool allow_inline);
  Task<void> DeleteTmpAll(const RequestContext& ctx, std::string_view tmp_dir);
  // One upload of HealUploads (under its write lock when `lock`); adds to `stats`. Errors:
  // a record or part shard that could not be written, kReadQuorum, kLockTimeout.
  Task<Status> HealUpload(const RequestContext& ctx, std::string_view bucket, std::string_view key,
                          std::string_view upload_id, bool dry_run, bool lock,
                          UploadHealStats& stats);
  // Settles a commit fan-out (WriteMetadata, RenameData or CompleteUpload; per[i] is what
  // drive i was given, res[i] its answer): with at least `quorum` commits, drops the data
  // each commit replaced; below it, puts back what every committed drive held before, so a
  // failed overwrite leaves the previous object as readable as it was. Returns the quorum's
  // status (kWriteQuorum or the drives' common error). Quorum 0 (a heal): only purges.
  Task<Status> SettleCommit(const RequestContext& ctx, const std::vector<meta::FileInfo>& per,
                            const std::vector<Result<storage::CommitUndo>>& res,
                            std::size_t quorum);
  // DeleteObject without a version id in a versioned bucket (the caller holds the lock).
  Task<Result<ObjectInfo>> AddDeleteMarker(const RequestContext& ctx, std::string_view bucket,
                                           std::string_view key, Versioning versioning);
  // If-Match / If-None-Match of a write, checked against the current version (the caller
  // holds the write lock). Errors: kPreconditionFailed, kNoSuchKey (If-Match on nothing).
  Task<Status> CheckWritePreconditions(const RequestContext& ctx, std::string_view bucket,
                                       std::string_view key, const PutOptions& opts);
  // A completion of an upload that no drive holds any more: when the key's latest version is
  // what that upload made (its metadata names the upload id) less than a day ago, the object,
  // as the first completion answered (a retry whose answer was lost). The caller holds the
  // object's write lock. Errors: kNoSuchUpload (otherwise), kInvalidPart (`parts` are not
  // the object's), kReadQuorum.
  Task<Result<ObjectInfo>> CompletedUploadAgain(const RequestContext& ctx, std::string_view bucket,
                                                std::string_view key, std::string_view upload_id,
                                                const std::vector<CompletePart>& parts);

  // The write lock of a bucket's existence: MakeBucket, DeleteBucket and the bucket heal.
  Task<Result<std::unique_ptr<NsLockGuard>>> LockBucket(const RequestContext& ctx,
                                                        std::string_view bucket) const;
  // Locks bucket/key (or, with an upload id, that upload of it). The resource name is
  // built here, outside any co_await expression: GCC 12 may destroy a non-trivial
  // temporary in a co_await expression twice.
  Task<Result<std::unique_ptr<NsLockGuard>>> LockObject(const RequestContext& ctx,
                                                        std::string_view bucket,
                                                        std::string_view key, bool write,
                                                        std::string_view upload_id = {}) const;

  // Drive i's shards of `fi` (its own copy): inline data or shard files of the right size
  // and, with `deep`, every block's bitrot hash. Errors: kFileCorrupt, the drive's errors.
  Task<Status> CheckShards(const RequestContext& ctx, std::size_t i, const meta::FileInfo& fi,
                           bool deep) const;
  // Rebuilds the shards of `want` for the drives in `targets` from those in `sources` (whose
  // copies, with inline data, are in `copies`): inline into inline_out[i], else shard files
  // staged as tmp/<tmp> (one part numbered 1) or under tmp/<tmp>/ (closed, ready for
  // RenameData; with `as_part_one`, a single part staged as part.1, as CommitPart takes it). A
  // source that fails to read and a target that fails to write are dropped. Errors: kReadQuorum (a
  // block with fewer than D good shards), kFaultyDisk (every target failed).
  Task<Status> RebuildShards(const RequestContext& ctx, const meta::FileInfo& want,
                             const std::vector<Result<meta::FileInfo>>& copies,
                             std::vector<bool>& sources, std::vector<bool>& targets,
                             std::string_view tmp, std::vector<std::string>& inline_out,
                             bool as_part_one = false);
  // Creates `bucket` (with the metadata read quorum holds) on the drives in `mask`; best effort.
  Task<void> HealBucketOn(const RequestContext& ctx, std::string_view bucket,
                          const std::vector<bool>& mask);

  DrivePtr Drive(std::size_t i) const;

  const erasure::Codec& codec() const { return *codec_; }

  BufferPool& buffers() const { return *buffers_; }

  boost::asio::thread_pool& compute() const { return *opts_.compute; }

  // Bytes of one block's shard area: every shard slot (hash + shard) of a full block.
  std::size_t SlotSize(std::size_t block_len) const;
  // The same for a codec of another geometry (CodecFor).
  static std::size_t SlotSizeWith(const erasure::Codec& codec, std::size_t block_len);
  // The layout of a new object with `parity` (-1 = the set's).
  meta::ErasureInfo NewErasureInfo(std::string_view key, int parity = -1) const;

 private:
  std::vector<DrivePtr> drives_;
  int data_;
  int parity_;
  ErasureSetOptions opts_;
  std::unique_ptr<erasure::Codec> codec_;
  std::unique_ptr<BufferPool> buffers_;
  // Codecs of raised-parity geometries by (data, parity). GUARDED_BY(codecs_mu_); entries
  // are never removed, so references handed out stay valid.
  mutable std::mutex codecs_mu_;
  mutable std::map<std::pair<int, int>, std::unique_ptr<erasure::Codec>> codecs_;
};

std::string LockResource(std::string_view bucket, std::string_view key);

}  // namespace cairn::object
