// The drive RPC declared once: one struct per StorageApi method on the wire (docs/rpc.md)
// with its arguments, their codec and its Reply type, listed by method id in DriveCalls.
// RemoteDrive builds and Invokes a call; ServeDrive decodes it for its handler and encodes
// the Reply; docs/rpc.md's table is rendered from here. Adding a method: one struct here,
// one Serve handler in serve_drive.cc, one RemoteDrive method.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "meta/file_info.h"
#include "meta/wire.h"
#include "rpc/protocol.h"
#include "storage/storage_api.h"

namespace cairn::storage::remote {

// What the docs table says of a method.
struct MethodInfo {
  rpc::MethodId id = 0;
  std::string_view name;
  std::string_view args;    // the argument encoding, in docs/rpc.md's notation
  std::string_view result;  // the reply body's encoding
  std::string_view about;   // one line
  bool streamed = false;    // arguments in the x-cairn-rpc-args header, body streamed
};

// An argument the client borrows from its caller (no copy) and the server owns once decoded.
template <class T>
class In {
 public:
  In() = default;

  In(const T& borrowed) : borrowed_(&borrowed) {}  // NOLINT: implicit on purpose

  In(const T&&) = delete;  // a temporary would dangle

  const T& operator*() const { return borrowed_ != nullptr ? *borrowed_ : owned_; }

  const T* operator->() const { return &**this; }

  // The value to decode into.
  T& Decoded() {
    borrowed_ = nullptr;
    return owned_;
  }

 private:
  const T* borrowed_ = nullptr;
  T owned_{};
};

// The reply of a method that answers nothing but success (its body is ignored).
struct Done {};

// ShardSize's reply: the shard's size and the serving drive's handle of the open file.
struct ShardOpened {
  std::uint64_t size = 0;
  std::uint64_t handle = 0;
};

// Reply codecs, one overload per reply type. A std::string reply is the raw body.
void PutReply(meta::WireWriter& w, const Done&);
void PutReply(meta::WireWriter& w, const std::string& bytes);
void PutReply(meta::WireWriter& w, const DiskInfo& v);
void PutReply(meta::WireWriter& w, const VolumeInfo& v);
void PutReply(meta::WireWriter& w, const std::vector<VolumeInfo>& v);
void PutReply(meta::WireWriter& w, const CommitUndo& v);
void PutReply(meta::WireWriter& w, const meta::FileInfo& v);
void PutReply(meta::WireWriter& w, const std::vector<meta::FileInfo>& v);
void PutReply(meta::WireWriter& w, const std::vector<ListEntry>& v);
void PutReply(meta::WireWriter& w, const ShardOpened& v);
void PutReply(meta::WireWriter& w, const MultipartUpload& v);
void PutReply(meta::WireWriter& w, const std::vector<MultipartUpload>& v);
void PutReply(meta::WireWriter& w, const std::vector<meta::ObjectPart>& v);
void PutReply(meta::WireWriter& w, const OrphanStats& v);
bool GetReply(meta::WireReader& r, Done&);
bool GetReply(meta::WireReader& r, std::string& bytes);
bool GetReply(meta::WireReader& r, DiskInfo& v);
bool GetReply(meta::WireReader& r, VolumeInfo& v);
bool GetReply(meta::WireReader& r, std::vector<VolumeInfo>& v);
bool GetReply(meta::WireReader& r, CommitUndo& v);
bool GetReply(meta::WireReader& r, meta::FileInfo& v);
bool GetReply(meta::WireReader& r, std::vector<meta::FileInfo>& v);
bool GetReply(meta::WireReader& r, std::vector<ListEntry>& v);
bool GetReply(meta::WireReader& r, ShardOpened& v);
bool GetReply(meta::WireReader& r, MultipartUpload& v);
bool GetReply(meta::WireReader& r, std::vector<MultipartUpload>& v);
bool GetReply(meta::WireReader& r, std::vector<meta::ObjectPart>& v);
bool GetReply(meta::WireReader& r, OrphanStats& v);

// Each call: kInfo, its arguments (strings are views: of the caller's arguments on the
// client, of the request body on the server, which outlives the handler), Put/Get (Get
// returns false on malformed input; trailing bytes are ignored), and Reply.

struct DiskInfoCall {
  static constexpr MethodInfo kInfo{rpc::method::kDiskInfo, "DiskInfo", "-",
                                    "varint total, free, used; str endpoint, mount_path, id; "
                                    "u8 healing",
                                    "the drive's capacity and identity"};
  using Reply = DiskInfo;

  void Put(meta::WireWriter&) const {}

  bool Get(meta::WireReader&) { return true; }
};

struct ReadFormatCall {
  static constexpr MethodInfo kInfo{rpc::method::kReadFormat, "ReadFormat", "-",
                                    "format.json bytes", "reads format.json"};
  using Reply = std::string;

  void Put(meta::WireWriter&) const {}

  bool Get(meta::WireReader&) { return true; }
};

struct WriteFormatCall {
  static constexpr MethodInfo kInfo{rpc::method::kWriteFormat, "WriteFormat", "format.json bytes",
                                    "-", "writes format.json atomically"};
  using Reply = Done;
  std::string_view format_json;

  void Put(meta::WireWriter& w) const { w.Bytes(format_json); }

  bool Get(meta::WireReader& r);
};

struct MakeVolumeCall {
  static constexpr MethodInfo kInfo{rpc::method::kMakeVolume, "MakeVolume", "str volume, str meta",
                                    "-", "creates a bucket"};
  using Reply = Done;
  std::string_view volume;
  std::string_view meta;
  void Put(meta::WireWriter& w) const;

  bool Get(meta::WireReader& r) { return r.Str(volume) && r.Str(meta); }
};

struct StatVolumeCall {
  static constexpr MethodInfo kInfo{rpc::method::kStatVolume, "StatVolume", "str volume",
                                    "str name, signed created_ns, str meta", "one bucket"};
  using Reply = VolumeInfo;
  std::string_view volume;

  void Put(meta::WireWriter& w) const { w.Str(volume); }

  bool Get(meta::WireReader& r) { return r.Str(volume); }
};

struct ListVolumesCall {
  static constexpr MethodInfo kInfo{rpc::method::kListVolumes, "ListVolumes", "-", "count, volumes",
                                    "every bucket"};
  using Reply = std::vector<VolumeInfo>;

  void Put(meta::WireWriter&) const {}

  bool Get(meta::WireReader&) { return true; }
};

struct UpdateVolumeMetaCall {
  static constexpr MethodInfo kInfo{rpc::method::kUpdateVolumeMeta, "UpdateVolumeMeta",
                                    "str volume, str meta", "-", "replaces a bucket's metadata"};
  using Reply = Done;
  std::string_view volume;
  std::string_view meta;
  void Put(meta::WireWriter& w) const;

  bool Get(meta::WireReader& r) { return r.Str(volume) && r.Str(meta); }
};

struct DeleteVolumeCall {
  static constexpr MethodInfo kInfo{rpc::method::kDeleteVolume, "DeleteVolume",
                                    "str volume, u8 force", "-", "deletes a bucket"};
  using Reply = Done;
  std::string_view volume;
  bool force = false;
  void Put(meta::WireWriter& w) const;
  bool Get(meta::WireReader& r);
};

struct WriteMetadataCall {
  static constexpr MethodInfo kInfo{rpc::method::kWriteMetadata, "WriteMetadata", "FileInfo",
                                    "CommitUndo", "commits a version's metadata"};
  using Reply = CommitUndo;
  In<meta::FileInfo> fi;
  void Put(meta::WireWriter& w) const;
  bool Get(meta::WireReader& r);
};

struct RenameDataCall {
  static constexpr MethodInfo kInfo{rpc::method::kRenameData, "RenameData", "FileInfo, str tmp_dir",
                                    "CommitUndo", "commits staged shards and their metadata"};
  using Reply = CommitUndo;
  In<meta::FileInfo> fi;
  std::string_view tmp_dir;
  void Put(meta::WireWriter& w) const;
  bool Get(meta::WireReader& r);
};

struct ReadVersionCall {
  static constexpr MethodInfo kInfo{rpc::method::kReadVersion, "ReadVersion",
                                    "str volume, key, version_id; u8 read_data", "FileInfo",
                                    "one version of an object"};
  using Reply = meta::FileInfo;
  std::string_view volume;
  std::string_view key;
  std::string_view version_id;
  bool read_data = false;
  void Put(meta::WireWriter& w) const;
  bool Get(meta::WireReader& r);
};

struct ReadVersionsCall {
  static constexpr MethodInfo kInfo{rpc::method::kReadVersions, "ReadVersions", "str volume, key",
                                    "count, FileInfos", "every version of an object"};
  using Reply = std::vector<meta::FileInfo>;
  std::string_view volume;
  std::string_view key;
  void Put(meta::WireWriter& w) const;

  bool Get(meta::WireReader& r) { return r.Str(volume) && r.Str(key); }
};

struct DeleteVersionCall {
  static constexpr MethodInfo kInfo{rpc::method::kDeleteVersion, "DeleteVersion", "FileInfo", "-",
                                    "removes one version and its data"};
  using Reply = Done;
  In<meta::FileInfo> fi;
  void Put(meta::WireWriter& w) const;
  bool Get(meta::WireReader& r);
};

struct ListObjectsCall {
  static constexpr MethodInfo kInfo{
      rpc::method::kListObjects, "ListObjects",
      "str volume; str prefix, start_after, delimiter; varint limit; u8 include_deleted",
      "count, (str name, u8 is_prefix, FileInfo unless prefix)", "one page of a bucket listing"};
  using Reply = std::vector<ListEntry>;
  std::string_view volume;
  In<ListOptions> opts;
  void Put(meta::WireWriter& w) const;
  bool Get(meta::WireReader& r);
};

// Streamed: the arguments are the x-cairn-rpc-args header, the body the shard bytes.
struct CreateFileCall {
  static constexpr MethodInfo kInfo{
      rpc::method::kCreateFile,
      "CreateFile",
      "header args: the tmp path; `Expect: 100-continue`; body: the shard bytes, chunked",
      "- (100 Continue once the file is created, else the error at once)",
      "stages one shard file under tmp/",
      true};
  using Reply = Done;
  std::string_view tmp_path;

  void Put(meta::WireWriter& w) const { w.Bytes(tmp_path); }

  bool Get(meta::WireReader& r);
};

struct ShardSizeCall {
  static constexpr MethodInfo kInfo{rpc::method::kShardSize, "ShardSize (OpenShard)",
                                    "str data_dir, signed part", "varint size, varint handle",
                                    "opens a shard: its size and a handle for ReadAt"};
  using Reply = ShardOpened;
  std::string_view data_dir;
  std::int64_t part = 0;
  void Put(meta::WireWriter& w) const;

  bool Get(meta::WireReader& r) { return r.Str(data_dir) && r.Signed(part); }
};

struct ReadAtCall {
  static constexpr MethodInfo kInfo{
      rpc::method::kReadAt, "ReadAt",
      "str data_dir, signed part, varint offset, varint length (at most 16 MiB), varint handle "
      "(0 or absent: none)",
      "the bytes (short only at the end)", "one bounded block of a shard"};
  // The most bytes one call may ask for.
  static constexpr std::uint64_t kMaxLength = 16 << 20;
  using Reply = std::string;
  std::string_view data_dir;
  std::int64_t part = 0;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::uint64_t handle = 0;
  void Put(meta::WireWriter& w) const;
  bool Get(meta::WireReader& r);
};

struct DeleteTmpCall {
  static constexpr MethodInfo kInfo{rpc::method::kDeleteTmp, "DeleteTmp", "str tmp_dir", "-",
                                    "removes a staging folder"};
  using Reply = Done;
  std::string_view tmp_dir;

  void Put(meta::WireWriter& w) const { w.Str(tmp_dir); }

  bool Get(meta::WireReader& r) { return r.Str(tmp_dir); }
};

struct PutUploadCall {
  static constexpr MethodInfo kInfo{rpc::method::kPutUpload, "PutUpload",
                                    "str volume; str key, upload_id; signed initiated_ns; FileInfo",
                                    "-", "records a new multipart upload"};
  using Reply = Done;
  std::string_view volume;
  In<MultipartUpload> upload;
  void Put(meta::WireWriter& w) const;
  bool Get(meta::WireReader& r);
};

struct ReadUploadCall {
  static constexpr MethodInfo kInfo{rpc::method::kReadUpload, "ReadUpload",
                                    "str volume, key, upload_id", "an upload as in 19",
                                    "one multipart upload"};
  using Reply = MultipartUpload;
  std::string_view volume;
  std::string_view key;
  std::string_view upload_id;
  void Put(meta::WireWriter& w) const;

  bool Get(meta::WireReader& r) { return r.Str(volume) && r.Str(key) && r.Str(upload_id); }
};

struct ListUploadsCall {
  static constexpr MethodInfo kInfo{
      rpc::method::kListUploads, "ListUploads",
      "str volume, prefix, key_marker, upload_id_marker; varint limit", "count, uploads",
      "one page of a bucket's uploads"};
  using Reply = std::vector<MultipartUpload>;
  std::string_view volume;
  std::string_view prefix;
  std::string_view key_marker;
  std::string_view upload_id_marker;
  std::uint64_t limit = 0;
  void Put(meta::WireWriter& w) const;
  bool Get(meta::WireReader& r);
};

struct CommitPartCall {
  static constexpr MethodInfo kInfo{rpc::method::kCommitPart, "CommitPart",
                                    "str volume, key, upload_id; part; str tmp_dir", "-",
                                    "moves a staged part into its upload"};
  using Reply = Done;
  std::string_view volume;
  std::string_view key;
  std::string_view upload_id;
  In<meta::ObjectPart> part;
  std::string_view tmp_dir;
  void Put(meta::WireWriter& w) const;
  bool Get(meta::WireReader& r);
};

struct ListPartsCall {
  static constexpr MethodInfo kInfo{rpc::method::kListParts, "ListParts",
                                    "str volume, key, upload_id", "count, parts",
                                    "an upload's recorded parts"};
  using Reply = std::vector<meta::ObjectPart>;
  std::string_view volume;
  std::string_view key;
  std::string_view upload_id;
  void Put(meta::WireWriter& w) const;

  bool Get(meta::WireReader& r) { return r.Str(volume) && r.Str(key) && r.Str(upload_id); }
};

// The upload's volume and key travel once, as fi.volume and fi.name.
struct CompleteUploadCall {
  static constexpr MethodInfo kInfo{rpc::method::kCompleteUpload, "CompleteUpload",
                                    "str upload_id, FileInfo (volume, key: the FileInfo's)",
                                    "CommitUndo", "commits an upload as an object version"};
  using Reply = CommitUndo;
  std::string_view upload_id;
  In<meta::FileInfo> fi;
  void Put(meta::WireWriter& w) const;
  bool Get(meta::WireReader& r);
};

struct AbortUploadCall {
  static constexpr MethodInfo kInfo{rpc::method::kAbortUpload, "AbortUpload",
                                    "str volume, key, upload_id", "-",
                                    "deletes an upload and its data"};
  using Reply = Done;
  std::string_view volume;
  std::string_view key;
  std::string_view upload_id;
  void Put(meta::WireWriter& w) const;

  bool Get(meta::WireReader& r) { return r.Str(volume) && r.Str(key) && r.Str(upload_id); }
};

struct ReadSystemRecordCall {
  static constexpr MethodInfo kInfo{rpc::method::kReadSystemRecord, "ReadSystemRecord", "str name",
                                    "the record's bytes", "reads a system record"};
  using Reply = std::string;
  std::string_view name;

  void Put(meta::WireWriter& w) const { w.Str(name); }

  bool Get(meta::WireReader& r) { return r.Str(name); }
};

struct WriteSystemRecordCall {
  static constexpr MethodInfo kInfo{rpc::method::kWriteSystemRecord, "WriteSystemRecord",
                                    "str name, str value", "-", "writes a system record durably"};
  using Reply = Done;
  std::string_view name;
  std::string_view value;
  void Put(meta::WireWriter& w) const;

  bool Get(meta::WireReader& r) { return r.Str(name) && r.Str(value); }
};

struct DeleteSystemRecordCall {
  static constexpr MethodInfo kInfo{rpc::method::kDeleteSystemRecord, "DeleteSystemRecord",
                                    "str name", "-", "deletes a system record"};
  using Reply = Done;
  std::string_view name;

  void Put(meta::WireWriter& w) const { w.Str(name); }

  bool Get(meta::WireReader& r) { return r.Str(name); }
};

struct RemoveOrphanDataCall {
  static constexpr MethodInfo kInfo{
      rpc::method::kRemoveOrphanData, "RemoveOrphanData",
      "signed min_age_s, first_fan_out, time_budget_ms",
      "varint data_dirs, data_bytes, tmp_entries, tmp_bytes; signed next_fan_out",
      "one bounded step of the scanner's orphan cleanup"};
  using Reply = OrphanStats;
  In<OrphanCleanupOptions> opts;
  void Put(meta::WireWriter& w) const;
  bool Get(meta::WireReader& r);
};

struct RevertCommitCall {
  static constexpr MethodInfo kInfo{rpc::method::kRevertCommit, "RevertCommit",
                                    "FileInfo, CommitUndo", "-",
                                    "undoes a commit that missed its quorum"};
  using Reply = Done;
  In<meta::FileInfo> fi;
  In<CommitUndo> undo;
  void Put(meta::WireWriter& w) const;
  bool Get(meta::WireReader& r);
};

struct PurgeReplacedCall {
  static constexpr MethodInfo kInfo{rpc::method::kPurgeReplaced, "PurgeReplaced",
                                    "str volume, key, data_dir", "-",
                                    "drops the data a settled commit replaced"};
  using Reply = Done;
  std::string_view volume;
  std::string_view key;
  std::string_view data_dir;
  void Put(meta::WireWriter& w) const;

  bool Get(meta::WireReader& r) { return r.Str(volume) && r.Str(key) && r.Str(data_dir); }
};

template <class... Calls>
struct CallList {
  // Every call's MethodInfo, in the list's order.
  static std::vector<MethodInfo> Infos() { return {Calls::kInfo...}; }
};

// Every StorageApi method on the wire, by method id (ids are stable: rpc/protocol.h).
using DriveCalls =
    CallList<DiskInfoCall, ReadFormatCall, WriteFormatCall, MakeVolumeCall, StatVolumeCall,
             ListVolumesCall, UpdateVolumeMetaCall, DeleteVolumeCall, WriteMetadataCall,
             RenameDataCall, ReadVersionCall, ReadVersionsCall, DeleteVersionCall, ListObjectsCall,
             CreateFileCall, ShardSizeCall, ReadAtCall, DeleteTmpCall, PutUploadCall,
             ReadUploadCall, ListUploadsCall, CommitPartCall, ListPartsCall, CompleteUploadCall,
             AbortUploadCall, ReadSystemRecordCall, WriteSystemRecordCall, DeleteSystemRecordCall,
             RemoveOrphanDataCall, RevertCommitCall, PurgeReplacedCall>;

// The bytes of a call's arguments.
template <class Call>
std::string EncodeArgs(const Call& call) {
  std::string out;
  meta::WireWriter w(out);
  call.Put(w);
  return out;
}

// docs/rpc.md's table of drive methods, rendered from DriveCalls (markdown, one row each).
std::string RenderMethodTable();

}  // namespace cairn::storage::remote
