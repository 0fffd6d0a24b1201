// LocalDrive::ListObjects: one seek and a scan in key order. With a delimiter, each common
// prefix is emitted once and skipped with one seek past it, so the cost grows with the
// page, not with the bucket.
#include <algorithm>

#include <boost/asio/thread_pool.hpp>

#include "common/log.h"
#include "common/run_blocking.h"
#include "meta/encoding.h"
#include "storage/local/local_drive.h"
#include "storage/local/namespace_store.h"

namespace cairn::storage {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// The common prefix of `name` under `prefix` and `delimiter` (ends with the delimiter), or
// an empty view when `name` does not fold into one.
std::string_view CommonPrefix(std::string_view name, std::string_view prefix,
                              std::string_view delimiter) {
  if (delimiter.empty() || !StartsWith(name, prefix)) {
    return {};
  }
  auto pos = name.find(delimiter, prefix.size());
  if (pos == std::string_view::npos) {
    return {};
  }
  return name.substr(0, pos + delimiter.size());
}

}  // namespace

Result<std::vector<ListEntry>> LocalDrive::DoListObjects(std::string_view volume,
                                                         const ListOptions& opts) {
  if (!keys::Valid(volume)) {
    return Status(Errc::kVolumeNotFound, std::string(volume));
  }
  RETURN_IF_ERROR(CheckVolume(volume));
  std::vector<ListEntry> out;
  if (opts.limit == 0) {
    return out;
  }
  out.reserve(std::min<std::size_t>(opts.limit, 4096));
  const std::string base = keys::Object(volume, "");
  const std::string lower = base + opts.prefix;
  // Never empty: `base` ends with NUL, which has a successor.
  const std::string upper = keys::PrefixSuccessor(lower);
  const rocksdb::Slice upper_slice = ToSlice(upper);
  auto it = store_->NewIterator(Cf::kObjects, &upper_slice);
  std::uint64_t steps = 0;

  std::string seek = lower;
  bool skip_equal = false;
  if (!opts.start_after.empty()) {
    std::string after = base + opts.start_after;
    if (after >= seek) {
      seek = std::move(after);
      skip_equal = true;
    }
    // A start_after inside a common prefix (or equal to one returned earlier): that prefix
    // sorts before start_after, so it was already returned; skip all of it.
    std::string_view cp = CommonPrefix(opts.start_after, opts.prefix, opts.delimiter);
    if (!cp.empty()) {
      std::string past = keys::PrefixSuccessor(base + std::string(cp));
      if (past > seek) {
        seek = std::move(past);
        skip_equal = false;
      }
    }
  }
  it->Seek(ToSlice(seek));
  ++steps;
  if (skip_equal && it->Valid() && ToView(it->key()) == seek) {
    it->Next();
    ++steps;
  }

  while (it->Valid() && out.size() < opts.limit) {
    std::string_view name = ToView(it->key()).substr(base.size());
    std::string_view cp = CommonPrefix(name, opts.prefix, opts.delimiter);
    if (!cp.empty()) {
      std::string cp_key = base + std::string(cp);
      bool visible = opts.include_deleted;
      // Without delete markers, a prefix counts only if something live is under it; the
      // first entry almost always is.
      while (!visible && it->Valid() && StartsWith(ToView(it->key()), cp_key)) {
        auto latest = meta::DecodeLatest(ToView(it->value()), false);
        visible = latest.ok() && !latest->deleted;
        if (!visible) {
          it->Next();
          ++steps;
        }
      }
      if (visible) {
        out.push_back(ListEntry{std::string(cp), true, {}});
      }
      it->Seek(ToSlice(keys::PrefixSuccessor(cp_key)));
      ++steps;
      continue;
    }
    auto latest = meta::DecodeLatest(ToView(it->value()), false);
    if (!latest.ok()) {
      // Other drives hold this entry; the scanner heals this one.
      LOG_WARN("{}: listing skips corrupt entry {}/{}: {}", path_, volume, name,
               latest.status().ToString());
    } else if (!latest->deleted || opts.include_deleted) {
      latest->volume.assign(volume);
      latest->name.assign(name);
      out.push_back(ListEntry{std::string(name), false, std::move(latest).value()});
    }
    it->Next();
    ++steps;
  }
  iterator_steps_.fetch_add(steps, std::memory_order_relaxed);
  if (!it->status().ok()) {
    return RocksStatus(it->status());
  }
  return out;
}

Task<Result<std::vector<ListEntry>>> LocalDrive::ListObjects(const RequestContext&,
                                                             std::string_view volume,
                                                             const ListOptions& opts) {
  co_return co_await RunBlocking(*pool_, [&] { return DoListObjects(volume, opts); });
}

}  // namespace cairn::storage
