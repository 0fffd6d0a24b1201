// ServerPools: listing and multipart. Listings merge the sets of every pool in key order;
// multipart calls go to the pool named in the upload id and the key's set there.
#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "common/fan_out.h"
#include "object/object_util.h"
#include "object/server_pools.h"

namespace cairn::object {

namespace {

// With a delimiter, the common prefix that folds `key`, or nullopt.
std::optional<std::string> CommonPrefix(std::string_view key, std::string_view prefix,
                                        std::string_view delimiter) {
  if (delimiter.empty() || !key.starts_with(prefix)) {
    return std::nullopt;
  }
  auto pos = key.find(delimiter, prefix.size());
  if (pos == std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(key.substr(0, pos + delimiter.size()));
}

}  // namespace

Task<Result<ListResult>> ServerPools::ListObjects(const RequestContext& ctx,
                                                  std::string_view bucket,
                                                  const ListOptions& opts) {
  if (!CheckBucketName(bucket).ok()) {
    co_return Status(Errc::kNoSuchBucket, std::string(bucket));
  }
  if (opts.max_keys < 0) {
    co_return Status(Errc::kInvalidMaxKeys, "max-keys must not be negative");
  }
  // A marker inside a folded prefix resumes after the whole prefix.
  std::string start_after = opts.marker;
  if (auto cp = CommonPrefix(opts.marker, opts.prefix, opts.delimiter)) {
    start_after = PastPrefix(*cp);
  }
  auto sets = AllSets();
  const auto limit = static_cast<std::size_t>(std::max(opts.max_keys, 1));
  auto res = co_await FanOut<Result<SetListResult>>(sets.size(), [&](std::size_t i) {
    return sets[i]->ListEntries(ctx, bucket, opts.prefix, start_after, opts.delimiter, limit);
  });
  bool any_truncated = false;
  std::map<std::string_view, SetListEntry*> merged;
  for (auto& r : res) {
    CO_RETURN_IF_ERROR(r.status());
    any_truncated = any_truncated || r->truncated;
    for (auto& e : r->entries) {
      auto [it, inserted] = merged.emplace(e.name, &e);
      if (!inserted && e.fi.mod_time_ns > it->second->fi.mod_time_ns) {
        it->second = &e;  // the same key in two pools: the newest wins
      }
    }
  }
  ListResult out;
  if (opts.max_keys == 0) {
    out.truncated = !merged.empty();
    co_return out;
  }
  std::size_t taken = 0;
  for (auto& [name, e] : merged) {
    if (taken == limit) {
      out.truncated = true;
      break;
    }
    ++taken;
    out.next_marker = e->name;
    if (e->is_prefix) {
      out.prefixes.push_back(e->name);
    } else {
      out.objects.push_back(ToObjectInfo(bucket, e->fi));
      out.objects.back().key = e->name;
    }
  }
  out.truncated = out.truncated || any_truncated;
  if (!out.truncated) {
    out.next_marker.clear();
  }
  co_return out;
}

Task<Result<ListVersionsResult>> ServerPools::ListObjectVersions(const RequestContext& ctx,
                                                                 std::string_view bucket,
                                                                 const ListVersionsOptions& opts) {
  if (!CheckBucketName(bucket).ok()) {
    co_return Status(Errc::kNoSuchBucket, std::string(bucket));
  }
  if (opts.max_keys < 0) {
    co_return Status(Errc::kInvalidMaxKeys, "max-keys must not be negative");
  }
  CO_ASSIGN_OR_RETURN(auto info, co_await GetBucketInfo(ctx, bucket));
  (void)info;
  std::string key_marker = opts.key_marker;
  std::string version_marker = opts.key_marker.empty() ? "" : opts.version_id_marker;
  // A marker inside a folded prefix resumes after the whole prefix.
  if (auto cp = CommonPrefix(opts.key_marker, opts.prefix, opts.delimiter)) {
    key_marker = PastPrefix(*cp);
    version_marker.clear();
  }
  auto sets = AllSets();
  const auto limit = static_cast<std::size_t>(std::max(opts.max_keys, 1));
  auto res = co_await FanOut<Result<SetListResult>>(sets.size(), [&](std::size_t i) {
    return sets[i]->ListVersions(ctx, bucket, opts.prefix, key_marker, version_marker,
                                 opts.delimiter, limit);
  });
  bool any_truncated = false;
  // Key, then newest first, then version id; a prefix once.
  using Order = std::tuple<std::string_view, std::uint64_t, std::string_view>;
  std::map<Order, SetListEntry*> merged;
  for (auto& r : res) {
    CO_RETURN_IF_ERROR(r.status());
    any_truncated = any_truncated || r->truncated;
    for (auto& e : r->entries) {
      Order order = e.is_prefix ? Order{e.name, 0, {}}
                                : Order{e.name, ~static_cast<std::uint64_t>(e.fi.mod_time_ns),
                                        e.fi.version_id};
      merged.emplace(order, &e);
    }
  }
  ListVersionsResult out;
  if (opts.max_keys == 0) {
    out.truncated = !merged.empty();
    co_return out;
  }
  std::size_t taken = 0;
  // A key's first version on the page is its latest, unless the page resumes inside the key.
  const bool resumes_inside = !version_marker.empty();
  std::string_view previous_key;
  for (auto& [order, e] : merged) {
    if (taken == limit) {
      out.truncated = true;
      break;
    }
    ++taken;
    out.next_key_marker = e->name;
    if (e->is_prefix) {
      out.prefixes.push_back(e->name);
      out.next_version_id_marker.clear();
      continue;
    }
    const bool latest =
        e->name != previous_key && !(resumes_inside && e->name == std::string_view(key_marker));
    previous_key = e->name;
    ObjectInfo oi = ToObjectInfo(bucket, e->fi);
    oi.key = e->name;
    oi.is_latest = latest;
    out.next_version_id_marker = oi.version_id.empty() ? "null" : oi.version_id;
    out.versions.push_back(std::move(oi));
  }
  out.truncated = out.truncated || any_truncated;
  if (!out.truncated) {
    out.next_key_marker.clear();
    out.next_version_id_marker.clear();
  }
  co_return out;
}

Task<Result<ListUploadsResult>> ServerPools::ListMultipartUploads(const RequestContext& ctx,
                                                                  std::string_view bucket,
                                                                  const ListUploadsOptions& opts) {
  const std::string_view prefix = opts.prefix;
  const std::string_view key_marker = opts.key_marker;
  const std::string_view upload_id_marker = opts.upload_id_marker;
  const std::string_view delimiter = opts.delimiter;
  const int max_uploads = opts.max_uploads;
  if (!CheckBucketName(bucket).ok()) {
    co_return Status(Errc::kNoSuchBucket, std::string(bucket));
  }
  ListUploadsResult out;
  const auto limit = static_cast<std::size_t>(std::max(max_uploads, 0));
  std::string key_after(key_marker);
  // A key marker alone resumes after every upload of that key.
  std::string id_after = upload_id_marker.empty() && !key_marker.empty()
                             ? PastPrefix("")
                             : std::string(upload_id_marker);
  if (auto cp = CommonPrefix(key_marker, prefix, delimiter)) {
    key_after = PastPrefix(*cp);
    id_after.clear();
  }
  auto sets = AllSets();
  std::size_t items = 0;
  const std::size_t page = limit + 1;
  for (;;) {
    auto res = co_await FanOut<Result<std::vector<storage::MultipartUpload>>>(
        sets.size(), [&](std::size_t i) {
          return sets[i]->ListUploads(ctx, bucket, prefix, key_after, id_after, page);
        });
    using Id = std::pair<std::string, std::string>;
    std::optional<Id> bound;
    std::vector<storage::MultipartUpload> all;
    for (auto& r : res) {
      CO_RETURN_IF_ERROR(r.status());
      if (r->size() >= page) {
        Id last{r->back().key, r->back().upload_id};
        if (!bound || last < *bound) {
          bound = last;
        }
      }
      std::move(r->begin(), r->end(), std::back_inserter(all));
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return std::tie(a.key, a.upload_id) < std::tie(b.key, b.upload_id);
    });
    bool resume_past_prefix = false;
    for (auto& u : all) {
      if (bound && Id(u.key, u.upload_id) > *bound) {
        break;
      }
      if (items == limit) {
        out.truncated = true;
        co_return out;
      }
      if (auto cp = CommonPrefix(u.key, prefix, delimiter)) {
        if (out.prefixes.empty() || out.prefixes.back() != *cp) {
          out.prefixes.push_back(*cp);
          out.next_key_marker = *cp;
          out.next_upload_id_marker.clear();
          ++items;
        }
        resume_past_prefix = bound && bound->first.starts_with(*cp);
        continue;
      }
      out.next_key_marker = u.key;
      out.next_upload_id_marker = u.upload_id;
      out.uploads.push_back(MultipartInfo{u.key, u.upload_id, u.initiated_ns, u.fi.metadata});
      ++items;
    }
    if (!bound) {
      co_return out;
    }
    if (resume_past_prefix) {
      key_after = PastPrefix(out.prefixes.back());
      id_after.clear();
    } else {
      key_after = bound->first;
      id_after = bound->second;
    }
  }
}

Task<Result<std::string>> ServerPools::NewMultipartUpload(const RequestContext& ctx,
                                                          std::string_view bucket,
                                                          std::string_view key,
                                                          const PutOptions& opts) {
  CO_RETURN_IF_ERROR(CheckObjectName(key));
  CO_ASSIGN_OR_RETURN(std::size_t pool, co_await PoolForWrite(ctx, bucket, key));
  // (Appended, not `"." + std::to_string(...)`: GCC 12 -O3 reports a false -Wrestrict on
  // const char* + string&&.)
  std::string suffix = ".";
  suffix += std::to_string(pool);
  const PutOptions with_parity = WithClassParity(opts);
  co_return co_await SetOf(pool, key).NewMultipartUpload(ctx, bucket, key, with_parity, suffix);
}

Task<Result<PartInfo>> ServerPools::PutObjectPart(const RequestContext& ctx,
                                                  std::string_view bucket, std::string_view key,
                                                  std::string_view upload_id, int part_number,
                                                  HashReader& body) {
  CO_RETURN_IF_ERROR(CheckObjectName(key));
  CO_ASSIGN_OR_RETURN(std::size_t pool, PoolOfUpload(upload_id));
  co_return co_await SetOf(pool, key).PutObjectPart(ctx, bucket, key, upload_id, part_number, body);
}

Task<Result<ListPartsResult>> ServerPools::ListObjectParts(const RequestContext& ctx,
                                                           std::string_view bucket,
                                                           std::string_view key,
                                                           std::string_view upload_id,
                                                           const ListPartsOptions& opts) {
  CO_RETURN_IF_ERROR(CheckObjectName(key));
  CO_ASSIGN_OR_RETURN(std::size_t pool, PoolOfUpload(upload_id));
  co_return co_await SetOf(pool, key).ListObjectParts(
      ctx, bucket, key, upload_id, opts.part_number_marker, opts.max_parts, opts.metadata_only);
}

Task<Result<ObjectInfo>> ServerPools::CompleteMultipartUpload(
    const RequestContext& ctx, std::string_view bucket, std::string_view key,
    std::string_view upload_id, const std::vector<CompletePart>& parts, const PutOptions& opts) {
  CO_RETURN_IF_ERROR(CheckObjectName(key));
  CO_ASSIGN_OR_RETURN(std::size_t pool, PoolOfUpload(upload_id));
  CO_ASSIGN_OR_RETURN(auto info, co_await GetBucketInfo(ctx, bucket));
  PutOptions versioned = opts;
  versioned.versioning = info.versioning();
  co_return co_await SetOf(pool, key).CompleteMultipartUpload(ctx, bucket, key, upload_id, parts,
                                                              versioned);
}

Task<Status> ServerPools::AbortMultipartUpload(const RequestContext& ctx, std::string_view bucket,
                                               std::string_view key, std::string_view upload_id) {
  CO_RETURN_IF_ERROR(CheckObjectName(key));
  CO_ASSIGN_OR_RETURN(std::size_t pool, PoolOfUpload(upload_id));
  co_return co_await SetOf(pool, key).AbortMultipartUpload(ctx, bucket, key, upload_id);
}

}  // namespace cairn::object
