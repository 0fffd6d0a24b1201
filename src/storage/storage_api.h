// StorageApi: one drive, local or one RPC hop away; callers cannot tell which. The erasure
// layer talks only to this interface, so single node and distributed mode are the same
// code and tests can inject a faulty drive. Every method may be called from any executor;
// implementations do blocking work on their own worker pool and resume the caller.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"
#include "meta/file_info.h"

namespace cairn::storage {

struct DiskInfo {
  std::uint64_t total = 0;
  std::uint64_t free = 0;
  std::uint64_t used = 0;
  std::string endpoint;
  std::string mount_path;
  std::string id;  // the drive's uuid from format.json; empty when unformatted
  bool healing = false;
};

// The drive's uuid in its format.json (what DiskInfo::id reports); empty when absent or
// not JSON. Defined with LocalDrive; fakes report the same.
std::string DriveIdOf(std::string_view format_json);

struct VolumeInfo {
  std::string name;
  std::int64_t created_ns = 0;
  std::string meta;  // bucket metadata (opaque bytes owned by the object layer)
};

// One listing entry of a drive: an object (with its latest version) or a common prefix.
struct ListEntry {
  std::string name;  // object key, or the common prefix (ends with the delimiter)
  bool is_prefix = false;
  meta::FileInfo latest;  // the newest version; empty when is_prefix
};

struct ListOptions {
  std::string prefix;
  std::string start_after;       // exclusive; empty = from the start of prefix
  std::string delimiter;         // empty = recursive; otherwise common prefixes are folded
  std::size_t limit = 1000;      // entries (objects + prefixes) to return at most
  bool include_deleted = false;  // return entries whose latest version is a delete marker
  // Every version (ListObjectVersions): one entry per version, newest first within a key,
  // delete markers included (include_deleted is implied), `latest` being that version with
  // is_latest set. With `version_marker`, the listing starts at the versions of start_after
  // that come after that one; without, after every version of start_after.
  bool versions = false;
  std::string version_marker;
};

struct MultipartUpload {
  std::string key;
  std::string upload_id;
  std::int64_t initiated_ns = 0;
  meta::FileInfo fi;  // data_dir, erasure layout, metadata to apply on completion
};

// What a commit (WriteMetadata, RenameData, CompleteUpload) replaced on one drive. The
// replaced version's data folder stays on the drive until the writer knows whether its write
// reached a write quorum: then PurgeReplaced drops it; below quorum RevertCommit puts
// `previous_entry` back. So a failed overwrite never destroys the object it was replacing.
struct CommitUndo {
  bool had_entry = false;         // the object had an entry before the commit
  std::string previous_entry;     // that entry, in the drive's encoding (docs/format.md)
  std::string replaced_data_dir;  // the data folder the commit left unreferenced, or ""
  // The noncurrent-version records the commit changed, each with its value before ("" =
  // absent): a versioned write moves the version it replaces as the latest out of the entry.
  std::vector<std::pair<std::string, std::string>> previous_records;
};

// Fan-out folders of a drive's data/ (data/00 .. data/ff): the unit of RemoveOrphanData steps.
inline constexpr int kDataFanOuts = 256;

// What one RemoveOrphanData step does.
struct OrphanCleanupOptions {
  // Data folders and tmp entries whose newest mtime/ctime (of the folder or a file in it) is
  // younger than this are kept: an in-flight PUT renames its shards into data/ just before
  // it commits their metadata, and a streaming write keeps touching its tmp files.
  std::chrono::seconds min_age{std::chrono::hours(1)};
  // Where this step starts (0..kDataFanOuts-1); tmp/ is cleaned by the step starting at 0.
  int first_fan_out = 0;
  // The step stops after the pass that exceeds this (0 = do the whole drive in one step), so
  // that a remote call stays short; it always covers at least one fan-out.
  std::chrono::milliseconds time_budget{0};
};

// What a RemoveOrphanData step removed, and where the next step starts.
struct OrphanStats {
  std::uint64_t data_dirs = 0;    // unreferenced data folders removed
  std::uint64_t data_bytes = 0;   // bytes of the files in them
  std::uint64_t tmp_entries = 0;  // stale entries of tmp/ removed
  std::uint64_t tmp_bytes = 0;
  int next_fan_out = kDataFanOuts;  // kDataFanOuts = the drive is done
};

// Bounds of system records (StorageApi::WriteSystemRecord), the same for every drive.
inline constexpr std::size_t kMaxSystemRecordName = 256;
inline constexpr std::size_t kMaxSystemRecordBytes = 16 << 20;

// A system record name: 1..kMaxSystemRecordName printable ASCII characters (no spaces).
inline bool ValidSystemRecordName(std::string_view name) {
  if (name.empty() || name.size() > kMaxSystemRecordName) {
    return false;
  }
  for (char c : name) {
    if (c <= ' ' || c > '~') {
      return false;
    }
  }
  return true;
}

// A staged shard file under the drive's tmp folder. Written sequentially, then closed.
class ShardWriter {
 public:
  virtual ~ShardWriter() = default;
  // Appends data. Errors: kDiskFull, kFaultyDisk, kDiskNotFound.
  virtual Task<Status> Write(std::span<const std::byte> data) = 0;
  // Flushes to stable storage (fdatasync) and closes. Must be called before RenameData.
  virtual Task<Status> Close() = 0;
};

// A committed shard file, read at offsets. Bitrot verification is the caller's job.
class ShardReader {
 public:
  virtual ~ShardReader() = default;
  virtual std::uint64_t size() const = 0;
  // Reads up to buf.size() bytes at offset; returns fewer only at the end of the file.
  // Errors: kFileNotFound, kFaultyDisk, kDiskNotFound.
  virtual Task<Result<std::size_t>> ReadAt(std::uint64_t offset, std::span<std::byte> buf) = 0;
};

class StorageApi {
 public:
  StorageApi() = default;
  StorageApi(const StorageApi&) = delete;
  StorageApi& operator=(const StorageApi&) = delete;
  virtual ~StorageApi() = default;

  // "/srv/disk1" or "http://node1:9000/srv/disk1".
  virtual std::string endpoint() const = 0;
  // False once the drive is known to be unreachable or failed; cheap, no I/O.
  virtual bool IsOnline() const = 0;
  // The most memory one open ShardWriter of this drive holds of its own (buffers it keeps
  // between Write calls, on this node), so that writers can count it against the memory
  // budget of writes in flight. Constant for the drive's lifetime; cheap, no I/O.
  virtual std::size_t max_writer_buffer_bytes() const = 0;

  virtual Task<Result<DiskInfo>> GetDiskInfo(const RequestContext& ctx) = 0;

  // format.json. Errors: kUnformattedDisk (absent), kCorruptedFormat.
  virtual Task<Result<std::string>> ReadFormat(const RequestContext& ctx) = 0;
  // Writes format.json atomically (temp file, fsync, rename) and opens the namespace store.
  virtual Task<Status> WriteFormat(const RequestContext& ctx, std::string_view format_json) = 0;

  // Buckets. Errors: kVolumeExists, kVolumeNotFound, kVolumeNotEmpty.
  virtual Task<Status> MakeVolume(const RequestContext& ctx, std::string_view volume,
                                  std::string_view meta) = 0;
  virtual Task<Result<VolumeInfo>> StatVolume(const RequestContext& ctx,
                                              std::string_view volume) = 0;
  virtual Task<Result<std::vector<VolumeInfo>>> ListVolumes(const RequestContext& ctx) = 0;
  // Replaces the bucket's metadata bytes. Errors: kVolumeNotFound.
  virtual Task<Status> UpdateVolumeMeta(const RequestContext& ctx, std::string_view volume,
                                        std::string_view meta) = 0;
  // Deletes the bucket; unless `force`, refuses with kVolumeNotEmpty when it holds objects
  // (delete markers count) or multipart uploads.
  virtual Task<Status> DeleteVolume(const RequestContext& ctx, std::string_view volume,
                                    bool force) = 0;

  // Object metadata. Merges `fi` into the entry of fi.volume/fi.name, replacing the version
  // with the same version id (the null version when empty). Inline data travels in `fi`.
  // One group-committed write. The entry before the write and the data folder the replaced
  // version leaves unreferenced (kept on the drive) come back in the CommitUndo: the caller
  // settles every successful commit with PurgeReplaced or RevertCommit.
  // Errors: kVolumeNotFound.
  virtual Task<Result<CommitUndo>> WriteMetadata(const RequestContext& ctx,
                                                 const meta::FileInfo& fi) = 0;
  // The commit point of a large write: moves tmp/<tmp_dir> (the staged shard file of a
  // single-part object, or a folder of part.N files; fsynced) to data/<xx>/<fi.data_dir>,
  // fsyncs the parent, then WriteMetadata(fi).
  // Errors: kVolumeNotFound, kFileNotFound (nothing staged), kDiskFull.
  virtual Task<Result<CommitUndo>> RenameData(const RequestContext& ctx, const meta::FileInfo& fi,
                                              std::string_view tmp_dir) = 0;
  // Undoes a commit of `fi` that did not reach its write quorum: when the entry of
  // fi.volume/fi.name still holds fi's version (same version id, data dir and mod time), puts
  // undo.previous_entry back (or removes the entry when there was none) and removes the
  // folder of fi.data_dir unless the restored entry references it; otherwise changes nothing.
  // Errors: kVolumeNotFound.
  virtual Task<Status> RevertCommit(const RequestContext& ctx, const meta::FileInfo& fi,
                                    const CommitUndo& undo) = 0;
  // Removes data/<xx>/<data_dir>, which a commit to volume/key replaced, once that commit
  // reached its quorum; kept when the object's entry references it again. Ok when absent.
  // Errors: kVolumeNotFound.
  virtual Task<Status> PurgeReplaced(const RequestContext& ctx, std::string_view volume,
                                     std::string_view key, std::string_view data_dir) = 0;
  // One version of an object; empty version_id = the latest version (which may be a
  // delete marker; the caller decides). `read_data` includes inline_data.
  // Errors: kVolumeNotFound, kFileNotFound, kFileVersionNotFound, kFileCorrupt.
  virtual Task<Result<meta::FileInfo>> ReadVersion(const RequestContext& ctx,
                                                   std::string_view volume, std::string_view key,
                                                   std::string_view version_id, bool read_data) = 0;

  // ReadVersion answered at once on the caller's thread, without I/O and without suspending,
  // when the drive can (a local drive whose entry is in memory); nullopt when only
  // ReadVersion can answer (a remote drive always). Saves a GET or HEAD the coroutine
  // machinery of a fan-out. Errors (inside the optional): those of ReadVersion.
  virtual std::optional<Result<meta::FileInfo>> ReadVersionNow(const RequestContext& ctx,
                                                               std::string_view volume,
                                                               std::string_view key,
                                                               std::string_view version_id,
                                                               bool read_data) = 0;

  // Every version of an object, newest first (inline data not included).
  virtual Task<Result<std::vector<meta::FileInfo>>> ReadVersions(const RequestContext& ctx,
                                                                 std::string_view volume,
                                                                 std::string_view key) = 0;
  // Removes version fi.version_id of fi.volume/fi.name and its data folder; the entry goes
  // when its last version goes. Errors: kFileNotFound, kFileVersionNotFound.
  virtual Task<Status> DeleteVersion(const RequestContext& ctx, const meta::FileInfo& fi) = 0;

  // Listing: a seek and a scan in key order; cost grows with `limit`, not with the bucket.
  // Errors: kVolumeNotFound.
  virtual Task<Result<std::vector<ListEntry>>> ListObjects(const RequestContext& ctx,
                                                           std::string_view volume,
                                                           const ListOptions& opts) = 0;

  // Shard files. `tmp_path` is relative to the drive's tmp folder: "<uuid>" (an object's only
  // part) or "<uuid>/part.N".
  virtual Task<Result<std::unique_ptr<ShardWriter>>> CreateFile(const RequestContext& ctx,
                                                                std::string_view tmp_path) = 0;
  // Opens part <part_number> of data/<xx>/<data_dir>: that entry itself when it is a file (it
  // holds part 1 only), else its part.<part_number>. Errors: kFileNotFound.
  virtual Task<Result<std::unique_ptr<ShardReader>>> OpenShard(const RequestContext& ctx,
                                                               std::string_view data_dir,
                                                               int part_number) = 0;
  // Removes tmp/<tmp_dir> (a file, or a folder and everything in it); no error when absent.
  virtual Task<Status> DeleteTmp(const RequestContext& ctx, std::string_view tmp_dir) = 0;

  // Multipart uploads in progress, in the drive's multipart column family.
  // Records a new upload (fi carries data_dir, erasure layout and metadata).
  virtual Task<Status> PutUpload(const RequestContext& ctx, std::string_view volume,
                                 const MultipartUpload& upload) = 0;
  // Errors: kUploadNotFound.
  virtual Task<Result<MultipartUpload>> ReadUpload(const RequestContext& ctx,
                                                   std::string_view volume, std::string_view key,
                                                   std::string_view upload_id) = 0;
  // Uploads of `volume` in (key, upload id) order, after (key_marker, upload_id_marker),
  // whose key starts with prefix; at most `limit`.
  virtual Task<Result<std::vector<MultipartUpload>>> ListUploads(
      const RequestContext& ctx, std::string_view volume, std::string_view prefix,
      std::string_view key_marker, std::string_view upload_id_marker, std::size_t limit) = 0;
  // Moves the staged shard tmp/<tmp_dir>/part.1 to the upload's data folder as
  // part.<part.number> (replacing an earlier upload of that part) and records `part`; when
  // the recorded part of that number has a later mod_time_ns (an upload of it that started
  // later), removes the staged shard instead and changes nothing, so every drive keeps the
  // same upload of a part whatever order concurrent commits arrive in. Errors:
  // kUploadNotFound.
  virtual Task<Status> CommitPart(const RequestContext& ctx, std::string_view volume,
                                  std::string_view key, std::string_view upload_id,
                                  const meta::ObjectPart& part, std::string_view tmp_dir) = 0;
  // The recorded parts of an upload, by part number. Errors: kUploadNotFound.
  virtual Task<Result<std::vector<meta::ObjectPart>>> ListParts(const RequestContext& ctx,
                                                                std::string_view volume,
                                                                std::string_view key,
                                                                std::string_view upload_id) = 0;
  // Completes upload volume/key/upload_id: in one atomic batch writes the object's version
  // `fi` (whose parts name the parts used, in order, and whose data_dir is the upload's), and
  // deletes the upload record. Parts keep their numbers (part.<number>); part files not
  // named in fi.parts are removed. Settled like WriteMetadata (PurgeReplaced, RevertCommit).
  // `volume` and `key` must be fi.volume and fi.name (the wire sends them once, in fi).
  // Errors: kUploadNotFound, kPartNotFound, kInvalidArgument (volume/key differ from fi's).
  virtual Task<Result<CommitUndo>> CompleteUpload(const RequestContext& ctx,
                                                  std::string_view volume, std::string_view key,
                                                  std::string_view upload_id,
                                                  const meta::FileInfo& fi) = 0;
  // Deletes the upload record and its data folder. Errors: kUploadNotFound.
  virtual Task<Status> AbortUpload(const RequestContext& ctx, std::string_view volume,
                                   std::string_view key, std::string_view upload_id) = 0;

  // A small named record in the drive's system namespace (heal trackers, the MRF queue,
  // scanner state), kept in the drive's metadata store apart from every bucket. Names are
  // short ASCII ("heal-tracker", "mrf/<node>"); values up to a few MiB.
  // Errors: kFileNotFound (ReadSystemRecord, when absent), kDiskNotFound.
  virtual Task<Result<std::string>> ReadSystemRecord(const RequestContext& ctx,
                                                     std::string_view name) = 0;
  // Durable (synced) when it returns. Errors also: kInvalidArgument (a name that fails
  // ValidSystemRecordName, a value over kMaxSystemRecordBytes).
  virtual Task<Status> WriteSystemRecord(const RequestContext& ctx, std::string_view name,
                                         std::string_view value) = 0;
  // Ok when absent.
  virtual Task<Status> DeleteSystemRecord(const RequestContext& ctx, std::string_view name) = 0;

  // The scanner's cleanup, drive-local: removes the data folders data/<xx>/<data-dir> that no
  // version of any object and no multipart upload in progress references, and the stale
  // entries of tmp/, when older than opts.min_age (what a crash or a failed commit leaves
  // behind). One step covers fan-outs opts.first_fan_out .. result.next_fan_out - 1; callers
  // loop until next_fan_out == kDataFanOuts. Bounded memory; holds no lock that blocks client
  // requests; checks ctx for cancellation between fan-outs (then returns what it did so far).
  // Errors: kDiskNotFound, kFaultyDisk, kInvalidArgument (first_fan_out out of range).
  virtual Task<Result<OrphanStats>> RemoveOrphanData(const RequestContext& ctx,
                                                     const OrphanCleanupOptions& opts) = 0;
};

}  // namespace cairn::storage
