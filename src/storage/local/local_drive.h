// LocalDrive: the StorageApi of one directory on this machine (DESIGN.md section 4). The
// drive's namespace (buckets, object entries, multipart uploads) lives in a RocksDB under
// .cairn.sys/meta; shard files of large objects live under data/<xx>/<data-id>/. All
// blocking work runs on the drive's own thread pool; coroutines resume on the caller's
// executor. The drive must outlive every ShardWriter and ShardReader it handed out.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "storage/storage_api.h"

namespace boost::asio {
class thread_pool;
}  // namespace boost::asio

namespace rocksdb {
class WriteBatch;
}  // namespace rocksdb

namespace cairn::storage {

class NamespaceStore;

namespace internal {
struct PendingCommit;
}  // namespace internal

// The metadata memory of the drives of one process, as one budget (`--cache-size`): a
// RocksDB block cache that every drive reads through and that their memtables are charged to
// (a shared WriteBufferManager: once the memtables of all drives pass half the budget, the
// drive being written flushes its oldest), and the point caches of object entries, 1/8 of the
// budget split among the drives. So a node's metadata memory is the budget whatever its
// number of drives. Callers create it and pass it in LocalDriveOptions.
class CacheBudget {
 public:
  // `bytes` for `drives` drives (at least 1).
  static std::shared_ptr<CacheBudget> Create(std::size_t bytes, int drives);
  virtual ~CacheBudget() = default;

  std::size_t bytes() const { return bytes_; }

  // Each drive's point cache.
  std::size_t point_cache_bytes() const { return point_cache_bytes_; }

  // Memory charged to the block cache now: blocks, and memtables of every drive.
  virtual std::size_t block_cache_usage() const = 0;
  // The memtables' part of it.
  virtual std::size_t memtable_usage() const = 0;

 protected:
  CacheBudget(std::size_t bytes, int drives);

 private:
  std::size_t bytes_;
  std::size_t point_cache_bytes_;
};

struct LocalDriveOptions {
  // Threads doing this drive's blocking work: shard file writes, reads, renames and fsyncs,
  // disk reads of metadata, listings, and the group commit (one thread at a time). Large
  // PUTs and GETs in flight each keep one busy per block, so fewer threads than requests
  // in flight serialize their I/O. Idle threads cost only their stacks.
  int worker_threads = 32;
  // Shard opens the dentry cache resolves and shard reads the page cache holds run on the
  // calling (network) thread, without the two thread switches of a trip to the workers;
  // whatever would wait for the disk still goes to the workers.
  bool cached_reads_inline = true;
  // The metadata caches: RocksDB blocks and memtables, and the point cache (the latest object
  // entries read by GET and HEAD, kept for the next point read: a hash lookup instead of a
  // memtable or block search; invalidated by every write of the entry). Shared by the drives
  // of a server; when null, the drive has a budget of its own of `cache_bytes`.
  std::shared_ptr<CacheBudget> cache;
  std::size_t cache_bytes = 64 << 20;
  // Every metadata commit is durable before it returns (WAL fsync, group committed).
  bool sync_writes = true;
  // ShardWriter::Close fdatasyncs, and renames fsync their parent directories.
  bool fsync_files = true;
  // Shard files are written with O_DIRECT where the file system allows it (not tmpfs): large
  // writes then go to the disk once instead of through the page cache and its writeback.
  bool direct_io = true;
  // RemoveOrphanData keeps at most this many referenced data dir ids (16 bytes each) in
  // memory at once; a drive with more takes several metadata scans per step.
  std::size_t orphan_ids_per_pass = 2 << 20;
  // Free space kept in reserve: writes of new data (shards, metadata, uploads) get kDiskFull
  // (507 XMinioStorageFull) once less than this fraction of the drive, and at least
  // min_free_bytes, is free (MinIO's 99% rule), so that RocksDB's WAL never meets ENOSPC;
  // deletes are always taken, and writes again once space is freed.
  double min_free_fraction = 0.01;
  std::uint64_t min_free_bytes = 8 << 20;
};

class LocalDrive final : public StorageApi {
  struct PrivateTag {};

 public:
  // Creates the directories when missing, opens the namespace store and empties tmp.
  // Blocking: call at startup, not on a network thread. Names on this drive: volumes, keys
  // and upload ids must be non-empty and free of NUL (else kInvalidArgument); version id
  // "null" names the null version like "". A write over a corrupt entry replaces it (logged).
  // Errors: kDiskAccessDenied, kDiskFull, kFaultyDisk, and RocksDB errors.
  static Result<std::unique_ptr<LocalDrive>> Open(std::string path,
                                                  const LocalDriveOptions& options);
  // Waits for in-flight blocking work, then closes the store.
  ~LocalDrive() override;

  std::string endpoint() const override { return path_; }

  bool IsOnline() const override { return online_.load(std::memory_order_relaxed); }

  // A LocalShardWriter's O_DIRECT buffer.
  std::size_t max_writer_buffer_bytes() const override;

  Task<Result<DiskInfo>> GetDiskInfo(const RequestContext& ctx) override;
  Task<Result<std::string>> ReadFormat(const RequestContext& ctx) override;
  Task<Status> WriteFormat(const RequestContext& ctx, std::string_view format_json) override;

  Task<Status> MakeVolume(const RequestContext& ctx, std::string_view volume,
                          std::string_view meta) override;
  Task<Result<VolumeInfo>> StatVolume(const RequestContext& ctx, std::string_view volume) override;
  Task<Result<std::vector<VolumeInfo>>> ListVolumes(const RequestContext& ctx) override;
  Task<Status> UpdateVolumeMeta(const RequestContext& ctx, std::string_view volume,
                                std::string_view meta) override;
  Task<Status> DeleteVolume(const RequestContext& ctx, std::string_view volume,
                            bool force) override;

  Task<Result<CommitUndo>> WriteMetadata(const RequestContext& ctx,
                                         const meta::FileInfo& fi) override;
  Task<Result<CommitUndo>> RenameData(const RequestContext& ctx, const meta::FileInfo& fi,
                                      std::string_view tmp_dir) override;
  Task<Status> RevertCommit(const RequestContext& ctx, const meta::FileInfo& fi,
                            const CommitUndo& undo) override;
  Task<Status> PurgeReplaced(const RequestContext& ctx, std::string_view volume,
                             std::string_view key, std::string_view data_dir) override;
  std::optional<Result<meta::FileInfo>> ReadVersionNow(const RequestContext& ctx,
                                                       std::string_view volume,
                                                       std::string_view key,
                                                       std::string_view version_id,
                                                       bool read_data) override;
  Task<Result<meta::FileInfo>> ReadVersion(const RequestContext& ctx, std::string_view volume,
                                           std::string_view key, std::string_view version_id,
                                           bool read_data) override;
  Task<Result<std::vector<meta::FileInfo>>> ReadVersions(const RequestContext& ctx,
                                                         std::string_view volume,
                                                         std::string_view key) override;
  Task<Status> DeleteVersion(const RequestContext& ctx, const meta::FileInfo& fi) override;

  Task<Result<std::vector<ListEntry>>> ListObjects(const RequestContext& ctx,
                                                   std::string_view volume,
                                                   const ListOptions& opts) override;

  Task<Result<std::unique_ptr<ShardWriter>>> CreateFile(const RequestContext& ctx,
                                                        std::string_view tmp_path) override;
  Task<Result<std::unique_ptr<ShardReader>>> OpenShard(const RequestContext& ctx,
                                                       std::string_view data_dir,
                                                       int part_number) override;
  Task<Status> DeleteTmp(const RequestContext& ctx, std::string_view tmp_dir) override;

  Task<Status> PutUpload(const RequestContext& ctx, std::string_view volume,
                         const MultipartUpload& upload) override;
  Task<Result<MultipartUpload>> ReadUpload(const RequestContext& ctx, std::string_view volume,
                                           std::string_view key,
                                           std::string_view upload_id) override;
  Task<Result<std::vector<MultipartUpload>>> ListUploads(
      const RequestContext& ctx, std::string_view volume, std::string_view prefix,
      std::string_view key_marker, std::string_view upload_id_marker, std::size_t limit) override;
  Task<Status> CommitPart(const RequestContext& ctx, std::string_view volume, std::string_view key,
                          std::string_view upload_id, const meta::ObjectPart& part,
                          std::string_view tmp_dir) override;
  Task<Result<std::vector<meta::ObjectPart>>> ListParts(const RequestContext& ctx,
                                                        std::string_view volume,
                                                        std::string_view key,
                                                        std::string_view upload_id) override;
  Task<Result<CommitUndo>> CompleteUpload(const RequestContext& ctx, std::string_view volume,
                                          std::string_view key, std::string_view upload_id,
                                          const meta::FileInfo& fi) override;
  Task<Status> AbortUpload(const RequestContext& ctx, std::string_view volume, std::string_view key,
                           std::string_view upload_id) override;

  // In the "system" column family; writes are synced even without sync_writes.
  Task<Result<std::string>> ReadSystemRecord(const RequestContext& ctx,
                                             std::string_view name) override;
  Task<Status> WriteSystemRecord(const RequestContext& ctx, std::string_view name,
                                 std::string_view value) override;
  Task<Status> DeleteSystemRecord(const RequestContext& ctx, std::string_view name) override;

  // local_orphans.cc. Stale means: the newest mtime or ctime of the entry and everything in
  // it is older than opts.min_age.
  Task<Result<OrphanStats>> RemoveOrphanData(const RequestContext& ctx,
                                             const OrphanCleanupOptions& opts) override;

  // Iterator steps (seeks + nexts) taken by ListObjects and ListUploads since open.
  std::uint64_t IteratorStepsForTest() const;

  // Metadata scans (passes) that RemoveOrphanData made since open.
  std::uint64_t OrphanPassesForTest() const {
    return orphan_passes_.load(std::memory_order_relaxed);
  }

  LocalDrive(PrivateTag, std::string path, const LocalDriveOptions& options);

 private:
  // Blocking halves of the coroutine methods; run on pool_.
  Status DoOpen();
  Status DoMakeVolume(std::string_view volume, std::string_view meta);
  Status DoDeleteVolume(std::string_view volume, bool force);
  // RenameData's blocking half: moves the staged shards into place (not the metadata).
  Status DoMoveData(const meta::FileInfo& fi, std::string_view tmp_dir);
  Status DoDeleteVersion(const meta::FileInfo& fi);
  Status DoRevertCommit(const meta::FileInfo& fi, const CommitUndo& undo);
  Status DoPurgeReplaced(std::string_view volume, std::string_view key, std::string_view data_dir);
  // With `cache_only`, nullopt when the entry would have to be read from disk; else the
  // version (never nullopt without `cache_only`).
  std::optional<Result<meta::FileInfo>> DoReadVersion(std::string_view volume, std::string_view key,
                                                      std::string_view version_id, bool read_data,
                                                      bool cache_only);
  Result<std::vector<ListEntry>> DoListObjects(std::string_view volume, const ListOptions& opts);
  // A versions listing's entries of one object (its entry's bytes given), newest first,
  // after version `after_version` ("" = from the latest), until `out` holds `limit`.
  Status AppendVersions(std::string_view volume, std::string_view name, std::string_view entry,
                        std::string_view after_version, std::size_t limit,
                        std::vector<ListEntry>& out);
  Status DoCommitPart(std::string_view volume, std::string_view key, std::string_view upload_id,
                      const meta::ObjectPart& part, std::string_view tmp_dir);
  Result<CommitUndo> DoCompleteUpload(std::string_view upload_id, const meta::FileInfo& fi);
  Result<OrphanStats> DoRemoveOrphans(const RequestContext& ctx, const OrphanCleanupOptions& opts);
  Status DoAbortUpload(std::string_view volume, std::string_view key, std::string_view upload_id);
  Result<std::vector<MultipartUpload>> DoListUploads(std::string_view volume,
                                                     std::string_view prefix,
                                                     std::string_view key_marker,
                                                     std::string_view upload_id_marker,
                                                     std::size_t limit);

  // What one change of an object writes (local_versions.cc): its entry (empty = remove it)
  // and the noncurrent-version records it puts (an empty value deletes), in order.
  struct EntryWrite {
    std::string volume;
    std::string key;
    std::string entry_key;
    std::string entry;
    std::vector<std::pair<std::string, std::string>> records;
    void AddTo(rocksdb::WriteBatch& batch, NamespaceStore& store) const;
  };

  // A noncurrent version's record: its key in the versions family and the version.
  struct FoundRecord {
    std::string key;
    meta::FileInfo fi;
  };

  // Under the entry lock of fi's object: the write that merges `fi` into the object (it
  // becomes the latest unless an existing version is newer; the version it replaces as the
  // latest becomes a record). `undo` receives the entry before the merge, the records it
  // changes with their values before, and the data dir that the merge left unreferenced.
  Result<EntryWrite> MergeEntry(std::string_view entry_key, const meta::FileInfo& fi,
                                CommitUndo& undo);
  // The same with the stored entry given (nullopt when absent).
  Result<EntryWrite> MergeValue(std::optional<std::string_view> current, const meta::FileInfo& fi,
                                CommitUndo& undo);
  // Under the entry lock: the write that removes version fi.version_id of fi's object (the
  // newest record becomes the latest when the latest goes); returns the removed version, or
  // nullopt when the object has no such version. Errors: kFileNotFound (no entry).
  Result<std::optional<meta::FileInfo>> RemoveFromObject(const meta::FileInfo& fi,
                                                         EntryWrite& write);
  // The record of a noncurrent version, found by id without a scan (the id's time, or the
  // null version's pointer); nullopt when absent.
  Result<std::optional<FoundRecord>> FindRecord(std::string_view volume, std::string_view key,
                                                std::string_view version_id, bool read_data);
  // The newest noncurrent version of an object (with its inline data), or nullopt.
  Result<std::optional<FoundRecord>> NewestRecord(std::string_view volume, std::string_view key);
  // Every version of an object, newest first (inline data not read). Errors: kFileNotFound.
  Result<std::vector<meta::FileInfo>> AllVersions(std::string_view volume, std::string_view key);
  // Helpers of the above: a record put (or deleted, with an empty value) by `write`, noted
  // with its value before in `undo` when given.
  Status RecordChange(EntryWrite& write, CommitUndo* undo, std::string key, std::string value);
  Status MoveToRecord(EntryWrite& write, CommitUndo* undo, const meta::FileInfo& header,
                      std::string_view data);
  Status DropRecord(EntryWrite& write, CommitUndo* undo, const FoundRecord& record);
  // True when the prefix range of `cf` holds any key.
  Result<bool> AnyWithPrefix(int cf, const std::string& prefix);
  // kVolumeNotFound unless the volume exists. Cheap: an in-memory set.
  Status CheckVolume(std::string_view volume) const;
  // The striped lock that serializes read-modify-write of one object's entry.
  std::mutex& EntryLock(std::string_view volume, std::string_view key);
  std::size_t EntryStripe(std::string_view volume, std::string_view key) const;

  // Group commit of WriteMetadata (every small PUT) and of RenameData's metadata (every
  // large one): a caller queues its entry and suspends without taking a thread; one task on
  // the pool at a time drains the queue into a single synced WriteBatch (one WAL fsync for
  // all), then resumes every caller on its executor (local_commit.cc). Under load each fsync
  // carries every commit that arrived during the previous one, and a commit costs no thread
  // wakeup of its own.
  void EnqueueCommit(std::unique_ptr<internal::PendingCommit> commit);
  void RunCommits();
  // Commits what it can of `batch`; a second commit of an object already in the batch is
  // moved to `deferred` (it must see the first one's records), for the next batch.
  void CommitBatch(std::vector<std::unique_ptr<internal::PendingCommit>>& batch,
                   std::vector<std::unique_ptr<internal::PendingCommit>>& deferred);
  // data/<xx>/<data_dir>, and tmp/<rel>.
  std::string DataDirPath(std::string_view data_dir) const;
  std::string TmpPath(std::string_view rel) const;
  // Removes data folders no longer referenced (best effort, logged).
  void RemoveDataDirs(const std::vector<std::string>& data_dirs);
  // Removes `data_dir` unless a version of volume/key references it (or its entry cannot be
  // read: the scanner decides later). Call under the key's entry lock, so that no commit can
  // reference the folder while it goes. True when removed.
  Result<bool> RemoveDataDirUnlessReferenced(std::string_view volume, std::string_view key,
                                             std::string_view data_dir);
  // Creates data/<xx> of `data_dir` (a valid data dir) on first use.
  Status EnsureFanOut(std::string_view data_dir);
  // fsync of a directory when options_.fsync_files.
  Status SyncDir(const std::string& dir) const;
  // kDiskFull when the drive's free space is under its reserve (options_.min_free_*), from
  // a statvfs at most every 250 ms; then also a stopped RocksDB is resumed once space came
  // back. Called before every write of new data. Any thread.
  Status CheckSpace();
  // A data dir name: one path component starting with two hex digits (the fan-out).
  static bool ValidDataDir(std::string_view data_dir);
  // The data folders that commits replaced (CommitUndo::replaced_data_dir) and their writers
  // have not settled, or settled after `pass_start`: orphan cleanup leaves them alone, since
  // a RevertCommit references the folder again (it went unreferenced only for the time the
  // writer needed to learn its quorum). An entry is forgotten an hour after it was made.
  // Settled by its writer: a purge that removed the folder forgets it; a revert (or a purge
  // that found it referenced) keeps it for the orphan pass under way.
  void HoldReplaced(const std::string& data_dir);
  void SettleReplaced(const std::string& data_dir, bool removed);
  bool ReplacedHeld(const std::string& data_dir, std::chrono::steady_clock::time_point pass_start);

  const std::string path_;
  const LocalDriveOptions options_;
  const std::string sys_dir_;
  const std::string tmp_dir_;
  // CheckSpace's cache: the steady-clock time (ns) of the last statvfs, and whether the drive
  // was under its reserve then.
  std::atomic<std::int64_t> space_checked_ns_{0};
  std::atomic<bool> space_low_{false};
  const std::string data_root_;
  std::unique_ptr<boost::asio::thread_pool> pool_;
  std::unique_ptr<NamespaceStore> store_;
  std::atomic<bool> online_{true};
  std::atomic<bool> direct_unsupported_{false};  // O_DIRECT open failed with EINVAL once
  std::atomic<std::uint64_t> iterator_steps_{0};
  std::atomic<std::uint64_t> orphan_passes_{0};

  struct ReplacedDir {
    std::chrono::steady_clock::time_point made;
    std::optional<std::chrono::steady_clock::time_point> settled;
  };

  std::mutex replaced_mu_;
  std::unordered_map<std::string, ReplacedDir> replaced_;  // by data dir; see HoldReplaced
  // Which data/<xx> fan-out folders are known to exist (created on first use).
  std::atomic<bool> fan_out_made_[256] = {};

  // Volume names that exist, mirrored from the buckets column family so that every write
  // checks its volume without a read. Guarded by volumes_mu_; a write holds it shared during
  // its commit and DeleteVolume holds it exclusively, so an emptiness check cannot race a
  // write into the volume.
  mutable std::shared_mutex volumes_mu_;
  std::set<std::string, std::less<>> volumes_;

  // The drive's uuid from format.json, cached. Guarded by format_mu_.
  mutable std::mutex format_mu_;
  std::string drive_id_;

  static constexpr std::size_t kEntryLockStripes = 64;
  // A thread holds at most one stripe, except CommitBatch, which takes several in index
  // order; so no two threads can wait on each other.
  std::mutex entry_locks_[kEntryLockStripes];

  std::mutex commit_mu_;
  std::vector<std::unique_ptr<internal::PendingCommit>> commit_queue_;  // GUARDED_BY(commit_mu_)
  bool committing_ = false;  // GUARDED_BY(commit_mu_): a RunCommits is queued or running
};

}  // namespace cairn::storage
