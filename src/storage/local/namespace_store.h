// NamespaceStore: the RocksDB instance of one drive (.cairn.sys/meta) with its four column
// families, and the key layouts of each (docs/format.md). Internal to LocalDrive. Column
// family handles are opened once and reused by every call; all methods are blocking and
// thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include "common/status.h"
#include "storage/local/point_cache.h"

namespace cairn::storage {

enum class Cf { kBuckets = 0, kObjects = 1, kMultipart = 2, kSystem = 3, kVersions = 4 };
inline constexpr int kCfCount = 5;

struct NamespaceOptions {
  bool sync_writes = true;
  std::shared_ptr<rocksdb::Cache> block_cache;
  // Shared by the drives of a process, charged to `block_cache` (may be null: no limit
  // beyond each family's write buffer size).
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffer_manager;
  // The objects family's latest entries kept decoded-ready for point reads (0: none).
  std::size_t point_cache_bytes = 0;
};

class NamespaceStore {
 public:
  // Opens (creating when missing) the store in `dir` with every column family.
  static Result<std::unique_ptr<NamespaceStore>> Open(const std::string& dir,
                                                      const NamespaceOptions& options);
  NamespaceStore() = default;
  ~NamespaceStore();

  // Reads `key` into `value` (pinned, no copy out of the block cache when possible).
  // Returns false when absent. Reads of the objects family go through the point cache.
  Result<bool> Get(Cf cf, std::string_view key, rocksdb::PinnableSlice& value);
  // Like Get, but only from the memtables and the block cache: never a syscall, so a network
  // thread may call it. kNeedsIo when the answer is only on disk (then call Get on a worker).
  enum class Lookup { kFound, kAbsent, kNeedsIo };
  Result<Lookup> GetCached(Cf cf, std::string_view key, rocksdb::PinnableSlice& value);
  // With `force_sync`, the write is synced even when the store's sync_writes is off.
  Status Put(Cf cf, std::string_view key, std::string_view value, bool force_sync = false);
  Status Delete(Cf cf, std::string_view key, bool force_sync = false);
  // Commits a batch atomically (durable when sync_writes).
  Status Write(rocksdb::WriteBatch& batch);
  // An iterator over `cf`; `upper_bound` (may be empty = none) must outlive it.
  std::unique_ptr<rocksdb::Iterator> NewIterator(Cf cf, const rocksdb::Slice* upper_bound);

  rocksdb::ColumnFamilyHandle* handle(Cf cf) const { return handles_[static_cast<int>(cf)]; }

  // Before a write: a store stopped by a write error (RocksDB turns read-only after ENOSPC)
  // is resumed, so that freed space makes the drive writable again without a restart.
  // kDiskFull while it cannot resume. Every write calls it; cheap when not stopped.
  Status ResumeIfStopped();

 private:
  // Serves a point read of the objects family from the point cache; false on a miss.
  bool FromCache(Cf cf, std::string_view key, rocksdb::PinnableSlice& value);
  // Taken before a store read whose value may be cached (objects family only; 0 otherwise).
  std::uint64_t CacheGeneration(Cf cf, std::string_view key);
  void ToCache(Cf cf, std::string_view key, const rocksdb::PinnableSlice& value,
               std::uint64_t generation);
  // After a write: the keys it touched leave the point cache.
  void Invalidate(Cf cf, std::string_view key);
  void Invalidate(rocksdb::WriteBatch& batch);
  // The status of a write; a failed one marks the store for ResumeIfStopped.
  Status Finish(const rocksdb::Status& s);

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned; destroyed before db_ closes
  rocksdb::WriteOptions write_options_;
  std::unique_ptr<internal::PointCache> cache_;
  std::atomic<bool> stopped_{false};  // a write failed; Resume before the next one
};

// Any RocksDB error as a Status: NotFound -> kFileNotFound, Corruption -> kFileCorrupt,
// NoSpace -> kDiskFull, IOError -> kFaultyDisk, Busy/TimedOut/TryAgain -> kTimeout, else
// kInternal; the message is RocksDB's.
Status RocksStatus(const rocksdb::Status& s);

inline rocksdb::Slice ToSlice(std::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

inline std::string_view ToView(const rocksdb::Slice& s) {
  return std::string_view(s.data(), s.size());
}

// Keys. Volumes, object keys and upload ids never contain NUL (checked at the API), so NUL
// separates components and the key order is the (volume, key, upload id) order.
namespace keys {

// objects: volume \0 key
std::string Object(std::string_view volume, std::string_view key);
// multipart uploads: 'u' volume \0 key \0 upload_id
std::string Upload(std::string_view volume, std::string_view key, std::string_view upload_id);
std::string UploadVolumePrefix(std::string_view volume);
// multipart parts: 'p' volume \0 key \0 upload_id \0 <part number, 4 bytes big-endian>
std::string PartPrefix(std::string_view volume, std::string_view key, std::string_view upload_id);
std::string Part(std::string_view part_prefix, std::int32_t number);
std::string PartVolumePrefix(std::string_view volume);
// versions (noncurrent versions, one record each, newest first under the object):
// 'v' volume \0 key \0 <~mod_time_ns, 8 bytes big-endian> <version id, "null" for the null>
std::string VersionPrefix(std::string_view volume, std::string_view key);
std::string Version(std::string_view volume, std::string_view key, std::int64_t mod_time_ns,
                    std::string_view version_id);
// The part of a version's key after VersionPrefix.
std::string VersionSuffix(std::int64_t mod_time_ns, std::string_view version_id);
std::string VersionVolumePrefix(std::string_view volume);
// versions: 'n' volume \0 key -> the mod time (8 bytes big-endian) of the object's null
// version while it is noncurrent, so that it is found without a scan.
std::string NullVersion(std::string_view volume, std::string_view key);
std::string NullVolumePrefix(std::string_view volume);

// A volume, object key or upload id usable in a key: non-empty, no NUL.
inline bool Valid(std::string_view name) {
  return !name.empty() && name.find('\0') == std::string_view::npos;
}

// The smallest string greater than every string that starts with `prefix`; empty when none
// (prefix empty or all 0xFF).
std::string PrefixSuccessor(std::string_view prefix);

}  // namespace keys

}  // namespace cairn::storage
