#include "storage/remote/drive_rpc.h"

#include "storage/remote/remote_codec.h"

namespace cairn::storage::remote {

using meta::WireReader;
using meta::WireWriter;

// Arguments.

bool WriteFormatCall::Get(WireReader& r) {
  format_json = r.rest();
  return true;
}

void MakeVolumeCall::Put(WireWriter& w) const {
  w.Str(volume);
  w.Str(meta);
}

void UpdateVolumeMetaCall::Put(WireWriter& w) const {
  w.Str(volume);
  w.Str(meta);
}

void DeleteVolumeCall::Put(WireWriter& w) const {
  w.Str(volume);
  w.U8(force ? 1 : 0);
}

bool DeleteVolumeCall::Get(WireReader& r) {
  std::uint8_t f = 0;
  if (!r.Str(volume) || !r.U8(f)) {
    return false;
  }
  force = f != 0;
  return true;
}

void WriteMetadataCall::Put(WireWriter& w) const {
  PutFileInfo(w, *fi);
}

bool WriteMetadataCall::Get(WireReader& r) {
  return GetFileInfo(r, fi.Decoded());
}

void RenameDataCall::Put(WireWriter& w) const {
  PutFileInfo(w, *fi);
  w.Str(tmp_dir);
}

bool RenameDataCall::Get(WireReader& r) {
  return GetFileInfo(r, fi.Decoded()) && r.Str(tmp_dir);
}

void ReadVersionCall::Put(WireWriter& w) const {
  w.Str(volume);
  w.Str(key);
  w.Str(version_id);
  w.U8(read_data ? 1 : 0);
}

bool ReadVersionCall::Get(WireReader& r) {
  std::uint8_t data = 0;
  if (!r.Str(volume) || !r.Str(key) || !r.Str(version_id) || !r.U8(data)) {
    return false;
  }
  read_data = data != 0;
  return true;
}

void ReadVersionsCall::Put(WireWriter& w) const {
  w.Str(volume);
  w.Str(key);
}

void DeleteVersionCall::Put(WireWriter& w) const {
  PutFileInfo(w, *fi);
}

bool DeleteVersionCall::Get(WireReader& r) {
  return GetFileInfo(r, fi.Decoded());
}

void ListObjectsCall::Put(WireWriter& w) const {
  w.Str(volume);
  PutListOptions(w, *opts);
}

bool ListObjectsCall::Get(WireReader& r) {
  return r.Str(volume) && GetListOptions(r, opts.Decoded());
}

bool CreateFileCall::Get(WireReader& r) {
  tmp_path = r.rest();
  return true;
}

void ShardSizeCall::Put(WireWriter& w) const {
  w.Str(data_dir);
  w.Signed(part);
}

void ReadAtCall::Put(WireWriter& w) const {
  w.Str(data_dir);
  w.Signed(part);
  w.Varint(offset);
  w.Varint(length);
  w.Varint(handle);
}

bool ReadAtCall::Get(WireReader& r) {
  if (!r.Str(data_dir) || !r.Signed(part) || !r.Varint(offset) || !r.Varint(length) ||
      length > kMaxLength) {
    return false;
  }
  handle = 0;
  return r.remaining() == 0 || r.Varint(handle);  // absent: an older caller, no handle
}

void PutUploadCall::Put(WireWriter& w) const {
  w.Str(volume);
  PutUpload(w, *upload);
}

bool PutUploadCall::Get(WireReader& r) {
  return r.Str(volume) && GetUpload(r, upload.Decoded());
}

void ReadUploadCall::Put(WireWriter& w) const {
  w.Str(volume);
  w.Str(key);
  w.Str(upload_id);
}

void ListUploadsCall::Put(WireWriter& w) const {
  w.Str(volume);
  w.Str(prefix);
  w.Str(key_marker);
  w.Str(upload_id_marker);
  w.Varint(limit);
}

bool ListUploadsCall::Get(WireReader& r) {
  return r.Str(volume) && r.Str(prefix) && r.Str(key_marker) && r.Str(upload_id_marker) &&
         r.Varint(limit);
}

void CommitPartCall::Put(WireWriter& w) const {
  w.Str(volume);
  w.Str(key);
  w.Str(upload_id);
  PutPart(w, *part);
  w.Str(tmp_dir);
}

bool CommitPartCall::Get(WireReader& r) {
  return r.Str(volume) && r.Str(key) && r.Str(upload_id) && GetPart(r, part.Decoded()) &&
         r.Str(tmp_dir);
}

void ListPartsCall::Put(WireWriter& w) const {
  w.Str(volume);
  w.Str(key);
  w.Str(upload_id);
}

void CompleteUploadCall::Put(WireWriter& w) const {
  w.Str(upload_id);
  PutFileInfo(w, *fi);
}

bool CompleteUploadCall::Get(WireReader& r) {
  return r.Str(upload_id) && GetFileInfo(r, fi.Decoded());
}

void AbortUploadCall::Put(WireWriter& w) const {
  w.Str(volume);
  w.Str(key);
  w.Str(upload_id);
}

void WriteSystemRecordCall::Put(WireWriter& w) const {
  w.Str(name);
  w.Str(value);
}

void RemoveOrphanDataCall::Put(WireWriter& w) const {
  PutOrphanOptions(w, *opts);
}

bool RemoveOrphanDataCall::Get(WireReader& r) {
  return GetOrphanOptions(r, opts.Decoded());
}

void RevertCommitCall::Put(WireWriter& w) const {
  PutFileInfo(w, *fi);
  PutCommitUndo(w, *undo);
}

bool RevertCommitCall::Get(WireReader& r) {
  return GetFileInfo(r, fi.Decoded()) && GetCommitUndo(r, undo.Decoded());
}

void PurgeReplacedCall::Put(WireWriter& w) const {
  w.Str(volume);
  w.Str(key);
  w.Str(data_dir);
}

// Replies.

void PutReply(WireWriter&, const Done&) {}

void PutReply(WireWriter& w, const std::string& bytes) {
  w.Bytes(bytes);
}

void PutReply(WireWriter& w, const DiskInfo& v) {
  PutDiskInfo(w, v);
}

void PutReply(WireWriter& w, const VolumeInfo& v) {
  PutVolume(w, v);
}

void PutReply(WireWriter& w, const std::vector<VolumeInfo>& v) {
  PutList(w, v, PutVolume);
}

void PutReply(WireWriter& w, const CommitUndo& v) {
  PutCommitUndo(w, v);
}

void PutReply(WireWriter& w, const meta::FileInfo& v) {
  PutFileInfo(w, v);
}

void PutReply(WireWriter& w, const std::vector<meta::FileInfo>& v) {
  PutList(w, v, PutFileInfo);
}

void PutReply(WireWriter& w, const std::vector<ListEntry>& v) {
  PutList(w, v, PutListEntry);
}

void PutReply(WireWriter& w, const ShardOpened& v) {
  w.Varint(v.size);
  w.Varint(v.handle);
}

void PutReply(WireWriter& w, const MultipartUpload& v) {
  PutUpload(w, v);
}

void PutReply(WireWriter& w, const std::vector<MultipartUpload>& v) {
  PutList(w, v, PutUpload);
}

void PutReply(WireWriter& w, const std::vector<meta::ObjectPart>& v) {
  PutList(w, v, PutPart);
}

void PutReply(WireWriter& w, const OrphanStats& v) {
  PutOrphanStats(w, v);
}

bool GetReply(WireReader&, Done&) {
  return true;  // the body of a success carries nothing
}

bool GetReply(WireReader& r, std::string& bytes) {
  bytes = std::string(r.rest());
  return true;
}

bool GetReply(WireReader& r, DiskInfo& v) {
  return GetDiskInfo(r, v);
}

bool GetReply(WireReader& r, VolumeInfo& v) {
  return GetVolume(r, v);
}

bool GetReply(WireReader& r, std::vector<VolumeInfo>& v) {
  return GetList(r, v, GetVolume);
}

bool GetReply(WireReader& r, CommitUndo& v) {
  return GetCommitUndo(r, v);
}

bool GetReply(WireReader& r, meta::FileInfo& v) {
  return GetFileInfo(r, v);
}

bool GetReply(WireReader& r, std::vector<meta::FileInfo>& v) {
  return GetList(r, v, GetFileInfo);
}

bool GetReply(WireReader& r, std::vector<ListEntry>& v) {
  return GetList(r, v, GetListEntry);
}

bool GetReply(WireReader& r, ShardOpened& v) {
  return r.Varint(v.size) && r.Varint(v.handle);
}

bool GetReply(WireReader& r, MultipartUpload& v) {
  return GetUpload(r, v);
}

bool GetReply(WireReader& r, std::vector<MultipartUpload>& v) {
  return GetList(r, v, GetUpload);
}

bool GetReply(WireReader& r, std::vector<meta::ObjectPart>& v) {
  return GetList(r, v, GetPart);
}

bool GetReply(WireReader& r, OrphanStats& v) {
  return GetOrphanStats(r, v);
}

std::string RenderMethodTable() {
  std::string out =
      "| id | method | arguments | result | what it does |\n"
      "|---:|---|---|---|---|\n";
  for (const MethodInfo& m : DriveCalls::Infos()) {
    out += "| " + std::to_string(m.id) + " | " + std::string(m.name) + " | " + std::string(m.args) +
           " | " + std::string(m.result) + " | " + std::string(m.about) + " |\n";
  }
  return out;
}

}  // namespace cairn::storage::remote
