// LocalDrive: multipart uploads. The multipart column family holds upload records
// ('u' volume \0 key \0 upload_id) and part records ('p' ... \0 part number), in separate
// key ranges so that listing uploads never walks part records. Part files live in the
// upload's data folder as part.<number> and become the object's shards on completion.
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <cstdlib>
#include <set>

#include <boost/asio/thread_pool.hpp>

#include "common/log.h"
#include "common/run_blocking.h"
#include "meta/encoding.h"
#include "storage/local/fs_util.h"
#include "storage/local/local_drive.h"
#include "storage/local/namespace_store.h"
#include "storage/local/value_codec.h"

namespace cairn::storage {
namespace {

bool ValidUploadNames(std::string_view volume, std::string_view key, std::string_view upload_id) {
  return keys::Valid(volume) && keys::Valid(key) && keys::Valid(upload_id);
}

Status BadNames() {
  return Status(Errc::kInvalidArgument, "volume, key or upload id invalid");
}

Status NoUpload(std::string_view upload_id) {
  return Status(Errc::kUploadNotFound, std::string(upload_id));
}

// Removes part.N files of `dir` whose N is not in `keep`. Best effort.
void RemoveUnusedParts(const std::string& dir, const std::set<std::int32_t>& keep) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    return;
  }
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name.substr(0, 5) != "part.") {
      continue;
    }
    long number = std::strtol(e->d_name + 5, nullptr, 10);
    if (keep.count(static_cast<std::int32_t>(number)) == 0) {
      ::unlink((dir + "/" + e->d_name).c_str());
    }
  }
  ::closedir(d);
}

}  // namespace

Task<Status> LocalDrive::PutUpload(const RequestContext&, std::string_view volume,
                                   const MultipartUpload& upload) {
  co_return co_await RunBlocking(*pool_, [&]() -> Status {
    RETURN_IF_ERROR(CheckSpace());
    if (!ValidUploadNames(volume, upload.key, upload.upload_id)) {
      return BadNames();
    }
    if (!ValidDataDir(upload.fi.data_dir)) {
      return Status(Errc::kInvalidArgument, "upload without a valid data dir");
    }
    std::shared_lock vlock(volumes_mu_);
    if (volumes_.find(volume) == volumes_.end()) {
      return Status(Errc::kVolumeNotFound, std::string(volume));
    }
    return store_->Put(Cf::kMultipart, keys::Upload(volume, upload.key, upload.upload_id),
                       EncodeUpload(upload));
  });
}

Task<Result<MultipartUpload>> LocalDrive::ReadUpload(const RequestContext&, std::string_view volume,
                                                     std::string_view key,
                                                     std::string_view upload_id) {
  co_return co_await RunBlocking(*pool_, [&]() -> Result<MultipartUpload> {
    if (!ValidUploadNames(volume, key, upload_id)) {
      return BadNames();
    }
    RETURN_IF_ERROR(CheckVolume(volume));
    rocksdb::PinnableSlice value;
    ASSIGN_OR_RETURN(bool found,
                     store_->Get(Cf::kMultipart, keys::Upload(volume, key, upload_id), value));
    if (!found) {
      return NoUpload(upload_id);
    }
    return DecodeUpload(volume, ToView(value));
  });
}

Result<std::vector<MultipartUpload>> LocalDrive::DoListUploads(std::string_view volume,
                                                               std::string_view prefix,
                                                               std::string_view key_marker,
                                                               std::string_view upload_id_marker,
                                                               std::size_t limit) {
  if (!keys::Valid(volume)) {
    return Status(Errc::kVolumeNotFound, std::string(volume));
  }
  RETURN_IF_ERROR(CheckVolume(volume));
  std::vector<MultipartUpload> out;
  if (limit == 0) {
    return out;
  }
  const std::string base = keys::UploadVolumePrefix(volume);
  const std::string lower = base + std::string(prefix);
  const std::string upper = keys::PrefixSuccessor(lower);
  const rocksdb::Slice upper_slice = ToSlice(upper);
  auto it = store_->NewIterator(Cf::kMultipart, &upper_slice);
  std::string seek = lower;
  bool skip_equal = false;
  if (!key_marker.empty()) {
    std::string marker = base + std::string(key_marker);
    if (upload_id_marker.empty()) {
      // Past every upload of key_marker: its records are key_marker \0 <id>, all below
      // key_marker \x01 (keys hold no NUL), while longer keys sort at or after it.
      marker.push_back('\x01');
    } else {
      marker.push_back('\0');
      marker.append(upload_id_marker);
      skip_equal = true;
    }
    if (marker > seek) {
      seek = std::move(marker);
    } else {
      skip_equal = false;
    }
  }
  std::uint64_t steps = 1;
  it->Seek(ToSlice(seek));
  if (skip_equal && it->Valid() && ToView(it->key()) == seek) {
    it->Next();
    ++steps;
  }
  for (; it->Valid() && out.size() < limit; it->Next()) {
    ++steps;
    auto upload = DecodeUpload(volume, ToView(it->value()));
    if (!upload.ok()) {
      LOG_WARN("{}: skipping corrupt upload record in {}: {}", path_, volume,
               upload.status().ToString());
      continue;
    }
    out.push_back(std::move(upload).value());
  }
  iterator_steps_.fetch_add(steps, std::memory_order_relaxed);
  if (!it->status().ok()) {
    return RocksStatus(it->status());
  }
  return out;
}

Task<Result<std::vector<MultipartUpload>>> LocalDrive::ListUploads(
    const RequestContext&, std::string_view volume, std::string_view prefix,
    std::string_view key_marker, std::string_view upload_id_marker, std::size_t limit) {
  co_return co_await RunBlocking(
      *pool_, [&] { return DoListUploads(volume, prefix, key_marker, upload_id_marker, limit); });
}

Status LocalDrive::DoCommitPart(std::string_view volume, std::string_view key,
                                std::string_view upload_id, const meta::ObjectPart& part,
                                std::string_view tmp_dir) {
  if (!ValidUploadNames(volume, key, upload_id)) {
    return BadNames();
  }
  if (!ValidRelativePath(tmp_dir, /*single=*/false) || part.number < 1) {
    return Status(Errc::kInvalidArgument, "bad tmp dir or part number");
  }
  RETURN_IF_ERROR(CheckVolume(volume));
  rocksdb::PinnableSlice value;
  ASSIGN_OR_RETURN(bool found,
                   store_->Get(Cf::kMultipart, keys::Upload(volume, key, upload_id), value));
  if (!found) {
    return NoUpload(upload_id);
  }
  ASSIGN_OR_RETURN(MultipartUpload upload, DecodeUpload(volume, ToView(value)));
  if (!ValidDataDir(upload.fi.data_dir)) {
    return Status(Errc::kFileCorrupt, "upload record without a valid data dir");
  }
  // Commits of one part number run one at a time (a stripe of its own name), so the record
  // always describes the file; one older than the recorded part is dropped.
  const std::string part_key = keys::Part(keys::PartPrefix(volume, key, upload_id), part.number);
  std::lock_guard plock(EntryLock(volume, part_key));
  rocksdb::PinnableSlice recorded;
  ASSIGN_OR_RETURN(bool has_part, store_->Get(Cf::kMultipart, part_key, recorded));
  if (has_part) {
    auto current = meta::DecodePart(ToView(recorded));
    if (current.ok() && current->mod_time_ns > part.mod_time_ns) {
      Status st = RemoveAll(TmpPath(tmp_dir));
      if (!st.ok()) {
        LOG_WARN("{}: {}", path_, st.ToString());
      }
      return Status::Ok();
    }
  }
  RETURN_IF_ERROR(EnsureFanOut(upload.fi.data_dir));
  std::string dir = DataDirPath(upload.fi.data_dir);
  RETURN_IF_ERROR(EnsureDir(dir));
  std::string src = TmpPath(tmp_dir) + "/part.1";
  std::string dst = dir + "/part." + std::to_string(part.number);
  if (::rename(src.c_str(), dst.c_str()) != 0) {
    return ErrnoStatus(errno, "rename", src);
  }
  RETURN_IF_ERROR(SyncDir(dir));
  RETURN_IF_ERROR(SyncDir(dir.substr(0, dir.rfind('/'))));
  RETURN_IF_ERROR(store_->Put(Cf::kMultipart, part_key, meta::EncodePart(part)));
  Status st = RemoveAll(TmpPath(tmp_dir));
  if (!st.ok()) {
    LOG_WARN("{}: {}", path_, st.ToString());
  }
  return Status::Ok();
}

Task<Status> LocalDrive::CommitPart(const RequestContext&, std::string_view volume,
                                    std::string_view key, std::string_view upload_id,
                                    const meta::ObjectPart& part, std::string_view tmp_dir) {
  co_return co_await RunBlocking(
      *pool_, [&] { return DoCommitPart(volume, key, upload_id, part, tmp_dir); });
}

Task<Result<std::vector<meta::ObjectPart>>> LocalDrive::ListParts(const RequestContext&,
                                                                  std::string_view volume,
                                                                  std::string_view key,
                                                                  std::string_view upload_id) {
  co_return co_await RunBlocking(*pool_, [&]() -> Result<std::vector<meta::ObjectPart>> {
    if (!ValidUploadNames(volume, key, upload_id)) {
      return BadNames();
    }
    RETURN_IF_ERROR(CheckVolume(volume));
    rocksdb::PinnableSlice value;
    ASSIGN_OR_RETURN(bool found,
                     store_->Get(Cf::kMultipart, keys::Upload(volume, key, upload_id), value));
    if (!found) {
      return NoUpload(upload_id);
    }
    std::vector<meta::ObjectPart> parts;
    std::string prefix = keys::PartPrefix(volume, key, upload_id);
    std::string end = keys::PrefixSuccessor(prefix);
    rocksdb::Slice upper = ToSlice(end);
    auto it = store_->NewIterator(Cf::kMultipart, &upper);
    for (it->Seek(ToSlice(prefix)); it->Valid(); it->Next()) {
      ASSIGN_OR_RETURN(meta::ObjectPart part, meta::DecodePart(ToView(it->value())));
      parts.push_back(std::move(part));
    }
    if (!it->status().ok()) {
      return RocksStatus(it->status());
    }
    return parts;
  });
}

Result<CommitUndo> LocalDrive::DoCompleteUpload(std::string_view upload_id,
                                                const meta::FileInfo& fi) {
  if (!ValidUploadNames(fi.volume, fi.name, upload_id)) {
    return BadNames();
  }
  CommitUndo undo;
  std::string data_dir;
  std::set<std::int32_t> used;
  {
    std::shared_lock vlock(volumes_mu_);
    if (volumes_.find(fi.volume) == volumes_.end()) {
      return Status(Errc::kVolumeNotFound, fi.volume);
    }
    std::lock_guard elock(EntryLock(fi.volume, fi.name));
    std::string upload_key = keys::Upload(fi.volume, fi.name, upload_id);
    rocksdb::PinnableSlice value;
    ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kMultipart, upload_key, value));
    if (!found) {
      return NoUpload(upload_id);
    }
    ASSIGN_OR_RETURN(MultipartUpload upload, DecodeUpload(fi.volume, ToView(value)));
    data_dir = upload.fi.data_dir;
    if (!fi.data_dir.empty() && fi.data_dir != data_dir) {
      return Status(Errc::kInvalidArgument, "data dir differs from the upload's");
    }
    std::string prefix = keys::PartPrefix(fi.volume, fi.name, upload_id);
    rocksdb::WriteBatch batch;
    {
      std::set<std::int32_t> recorded;
      std::string end = keys::PrefixSuccessor(prefix);
      rocksdb::Slice upper = ToSlice(end);
      auto it = store_->NewIterator(Cf::kMultipart, &upper);
      for (it->Seek(ToSlice(prefix)); it->Valid(); it->Next()) {
        auto part = meta::DecodePart(ToView(it->value()));
        if (part.ok()) {
          recorded.insert(part->number);
        }
        batch.Delete(store_->handle(Cf::kMultipart), it->key());
      }
      if (!it->status().ok()) {
        return RocksStatus(it->status());
      }
      for (const auto& part : fi.parts) {
        if (recorded.count(part.number) == 0) {
          return Status(Errc::kPartNotFound, "part " + std::to_string(part.number));
        }
        used.insert(part.number);
      }
    }
    meta::FileInfo version = fi;
    version.data_dir = data_dir;
    std::string object_key = keys::Object(fi.volume, fi.name);
    ASSIGN_OR_RETURN(EntryWrite write, MergeEntry(object_key, version, undo));
    write.AddTo(batch, *store_);
    batch.Delete(store_->handle(Cf::kMultipart), ToSlice(upload_key));
    RETURN_IF_ERROR(store_->Write(batch));
  }
  if (ValidDataDir(data_dir)) {
    RemoveUnusedParts(DataDirPath(data_dir), used);
  }
  return undo;
}

Task<Result<CommitUndo>> LocalDrive::CompleteUpload(const RequestContext&, std::string_view volume,
                                                    std::string_view key,
                                                    std::string_view upload_id,
                                                    const meta::FileInfo& fi) {
  if (volume != fi.volume || key != fi.name) {
    co_return Status(Errc::kInvalidArgument, "the upload's volume and key differ from fi's");
  }
  co_return co_await RunBlocking(*pool_, [&] { return DoCompleteUpload(upload_id, fi); });
}

Status LocalDrive::DoAbortUpload(std::string_view volume, std::string_view key,
                                 std::string_view upload_id) {
  if (!ValidUploadNames(volume, key, upload_id)) {
    return BadNames();
  }
  std::string data_dir;
  {
    std::shared_lock vlock(volumes_mu_);
    if (volumes_.find(volume) == volumes_.end()) {
      return Status(Errc::kVolumeNotFound, std::string(volume));
    }
    std::lock_guard elock(EntryLock(volume, key));
    std::string upload_key = keys::Upload(volume, key, upload_id);
    rocksdb::PinnableSlice value;
    ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kMultipart, upload_key, value));
    if (!found) {
      return NoUpload(upload_id);
    }
    auto upload = DecodeUpload(volume, ToView(value));
    if (upload.ok()) {
      data_dir = upload->fi.data_dir;
    }
    std::string prefix = keys::PartPrefix(volume, key, upload_id);
    rocksdb::WriteBatch batch;
    batch.DeleteRange(store_->handle(Cf::kMultipart), ToSlice(prefix),
                      ToSlice(keys::PrefixSuccessor(prefix)));
    batch.Delete(store_->handle(Cf::kMultipart), ToSlice(upload_key));
    RETURN_IF_ERROR(store_->Write(batch));
    // A Complete that reached other drives but not this one leaves the upload here while the
    // object, healed onto this drive, uses the same data folder: it stays.
    if (!data_dir.empty()) {
      RETURN_IF_ERROR(RemoveDataDirUnlessReferenced(volume, key, data_dir).status());
    }
  }
  return Status::Ok();
}

Task<Status> LocalDrive::AbortUpload(const RequestContext&, std::string_view volume,
                                     std::string_view key, std::string_view upload_id) {
  co_return co_await RunBlocking(*pool_, [&] { return DoAbortUpload(volume, key, upload_id); });
}

}  // namespace cairn::storage
