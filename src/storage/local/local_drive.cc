// LocalDrive: opening, format.json, disk info, volumes and shard files. Object metadata is
// in local_objects.cc, listing in local_listing.cc, multipart in local_multipart.cc.
#include "storage/local/local_drive.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <functional>

#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "common/log.h"
#include "common/run_blocking.h"
#include "storage/local/fs_util.h"
#include "storage/local/namespace_store.h"
#include "storage/local/pending_commit.h"
#include "storage/local/shard_file.h"
#include "storage/local/value_codec.h"

namespace cairn::storage {
namespace {

class RocksCacheBudget final : public CacheBudget {
 public:
  RocksCacheBudget(std::size_t bytes, int drives)
      : CacheBudget(bytes, drives),
        cache(rocksdb::NewLRUCache(bytes - bytes / 8)),
        write_buffers(std::make_shared<rocksdb::WriteBufferManager>(bytes / 2, cache)) {}

  std::size_t block_cache_usage() const override { return cache->GetUsage(); }

  std::size_t memtable_usage() const override { return write_buffers->memory_usage(); }

  std::shared_ptr<rocksdb::Cache> cache;
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffers;
};

std::string StripTrailingSlash(std::string path) {
  while (path.size() > 1 && path.back() == '/') {
    path.pop_back();
  }
  return path;
}

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// "this" at the top level or in a top-level object (MinIO keeps it in "xl").
std::string DriveIdOf(std::string_view format_json) {
  auto j = nlohmann::json::parse(format_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    return {};
  }
  auto it = j.find("this");
  if (it != j.end() && it->is_string()) {
    return it->get<std::string>();
  }
  for (auto& [name, value] : j.items()) {
    if (value.is_object()) {
      auto inner = value.find("this");
      if (inner != value.end() && inner->is_string()) {
        return inner->get<std::string>();
      }
    }
  }
  return {};
}

CacheBudget::CacheBudget(std::size_t bytes, int drives)
    : bytes_(bytes),
      point_cache_bytes_(bytes / 8 / static_cast<std::size_t>(std::max(1, drives))) {}

std::shared_ptr<CacheBudget> CacheBudget::Create(std::size_t bytes, int drives) {
  return std::make_shared<RocksCacheBudget>(bytes, drives);
}

LocalDrive::LocalDrive(PrivateTag, std::string path, const LocalDriveOptions& options)
    : path_(StripTrailingSlash(std::move(path))),
      options_(options),
      sys_dir_(path_ + "/.cairn.sys"),
      tmp_dir_(sys_dir_ + "/tmp"),
      data_root_(path_ + "/data"),
      pool_(std::make_unique<boost::asio::thread_pool>(
          static_cast<std::size_t>(std::max(1, options.worker_threads)))) {}

LocalDrive::~LocalDrive() {
  pool_->join();
  store_.reset();
}

Result<std::unique_ptr<LocalDrive>> LocalDrive::Open(std::string path,
                                                     const LocalDriveOptions& options) {
  auto drive = std::make_unique<LocalDrive>(PrivateTag{}, std::move(path), options);
  RETURN_IF_ERROR(drive->DoOpen());
  return drive;
}

Status LocalDrive::DoOpen() {
  RETURN_IF_ERROR(EnsureDirs(path_));
  RETURN_IF_ERROR(EnsureDir(sys_dir_));
  RETURN_IF_ERROR(EnsureDir(data_root_));
  // Uncommitted shards of a previous run are garbage.
  RETURN_IF_ERROR(EnsureDir(tmp_dir_));
  RETURN_IF_ERROR(RemoveContents(tmp_dir_));
  NamespaceOptions ns;
  ns.sync_writes = options_.sync_writes;
  // The server's shared budget, or one of this drive's own (held by the store's options).
  const std::shared_ptr<CacheBudget> cache =
      options_.cache ? options_.cache : CacheBudget::Create(options_.cache_bytes, 1);
  const auto& budget = static_cast<const RocksCacheBudget&>(*cache);
  ns.block_cache = budget.cache;
  ns.write_buffer_manager = budget.write_buffers;
  ns.point_cache_bytes = budget.point_cache_bytes();
  ASSIGN_OR_RETURN(store_, NamespaceStore::Open(sys_dir_ + "/meta", ns));

  auto it = store_->NewIterator(Cf::kBuckets, nullptr);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    volumes_.emplace(ToView(it->key()));
  }
  if (!it->status().ok()) {
    return RocksStatus(it->status());
  }
  auto format = ReadSmallFile(sys_dir_ + "/format.json");
  if (format.ok()) {
    drive_id_ = DriveIdOf(*format);
  }
  return Status::Ok();
}

std::uint64_t LocalDrive::IteratorStepsForTest() const {
  return iterator_steps_.load(std::memory_order_relaxed);
}

Status LocalDrive::CheckVolume(std::string_view volume) const {
  std::shared_lock lock(volumes_mu_);
  if (volumes_.find(volume) == volumes_.end()) {
    return Status(Errc::kVolumeNotFound, std::string(volume));
  }
  return Status::Ok();
}

std::size_t LocalDrive::EntryStripe(std::string_view volume, std::string_view key) const {
  std::size_t h = std::hash<std::string_view>()(key) * 31 + std::hash<std::string_view>()(volume);
  return h % kEntryLockStripes;
}

std::mutex& LocalDrive::EntryLock(std::string_view volume, std::string_view key) {
  return entry_locks_[EntryStripe(volume, key)];
}

std::string LocalDrive::DataDirPath(std::string_view data_dir) const {
  std::string out;
  out.reserve(data_root_.size() + 5 + data_dir.size());
  out.append(data_root_);
  out.push_back('/');
  out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(data_dir[0]))));
  out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(data_dir[1]))));
  out.push_back('/');
  out.append(data_dir);
  return out;
}

std::size_t LocalDrive::max_writer_buffer_bytes() const {
  return LocalShardWriter::kMaxBufferBytes;
}

std::string LocalDrive::TmpPath(std::string_view rel) const {
  std::string out = tmp_dir_;
  out.push_back('/');
  out.append(rel);
  return out;
}

bool LocalDrive::ValidDataDir(std::string_view data_dir) {
  return ValidDataDirName(data_dir);
}

void LocalDrive::RemoveDataDirs(const std::vector<std::string>& data_dirs) {
  for (const auto& dir : data_dirs) {
    if (!ValidDataDir(dir)) {
      continue;
    }
    Status st = RemoveAll(DataDirPath(dir));
    if (!st.ok()) {
      LOG_WARN("{}: removing data dir {}: {}", path_, dir, st.ToString());
    }
  }
}

Status LocalDrive::EnsureFanOut(std::string_view data_dir) {
  auto hex = [](char c) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return c <= '9' ? c - '0' : c - 'a' + 10;
  };
  std::size_t index = static_cast<std::size_t>(hex(data_dir[0]) * 16 + hex(data_dir[1]));
  if (fan_out_made_[index].load(std::memory_order_acquire)) {
    return Status::Ok();
  }
  std::string dir = DataDirPath(data_dir);
  dir.resize(dir.rfind('/'));
  RETURN_IF_ERROR(EnsureDir(dir));
  RETURN_IF_ERROR(SyncDir(data_root_));
  fan_out_made_[index].store(true, std::memory_order_release);
  return Status::Ok();
}

Status LocalDrive::SyncDir(const std::string& dir) const {
  return options_.fsync_files ? FsyncDir(dir) : Status::Ok();
}

Status LocalDrive::CheckSpace() {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  std::int64_t last = space_checked_ns_.load(std::memory_order_relaxed);
  if (now - last >= 250'000'000 &&
      space_checked_ns_.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
    struct statvfs st;
    if (::statvfs(path_.c_str(), &st) == 0) {
      const std::uint64_t total = static_cast<std::uint64_t>(st.f_blocks) * st.f_frsize;
      const std::uint64_t free = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
      const auto reserve = std::max<std::uint64_t>(
          options_.min_free_bytes,
          static_cast<std::uint64_t>(static_cast<double>(total) * options_.min_free_fraction));
      const bool low = free < reserve;
      if (low != space_low_.exchange(low, std::memory_order_relaxed)) {
        LOG_WARN("{}: {} ({} MiB free of {} MiB, reserve {} MiB)", path_,
                 low ? "full: new data is refused until space is freed" : "space freed: writable",
                 free >> 20, total >> 20, reserve >> 20);
      }
    }
  }
  if (space_low_.load(std::memory_order_relaxed)) {
    return Status(Errc::kDiskFull, path_ + ": the drive is full (under its free space reserve)");
  }
  return store_->ResumeIfStopped();
}

Task<Result<DiskInfo>> LocalDrive::GetDiskInfo(const RequestContext&) {
  co_return co_await RunBlocking(*pool_, [this]() -> Result<DiskInfo> {
    struct statvfs st;
    if (::statvfs(path_.c_str(), &st) != 0) {
      return ErrnoStatus(errno, "statvfs", path_);
    }
    DiskInfo info;
    info.total = static_cast<std::uint64_t>(st.f_blocks) * st.f_frsize;
    info.free = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
    info.used = static_cast<std::uint64_t>(st.f_blocks - st.f_bfree) * st.f_frsize;
    info.endpoint = path_;
    info.mount_path = path_;
    std::lock_guard lock(format_mu_);
    info.id = drive_id_;
    return info;
  });
}

Task<Result<std::string>> LocalDrive::ReadFormat(const RequestContext&) {
  co_return co_await RunBlocking(*pool_, [this]() -> Result<std::string> {
    auto data = ReadSmallFile(sys_dir_ + "/format.json");
    if (!data.ok()) {
      if (data.code() == Errc::kFileNotFound) {
        return Status(Errc::kUnformattedDisk, path_);
      }
      return data.status();
    }
    if (!nlohmann::json::accept(*data)) {
      return Status(Errc::kCorruptedFormat, path_ + "/.cairn.sys/format.json is not JSON");
    }
    return data;
  });
}

Task<Status> LocalDrive::WriteFormat(const RequestContext&, std::string_view format_json) {
  co_return co_await RunBlocking(*pool_, [&]() -> Status {
    if (!nlohmann::json::accept(format_json)) {
      return Status(Errc::kInvalidArgument, "format.json is not JSON");
    }
    RETURN_IF_ERROR(WriteFileAtomic(sys_dir_ + "/format.json", format_json));
    std::lock_guard lock(format_mu_);
    drive_id_ = DriveIdOf(format_json);
    return Status::Ok();
  });
}

Task<Status> LocalDrive::MakeVolume(const RequestContext&, std::string_view volume,
                                    std::string_view meta) {
  co_return co_await RunBlocking(*pool_, [&]() -> Status {
    RETURN_IF_ERROR(CheckSpace());
    if (!keys::Valid(volume)) {
      return Status(Errc::kInvalidArgument, "bad volume name");
    }
    std::unique_lock lock(volumes_mu_);
    if (volumes_.find(volume) != volumes_.end()) {
      return Status(Errc::kVolumeExists, std::string(volume));
    }
    VolumeInfo info{std::string(volume), NowNs(), std::string(meta)};
    RETURN_IF_ERROR(store_->Put(Cf::kBuckets, volume, EncodeVolume(info)));
    volumes_.emplace(volume);
    return Status::Ok();
  });
}

Task<Result<VolumeInfo>> LocalDrive::StatVolume(const RequestContext&, std::string_view volume) {
  co_return co_await RunBlocking(*pool_, [&]() -> Result<VolumeInfo> {
    rocksdb::PinnableSlice value;
    ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kBuckets, volume, value));
    if (!found || !keys::Valid(volume)) {
      return Status(Errc::kVolumeNotFound, std::string(volume));
    }
    return DecodeVolume(volume, ToView(value));
  });
}

Task<Result<std::vector<VolumeInfo>>> LocalDrive::ListVolumes(const RequestContext&) {
  co_return co_await RunBlocking(*pool_, [&]() -> Result<std::vector<VolumeInfo>> {
    std::vector<VolumeInfo> out;
    auto it = store_->NewIterator(Cf::kBuckets, nullptr);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ASSIGN_OR_RETURN(auto info, DecodeVolume(ToView(it->key()), ToView(it->value())));
      out.push_back(std::move(info));
    }
    if (!it->status().ok()) {
      return RocksStatus(it->status());
    }
    return out;
  });
}

Task<Status> LocalDrive::UpdateVolumeMeta(const RequestContext&, std::string_view volume,
                                          std::string_view meta) {
  co_return co_await RunBlocking(*pool_, [&]() -> Status {
    std::unique_lock lock(volumes_mu_);
    rocksdb::PinnableSlice value;
    ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kBuckets, volume, value));
    if (!found) {
      return Status(Errc::kVolumeNotFound, std::string(volume));
    }
    ASSIGN_OR_RETURN(VolumeInfo info, DecodeVolume(volume, ToView(value)));
    info.meta.assign(meta);
    return store_->Put(Cf::kBuckets, volume, EncodeVolume(info));
  });
}

Task<Status> LocalDrive::DeleteVolume(const RequestContext&, std::string_view volume, bool force) {
  co_return co_await RunBlocking(*pool_, [&] { return DoDeleteVolume(volume, force); });
}

Task<Result<std::unique_ptr<ShardWriter>>> LocalDrive::CreateFile(const RequestContext&,
                                                                  std::string_view tmp_path) {
  co_return co_await RunBlocking(*pool_, [&]() -> Result<std::unique_ptr<ShardWriter>> {
    if (!ValidRelativePath(tmp_path, /*single=*/false)) {
      return Status(Errc::kInvalidArgument, "bad tmp path");
    }
    RETURN_IF_ERROR(CheckSpace());
    std::string path = TmpPath(tmp_path);
    auto slash = tmp_path.rfind('/');
    if (slash != std::string_view::npos) {
      RETURN_IF_ERROR(EnsureDirs(TmpPath(tmp_path.substr(0, slash))));
    }
    bool direct = options_.direct_io && !direct_unsupported_.load(std::memory_order_relaxed);
    int fd = ::open(path.c_str(),
                    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (direct ? O_DIRECT : 0), 0644);
    if (fd < 0 && direct && errno == EINVAL) {
      // The file system refuses O_DIRECT (tmpfs): buffered writes from now on.
      direct_unsupported_.store(true, std::memory_order_relaxed);
      direct = false;
      fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    }
    if (fd < 0) {
      return ErrnoStatus(errno, "create", path);
    }
    return std::unique_ptr<ShardWriter>(std::make_unique<LocalShardWriter>(
        *pool_, fd, std::move(path), options_.fsync_files, direct));
  });
}

Task<Result<std::unique_ptr<ShardReader>>> LocalDrive::OpenShard(const RequestContext&,
                                                                 std::string_view data_dir,
                                                                 int part_number) {
  if (!ValidDataDir(data_dir) || part_number < 1) {
    co_return Status(Errc::kInvalidArgument, "bad data dir or part number");
  }
  // docs/format.md: data/<xx>/<data_dir> is the shard file itself when it holds part 1 of a
  // single-part object (one inode, no folder), and a folder of part.N files otherwise.
  // `open` gives an fd or -1; nullopt when a cached open could not answer (the worker will).
  auto open_shard = [&](auto&& open,
                        bool cached) -> std::optional<Result<std::unique_ptr<ShardReader>>> {
    std::string path = DataDirPath(data_dir);
    for (bool in_folder : {false, true}) {
      int fd = open(path);
      if (fd < 0) {
        if (cached) {
          return std::nullopt;
        }
        return ErrnoStatus(errno, "open", path);
      }
      struct stat st;
      if (::fstat(fd, &st) != 0) {
        Status err = ErrnoStatus(errno, "stat", path);
        ::close(fd);
        return err;
      }
      if (S_ISDIR(st.st_mode) && !in_folder) {
        ::close(fd);
        path.append("/part.").append(std::to_string(part_number));
        continue;
      }
      if (!S_ISREG(st.st_mode) || (!in_folder && part_number != 1)) {
        ::close(fd);
        return Status(Errc::kFileNotFound, path + " holds no part " + std::to_string(part_number));
      }
      return std::unique_ptr<ShardReader>(std::make_unique<LocalShardReader>(
          *pool_, fd, std::move(path), static_cast<std::uint64_t>(st.st_size),
          options_.cached_reads_inline));
    }
    return Status(Errc::kFileNotFound, path);
  };
  if (options_.cached_reads_inline) {
    // A path the dentry cache resolves opens here; any other answer (a lookup that needs
    // the disk, a missing file) is the worker's to give.
    auto shard = open_shard(OpenCachedReadOnly, /*cached=*/true);
    if (shard) {
      co_return std::move(*shard);
    }
  }
  co_return co_await RunBlocking(*pool_, [&]() -> Result<std::unique_ptr<ShardReader>> {
    auto open = [](const std::string& p) { return ::open(p.c_str(), O_RDONLY | O_CLOEXEC); };
    return std::move(*open_shard(open, /*cached=*/false));
  });
}

Task<Status> LocalDrive::DeleteTmp(const RequestContext&, std::string_view tmp_dir) {
  co_return co_await RunBlocking(*pool_, [&]() -> Status {
    if (!ValidRelativePath(tmp_dir, /*single=*/false)) {
      return Status(Errc::kInvalidArgument, "bad tmp dir");
    }
    return RemoveAll(TmpPath(tmp_dir));
  });
}

}  // namespace cairn::storage
