// An ObjectLayer built only from RemoteDrives: ServerPools over four drives, each a LocalDrive
// served on its own loopback rpc server (OpenLoopbackRemoteDrive), so every object operation
// crosses the whole drive RPC path: PUT, GET, listing, multipart, delete, and a degraded read
// with one drive's server stopped.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "object/hash_reader.h"
#include "object/server_pools.h"
#include "storage_test_util.h"
#include "testing/string_source.h"
#include "testing/sync_wait.h"

namespace cairn::storage::testing {
namespace {

using cairn::testing::StringSource;
using cairn::testing::SyncWait;

class RemoteObjectLayer : public ::testing::Test {
 protected:
  static constexpr int kDrives = 4;

  void SetUp() override {
    object::PoolSpec spec;
    spec.parity = 2;
    std::vector<std::shared_ptr<StorageApi>> set;
    for (int i = 0; i < kDrives; ++i) {
      dirs_.push_back(std::make_unique<TempDir>());
      auto lb = OpenLoopbackRemoteDrive(dirs_.back()->path());
      ASSERT_TRUE(lb.ok()) << lb.status().ToString();
      set.push_back(lb->drive);
      drives_.push_back(lb->drive.get());
      stop_.push_back(lb->stop_server);
    }
    spec.sets.push_back(std::move(set));
    std::vector<object::PoolSpec> pools;
    pools.push_back(std::move(spec));
    object::ServerPoolsOptions opts;
    opts.deployment_id = "8d3a6f3e-2c1b-4e5f-9a7b-1c2d3e4f5a6b";
    opts.compute_threads = 2;
    opts.min_part_size = 1 << 20;  // keeps the multipart test small
    layer_ = std::make_unique<object::ServerPools>(std::move(pools), opts);
  }

  Result<object::ObjectInfo> Put(std::string_view key, const std::string& data) {
    StringSource src(data);
    object::HashExpectations expect;
    expect.size = static_cast<std::int64_t>(data.size());
    object::HashReader body(src, expect);
    return SyncWait(layer_->PutObject(ctx_, "bucket", key, body, {}));
  }

  Result<std::string> Get(std::string_view key) {
    return SyncWait([&]() -> Task<Result<std::string>> {
      const object::GetOptions opts;  // not a temporary inside the co_await (GCC 12)
      CO_ASSIGN_OR_RETURN(auto reader, co_await layer_->GetObject(ctx_, "bucket", key, opts));
      std::string out;
      std::vector<std::byte> buf(70000);
      for (;;) {
        CO_ASSIGN_OR_RETURN(std::size_t n, co_await reader->Read(buf));
        if (n == 0) {
          break;
        }
        out.append(reinterpret_cast<const char*>(buf.data()), n);
      }
      co_return out;
    }());
  }

  Result<object::PartInfo> PutPart(std::string_view key, std::string_view id, int n,
                                   const std::string& data) {
    StringSource src(data);
    object::HashExpectations expect;
    expect.size = static_cast<std::int64_t>(data.size());
    object::HashReader body(src, expect);
    return SyncWait(layer_->PutObjectPart(ctx_, "bucket", key, id, n, body));
  }

  std::vector<std::string> Keys(const object::ListOptions& opts) {
    auto r = SyncWait(layer_->ListObjects(ctx_, "bucket", opts));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& o : r->objects) {
        out.push_back(o.key);
      }
      for (const auto& p : r->prefixes) {
        out.push_back(p);
      }
    }
    return out;
  }

  RequestContext ctx_ = RequestContext::Background("remote-object-test");
  // Declared before the layer, so destroyed after it (the layer owns the drives, and the
  // drives their loopback servers).
  std::vector<std::unique_ptr<TempDir>> dirs_;
  std::vector<StorageApi*> drives_;  // the layer's drives, in set order
  std::vector<std::function<void()>> stop_;
  std::unique_ptr<object::ServerPools> layer_;
};

TEST_F(RemoteObjectLayer, PutGetListDelete) {
  ASSERT_TRUE(SyncWait(layer_->MakeBucket(ctx_, "bucket", {})).ok());
  const std::string small = "a small inline object";
  const std::string large = Pattern((3 << 20) + 12345, 7);  // several blocks, shard files
  auto put = Put("dir/large", large);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->size, static_cast<std::int64_t>(large.size()));
  ASSERT_TRUE(Put("small", small).ok());
  ASSERT_TRUE(Put("dir/other", "x").ok());

  auto got = Get("dir/large");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == large);
  EXPECT_EQ(*Get("small"), small);

  object::ListOptions all;
  EXPECT_EQ(Keys(all), (std::vector<std::string>{"dir/large", "dir/other", "small"}));
  object::ListOptions folded;
  folded.delimiter = "/";
  EXPECT_EQ(Keys(folded), (std::vector<std::string>{"small", "dir/"}));

  ASSERT_TRUE(SyncWait(layer_->DeleteObject(ctx_, "bucket", "dir/large", {})).ok());
  EXPECT_EQ(Get("dir/large").code(), Errc::kNoSuchKey);
  EXPECT_EQ(Keys(all), (std::vector<std::string>{"dir/other", "small"}));
}

TEST_F(RemoteObjectLayer, Multipart) {
  ASSERT_TRUE(SyncWait(layer_->MakeBucket(ctx_, "bucket", {})).ok());
  auto id = SyncWait(layer_->NewMultipartUpload(ctx_, "bucket", "movie", {}));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  const std::string p1 = Pattern(1 << 20, 1);
  const std::string p2 = Pattern(777, 2);
  auto r2 = PutPart("movie", *id, 2, p2);
  auto r1 = PutPart("movie", *id, 1, p1);
  ASSERT_TRUE(r1.ok()) << r1.status().ToString();
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();
  auto uploads = SyncWait(layer_->ListMultipartUploads(ctx_, "bucket", {"", "", "", "", 100}));
  ASSERT_TRUE(uploads.ok());
  ASSERT_EQ(uploads->uploads.size(), 1u);
  EXPECT_EQ(uploads->uploads[0].upload_id, *id);

  const std::vector<object::CompletePart> parts = {{1, r1->etag, {}}, {2, r2->etag, {}}};
  auto done = SyncWait(layer_->CompleteMultipartUpload(ctx_, "bucket", "movie", *id, parts, {}));
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->size, static_cast<std::int64_t>(p1.size() + p2.size()));
  EXPECT_TRUE(*Get("movie") == p1 + p2);

  // An aborted upload is gone.
  auto id2 = SyncWait(layer_->NewMultipartUpload(ctx_, "bucket", "gone", {}));
  ASSERT_TRUE(id2.ok());
  ASSERT_TRUE(PutPart("gone", *id2, 1, "bytes").ok());
  ASSERT_TRUE(SyncWait(layer_->AbortMultipartUpload(ctx_, "bucket", "gone", *id2)).ok());
  EXPECT_EQ(SyncWait(layer_->AbortMultipartUpload(ctx_, "bucket", "gone", *id2)).code(),
            Errc::kNoSuchUpload);
}

// One node down (its server stopped): reads of every object still succeed from the others.
TEST_F(RemoteObjectLayer, DegradedReadWithOneServerStopped) {
  ASSERT_TRUE(SyncWait(layer_->MakeBucket(ctx_, "bucket", {})).ok());
  const std::string large = Pattern((2 << 20) + 999, 3);
  ASSERT_TRUE(Put("large", large).ok());
  ASSERT_TRUE(Put("small", "tiny").ok());
  stop_[1]();
  EXPECT_EQ(SyncWait(drives_[1]->GetDiskInfo(ctx_)).code(), Errc::kDiskNotFound);
  auto got = Get("large");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == large);
  EXPECT_EQ(*Get("small"), "tiny");
  object::ListOptions all;
  EXPECT_EQ(Keys(all), (std::vector<std::string>{"large", "small"}));
}

}  // namespace
}  // namespace cairn::storage::testing
