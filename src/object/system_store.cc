#include "object/system_store.h"

#include <algorithm>
#include <cstring>
#include <span>

#include "common/byte_stream.h"
#include "object/hash_reader.h"
#include "object/object_util.h"

namespace cairn::object {
namespace {

// A record's bytes as a ByteSource.
class RecordSource final : public ByteSource {
 public:
  explicit RecordSource(std::string_view data) : data_(data) {}

  Task<Result<std::size_t>> Read(std::span<std::byte> buf) override {
    const std::size_t n = std::min(buf.size(), data_.size() - pos_);
    std::memcpy(buf.data(), data_.data() + pos_, n);
    pos_ += n;
    co_return n;
  }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

}  // namespace

Task<Result<SystemRecord>> ReadSystemRecord(const RequestContext& ctx, ObjectLayer& layer,
                                            std::string_view key, std::size_t max_size) {
  const GetOptions opts;
  auto reader = co_await layer.GetObject(ctx, kSystemBucket, key, opts);
  if (!reader.ok()) {
    if (reader.code() == Errc::kNoSuchBucket) {
      co_return Status(Errc::kNoSuchKey, std::string(key));
    }
    co_return reader.status();
  }
  const ObjectInfo info = (*reader)->info();
  if (info.size < 0 || static_cast<std::size_t>(info.size) > max_size) {
    co_return Status(Errc::kEntityTooLarge, std::string(key) + ": not a record");
  }
  SystemRecord out;
  out.data.resize(static_cast<std::size_t>(info.size));
  auto buf = std::as_writable_bytes(std::span<char>(out.data));
  CO_ASSIGN_OR_RETURN(std::size_t n, co_await ReadFull(**reader, buf));
  if (n != out.data.size()) {
    co_return Status(Errc::kIncompleteBody, std::string(key) + ": short record");
  }
  out.etag = info.etag;
  co_return out;
}

Task<Result<ObjectInfo>> WriteSystemRecord(const RequestContext& ctx, ObjectLayer& layer,
                                           std::string_view key, std::string_view data,
                                           const PutOptions& opts) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    RecordSource source(data);
    HashExpectations expect;
    expect.size = static_cast<std::int64_t>(data.size());
    HashReader body(source, std::move(expect));
    auto put = co_await layer.PutObject(ctx, kSystemBucket, key, body, opts);
    if (put.ok() || put.code() != Errc::kNoSuchBucket || attempt > 0) {
      co_return put;
    }
    const MakeBucketOptions make;
    Status made = co_await layer.MakeBucket(ctx, kSystemBucket, make);
    if (!made.ok() && made.code() != Errc::kBucketExists) {
      co_return made;
    }
  }
  co_return Status(Errc::kInternal, "unreachable");
}

Task<Result<std::vector<std::string>>> ListSystemRecords(const RequestContext& ctx,
                                                         ObjectLayer& layer,
                                                         std::string_view prefix) {
  std::vector<std::string> keys;
  ListOptions opts;
  opts.prefix = std::string(prefix);
  while (true) {
    auto listed = co_await layer.ListObjects(ctx, kSystemBucket, opts);
    if (!listed.ok()) {
      if (listed.code() == Errc::kNoSuchBucket) {
        break;
      }
      co_return listed.status();
    }
    for (const auto& o : listed->objects) {
      keys.push_back(o.key);
    }
    if (!listed->truncated || listed->next_marker.empty()) {
      break;
    }
    opts.marker = listed->next_marker;
  }
  co_return keys;
}

}  // namespace cairn::object
