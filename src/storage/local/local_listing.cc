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

  const bool include_deleted = opts.include_deleted || opts.versions;
  std::string seek = lower;
  bool skip_equal = false;
  // Versions: the listing resumes inside start_after's versions, after version_marker.
  std::string_view resume_key;
  if (!opts.start_after.empty()) {
    std::string after = base + opts.start_after;
    if (after >= seek) {
      seek = std::move(after);
      skip_equal = !(opts.versions && !opts.version_marker.empty());
      if (!skip_equal) {
        resume_key = opts.start_after;
      }
    }
    // A start_after inside a common prefix (or equal to one returned earlier): that prefix
    // sorts before start_after, so it was already returned; skip all of it.
    std::string_view cp = CommonPrefix(opts.start_after, opts.prefix, opts.delimiter);
    if (!cp.empty()) {
      std::string past = keys::PrefixSuccessor(base + std::string(cp));
      if (past > seek) {
        seek = std::move(past);
        skip_equal = false;
        resume_key = {};
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
      bool visible = include_deleted;
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
    if (opts.versions) {
      RETURN_IF_ERROR(AppendVersions(volume, name, ToView(it->value()),
                                     name == resume_key ? opts.version_marker : std::string_view(),
                                     opts.limit, out));
      it->Next();
      ++steps;
      continue;
    }
    auto latest = meta::DecodeLatest(ToView(it->value()), false);
    if (!latest.ok()) {
      // Other drives hold this entry; the scanner heals this one.
      LOG_WARN("{}: listing skips corrupt entry {}/{}: {}", path_, volume, name,
               latest.status().ToString());
    } else if (!latest->deleted || include_deleted) {
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

Status LocalDrive::AppendVersions(std::string_view volume, std::string_view name,
                                  std::string_view entry, std::string_view after_version,
                                  std::size_t limit, std::vector<ListEntry>& out) {
  auto head = meta::DecodeVersions(entry, false);
  if (!head.ok() || head->empty()) {
    LOG_WARN("{}: listing skips corrupt entry {}/{}", path_, volume, name);
    return Status::Ok();
  }
  const std::uint32_t total = head->front().num_versions;
  auto emit = [&](meta::FileInfo fi, bool latest) {
    fi.volume.assign(volume);
    fi.name.assign(name);
    fi.is_latest = latest;
    fi.num_versions = total;
    out.push_back(ListEntry{std::string(name), false, std::move(fi)});
  };
  bool past = after_version.empty();
  for (std::size_t i = 0; i < head->size() && out.size() < limit; ++i) {
    if (!past) {
      past = meta::SameVersionId((*head)[i].version_id, after_version);
      continue;
    }
    emit(std::move((*head)[i]), i == 0);
  }
  if (total <= head->size() || out.size() >= limit) {
    return Status::Ok();
  }
  // The noncurrent versions' records, newest first; a marker among them is sought directly.
  const std::string prefix = keys::VersionPrefix(volume, name);
  std::string start = prefix;
  bool skip_start = false;
  if (!past) {
    std::optional<std::int64_t> time;
    if (after_version == "null") {
      rocksdb::PinnableSlice t;
      ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kVersions, keys::NullVersion(volume, name), t));
      if (found && t.size() == 8) {
        std::uint64_t v = 0;
        for (char c : ToView(t)) {
          v = (v << 8) | static_cast<unsigned char>(c);
        }
        time = static_cast<std::int64_t>(v);
      }
    } else {
      time = meta::VersionIdTime(after_version);
    }
    if (time) {
      start += keys::VersionSuffix(*time, after_version);
      skip_start = true;
      past = true;
    }
  }
  const std::string end = keys::PrefixSuccessor(prefix);
  const rocksdb::Slice upper = ToSlice(end);
  auto it = store_->NewIterator(Cf::kVersions, &upper);
  std::uint64_t steps = 1;
  for (it->Seek(ToSlice(start)); it->Valid() && out.size() < limit; it->Next(), ++steps) {
    if (skip_start && ToView(it->key()) == start) {
      continue;
    }
    auto fi = meta::DecodeLatest(ToView(it->value()), false);
    if (!fi.ok()) {
      LOG_WARN("{}: listing skips a corrupt version record of {}/{}", path_, volume, name);
      continue;
    }
    if (!past) {
      past = meta::SameVersionId(fi->version_id, after_version);
      continue;
    }
    emit(std::move(fi).value(), false);
  }
  iterator_steps_.fetch_add(steps, std::memory_order_relaxed);
  if (!it->status().ok()) {
    return RocksStatus(it->status());
  }
  return Status::Ok();
}

Task<Result<std::vector<ListEntry>>> LocalDrive::ListObjects(const RequestContext&,
                                                             std::string_view volume,
                                                             const ListOptions& opts) {
  co_return co_await RunBlocking(*pool_, [&] { return DoListObjects(volume, opts); });
}

}  // namespace cairn::storage
