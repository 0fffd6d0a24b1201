// LocalDrive: the versions of one object on a drive (docs/format.md, "Versions"). The entry
// of an object (objects family, key volume \0 key) holds its latest version only, with the
// count of the others; each noncurrent version is one record of the versions family, keyed
// newest first under the object. So a write to a key with thousands of versions rewrites
// none of them, GET of the latest reads one entry, and a listing of versions is a seek and a
// scan. Entries written before versioning (every version in the entry) read as they are and
// are split on their next write.
#include <algorithm>
#include <utility>

#include <rocksdb/write_batch.h>

#include "common/log.h"
#include "meta/encoding.h"
#include "storage/local/local_drive.h"
#include "storage/local/namespace_store.h"

namespace cairn::storage {
namespace {

std::string BigEndian64(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>((v >> (8 * (7 - i))) & 0xff);
  }
  return out;
}

std::optional<std::int64_t> FromBigEndian64(std::string_view s) {
  if (s.size() != 8) {
    return std::nullopt;
  }
  std::uint64_t v = 0;
  for (char c : s) {
    v = (v << 8) | static_cast<unsigned char>(c);
  }
  return static_cast<std::int64_t>(v);
}

bool IsNull(std::string_view version_id) {
  return version_id.empty() || version_id == "null";
}

// One version as a record of the versions family: an entry of that one version.
std::string EncodeRecord(const meta::FileInfo& header, std::string_view data) {
  meta::EntryView one;
  one.versions.push_back(header);
  one.data.push_back(data);
  return meta::EncodeEntryView(one);
}

}  // namespace

void LocalDrive::EntryWrite::AddTo(rocksdb::WriteBatch& batch, NamespaceStore& store) const {
  for (const auto& [key, value] : records) {
    if (value.empty()) {
      batch.Delete(store.handle(Cf::kVersions), ToSlice(key));
    } else {
      batch.Put(store.handle(Cf::kVersions), ToSlice(key), ToSlice(value));
    }
  }
  if (entry.empty()) {
    batch.Delete(store.handle(Cf::kObjects), ToSlice(entry_key));
  } else {
    batch.Put(store.handle(Cf::kObjects), ToSlice(entry_key), ToSlice(entry));
  }
}

Result<std::optional<LocalDrive::FoundRecord>> LocalDrive::FindRecord(std::string_view volume,
                                                                      std::string_view key,
                                                                      std::string_view version_id,
                                                                      bool read_data) {
  std::optional<std::int64_t> time;
  rocksdb::PinnableSlice value;
  if (IsNull(version_id)) {
    ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kVersions, keys::NullVersion(volume, key), value));
    if (!found) {
      return std::optional<FoundRecord>();
    }
    time = FromBigEndian64(ToView(value));
    value.Reset();
  } else {
    time = meta::VersionIdTime(version_id);
  }
  if (time) {
    std::string record_key = keys::Version(volume, key, *time, version_id);
    ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kVersions, record_key, value));
    if (!found) {
      return std::optional<FoundRecord>();
    }
    ASSIGN_OR_RETURN(meta::FileInfo fi, meta::DecodeLatest(ToView(value), read_data));
    return std::optional<FoundRecord>(FoundRecord{std::move(record_key), std::move(fi)});
  }
  // An id that does not carry its time (not made by NewVersionId): look at every record.
  const std::string prefix = keys::VersionPrefix(volume, key);
  const std::string end = keys::PrefixSuccessor(prefix);
  const rocksdb::Slice upper = ToSlice(end);
  auto it = store_->NewIterator(Cf::kVersions, &upper);
  for (it->Seek(ToSlice(prefix)); it->Valid(); it->Next()) {
    const std::string_view k = ToView(it->key());
    if (k.size() >= prefix.size() + 8 && k.substr(prefix.size() + 8) == version_id) {
      ASSIGN_OR_RETURN(meta::FileInfo fi, meta::DecodeLatest(ToView(it->value()), read_data));
      return std::optional<FoundRecord>(FoundRecord{std::string(k), std::move(fi)});
    }
  }
  if (!it->status().ok()) {
    return RocksStatus(it->status());
  }
  return std::optional<FoundRecord>();
}

Result<std::optional<LocalDrive::FoundRecord>> LocalDrive::NewestRecord(std::string_view volume,
                                                                        std::string_view key) {
  const std::string prefix = keys::VersionPrefix(volume, key);
  const std::string end = keys::PrefixSuccessor(prefix);
  const rocksdb::Slice upper = ToSlice(end);
  auto it = store_->NewIterator(Cf::kVersions, &upper);
  it->Seek(ToSlice(prefix));
  if (!it->Valid()) {
    if (!it->status().ok()) {
      return RocksStatus(it->status());
    }
    return std::optional<FoundRecord>();
  }
  ASSIGN_OR_RETURN(meta::FileInfo fi, meta::DecodeLatest(ToView(it->value()), true));
  return std::optional<FoundRecord>(FoundRecord{std::string(ToView(it->key())), std::move(fi)});
}

Status LocalDrive::RecordChange(EntryWrite& write, CommitUndo* undo, std::string key,
                                std::string value) {
  if (undo != nullptr) {
    rocksdb::PinnableSlice before;
    ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kVersions, key, before));
    undo->previous_records.emplace_back(key, found ? std::string(ToView(before)) : std::string());
  }
  write.records.emplace_back(std::move(key), std::move(value));
  return Status::Ok();
}

Status LocalDrive::MoveToRecord(EntryWrite& write, CommitUndo* undo, const meta::FileInfo& header,
                                std::string_view data) {
  const std::string_view volume = write.volume;
  const std::string_view key = write.key;
  RETURN_IF_ERROR(RecordChange(write, undo,
                               keys::Version(volume, key, header.mod_time_ns, header.version_id),
                               EncodeRecord(header, data)));
  if (IsNull(header.version_id)) {
    RETURN_IF_ERROR(RecordChange(write, undo, keys::NullVersion(volume, key),
                                 BigEndian64(static_cast<std::uint64_t>(header.mod_time_ns))));
  }
  return Status::Ok();
}

Status LocalDrive::DropRecord(EntryWrite& write, CommitUndo* undo, const FoundRecord& record) {
  RETURN_IF_ERROR(RecordChange(write, undo, record.key, std::string()));
  if (IsNull(record.fi.version_id)) {
    RETURN_IF_ERROR(
        RecordChange(write, undo, keys::NullVersion(write.volume, write.key), std::string()));
  }
  return Status::Ok();
}

Result<LocalDrive::EntryWrite> LocalDrive::MergeEntry(std::string_view entry_key,
                                                      const meta::FileInfo& fi, CommitUndo& undo) {
  rocksdb::PinnableSlice value;
  ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kObjects, entry_key, value));
  return MergeValue(found ? std::optional<std::string_view>(ToView(value)) : std::nullopt, fi,
                    undo);
}

Result<LocalDrive::EntryWrite> LocalDrive::MergeValue(std::optional<std::string_view> current,
                                                      const meta::FileInfo& fi, CommitUndo& undo) {
  undo.had_entry = current.has_value();
  undo.previous_entry.assign(current ? *current : std::string_view());
  undo.replaced_data_dir.clear();
  undo.previous_records.clear();
  EntryWrite write;
  write.volume = fi.volume;
  write.key = fi.name;
  write.entry_key = keys::Object(fi.volume, fi.name);
  meta::EntryView view;
  if (current) {
    auto decoded = meta::DecodeEntryView(*current);
    if (decoded.ok()) {
      view = std::move(decoded).value();
    } else {
      // The other drives of the set hold this entry; healing restores the lost versions.
      LOG_WARN("{}: replacing corrupt entry {}/{}: {}", path_, fi.volume, fi.name,
               decoded.status().ToString());
    }
  }
  std::optional<meta::FileInfo> replaced = meta::RemoveVersion(view, fi.version_id);
  if (!replaced && view.noncurrent > 0) {
    ASSIGN_OR_RETURN(auto record, FindRecord(fi.volume, fi.name, fi.version_id, false));
    if (record) {
      RETURN_IF_ERROR(DropRecord(write, &undo, *record));
      --view.noncurrent;
      replaced = std::move(record->fi);
    }
  }
  if (view.versions.empty() || fi.mod_time_ns >= view.versions.front().mod_time_ns) {
    // `fi` is the latest: every version the entry held becomes a record.
    for (std::size_t i = 0; i < view.versions.size(); ++i) {
      RETURN_IF_ERROR(MoveToRecord(write, &undo, view.versions[i], view.data[i]));
      ++view.noncurrent;
    }
    view.versions.clear();
    view.data.clear();
    meta::MergeVersion(view, fi);
  } else {
    // An older version (a heal of a noncurrent one, or a write that lost a clock race).
    meta::FileInfo header = fi;
    header.inline_data.clear();
    RETURN_IF_ERROR(MoveToRecord(write, &undo, header, fi.inline_data));
    ++view.noncurrent;
  }
  if (replaced && !replaced->data_dir.empty() && replaced->data_dir != fi.data_dir) {
    undo.replaced_data_dir = std::move(replaced->data_dir);
    HoldReplaced(undo.replaced_data_dir);
  }
  // `view` points into `current` and `fi`: encode before either goes.
  write.entry = meta::EncodeEntryView(view);
  return write;
}

Result<std::optional<meta::FileInfo>> LocalDrive::RemoveFromObject(const meta::FileInfo& fi,
                                                                   EntryWrite& write) {
  write.volume = fi.volume;
  write.key = fi.name;
  write.entry_key = keys::Object(fi.volume, fi.name);
  rocksdb::PinnableSlice value;
  ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kObjects, write.entry_key, value));
  if (!found) {
    return Status(Errc::kFileNotFound, fi.name);
  }
  ASSIGN_OR_RETURN(meta::EntryView view, meta::DecodeEntryView(ToView(value)));
  std::optional<meta::FileInfo> removed = meta::RemoveVersion(view, fi.version_id);
  std::optional<FoundRecord> promoted;
  if (removed) {
    if (view.versions.empty() && view.noncurrent > 0) {
      // The latest went: the newest record takes its place.
      ASSIGN_OR_RETURN(promoted, NewestRecord(fi.volume, fi.name));
      if (promoted) {
        RETURN_IF_ERROR(DropRecord(write, nullptr, *promoted));
        --view.noncurrent;
        view.versions.push_back(promoted->fi);
        view.versions.back().inline_data.clear();
        view.data.emplace_back(promoted->fi.inline_data);
      } else {
        view.noncurrent = 0;  // the count was wrong; nothing is left
      }
    }
  } else if (view.noncurrent > 0) {
    ASSIGN_OR_RETURN(auto record, FindRecord(fi.volume, fi.name, fi.version_id, false));
    if (record) {
      RETURN_IF_ERROR(DropRecord(write, nullptr, *record));
      --view.noncurrent;
      removed = std::move(record->fi);
    }
  }
  if (!removed) {
    return std::optional<meta::FileInfo>();
  }
  if (!view.versions.empty()) {
    write.entry = meta::EncodeEntryView(view);  // `view` points into `value` and `promoted`
  }
  return removed;
}

Result<std::vector<meta::FileInfo>> LocalDrive::AllVersions(std::string_view volume,
                                                            std::string_view key) {
  rocksdb::PinnableSlice value;
  ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kObjects, keys::Object(volume, key), value));
  if (!found) {
    return Status(Errc::kFileNotFound, std::string(key));
  }
  ASSIGN_OR_RETURN(auto versions, meta::DecodeVersions(ToView(value), false));
  const std::uint32_t total = versions.empty() ? 0 : versions.front().num_versions;
  if (total > versions.size()) {
    const std::string prefix = keys::VersionPrefix(volume, key);
    const std::string end = keys::PrefixSuccessor(prefix);
    const rocksdb::Slice upper = ToSlice(end);
    auto it = store_->NewIterator(Cf::kVersions, &upper);
    for (it->Seek(ToSlice(prefix)); it->Valid(); it->Next()) {
      auto fi = meta::DecodeLatest(ToView(it->value()), false);
      if (fi.ok()) {
        versions.push_back(std::move(fi).value());
      } else {
        LOG_WARN("{}: corrupt version record of {}/{}: {}", path_, volume, key,
                 fi.status().ToString());
      }
    }
    if (!it->status().ok()) {
      return RocksStatus(it->status());
    }
    // Entries from before versioning may still hold several versions: keep newest first.
    std::stable_sort(versions.begin(), versions.end(),
                     [](const auto& a, const auto& b) { return a.mod_time_ns > b.mod_time_ns; });
  }
  for (std::size_t i = 0; i < versions.size(); ++i) {
    versions[i].volume.assign(volume);
    versions[i].name.assign(key);
    versions[i].is_latest = i == 0;
    versions[i].num_versions = static_cast<std::uint32_t>(versions.size());
  }
  return versions;
}

}  // namespace cairn::storage
