#include "storage/remote/remote_codec.h"

#include <span>

#include "meta/encoding.h"

namespace cairn::storage::remote {

void PutFileInfo(meta::WireWriter& w, const meta::FileInfo& fi) {
  w.Str(fi.volume);
  w.Str(fi.name);
  w.U8(fi.is_latest ? 1 : 0);
  w.Varint(fi.num_versions);
  w.Str(meta::EncodeVersions(std::span<const meta::FileInfo>(&fi, 1)));
}

bool GetFileInfo(meta::WireReader& r, meta::FileInfo& fi) {
  std::string volume;
  std::string name;
  std::uint8_t latest = 0;
  std::uint64_t versions = 0;
  std::string_view entry;
  if (!r.Str(volume) || !r.Str(name) || !r.U8(latest) || !r.Varint(versions) || !r.Str(entry)) {
    return false;
  }
  auto decoded = meta::DecodeVersions(entry, true);
  if (!decoded.ok() || decoded->size() != 1) {
    return false;
  }
  fi = std::move((*decoded)[0]);
  fi.volume = std::move(volume);
  fi.name = std::move(name);
  fi.is_latest = latest != 0;
  fi.num_versions = static_cast<std::uint32_t>(versions);
  return true;
}

void PutPart(meta::WireWriter& w, const meta::ObjectPart& part) {
  w.Signed(part.number);
  w.Str(part.etag);
  w.Signed(part.size);
  w.Signed(part.mod_time_ns);
  w.Varint(part.checksums.size());
  for (const auto& [k, v] : part.checksums) {
    w.Str(k);
    w.Str(v);
  }
}

bool GetPart(meta::WireReader& r, meta::ObjectPart& part) {
  std::int64_t number = 0;
  std::uint64_t n = 0;
  if (!r.Signed(number) || !r.Str(part.etag) || !r.Signed(part.size) ||
      !r.Signed(part.mod_time_ns) || !r.Count(n, 2)) {
    return false;
  }
  part.number = static_cast<std::int32_t>(number);
  part.checksums.resize(n);
  for (auto& [k, v] : part.checksums) {
    if (!r.Str(k) || !r.Str(v)) {
      return false;
    }
  }
  return true;
}

void PutDiskInfo(meta::WireWriter& w, const DiskInfo& info) {
  w.Varint(info.total);
  w.Varint(info.free);
  w.Varint(info.used);
  w.Str(info.endpoint);
  w.Str(info.mount_path);
  w.Str(info.id);
  w.U8(info.healing ? 1 : 0);
}

bool GetDiskInfo(meta::WireReader& r, DiskInfo& info) {
  std::uint8_t healing = 0;
  if (!r.Varint(info.total) || !r.Varint(info.free) || !r.Varint(info.used) ||
      !r.Str(info.endpoint) || !r.Str(info.mount_path) || !r.Str(info.id) || !r.U8(healing)) {
    return false;
  }
  info.healing = healing != 0;
  return true;
}

void PutVolume(meta::WireWriter& w, const VolumeInfo& v) {
  w.Str(v.name);
  w.Signed(v.created_ns);
  w.Str(v.meta);
}

bool GetVolume(meta::WireReader& r, VolumeInfo& v) {
  return r.Str(v.name) && r.Signed(v.created_ns) && r.Str(v.meta);
}

void PutListOptions(meta::WireWriter& w, const ListOptions& o) {
  w.Str(o.prefix);
  w.Str(o.start_after);
  w.Str(o.delimiter);
  w.Varint(o.limit);
  w.U8(o.include_deleted ? 1 : 0);
  w.U8(o.versions ? 1 : 0);
  w.Str(o.version_marker);
}

bool GetListOptions(meta::WireReader& r, ListOptions& o) {
  std::uint64_t limit = 0;
  std::uint8_t deleted = 0;
  std::uint8_t versions = 0;
  if (!r.Str(o.prefix) || !r.Str(o.start_after) || !r.Str(o.delimiter) || !r.Varint(limit) ||
      !r.U8(deleted) || !r.U8(versions) || !r.Str(o.version_marker)) {
    return false;
  }
  o.limit = static_cast<std::size_t>(limit);
  o.include_deleted = deleted != 0;
  o.versions = versions != 0;
  return true;
}

void PutListEntry(meta::WireWriter& w, const ListEntry& e) {
  w.Str(e.name);
  w.U8(e.is_prefix ? 1 : 0);
  if (!e.is_prefix) {
    PutFileInfo(w, e.latest);
  }
}

bool GetListEntry(meta::WireReader& r, ListEntry& e) {
  std::uint8_t prefix = 0;
  if (!r.Str(e.name) || !r.U8(prefix)) {
    return false;
  }
  e.is_prefix = prefix != 0;
  return e.is_prefix || GetFileInfo(r, e.latest);
}

void PutUpload(meta::WireWriter& w, const MultipartUpload& u) {
  w.Str(u.key);
  w.Str(u.upload_id);
  w.Signed(u.initiated_ns);
  PutFileInfo(w, u.fi);
}

bool GetUpload(meta::WireReader& r, MultipartUpload& u) {
  return r.Str(u.key) && r.Str(u.upload_id) && r.Signed(u.initiated_ns) && GetFileInfo(r, u.fi);
}

void PutOrphanOptions(meta::WireWriter& w, const OrphanCleanupOptions& o) {
  w.Signed(o.min_age.count());
  w.Signed(o.first_fan_out);
  w.Signed(o.time_budget.count());
}

bool GetOrphanOptions(meta::WireReader& r, OrphanCleanupOptions& o) {
  std::int64_t min_age = 0;
  std::int64_t first = 0;
  std::int64_t budget = 0;
  if (!r.Signed(min_age) || !r.Signed(first) || !r.Signed(budget) || first < 0 ||
      first >= kDataFanOuts) {
    return false;
  }
  o.min_age = std::chrono::seconds(min_age);
  o.first_fan_out = static_cast<int>(first);
  o.time_budget = std::chrono::milliseconds(budget);
  return true;
}

void PutOrphanStats(meta::WireWriter& w, const OrphanStats& s) {
  w.Varint(s.data_dirs);
  w.Varint(s.data_bytes);
  w.Varint(s.tmp_entries);
  w.Varint(s.tmp_bytes);
  w.Signed(s.next_fan_out);
}

bool GetOrphanStats(meta::WireReader& r, OrphanStats& s) {
  std::int64_t next = 0;
  if (!r.Varint(s.data_dirs) || !r.Varint(s.data_bytes) || !r.Varint(s.tmp_entries) ||
      !r.Varint(s.tmp_bytes) || !r.Signed(next) || next < 0 || next > kDataFanOuts) {
    return false;
  }
  s.next_fan_out = static_cast<int>(next);
  return true;
}

void PutCommitUndo(meta::WireWriter& w, const CommitUndo& u) {
  w.U8(u.had_entry ? 1 : 0);
  w.Str(u.previous_entry);
  w.Str(u.replaced_data_dir);
  w.Varint(u.previous_records.size());
  for (const auto& [key, value] : u.previous_records) {
    w.Str(key);
    w.Str(value);
  }
}

bool GetCommitUndo(meta::WireReader& r, CommitUndo& u) {
  std::uint8_t had = 0;
  std::uint64_t records = 0;
  if (!r.U8(had) || had > 1 || !r.Str(u.previous_entry) || !r.Str(u.replaced_data_dir) ||
      !r.Count(records, 2)) {
    return false;
  }
  u.previous_records.resize(records);
  for (auto& [key, value] : u.previous_records) {
    if (!r.Str(key) || !r.Str(value)) {
      return false;
    }
  }
  u.had_entry = had == 1;
  return true;
}

}  // namespace cairn::storage::remote
