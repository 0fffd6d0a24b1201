#include "storage/local/namespace_store.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

namespace cairn::storage {
namespace {

constexpr const char* kCfNames[] = {"buckets", "objects", "multipart", "system", "versions"};

rocksdb::ColumnFamilyOptions CfOptions(const std::shared_ptr<rocksdb::Cache>& cache,
                                       std::size_t write_buffer) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Point lookups of absent keys (a PUT of a new object) skip the data blocks.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.block_size = 16 << 10;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.write_buffer_size = write_buffer;
  return cf;
}

}  // namespace

Status RocksStatus(const rocksdb::Status& s) {
  std::string msg = "rocksdb: " + s.ToString();
  if (s.IsNotFound()) {
    return Status(Errc::kFileNotFound, std::move(msg));
  }
  if (s.IsCorruption()) {
    return Status(Errc::kFileCorrupt, std::move(msg));
  }
  if (s.IsNoSpace()) {
    return Status(Errc::kDiskFull, std::move(msg));
  }
  if (s.IsIOError()) {
    return Status(Errc::kFaultyDisk, std::move(msg));
  }
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) {
    return Status(Errc::kTimeout, std::move(msg));
  }
  return Status(Errc::kInternal, std::move(msg));
}

Result<std::unique_ptr<NamespaceStore>> NamespaceStore::Open(const std::string& dir,
                                                             const NamespaceOptions& options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 3;
  db_options.max_log_file_size = 8 << 20;
  db_options.max_manifest_file_size = 64 << 20;
  db_options.enable_pipelined_write = true;
  // The WAL holds every acknowledged write; flushing memtables at close or after recovery
  // only slows restarts down.
  db_options.avoid_flush_during_shutdown = true;
  db_options.avoid_flush_during_recovery = true;
  db_options.write_buffer_manager = options.write_buffer_manager;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName,
                           CfOptions(options.block_cache, 1 << 20));
  for (int i = 0; i < kCfCount; ++i) {
    std::size_t buffer = i == static_cast<int>(Cf::kObjects)    ? (64 << 20)
                         : i == static_cast<int>(Cf::kVersions) ? (16 << 20)
                                                                : (4 << 20);
    descriptors.emplace_back(kCfNames[i], CfOptions(options.block_cache, buffer));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw);
  if (!s.ok()) {
    return RocksStatus(s);
  }
  auto store = std::make_unique<NamespaceStore>();
  store->db_.reset(raw);
  // handles[0] is the default family, unused: keep only ours, in Cf order.
  store->db_->DestroyColumnFamilyHandle(handles[0]);
  store->handles_.assign(handles.begin() + 1, handles.end());
  store->write_options_.sync = options.sync_writes;
  store->cache_ = std::make_unique<internal::PointCache>(options.point_cache_bytes);
  return store;
}

NamespaceStore::~NamespaceStore() {
  if (!db_) {
    return;
  }
  for (auto* h : handles_) {
    db_->DestroyColumnFamilyHandle(h);
  }
  rocksdb::Status s = db_->Close();
  (void)s;
}

namespace {

void ReleaseValue(void* arg1, void*) {
  delete static_cast<internal::PointCache::Value*>(arg1);
}

// The objects family's keys named by a batch (all of them: DeleteRange empties the cache).
class BatchKeys final : public rocksdb::WriteBatch::Handler {
 public:
  BatchKeys(std::uint32_t cf, internal::PointCache& cache) : cf_(cf), cache_(cache) {}

  rocksdb::Status PutCF(std::uint32_t cf, const rocksdb::Slice& key,
                        const rocksdb::Slice&) override {
    return Touch(cf, key);
  }

  rocksdb::Status DeleteCF(std::uint32_t cf, const rocksdb::Slice& key) override {
    return Touch(cf, key);
  }

  rocksdb::Status SingleDeleteCF(std::uint32_t cf, const rocksdb::Slice& key) override {
    return Touch(cf, key);
  }

  rocksdb::Status MergeCF(std::uint32_t cf, const rocksdb::Slice& key,
                          const rocksdb::Slice&) override {
    return Touch(cf, key);
  }

  rocksdb::Status DeleteRangeCF(std::uint32_t cf, const rocksdb::Slice&,
                                const rocksdb::Slice&) override {
    if (cf == cf_) {
      cache_.InvalidateAll();
    }
    return rocksdb::Status::OK();
  }

 private:
  rocksdb::Status Touch(std::uint32_t cf, const rocksdb::Slice& key) {
    if (cf == cf_) {
      cache_.Invalidate(ToView(key));
    }
    return rocksdb::Status::OK();
  }

  const std::uint32_t cf_;
  internal::PointCache& cache_;
};

}  // namespace

bool NamespaceStore::FromCache(Cf cf, std::string_view key, rocksdb::PinnableSlice& value) {
  if (cf != Cf::kObjects || !cache_->enabled()) {
    return false;
  }
  internal::PointCache::Value hit = cache_->Find(key);
  if (!hit) {
    return false;
  }
  auto* holder = new internal::PointCache::Value(std::move(hit));
  value.PinSlice(ToSlice(**holder), &ReleaseValue, holder, nullptr);
  return true;
}

std::uint64_t NamespaceStore::CacheGeneration(Cf cf, std::string_view key) {
  return cf == Cf::kObjects ? cache_->Generation(key) : 0;
}

void NamespaceStore::ToCache(Cf cf, std::string_view key, const rocksdb::PinnableSlice& value,
                             std::uint64_t generation) {
  if (cf == Cf::kObjects) {
    cache_->Insert(key, ToView(value), generation);
  }
}

void NamespaceStore::Invalidate(Cf cf, std::string_view key) {
  if (cf == Cf::kObjects) {
    cache_->Invalidate(key);
  }
}

void NamespaceStore::Invalidate(rocksdb::WriteBatch& batch) {
  if (!cache_->enabled()) {
    return;
  }
  BatchKeys keys(handle(Cf::kObjects)->GetID(), *cache_);
  rocksdb::Status s = batch.Iterate(&keys);
  if (!s.ok()) {
    cache_->InvalidateAll();
  }
}

Result<bool> NamespaceStore::Get(Cf cf, std::string_view key, rocksdb::PinnableSlice& value) {
  if (FromCache(cf, key, value)) {
    return true;
  }
  const std::uint64_t generation = CacheGeneration(cf, key);
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handle(cf), ToSlice(key), &value);
  if (s.IsNotFound()) {
    return false;
  }
  if (!s.ok()) {
    return RocksStatus(s);
  }
  ToCache(cf, key, value, generation);
  return true;
}

Result<NamespaceStore::Lookup> NamespaceStore::GetCached(Cf cf, std::string_view key,
                                                         rocksdb::PinnableSlice& value) {
  if (FromCache(cf, key, value)) {
    return Lookup::kFound;
  }
  const std::uint64_t generation = CacheGeneration(cf, key);
  rocksdb::ReadOptions ro;
  ro.read_tier = rocksdb::kBlockCacheTier;
  rocksdb::Status s = db_->Get(ro, handle(cf), ToSlice(key), &value);
  if (s.ok()) {
    ToCache(cf, key, value, generation);
    return Lookup::kFound;
  }
  if (s.IsNotFound()) {
    return Lookup::kAbsent;
  }
  if (s.IsIncomplete()) {
    return Lookup::kNeedsIo;
  }
  return RocksStatus(s);
}

Status NamespaceStore::ResumeIfStopped() {
  if (!stopped_.load(std::memory_order_acquire)) {
    return Status::Ok();
  }
  // Resume clears RocksDB's background error once the cause is gone (space freed); it is a
  // no-op when there is none, and safe to call from several threads.
  rocksdb::Status s = db_->Resume();
  if (!s.ok()) {
    Status st = RocksStatus(s);
    return st.code() == Errc::kFaultyDisk ? st : Status(Errc::kDiskFull, st.message());
  }
  stopped_.store(false, std::memory_order_release);
  return Status::Ok();
}

Status NamespaceStore::Finish(const rocksdb::Status& s) {
  if (s.ok()) {
    return Status::Ok();
  }
  stopped_.store(true, std::memory_order_release);
  return RocksStatus(s);
}

Status NamespaceStore::Put(Cf cf, std::string_view key, std::string_view value, bool force_sync) {
  RETURN_IF_ERROR(ResumeIfStopped());
  rocksdb::WriteOptions wo = write_options_;
  wo.sync = wo.sync || force_sync;
  rocksdb::Status s = db_->Put(wo, handle(cf), ToSlice(key), ToSlice(value));
  Invalidate(cf, key);
  return Finish(s);
}

Status NamespaceStore::Delete(Cf cf, std::string_view key, bool force_sync) {
  RETURN_IF_ERROR(ResumeIfStopped());
  rocksdb::WriteOptions wo = write_options_;
  wo.sync = wo.sync || force_sync;
  rocksdb::Status s = db_->Delete(wo, handle(cf), ToSlice(key));
  Invalidate(cf, key);
  return Finish(s);
}

Status NamespaceStore::Write(rocksdb::WriteBatch& batch) {
  RETURN_IF_ERROR(ResumeIfStopped());
  rocksdb::Status s = db_->Write(write_options_, &batch);
  Invalidate(batch);
  return Finish(s);
}

std::unique_ptr<rocksdb::Iterator> NamespaceStore::NewIterator(Cf cf,
                                                               const rocksdb::Slice* upper_bound) {
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = upper_bound;
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(ro, handle(cf)));
}

namespace keys {

std::string Object(std::string_view volume, std::string_view key) {
  std::string out;
  out.reserve(volume.size() + 1 + key.size());
  out.append(volume);
  out.push_back('\0');
  out.append(key);
  return out;
}

std::string Upload(std::string_view volume, std::string_view key, std::string_view upload_id) {
  std::string out;
  out.reserve(volume.size() + key.size() + upload_id.size() + 3);
  out.push_back('u');
  out.append(volume);
  out.push_back('\0');
  out.append(key);
  out.push_back('\0');
  out.append(upload_id);
  return out;
}

std::string UploadVolumePrefix(std::string_view volume) {
  std::string out = "u";
  out.append(volume);
  out.push_back('\0');
  return out;
}

std::string PartPrefix(std::string_view volume, std::string_view key, std::string_view upload_id) {
  std::string out = Upload(volume, key, upload_id);
  out[0] = 'p';
  out.push_back('\0');
  return out;
}

std::string Part(std::string_view part_prefix, std::int32_t number) {
  std::string out(part_prefix);
  auto n = static_cast<std::uint32_t>(number);
  out.push_back(static_cast<char>(n >> 24));
  out.push_back(static_cast<char>(n >> 16));
  out.push_back(static_cast<char>(n >> 8));
  out.push_back(static_cast<char>(n));
  return out;
}

std::string PartVolumePrefix(std::string_view volume) {
  std::string out = "p";
  out.append(volume);
  out.push_back('\0');
  return out;
}

namespace {

void AppendBigEndian64(std::string& out, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
}

}  // namespace

std::string VersionPrefix(std::string_view volume, std::string_view key) {
  std::string out;
  out.reserve(volume.size() + key.size() + 3 + 8 + 36);
  out.push_back('v');
  out.append(volume);
  out.push_back('\0');
  out.append(key);
  out.push_back('\0');
  return out;
}

std::string Version(std::string_view volume, std::string_view key, std::int64_t mod_time_ns,
                    std::string_view version_id) {
  std::string out = VersionPrefix(volume, key);
  out.append(VersionSuffix(mod_time_ns, version_id));
  return out;
}

std::string VersionSuffix(std::int64_t mod_time_ns, std::string_view version_id) {
  std::string out;
  AppendBigEndian64(out, ~static_cast<std::uint64_t>(mod_time_ns));
  out.append(version_id.empty() ? std::string_view("null") : version_id);
  return out;
}

std::string VersionVolumePrefix(std::string_view volume) {
  std::string out = "v";
  out.append(volume);
  out.push_back('\0');
  return out;
}

std::string NullVersion(std::string_view volume, std::string_view key) {
  std::string out = "n";
  out.append(volume);
  out.push_back('\0');
  out.append(key);
  return out;
}

std::string NullVolumePrefix(std::string_view volume) {
  std::string out = "n";
  out.append(volume);
  out.push_back('\0');
  return out;
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    auto c = static_cast<unsigned char>(out.back());
    if (c != 0xFF) {
      out.back() = static_cast<char>(c + 1);
      return out;
    }
    out.pop_back();
  }
  return out;
}

}  // namespace keys
}  // namespace cairn::storage
