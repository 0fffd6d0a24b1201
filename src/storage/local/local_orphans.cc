// LocalDrive::RemoveOrphanData: the scanner's cleanup of data folders that no metadata
// references (a crash or a failed commit between a large PUT's rename and its metadata
// commit, an overwrite or heal that could not remove the old folder) and of stale tmp/
// entries. Memory stays bounded on large drives: a pass collects the referenced data dirs of
// a range of fan-outs only (as 16-byte ids), halving the range whenever it holds more than
// LocalDriveOptions::orphan_ids_per_pass, then walks data/<xx> of that range.
#include <errno.h>
#include <stdio.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/thread_pool.hpp>
#include <sys/stat.h>

#include "common/log.h"
#include "common/run_blocking.h"
#include "common/text.h"
#include "meta/encoding.h"
#include "storage/local/fs_util.h"
#include "storage/local/local_drive.h"
#include "storage/local/namespace_store.h"
#include "storage/local/value_codec.h"

namespace cairn::storage {
namespace {

using DirId = std::array<std::uint8_t, 16>;

// The fan-out index (data/<xx>) of a data dir name; -1 when it has none.
int FanOutOf(std::string_view name) {
  if (name.size() < 2) {
    return -1;
  }
  const int hi = HexDigitValue(name[0]);
  const int lo = HexDigitValue(name[1]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

// A canonical UUID (lowercase, 8-4-4-4-12) as its 16 bytes; byte 0 is the fan-out index.
bool ParseUuid(std::string_view s, DirId& out) {
  if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') {
    return false;
  }
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); i += (s[i] == '-' ? 1 : 2)) {
    if (s[i] == '-') {
      continue;
    }
    const int hi = HexDigitValue(s[i]);
    const int lo = HexDigitValue(s[i + 1]);
    if (hi < 0 || lo < 0 || (s[i] >= 'A' && s[i] <= 'F') || (s[i + 1] >= 'A' && s[i + 1] <= 'F') ||
        n == out.size()) {
      return false;
    }
    out[n++] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return n == out.size();
}

// The data dirs that the metadata references, for fan-outs [lo, hi). Names that are not
// canonical UUIDs (rare: written by another tool) are kept as strings.
class ReferencedDirs {
 public:
  ReferencedDirs(int lo, std::size_t max_ids)
      : lo_(lo), max_ids_(std::max<std::size_t>(1, max_ids)) {}

  int hi() const { return hi_; }

  void Add(std::string_view data_dir) {
    const int fan_out = FanOutOf(data_dir);
    if (fan_out < lo_ || fan_out >= hi_) {
      return;
    }
    DirId id;
    if (ParseUuid(data_dir, id)) {
      ids_.push_back(id);
    } else {
      names_.emplace_back(data_dir);
    }
    // A single fan-out over the budget cannot shrink further: it is kept whole.
    if (ids_.size() + names_.size() > max_ids_ && hi_ - lo_ > 1) {
      Shrink();
    }
  }

  void Seal() {
    std::sort(ids_.begin(), ids_.end());
    ids_.erase(std::unique(ids_.begin(), ids_.end()), ids_.end());
    std::sort(names_.begin(), names_.end());
  }

  bool Contains(std::string_view name) const {
    DirId id;
    if (ParseUuid(name, id)) {
      return std::binary_search(ids_.begin(), ids_.end(), id);
    }
    return std::binary_search(names_.begin(), names_.end(), name);
  }

 private:
  // Halves the range (down to one fan-out) until the ids fit; duplicates go first.
  void Shrink() {
    Seal();
    while (ids_.size() + names_.size() > max_ids_ && hi_ - lo_ > 1) {
      hi_ = lo_ + (hi_ - lo_) / 2;
      std::erase_if(ids_, [&](const DirId& id) { return id[0] >= hi_; });
      std::erase_if(names_, [&](const std::string& n) { return FanOutOf(n) >= hi_; });
    }
  }

  const int lo_;
  int hi_ = kDataFanOuts;
  const std::size_t max_ids_;
  std::vector<DirId> ids_;
  std::vector<std::string> names_;
};

std::int64_t TimeNs(const struct timespec& t) {
  return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

std::int64_t NewestTime(const struct stat& st) {
  return std::max(TimeNs(st.st_mtim), TimeNs(st.st_ctim));
}

// An entry of tmp/ or data/<xx>: its identity, the newest mtime/ctime of it and everything
// in it, and the bytes of its regular files.
struct EntryAge {
  dev_t dev = 0;
  ino_t ino = 0;
  std::int64_t newest_ns = 0;
  std::uint64_t bytes = 0;
};

// Nullopt when the entry is gone.
std::optional<EntryAge> StatEntry(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    return std::nullopt;
  }
  EntryAge age{st.st_dev, st.st_ino, NewestTime(st), 0};
  if (S_ISREG(st.st_mode)) {
    age.bytes = static_cast<std::uint64_t>(st.st_size);
  }
  if (!S_ISDIR(st.st_mode)) {
    return age;
  }
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    struct stat inner;
    if (::lstat(it->path().c_str(), &inner) != 0) {
      continue;
    }
    age.newest_ns = std::max(age.newest_ns, NewestTime(inner));
    if (S_ISREG(inner.st_mode)) {
      age.bytes += static_cast<std::uint64_t>(inner.st_size);
    }
  }
  return age;
}

std::int64_t WallNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Every data dir of the multipart uploads in progress, then of every version of every
// object. Uploads first: completing one moves its data dir from the upload record to the
// object's entry in one batch, so this order sees it on one side or the other. `complete`
// turns false when an entry cannot be decoded (its data dirs are unknown).
Status CollectReferences(NamespaceStore& store, ReferencedDirs& refs, bool& complete,
                         std::string_view drive) {
  const std::string upload_end = "v";
  const rocksdb::Slice upload_bound = ToSlice(upload_end);
  auto it = store.NewIterator(Cf::kMultipart, &upload_bound);
  for (it->Seek("u"); it->Valid(); it->Next()) {
    auto upload = DecodeUpload("", ToView(it->value()));
    if (!upload.ok()) {
      complete = false;
      continue;
    }
    refs.Add(upload->fi.data_dir);
  }
  if (!it->status().ok()) {
    return RocksStatus(it->status());
  }
  it = store.NewIterator(Cf::kObjects, nullptr);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto versions = meta::DecodeVersions(ToView(it->value()), /*with_inline_data=*/false);
    if (!versions.ok()) {
      complete = false;
      continue;
    }
    for (const auto& v : *versions) {
      if (!v.data_dir.empty()) {
        refs.Add(v.data_dir);
      }
    }
  }
  if (!it->status().ok()) {
    return RocksStatus(it->status());
  }
  // Noncurrent versions, one record each ('v' keys; 'n' keys are null-version pointers).
  const std::string records_end = "w";
  const rocksdb::Slice records_bound = ToSlice(records_end);
  it = store.NewIterator(Cf::kVersions, &records_bound);
  for (it->Seek("v"); it->Valid(); it->Next()) {
    auto v = meta::DecodeLatest(ToView(it->value()), /*with_inline_data=*/false);
    if (!v.ok()) {
      complete = false;
      continue;
    }
    if (!v->data_dir.empty()) {
      refs.Add(v->data_dir);
    }
  }
  if (!it->status().ok()) {
    return RocksStatus(it->status());
  }
  if (!complete) {
    LOG_WARN("{}: orphan cleanup: corrupt metadata entries; no data dir removed this pass", drive);
  }
  return Status::Ok();
}

// Removes `path` when it is still the entry `age` describes: it is first renamed to `trash`
// (under tmp/, same file system), so a data dir that a heal put back in its place meanwhile
// is moved back, never removed.
bool RemoveIfSame(const std::string& path, const std::string& trash, const EntryAge& age) {
  if (::rename(path.c_str(), trash.c_str()) != 0) {
    return false;
  }
  struct stat st;
  if (::lstat(trash.c_str(), &st) != 0 || st.st_dev != age.dev || st.st_ino != age.ino) {
    if (::rename(trash.c_str(), path.c_str()) != 0) {
      LOG_WARN("orphan cleanup: cannot move {} back: errno {}", trash, errno);
    }
    return false;
  }
  Status removed = RemoveAll(trash);
  if (!removed.ok()) {
    LOG_WARN("orphan cleanup: {}", removed.ToString());
    return false;
  }
  return true;
}

// Removes the entries of tmp/ not touched since `cutoff_ns`.
void RemoveStaleTmp(const std::string& tmp_dir, std::int64_t cutoff_ns, OrphanStats& stats) {
  std::error_code ec;
  std::vector<std::string> names;
  for (auto it = std::filesystem::directory_iterator(tmp_dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  for (const auto& name : names) {
    const std::string path = tmp_dir + "/" + name;
    auto age = StatEntry(path);
    if (!age || age->newest_ns > cutoff_ns) {
      continue;
    }
    Status st = RemoveAll(path);
    if (!st.ok()) {
      LOG_WARN("orphan cleanup: {}", st.ToString());
      continue;
    }
    ++stats.tmp_entries;
    stats.tmp_bytes += age->bytes;
  }
}

// Removes the folders of data/<fan_out> that `refs` does not hold, that were not touched
// since `cutoff_ns` and that `held` does not claim.
template <class Held>
void RemoveUnreferencedDirs(const std::string& data_root, const std::string& tmp_dir, int fan_out,
                            const ReferencedDirs& refs, std::int64_t cutoff_ns, Held held,
                            OrphanStats& stats) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string dir = data_root + "/" + kHex[fan_out / 16] + kHex[fan_out % 16];
  std::error_code ec;
  std::vector<std::string> names;
  for (auto it = std::filesystem::directory_iterator(dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!refs.Contains(name)) {
      names.push_back(std::move(name));
    }
  }
  for (const auto& name : names) {
    const std::string path = dir + "/" + name;
    auto age = StatEntry(path);
    if (!age || age->newest_ns > cutoff_ns || held(name)) {
      continue;
    }
    if (RemoveIfSame(path, tmp_dir + "/.orphan-" + name, *age)) {
      ++stats.data_dirs;
      stats.data_bytes += age->bytes;
    }
  }
}

}  // namespace

Task<Result<OrphanStats>> LocalDrive::RemoveOrphanData(const RequestContext& ctx,
                                                       const OrphanCleanupOptions& opts) {
  co_return co_await RunBlocking(*pool_, [&] { return DoRemoveOrphans(ctx, opts); });
}

Result<OrphanStats> LocalDrive::DoRemoveOrphans(const RequestContext& ctx,
                                                const OrphanCleanupOptions& opts) {
  if (opts.first_fan_out < 0 || opts.first_fan_out >= kDataFanOuts || opts.min_age.count() < 0) {
    return Status(Errc::kInvalidArgument, "bad orphan cleanup options");
  }
  const auto start = std::chrono::steady_clock::now();
  const std::int64_t cutoff_ns =
      WallNowNs() - std::chrono::duration_cast<std::chrono::nanoseconds>(opts.min_age).count();
  OrphanStats stats;
  if (opts.first_fan_out == 0) {
    RemoveStaleTmp(tmp_dir_, cutoff_ns, stats);
  }
  int next = opts.first_fan_out;
  Status st = Status::Ok();
  const auto over_budget = [&] {
    return opts.time_budget.count() > 0 &&
           std::chrono::steady_clock::now() - start >= opts.time_budget;
  };
  bool stop = false;
  while (next < kDataFanOuts && !ctx.IsCancelled() && !stop) {
    ReferencedDirs refs(next, options_.orphan_ids_per_pass);
    bool complete = true;
    orphan_passes_.fetch_add(1, std::memory_order_relaxed);
    // A folder a commit replaces after this point is in `refs` (it was referenced) or held.
    const auto pass_start = std::chrono::steady_clock::now();
    st = CollectReferences(*store_, refs, complete, path_);
    if (!st.ok()) {
      break;
    }
    refs.Seal();
    const auto held = [&](const std::string& name) { return ReplacedHeld(name, pass_start); };
    // The budget is checked after every fan-out: a step covers at least one.
    for (const int hi = refs.hi(); next < hi && !ctx.IsCancelled() && !stop; ++next) {
      if (complete) {
        RemoveUnreferencedDirs(data_root_, tmp_dir_, next, refs, cutoff_ns, held, stats);
      }
      stop = over_budget();
    }
  }
  stats.next_fan_out = next;
  if (stats.data_dirs + stats.tmp_entries > 0) {
    LOG_INFO("{}: removed {} orphan data dirs ({} bytes) and {} stale tmp entries ({} bytes)",
             path_, stats.data_dirs, stats.data_bytes, stats.tmp_entries, stats.tmp_bytes);
  }
  if (!st.ok()) {
    return st;
  }
  return stats;
}

}  // namespace cairn::storage
