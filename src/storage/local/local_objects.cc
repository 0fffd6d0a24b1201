// LocalDrive: object metadata (write, rename into place, read, delete) and volume removal.
#include <errno.h>
#include <stdio.h>

#include <optional>

#include <boost/asio/thread_pool.hpp>
#include <sys/stat.h>

#include "common/log.h"
#include "common/run_blocking.h"
#include "meta/encoding.h"
#include "storage/local/fs_util.h"
#include "storage/local/local_drive.h"
#include "storage/local/namespace_store.h"
#include "storage/local/value_codec.h"

namespace cairn::storage {
namespace {

bool Referenced(const std::vector<meta::FileInfo>& versions, std::string_view data_dir) {
  for (const auto& v : versions) {
    if (v.data_dir == data_dir) {
      return true;
    }
  }
  return false;
}

Status BadName() {
  return Status(Errc::kInvalidArgument, "volume or key empty or with NUL");
}

}  // namespace

Result<bool> LocalDrive::AnyWithPrefix(int cf, const std::string& prefix) {
  std::string end = keys::PrefixSuccessor(prefix);
  rocksdb::Slice upper = ToSlice(end);
  auto it = store_->NewIterator(static_cast<Cf>(cf), end.empty() ? nullptr : &upper);
  it->Seek(ToSlice(prefix));
  if (!it->status().ok()) {
    return RocksStatus(it->status());
  }
  return it->Valid();
}

Status LocalDrive::DoDeleteVolume(std::string_view volume, bool force) {
  std::unique_lock lock(volumes_mu_);
  if (volumes_.find(volume) == volumes_.end()) {
    return Status(Errc::kVolumeNotFound, std::string(volume));
  }
  const std::string objects = keys::Object(volume, "");
  const std::string uploads = keys::UploadVolumePrefix(volume);
  const std::string parts = keys::PartVolumePrefix(volume);
  std::vector<std::string> data_dirs;
  if (!force) {
    ASSIGN_OR_RETURN(bool has_objects, AnyWithPrefix(static_cast<int>(Cf::kObjects), objects));
    ASSIGN_OR_RETURN(bool has_uploads, AnyWithPrefix(static_cast<int>(Cf::kMultipart), uploads));
    if (has_objects || has_uploads) {
      return Status(Errc::kVolumeNotEmpty, std::string(volume));
    }
  } else {
    // Forced: every data folder of the volume goes too, so this scan is unavoidable.
    std::string end = keys::PrefixSuccessor(objects);
    rocksdb::Slice upper = ToSlice(end);
    auto it = store_->NewIterator(Cf::kObjects, &upper);
    for (it->Seek(ToSlice(objects)); it->Valid(); it->Next()) {
      auto versions = meta::DecodeVersions(ToView(it->value()), false);
      if (versions.ok()) {
        for (const auto& v : *versions) {
          if (!v.data_dir.empty()) {
            data_dirs.push_back(v.data_dir);
          }
        }
      }
    }
    std::string uend = keys::PrefixSuccessor(uploads);
    rocksdb::Slice uupper = ToSlice(uend);
    auto uit = store_->NewIterator(Cf::kMultipart, &uupper);
    for (uit->Seek(ToSlice(uploads)); uit->Valid(); uit->Next()) {
      auto upload = DecodeUpload(volume, ToView(uit->value()));
      if (upload.ok() && !upload->fi.data_dir.empty()) {
        data_dirs.push_back(upload->fi.data_dir);
      }
    }
  }
  const std::string records = keys::VersionVolumePrefix(volume);
  const std::string nulls = keys::NullVolumePrefix(volume);
  if (force) {
    std::string end = keys::PrefixSuccessor(records);
    rocksdb::Slice upper = ToSlice(end);
    auto it = store_->NewIterator(Cf::kVersions, &upper);
    for (it->Seek(ToSlice(records)); it->Valid(); it->Next()) {
      auto v = meta::DecodeLatest(ToView(it->value()), false);
      if (v.ok() && !v->data_dir.empty()) {
        data_dirs.push_back(v->data_dir);
      }
    }
  }
  rocksdb::WriteBatch batch;
  for (const auto& [cf, prefix] :
       {std::pair{Cf::kObjects, &objects}, std::pair{Cf::kMultipart, &uploads},
        std::pair{Cf::kMultipart, &parts}, std::pair{Cf::kVersions, &records},
        std::pair{Cf::kVersions, &nulls}}) {
    batch.DeleteRange(store_->handle(cf), ToSlice(*prefix),
                      ToSlice(keys::PrefixSuccessor(*prefix)));
  }
  batch.Delete(store_->handle(Cf::kBuckets), ToSlice(volume));
  RETURN_IF_ERROR(store_->Write(batch));
  volumes_.erase(volumes_.find(volume));
  lock.unlock();
  RemoveDataDirs(data_dirs);
  return Status::Ok();
}

Status LocalDrive::DoMoveData(const meta::FileInfo& fi, std::string_view tmp_dir) {
  if (!keys::Valid(fi.volume) || !keys::Valid(fi.name)) {
    return BadName();
  }
  if (!ValidRelativePath(tmp_dir, /*single=*/false) || !ValidDataDir(fi.data_dir)) {
    return Status(Errc::kInvalidArgument, "bad tmp dir or data dir");
  }
  RETURN_IF_ERROR(CheckVolume(fi.volume));
  RETURN_IF_ERROR(EnsureFanOut(fi.data_dir));
  std::string src = TmpPath(tmp_dir);
  std::string dst = DataDirPath(fi.data_dir);
  // What was staged: one shard file (part 1 of a single-part object) or a folder of part.N.
  struct stat st;
  if (::lstat(src.c_str(), &st) != 0) {
    return ErrnoStatus(errno, "stat", src);
  }
  if (::rename(src.c_str(), dst.c_str()) != 0) {
    int err = errno;
    if (err == ENOTEMPTY || err == EEXIST || err == EISDIR || err == ENOTDIR) {
      // The same data dir committed again (a retry or a heal, maybe with the other layout):
      // the new shards win.
      RETURN_IF_ERROR(RemoveAll(dst));
      err = ::rename(src.c_str(), dst.c_str()) == 0 ? 0 : errno;
    }
    if (err != 0) {
      return ErrnoStatus(err, "rename", src);
    }
  }
  // docs/format.md's order: a moved folder (its part.N entries, which no earlier sync
  // covered; a moved file was synced when its writer closed), then the parent (the rename's
  // new entry), before the metadata commit. The old name's removal from tmp/ is not synced:
  // if a crash loses it, what reappears under tmp/ is garbage that the next start removes.
  if (S_ISDIR(st.st_mode)) {
    RETURN_IF_ERROR(SyncDir(dst));
  }
  return SyncDir(dst.substr(0, dst.rfind('/')));
}

Task<Result<CommitUndo>> LocalDrive::RenameData(const RequestContext& ctx, const meta::FileInfo& fi,
                                                std::string_view tmp_dir) {
  Status moved = co_await RunBlocking(*pool_, [&] { return DoMoveData(fi, tmp_dir); });
  CO_RETURN_IF_ERROR(moved);
  // The metadata commit joins the drive's group commit, like a small PUT's.
  Result<CommitUndo> st = co_await WriteMetadata(ctx, fi);
  if (!st.ok()) {
    // Put the shards back so that the caller may retry or DeleteTmp them.
    co_await RunBlocking(*pool_, [&] {
      std::string src = TmpPath(tmp_dir);
      std::string dst = DataDirPath(fi.data_dir);
      return ::rename(dst.c_str(), src.c_str());
    });
  }
  co_return st;
}

std::optional<Result<meta::FileInfo>> LocalDrive::DoReadVersion(std::string_view volume,
                                                                std::string_view key,
                                                                std::string_view version_id,
                                                                bool read_data, bool cache_only) {
  if (!keys::Valid(volume) || !keys::Valid(key)) {
    return BadName();
  }
  RETURN_IF_ERROR(CheckVolume(volume));
  rocksdb::PinnableSlice value;
  const std::string entry_key = keys::Object(volume, key);
  bool found = false;
  if (cache_only) {
    ASSIGN_OR_RETURN(auto lookup, store_->GetCached(Cf::kObjects, entry_key, value));
    if (lookup == NamespaceStore::Lookup::kNeedsIo) {
      return std::nullopt;
    }
    found = lookup == NamespaceStore::Lookup::kFound;
  } else {
    ASSIGN_OR_RETURN(found, store_->Get(Cf::kObjects, entry_key, value));
  }
  if (!found) {
    return Status(Errc::kFileNotFound, std::string(key));
  }
  Result<meta::FileInfo> fi = meta::DecodeVersion(ToView(value), version_id, read_data);
  if (!fi.ok() && fi.code() == Errc::kFileVersionNotFound) {
    // Not the latest: a noncurrent version's record, read from the store (never cached).
    if (cache_only) {
      return std::nullopt;
    }
    ASSIGN_OR_RETURN(auto record, FindRecord(volume, key, version_id, read_data));
    if (!record) {
      return fi.status();
    }
    fi = std::move(record->fi);
    fi->is_latest = false;
  }
  if (fi.ok()) {
    fi->volume.assign(volume);
    fi->name.assign(key);
  }
  return fi;
}

Task<Result<meta::FileInfo>> LocalDrive::ReadVersion(const RequestContext&, std::string_view volume,
                                                     std::string_view key,
                                                     std::string_view version_id, bool read_data) {
  // Hot entries are in the memtable or the block cache: read them on the caller's thread
  // (no syscall), which saves two thread hops per drive on every GET and HEAD. Only an
  // entry that is on disk alone goes to the drive's pool.
  if (auto cached = DoReadVersion(volume, key, version_id, read_data, /*cache_only=*/true)) {
    co_return std::move(*cached);
  }
  co_return co_await RunBlocking(*pool_, [&]() -> Result<meta::FileInfo> {
    return *DoReadVersion(volume, key, version_id, read_data, /*cache_only=*/false);
  });
}

std::optional<Result<meta::FileInfo>> LocalDrive::ReadVersionNow(const RequestContext&,
                                                                 std::string_view volume,
                                                                 std::string_view key,
                                                                 std::string_view version_id,
                                                                 bool read_data) {
  return DoReadVersion(volume, key, version_id, read_data, /*cache_only=*/true);
}

Task<Result<std::vector<meta::FileInfo>>> LocalDrive::ReadVersions(const RequestContext&,
                                                                   std::string_view volume,
                                                                   std::string_view key) {
  co_return co_await RunBlocking(*pool_, [&]() -> Result<std::vector<meta::FileInfo>> {
    if (!keys::Valid(volume) || !keys::Valid(key)) {
      return BadName();
    }
    RETURN_IF_ERROR(CheckVolume(volume));
    return AllVersions(volume, key);
  });
}

Status LocalDrive::DoDeleteVersion(const meta::FileInfo& fi) {
  if (!keys::Valid(fi.volume) || !keys::Valid(fi.name)) {
    return BadName();
  }
  std::string obsolete;
  {
    std::shared_lock vlock(volumes_mu_);
    if (volumes_.find(fi.volume) == volumes_.end()) {
      return Status(Errc::kVolumeNotFound, fi.volume);
    }
    std::lock_guard elock(EntryLock(fi.volume, fi.name));
    EntryWrite write;
    ASSIGN_OR_RETURN(auto removed, RemoveFromObject(fi, write));
    if (!removed) {
      return Status(Errc::kFileVersionNotFound, fi.name + " version " + fi.version_id);
    }
    rocksdb::WriteBatch batch;
    write.AddTo(batch, *store_);
    RETURN_IF_ERROR(store_->Write(batch));
    // Data dirs are made per version (a heal rewrites a version with its own): none other
    // references the removed version's.
    obsolete = std::move(removed->data_dir);
  }
  if (!obsolete.empty()) {
    RemoveDataDirs({obsolete});
  }
  return Status::Ok();
}

Task<Status> LocalDrive::DeleteVersion(const RequestContext&, const meta::FileInfo& fi) {
  co_return co_await RunBlocking(*pool_, [&] { return DoDeleteVersion(fi); });
}

Status LocalDrive::DoRevertCommit(const meta::FileInfo& fi, const CommitUndo& undo) {
  if (!keys::Valid(fi.volume) || !keys::Valid(fi.name)) {
    return BadName();
  }
  if (!undo.replaced_data_dir.empty()) {
    SettleReplaced(undo.replaced_data_dir, false);
  }
  std::string remove;
  {
    std::shared_lock vlock(volumes_mu_);
    if (volumes_.find(fi.volume) == volumes_.end()) {
      return Status(Errc::kVolumeNotFound, fi.volume);
    }
    std::lock_guard elock(EntryLock(fi.volume, fi.name));
    const std::string key = keys::Object(fi.volume, fi.name);
    rocksdb::PinnableSlice value;
    ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kObjects, key, value));
    if (!found) {
      return Status::Ok();
    }
    // Only our own commit is undone: a later write of the key (not possible under the
    // object's lock, but a drive cannot know that) is left alone.
    auto current = meta::DecodeVersion(ToView(value), fi.version_id, false);
    if (!current.ok() && current.code() == Errc::kFileVersionNotFound) {
      ASSIGN_OR_RETURN(auto record, FindRecord(fi.volume, fi.name, fi.version_id, false));
      if (record) {
        current = std::move(record->fi);
      }
    }
    if (!current.ok() || current->data_dir != fi.data_dir ||
        current->mod_time_ns != fi.mod_time_ns) {
      return Status::Ok();
    }
    std::vector<meta::FileInfo> restored;
    rocksdb::WriteBatch batch;
    if (undo.had_entry) {
      auto versions = meta::DecodeVersions(undo.previous_entry, false);
      if (!versions.ok()) {
        return versions.status();
      }
      restored = std::move(versions).value();
      batch.Put(store_->handle(Cf::kObjects), ToSlice(key), ToSlice(undo.previous_entry));
    } else {
      batch.Delete(store_->handle(Cf::kObjects), ToSlice(key));
    }
    // Last change first, so that a record changed twice gets its value from before both.
    for (auto it = undo.previous_records.rbegin(); it != undo.previous_records.rend(); ++it) {
      const auto& [record_key, before] = *it;
      if (!record_key.starts_with(keys::VersionPrefix(fi.volume, fi.name)) &&
          record_key != keys::NullVersion(fi.volume, fi.name)) {
        return Status(Errc::kInvalidArgument, "an undo record of another object");
      }
      if (before.empty()) {
        batch.Delete(store_->handle(Cf::kVersions), ToSlice(record_key));
      } else {
        batch.Put(store_->handle(Cf::kVersions), ToSlice(record_key), ToSlice(before));
        if (auto v = meta::DecodeLatest(before, false); v.ok()) {
          restored.push_back(std::move(v).value());
        }
      }
    }
    RETURN_IF_ERROR(store_->Write(batch));
    if (!fi.data_dir.empty() && !Referenced(restored, fi.data_dir)) {
      remove = fi.data_dir;
    }
  }
  if (!remove.empty() && ValidDataDir(remove)) {
    RemoveDataDirs({remove});
  }
  return Status::Ok();
}

Task<Status> LocalDrive::RevertCommit(const RequestContext&, const meta::FileInfo& fi,
                                      const CommitUndo& undo) {
  co_return co_await RunBlocking(*pool_, [&] { return DoRevertCommit(fi, undo); });
}

Status LocalDrive::DoPurgeReplaced(std::string_view volume, std::string_view key,
                                   std::string_view data_dir) {
  if (!keys::Valid(volume) || !keys::Valid(key)) {
    return BadName();
  }
  if (!ValidDataDir(data_dir)) {
    return Status(Errc::kInvalidArgument, "bad data dir");
  }
  std::shared_lock vlock(volumes_mu_);
  if (volumes_.find(volume) == volumes_.end()) {
    SettleReplaced(std::string(data_dir), false);
    return Status(Errc::kVolumeNotFound, std::string(volume));
  }
  std::lock_guard elock(EntryLock(volume, key));
  ASSIGN_OR_RETURN(bool removed, RemoveDataDirUnlessReferenced(volume, key, data_dir));
  SettleReplaced(std::string(data_dir), removed);
  return Status::Ok();
}

Result<bool> LocalDrive::RemoveDataDirUnlessReferenced(std::string_view volume,
                                                       std::string_view key,
                                                       std::string_view data_dir) {
  rocksdb::PinnableSlice value;
  ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kObjects, keys::Object(volume, key), value));
  if (found) {
    auto versions = meta::DecodeVersions(ToView(value), false);
    if (!versions.ok() || Referenced(*versions, data_dir)) {
      return false;  // referenced, or unreadable: the scanner decides later
    }
  }
  RemoveDataDirs({std::string(data_dir)});
  return true;
}

Task<Status> LocalDrive::PurgeReplaced(const RequestContext&, std::string_view volume,
                                       std::string_view key, std::string_view data_dir) {
  co_return co_await RunBlocking(*pool_, [&] { return DoPurgeReplaced(volume, key, data_dir); });
}

void LocalDrive::HoldReplaced(const std::string& data_dir) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(replaced_mu_);
  std::erase_if(replaced_,
                [&](const auto& e) { return now - e.second.made > std::chrono::hours(1); });
  replaced_[data_dir] = ReplacedDir{now, std::nullopt};
}

void LocalDrive::SettleReplaced(const std::string& data_dir, bool removed) {
  std::lock_guard lock(replaced_mu_);
  auto it = replaced_.find(data_dir);
  if (it == replaced_.end()) {
    return;
  }
  if (removed) {
    replaced_.erase(it);  // nothing left to protect: the registry holds only what may matter
  } else if (!it->second.settled) {
    it->second.settled = std::chrono::steady_clock::now();
  }
}

bool LocalDrive::ReplacedHeld(const std::string& data_dir,
                              std::chrono::steady_clock::time_point pass_start) {
  std::lock_guard lock(replaced_mu_);
  auto it = replaced_.find(data_dir);
  return it != replaced_.end() &&
         std::chrono::steady_clock::now() - it->second.made <= std::chrono::hours(1) &&
         (!it->second.settled || *it->second.settled >= pass_start);
}

}  // namespace cairn::storage
