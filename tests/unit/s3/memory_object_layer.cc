#include "memory_object_layer.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "common/checksum.h"
#include "s3/range.h"

namespace cairn::s3::testing {
namespace {

class MemoryReader final : public object::ObjectReader {
 public:
  MemoryReader(object::ObjectInfo info, std::string data, std::int64_t offset)
      : info_(std::move(info)), data_(std::move(data)), offset_(offset) {}

  const object::ObjectInfo& info() const override { return info_; }

  std::int64_t offset() const override { return offset_; }

  std::int64_t length() const override { return static_cast<std::int64_t>(data_.size()); }

  Task<Result<std::size_t>> Read(std::span<std::byte> buf) override {
    std::size_t n = std::min(buf.size(), data_.size() - pos_);
    std::memcpy(buf.data(), data_.data() + pos_, n);
    pos_ += n;
    co_return n;
  }

 private:
  object::ObjectInfo info_;
  std::string data_;
  std::int64_t offset_;
  std::size_t pos_ = 0;
};

Task<Result<std::string>> ReadAll(object::HashReader& body) {
  std::string out;
  std::array<std::byte, 4096> buf;
  while (true) {
    auto n = co_await body.Read(buf);
    if (!n.ok()) {
      co_return n.status();
    }
    if (*n == 0) {
      co_return out;
    }
    out.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
}

std::string Unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    s = s.substr(1, s.size() - 2);
  }
  return std::string(s);
}

std::string MetaValue(const object::Metadata& meta, std::string_view key) {
  for (const auto& [k, v] : meta) {
    if (k == key) {
      return v;
    }
  }
  return {};
}

}  // namespace

MemoryObjectLayer::Bucket* MemoryObjectLayer::FindBucket(std::string_view name) {
  auto it = buckets_.find(name);
  return it == buckets_.end() ? nullptr : &it->second;
}

const std::string* MemoryObjectLayer::DataForTest(const std::string& bucket,
                                                  const std::string& key) const {
  auto b = buckets_.find(bucket);
  if (b == buckets_.end()) {
    return nullptr;
  }
  auto o = b->second.objects.find(key);
  return o == b->second.objects.end() ? nullptr : &o->second.data;
}

Task<Status> MemoryObjectLayer::MakeBucket(const RequestContext&, std::string_view bucket,
                                           const object::MakeBucketOptions& opts) {
  if (FindBucket(bucket) != nullptr) {
    co_return Status(Errc::kBucketExists);
  }
  Bucket b;
  b.info = {std::string(bucket), now_ns, opts.location, opts.config};
  buckets_.emplace(std::string(bucket), std::move(b));
  co_return Status::Ok();
}

Task<Result<object::BucketInfo>> MemoryObjectLayer::GetBucketInfo(const RequestContext&,
                                                                  std::string_view bucket) {
  Bucket* b = FindBucket(bucket);
  if (b == nullptr) {
    co_return Status(Errc::kNoSuchBucket);
  }
  co_return b->info;
}

Task<Status> MemoryObjectLayer::SetBucketConfig(const RequestContext&, std::string_view bucket,
                                                std::string_view name, std::string_view document) {
  Bucket* b = FindBucket(bucket);
  if (b == nullptr) {
    co_return Status(Errc::kNoSuchBucket);
  }
  if (document.empty()) {
    auto it = b->info.config.find(name);
    if (it != b->info.config.end()) {
      b->info.config.erase(it);
    }
  } else {
    b->info.config.insert_or_assign(std::string(name), std::string(document));
  }
  co_return Status::Ok();
}

Task<Result<std::vector<object::BucketInfo>>> MemoryObjectLayer::ListBuckets(
    const RequestContext&) {
  std::vector<object::BucketInfo> out;
  for (const auto& [name, b] : buckets_) {
    out.push_back(b.info);
  }
  co_return out;
}

Task<Status> MemoryObjectLayer::DeleteBucket(const RequestContext&, std::string_view bucket,
                                             const object::DeleteBucketOptions& opts) {
  const bool force = opts.force;
  Bucket* b = FindBucket(bucket);
  if (b == nullptr) {
    co_return Status(Errc::kNoSuchBucket);
  }
  if (!b->objects.empty() && !force) {
    co_return Status(Errc::kBucketNotEmpty);
  }
  buckets_.erase(buckets_.find(bucket));
  co_return Status::Ok();
}

Task<Result<object::ObjectInfo>> MemoryObjectLayer::PutObject(const RequestContext&,
                                                              std::string_view bucket,
                                                              std::string_view key,
                                                              object::HashReader& body,
                                                              const object::PutOptions& opts) {
  if (FindBucket(bucket) == nullptr) {
    co_return Status(Errc::kNoSuchBucket);
  }
  CO_ASSIGN_OR_RETURN(std::string data, co_await ReadAll(body));
  // The bucket may have gone while the body streamed.
  Bucket* b = FindBucket(bucket);
  if (b == nullptr) {
    co_return Status(Errc::kNoSuchBucket);
  }
  auto existing = b->objects.find(std::string(key));
  bool exists = existing != b->objects.end();
  if (!opts.if_none_match.empty() && exists &&
      (opts.if_none_match == "*" || Unquote(opts.if_none_match) == existing->second.info.etag)) {
    co_return Status(Errc::kPreconditionFailed);
  }
  if (!opts.if_match.empty()) {
    if (!exists) {
      co_return Status(Errc::kNoSuchKey);
    }
    if (opts.if_match != "*" && Unquote(opts.if_match) != existing->second.info.etag) {
      co_return Status(Errc::kPreconditionFailed);
    }
  }
  Object obj;
  obj.info.bucket = std::string(bucket);
  obj.info.key = std::string(key);
  obj.info.size = static_cast<std::int64_t>(data.size());
  obj.info.mod_time_ns = now_ns += 1'000'000'000;
  obj.info.etag = body.md5_hex();
  obj.info.metadata = opts.metadata;
  obj.info.content_type = MetaValue(opts.metadata, "content-type");
  if (auto checksum = body.checksum()) {
    obj.info.metadata.push_back(*checksum);
  }
  obj.data = std::move(data);
  object::ObjectInfo info = obj.info;
  b->objects[std::string(key)] = std::move(obj);
  co_return info;
}

Task<Result<std::unique_ptr<object::ObjectReader>>> MemoryObjectLayer::GetObject(
    const RequestContext& ctx, std::string_view bucket, std::string_view key,
    const object::GetOptions& opts) {
  CO_ASSIGN_OR_RETURN(auto info, co_await GetObjectInfo(ctx, bucket, key, opts));
  const std::string& data = FindBucket(bucket)->objects.find(std::string(key))->second.data;
  std::int64_t offset = 0;
  std::int64_t length = info.size;
  if (opts.part_number > 0) {
    if (opts.part_number > static_cast<int>(std::max<std::size_t>(info.parts.size(), 1))) {
      co_return Status(Errc::kInvalidPartNumber);
    }
    for (int i = 0; i + 1 < opts.part_number; ++i) {
      offset += info.parts[i].size;
    }
    length = info.parts.empty() ? info.size : info.parts[opts.part_number - 1].size;
  } else {
    CO_ASSIGN_OR_RETURN(auto range, ResolveRange(opts.range, info.size));
    std::tie(offset, length) = range;
  }
  std::unique_ptr<object::ObjectReader> reader = std::make_unique<MemoryReader>(
      std::move(info),
      data.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(length)), offset);
  co_return reader;
}

Task<Result<object::ObjectInfo>> MemoryObjectLayer::GetObjectInfo(const RequestContext&,
                                                                  std::string_view bucket,
                                                                  std::string_view key,
                                                                  const object::GetOptions& opts) {
  Bucket* b = FindBucket(bucket);
  if (b == nullptr) {
    co_return Status(Errc::kNoSuchBucket);
  }
  auto it = b->objects.find(std::string(key));
  if (it == b->objects.end()) {
    co_return Status(Errc::kNoSuchKey);
  }
  if (!opts.version_id.empty()) {
    co_return Status(Errc::kNoSuchVersion);
  }
  co_return it->second.info;
}

// Unversioned: every object is its null version.
Task<Result<object::ListVersionsResult>> MemoryObjectLayer::ListObjectVersions(
    const RequestContext& ctx, std::string_view bucket, const object::ListVersionsOptions& opts) {
  object::ListOptions lo;
  lo.prefix = opts.prefix;
  lo.marker = opts.key_marker;
  lo.delimiter = opts.delimiter;
  lo.max_keys = opts.max_keys;
  CO_ASSIGN_OR_RETURN(object::ListResult listed, co_await ListObjects(ctx, bucket, lo));
  object::ListVersionsResult out;
  out.versions = std::move(listed.objects);
  out.prefixes = std::move(listed.prefixes);
  out.truncated = listed.truncated;
  out.next_key_marker = listed.next_marker;
  if (out.truncated && !out.versions.empty() && out.versions.back().key == out.next_key_marker) {
    out.next_version_id_marker = "null";
  }
  co_return out;
}

Task<Result<object::ObjectInfo>> MemoryObjectLayer::UpdateObjectMetadata(
    const RequestContext&, std::string_view bucket, std::string_view key,
    std::string_view version_id, const object::MetadataUpdate& update) {
  Bucket* b = FindBucket(bucket);
  if (b == nullptr) {
    co_return Status(Errc::kNoSuchBucket);
  }
  auto it = b->objects.find(std::string(key));
  if (it == b->objects.end()) {
    co_return Status(Errc::kNoSuchKey);
  }
  if (!version_id.empty()) {
    co_return Status(Errc::kNoSuchVersion);
  }
  CO_ASSIGN_OR_RETURN(object::Metadata updated, update(it->second.info));
  it->second.info.metadata = std::move(updated);
  co_return it->second.info;
}

Task<Result<object::ObjectInfo>> MemoryObjectLayer::DeleteObject(const RequestContext&,
                                                                 std::string_view bucket,
                                                                 std::string_view key,
                                                                 const object::DeleteOptions&) {
  Bucket* b = FindBucket(bucket);
  if (b == nullptr) {
    co_return Status(Errc::kNoSuchBucket);
  }
  b->objects.erase(std::string(key));
  object::ObjectInfo info;
  info.bucket = std::string(bucket);
  info.key = std::string(key);
  co_return info;
}

Task<Result<object::ListResult>> MemoryObjectLayer::ListObjects(const RequestContext&,
                                                                std::string_view bucket,
                                                                const object::ListOptions& opts) {
  Bucket* b = FindBucket(bucket);
  if (b == nullptr) {
    co_return Status(Errc::kNoSuchBucket);
  }
  object::ListResult out;
  int count = 0;
  for (auto it = b->objects.upper_bound(opts.marker); it != b->objects.end(); ++it) {
    const std::string& key = it->first;
    if (key.rfind(opts.prefix, 0) != 0) {
      continue;
    }
    std::string entry = key;
    bool is_prefix = false;
    if (!opts.delimiter.empty()) {
      auto d = key.find(opts.delimiter, opts.prefix.size());
      if (d != std::string::npos) {
        entry = key.substr(0, d + opts.delimiter.size());
        is_prefix = true;
        if (!out.prefixes.empty() && out.prefixes.back() == entry) {
          continue;
        }
        if (entry <= opts.marker) {
          continue;
        }
      }
    }
    if (count == opts.max_keys) {
      out.truncated = true;
      break;
    }
    ++count;
    out.next_marker = entry;
    if (is_prefix) {
      out.prefixes.push_back(entry);
    } else {
      out.objects.push_back(it->second.info);
    }
  }
  if (!out.truncated) {
    out.next_marker.clear();
  }
  co_return out;
}

Task<Result<std::string>> MemoryObjectLayer::NewMultipartUpload(const RequestContext&,
                                                                std::string_view bucket,
                                                                std::string_view key,
                                                                const object::PutOptions& opts) {
  if (FindBucket(bucket) == nullptr) {
    co_return Status(Errc::kNoSuchBucket);
  }
  std::string id = "upload-" + std::to_string(next_upload_++);
  Upload u{std::string(bucket), std::string(key), opts.metadata, now_ns, {}};
  uploads_.emplace(id, std::move(u));
  co_return id;
}

Task<Result<object::PartInfo>> MemoryObjectLayer::PutObjectPart(
    const RequestContext&, std::string_view bucket, std::string_view key,
    std::string_view upload_id, int part_number, object::HashReader& body) {
  auto it = uploads_.find(upload_id);
  if (it == uploads_.end() || it->second.bucket != bucket || it->second.key != key) {
    co_return Status(Errc::kNoSuchUpload);
  }
  CO_ASSIGN_OR_RETURN(std::string data, co_await ReadAll(body));
  Part part;
  part.info.number = part_number;
  part.info.etag = body.md5_hex();
  part.info.size = static_cast<std::int64_t>(data.size());
  part.info.mod_time_ns = now_ns += 1'000'000'000;
  part.data = std::move(data);
  object::PartInfo info = part.info;
  it->second.parts[part_number] = std::move(part);
  co_return info;
}

Task<Result<object::ListPartsResult>> MemoryObjectLayer::ListObjectParts(
    const RequestContext&, std::string_view, std::string_view, std::string_view upload_id,
    const object::ListPartsOptions& opts) {
  const int part_number_marker = opts.part_number_marker;
  const int max_parts = opts.max_parts;
  auto it = uploads_.find(upload_id);
  if (it == uploads_.end()) {
    co_return Status(Errc::kNoSuchUpload);
  }
  object::ListPartsResult out;
  out.metadata = it->second.metadata;
  for (const auto& [n, part] : it->second.parts) {
    if (n <= part_number_marker) {
      continue;
    }
    if (static_cast<int>(out.parts.size()) == max_parts) {
      out.truncated = true;
      break;
    }
    out.parts.push_back(part.info);
    out.next_part_number_marker = n;
  }
  co_return out;
}

Task<Result<object::ListUploadsResult>> MemoryObjectLayer::ListMultipartUploads(
    const RequestContext&, std::string_view bucket, const object::ListUploadsOptions& opts) {
  const std::string_view prefix = opts.prefix;
  const int max_uploads = opts.max_uploads;
  if (FindBucket(bucket) == nullptr) {
    co_return Status(Errc::kNoSuchBucket);
  }
  object::ListUploadsResult out;
  for (const auto& [id, u] : uploads_) {
    if (u.bucket != bucket || u.key.rfind(prefix, 0) != 0) {
      continue;
    }
    if (static_cast<int>(out.uploads.size()) == max_uploads) {
      out.truncated = true;
      break;
    }
    out.uploads.push_back({u.key, id, u.initiated_ns, u.metadata});
  }
  co_return out;
}

Task<Result<object::ObjectInfo>> MemoryObjectLayer::CompleteMultipartUpload(
    const RequestContext&, std::string_view bucket, std::string_view key,
    std::string_view upload_id, const std::vector<object::CompletePart>& parts,
    const object::PutOptions&) {
  auto it = uploads_.find(upload_id);
  if (it == uploads_.end() || it->second.bucket != bucket || it->second.key != key) {
    co_return Status(Errc::kNoSuchUpload);
  }
  Upload& u = it->second;
  std::string data;
  std::string md5s;
  Object obj;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0 && parts[i].number <= parts[i - 1].number) {
      co_return Status(Errc::kInvalidPartOrder);
    }
    auto p = u.parts.find(parts[i].number);
    if (p == u.parts.end() || Unquote(parts[i].etag) != p->second.info.etag) {
      co_return Status(Errc::kInvalidPart);
    }
    if (i + 1 < parts.size() && p->second.info.size < min_part_size) {
      co_return Status(Errc::kEntityTooSmall);
    }
    data += p->second.data;
    md5s += *HexDecode(p->second.info.etag);
    obj.info.parts.push_back(p->second.info);
  }
  obj.info.bucket = std::string(bucket);
  obj.info.key = std::string(key);
  obj.info.size = static_cast<std::int64_t>(data.size());
  obj.info.mod_time_ns = now_ns += 1'000'000'000;
  obj.info.etag = HexEncode(Md5(md5s)) + "-" + std::to_string(parts.size());
  obj.info.metadata = u.metadata;
  obj.info.content_type = MetaValue(u.metadata, "content-type");
  obj.data = std::move(data);
  object::ObjectInfo info = obj.info;
  FindBucket(bucket)->objects[std::string(key)] = std::move(obj);
  uploads_.erase(it);
  co_return info;
}

Task<Status> MemoryObjectLayer::AbortMultipartUpload(const RequestContext&, std::string_view,
                                                     std::string_view, std::string_view upload_id) {
  auto it = uploads_.find(upload_id);
  if (it == uploads_.end()) {
    co_return Status(Errc::kNoSuchUpload);
  }
  uploads_.erase(it);
  co_return Status::Ok();
}

Task<object::HealthInfo> MemoryObjectLayer::GetHealth(const RequestContext&) {
  co_return health;
}

}  // namespace cairn::s3::testing
