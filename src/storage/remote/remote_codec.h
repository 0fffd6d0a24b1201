// The binary encodings of StorageApi arguments and results on the RPC wire (docs/rpc.md),
// built from meta/wire.h's varints and strings; a FileInfo travels in the drive's own entry
// encoding (meta::EncodeVersions), so the two can never drift apart. Every Get* returns false
// on truncated or malformed input and never reads out of bounds.
#pragma once

#include <string>
#include <vector>

#include "meta/file_info.h"
#include "meta/wire.h"
#include "storage/storage_api.h"

namespace cairn::storage::remote {

void PutFileInfo(meta::WireWriter& w, const meta::FileInfo& fi);
bool GetFileInfo(meta::WireReader& r, meta::FileInfo& fi);

void PutPart(meta::WireWriter& w, const meta::ObjectPart& part);
bool GetPart(meta::WireReader& r, meta::ObjectPart& part);

void PutDiskInfo(meta::WireWriter& w, const DiskInfo& info);
bool GetDiskInfo(meta::WireReader& r, DiskInfo& info);

void PutVolume(meta::WireWriter& w, const VolumeInfo& v);
bool GetVolume(meta::WireReader& r, VolumeInfo& v);

void PutListOptions(meta::WireWriter& w, const ListOptions& o);
bool GetListOptions(meta::WireReader& r, ListOptions& o);

void PutListEntry(meta::WireWriter& w, const ListEntry& e);
bool GetListEntry(meta::WireReader& r, ListEntry& e);

void PutUpload(meta::WireWriter& w, const MultipartUpload& u);
bool GetUpload(meta::WireReader& r, MultipartUpload& u);

void PutOrphanOptions(meta::WireWriter& w, const OrphanCleanupOptions& o);
bool GetOrphanOptions(meta::WireReader& r, OrphanCleanupOptions& o);

void PutCommitUndo(meta::WireWriter& w, const CommitUndo& u);
bool GetCommitUndo(meta::WireReader& r, CommitUndo& u);

void PutOrphanStats(meta::WireWriter& w, const OrphanStats& s);
bool GetOrphanStats(meta::WireReader& r, OrphanStats& s);

// The bytes `fn(writer)` writes.
template <class Fn>
std::string Encode(Fn fn) {
  std::string out;
  meta::WireWriter w(out);
  fn(w);
  return out;
}

// A count, then each item.
template <class T, class PutFn>
void PutList(meta::WireWriter& w, const std::vector<T>& items, PutFn put) {
  w.Varint(items.size());
  for (const T& item : items) {
    put(w, item);
  }
}

template <class T, class GetFn>
bool GetList(meta::WireReader& r, std::vector<T>& items, GetFn get) {
  std::uint64_t n = 0;
  if (!r.Count(n)) {
    return false;
  }
  items.resize(n);
  for (T& item : items) {
    if (!get(r, item)) {
      return false;
    }
  }
  return true;
}

}  // namespace cairn::storage::remote
