// ObjectLayer behaviour on real LocalDrives: round trips, ranges, overwrite, delete,
// listing, buckets and conditional writes.
#include <map>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "common/checksum.h"
#include "common/fan_out.h"
#include "object_fixture.h"

namespace cairn::object::test {
namespace object_layer_test_internal {

constexpr std::int64_t kMiB = 1 << 20;

TEST(ObjectLayer, RoundTripSizes) {
  Cluster c({.drives = 4, .parity = 2});
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  // 2 data shards: the per-drive shard is 32 + ceil(size / 2) up to one block, so 262080
  // bytes is the largest inline object at the default 128 KiB threshold.
  const std::vector<std::int64_t> sizes = {0,        1,    262079,   262080,      262081,
                                           kMiB - 1, kMiB, kMiB + 1, 5 * kMiB + 3};
  for (std::int64_t size : sizes) {
    SCOPED_TRACE(size);
    std::string key = "obj/" + std::to_string(size);
    std::string data = RandomData(static_cast<std::size_t>(size), static_cast<std::uint32_t>(size));
    auto put = c.Put("bucket", key, data);
    ASSERT_TRUE(put.ok()) << put.status().ToString();
    EXPECT_EQ(put->size, size);
    EXPECT_EQ(put->etag, HexEncode(Md5(data)));
    ObjectInfo info;
    auto got = c.Get("bucket", key, {}, &info);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(*got == data);
    EXPECT_EQ(info.etag, put->etag);
    EXPECT_EQ(info.size, size);
    auto head = c.Head("bucket", key);
    ASSERT_TRUE(head.ok());
    EXPECT_EQ(head->etag, put->etag);
    // Inline exactly up to the threshold.
    auto fi = SyncWait(c.inners[0]->ReadVersion(c.ctx, "bucket", key, "", false));
    ASSERT_TRUE(fi.ok());
    EXPECT_EQ(fi->is_inline, size <= 262080);
    EXPECT_EQ(fi->erasure.data_blocks, 2);
    EXPECT_EQ(fi->erasure.distribution.size(), 4u);
  }
  // Unknown size (streamed, no Content-Length) takes the same path.
  std::string data = RandomData(3 * kMiB + 17, 99);
  ASSERT_TRUE(c.Put("bucket", "unknown", data, {}, {}, false).ok());
  EXPECT_TRUE(*c.Get("bucket", "unknown") == data);
  ASSERT_TRUE(c.Put("bucket", "unknown-small", "tiny", {}, {}, false).ok());
  EXPECT_EQ(*c.Get("bucket", "unknown-small"), "tiny");
  EXPECT_EQ(c.TmpFiles(), 0u);
}

Task<void> SleepFor(std::chrono::milliseconds d) {
  boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
  t.expires_after(d);
  co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

// A bucket heal (it runs at startup and after drives come back) that meets a MakeBucket under
// way sees the bucket by quorum in the first set before the second set's drives have it; had it
// created it there first, that MakeBucket would fail with BucketAlreadyExists (a MakeBucket on
// a fresh cluster failed so once, under ASan). The heal waits for the bucket's lock instead.
TEST(ObjectLayer, BucketHealDuringMakeBucketLeavesItAlone) {
  Cluster c(Layout{1, 2, 4, 2}, Backend::kMemory);
  bool spawned = false;
  bool healed = false;
  for (std::size_t i = 4; i < 8; ++i) {  // the second set's drives
    c.drives[i]->before_make_volume = [&]() -> Task<void> {
      co_await SleepFor(std::chrono::milliseconds(20));  // the first set has the bucket now
      if (!spawned) {
        spawned = true;
        boost::asio::co_spawn(
            co_await boost::asio::this_coro::executor,
            [&]() -> Task<void> {
              co_await c.layer->HealBuckets(c.ctx);
              healed = true;
            },
            boost::asio::detached);
      }
      co_await SleepFor(std::chrono::milliseconds(50));
    };
  }
  Status st = c.MakeBucket("racy");
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(spawned);
  EXPECT_TRUE(healed);  // SyncWait ran the heal to its end too
  for (std::size_t i = 0; i < c.inners.size(); ++i) {
    EXPECT_TRUE(SyncWait(c.inners[i]->StatVolume(c.ctx, "racy")).ok()) << i;
  }
  EXPECT_EQ(c.MakeBucket("racy").code(), Errc::kBucketExists);
}

TEST(ObjectLayer, MetadataIsStored) {
  Cluster c({.drives = 4, .parity = 2}, Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  PutOptions po;
  po.metadata = {{"content-type", "text/plain"}, {"x-amz-meta-color", "blue"}};
  HashExpectations ex;
  ex.checksum = ChecksumAlgorithm::kCrc32;
  ASSERT_TRUE(c.Put("bucket", "k", "hello", po, ex).ok());
  auto head = c.Head("bucket", "k");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->content_type, "text/plain");
  EXPECT_EQ(head->Meta("x-amz-meta-color"), "blue");
  EXPECT_FALSE(head->Meta("x-amz-checksum-crc32").empty());
  ASSERT_EQ(head->parts.size(), 1u);
  EXPECT_EQ(head->parts[0].checksums.size(), 1u);
}

TEST(ObjectLayer, Ranges) {
  Cluster c({.drives = 4, .parity = 2}, Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  const std::int64_t size = 3 * kMiB + 1000;
  std::string data = RandomData(size, 7);
  ASSERT_TRUE(c.Put("bucket", "big", data).ok());
  ASSERT_TRUE(c.Put("bucket", "small", "0123456789").ok());
  auto from_to = [](std::int64_t a, std::int64_t b) {
    GetOptions g;
    g.range.kind = RangeSpec::Kind::kFromTo;
    g.range.first = a;
    g.range.last = b;
    return g;
  };
  auto suffix = [](std::int64_t n) {
    GetOptions g;
    g.range.kind = RangeSpec::Kind::kSuffix;
    g.range.suffix_length = n;
    return g;
  };

  struct Case {
    GetOptions opts;
    std::int64_t off;
    std::int64_t len;
  };

  std::vector<Case> cases = {
      {from_to(0, 0), 0, 1},
      {from_to(0, 99), 0, 100},
      {from_to(kMiB - 10, kMiB + 10), kMiB - 10, 21},  // across a block boundary
      {from_to(kMiB, 2 * kMiB - 1), kMiB, kMiB},       // exactly one block
      {from_to(100, -1), 100, size - 100},             // to the end
      {from_to(size - 5, size + 100), size - 5, 5},    // clamped at the end
      {from_to(kMiB / 2, 3 * kMiB + 500), kMiB / 2, 3 * kMiB + 500 - kMiB / 2 + 1},
      {suffix(1), size - 1, 1},
      {suffix(2 * kMiB), size - 2 * kMiB, 2 * kMiB},
      {suffix(size + 10), 0, size},  // longer than the object
  };
  for (const auto& tc : cases) {
    for (bool next : {false, true}) {
      SCOPED_TRACE(std::to_string(tc.off) + "+" + std::to_string(tc.len) + (next ? " next" : ""));
      auto got = c.Get("bucket", "big", tc.opts, nullptr, next);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_TRUE(*got ==
                  data.substr(static_cast<std::size_t>(tc.off), static_cast<std::size_t>(tc.len)));
    }
  }
  EXPECT_EQ(*c.Get("bucket", "small", {}, nullptr, /*next=*/true), "0123456789");
  EXPECT_EQ(c.Get("bucket", "big", from_to(size, size + 5)).code(), Errc::kInvalidRange);
  EXPECT_EQ(c.Get("bucket", "big", from_to(10, 5)).code(), Errc::kInvalidRange);
  EXPECT_EQ(c.Get("bucket", "big", suffix(0)).code(), Errc::kInvalidRange);
  EXPECT_EQ(*c.Get("bucket", "small", from_to(3, 5)), "345");
  EXPECT_EQ(*c.Get("bucket", "small", suffix(3)), "789");
  GetOptions part;
  part.part_number = 1;
  EXPECT_TRUE(*c.Get("bucket", "big", part) == data);
  part.part_number = 2;
  EXPECT_EQ(c.Get("bucket", "big", part).code(), Errc::kInvalidPartNumber);
}

TEST(ObjectLayer, OverwriteAndDelete) {
  Cluster c({.drives = 4, .parity = 1});
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  std::string a = RandomData(2 * kMiB, 1);
  std::string b = RandomData(kMiB + 5, 2);
  ASSERT_TRUE(c.Put("bucket", "k", a).ok());
  ASSERT_TRUE(c.Put("bucket", "k", b).ok());
  EXPECT_TRUE(*c.Get("bucket", "k") == b);
  // The old data folder is gone: one part file per drive.
  for (std::size_t i = 0; i < c.drives.size(); ++i) {
    EXPECT_EQ(c.PartFiles(i).size(), 1u);
  }
  ASSERT_TRUE(c.Put("bucket", "k", "small now").ok());
  EXPECT_EQ(*c.Get("bucket", "k"), "small now");
  for (std::size_t i = 0; i < c.drives.size(); ++i) {
    EXPECT_EQ(c.PartFiles(i).size(), 0u);
  }
  ASSERT_TRUE(SyncWait(c.layer->DeleteObject(c.ctx, "bucket", "k", {})).ok());
  EXPECT_EQ(c.Get("bucket", "k").code(), Errc::kNoSuchKey);
  EXPECT_EQ(c.Head("bucket", "k").code(), Errc::kNoSuchKey);
  // Deleting again, or a key never written, succeeds.
  EXPECT_TRUE(SyncWait(c.layer->DeleteObject(c.ctx, "bucket", "k", {})).ok());
  EXPECT_TRUE(SyncWait(c.layer->DeleteObject(c.ctx, "bucket", "never", {})).ok());
  EXPECT_EQ(SyncWait(c.layer->DeleteObject(c.ctx, "nobucket", "k", {})).code(),
            Errc::kNoSuchBucket);
  EXPECT_EQ(c.Get("nobucket", "k").code(), Errc::kNoSuchBucket);
  EXPECT_EQ(c.Put("nobucket", "k", "x").code(), Errc::kNoSuchBucket);
  EXPECT_EQ(c.Put("nobucket", "k", RandomData(kMiB, 3)).code(), Errc::kNoSuchBucket);
  EXPECT_EQ(c.TmpFiles(), 0u);
}

// DeleteOptions::check sees the version asked for, as stored, and its error refuses the delete
// (object lock); a delete marker (no version id) does not call it.
TEST(ObjectLayer, DeleteCheckRefusesRemovingAVersion) {
  Cluster c({.drives = 4, .parity = 1});
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  ASSERT_TRUE(
      SyncWait(c.layer->SetBucketConfig(c.ctx, "bucket", bucket_config::kVersioning, "Enabled"))
          .ok());
  PutOptions po;
  po.metadata.emplace_back("x-amz-object-lock-legal-hold", "ON");
  auto put = c.Put("bucket", "k", "held", po);
  ASSERT_TRUE(put.ok()) << put.status().message();
  int calls = 0;
  DeleteOptions refuse;
  refuse.version_id = put->version_id;
  refuse.check = [&](const ObjectInfo& info) {
    ++calls;
    EXPECT_EQ(info.version_id, put->version_id);
    EXPECT_EQ(info.Meta("x-amz-object-lock-legal-hold"), "ON");
    return Status(Errc::kAccessDenied, "held");
  };
  EXPECT_EQ(SyncWait(c.layer->DeleteObject(c.ctx, "bucket", "k", refuse)).code(),
            Errc::kAccessDenied);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(*c.Get("bucket", "k"), "held");
  DeleteOptions marker;
  marker.check = refuse.check;
  auto added = SyncWait(c.layer->DeleteObject(c.ctx, "bucket", "k", marker));
  ASSERT_TRUE(added.ok());
  EXPECT_TRUE(added->delete_marker);
  EXPECT_EQ(calls, 1);
  DeleteOptions allow;
  allow.version_id = put->version_id;
  allow.check = [&](const ObjectInfo&) {
    ++calls;
    return Status();
  };
  EXPECT_TRUE(SyncWait(c.layer->DeleteObject(c.ctx, "bucket", "k", allow)).ok());
  EXPECT_EQ(calls, 2);
  GetOptions go;
  go.version_id = put->version_id;
  EXPECT_EQ(c.Get("bucket", "k", go).code(), Errc::kNoSuchVersion);
}

TEST(ObjectLayer, NameChecks) {
  Cluster c({.drives = 2, .parity = 1}, Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  EXPECT_EQ(c.Put("bucket", std::string(1025, 'a'), "x").code(), Errc::kKeyTooLong);
  EXPECT_EQ(c.Put("bucket", std::string("a\0b", 3), "x").code(), Errc::kInvalidObjectName);
  EXPECT_EQ(c.Put("bucket", "bad\xff", "x").code(), Errc::kInvalidObjectName);
  // Dot segments are plain keys.
  ASSERT_TRUE(c.Put("bucket", "../../etc/passwd", "x").ok());
  EXPECT_EQ(*c.Get("bucket", "../../etc/passwd"), "x");
}

TEST(ObjectLayer, ConditionalWrites) {
  Cluster c({.drives = 4, .parity = 2}, Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  PutOptions if_match;
  if_match.if_match = "\"abc\"";
  EXPECT_EQ(c.Put("bucket", "k", "x", if_match).code(), Errc::kNoSuchKey);
  PutOptions none_match;
  none_match.if_none_match = "*";
  auto first = c.Put("bucket", "k", "one", none_match);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(c.Put("bucket", "k", "two", none_match).code(), Errc::kPreconditionFailed);
  EXPECT_EQ(c.Put("bucket", "k", "two", if_match).code(), Errc::kPreconditionFailed);
  if_match.if_match = "\"" + first->etag + "\"";
  ASSERT_TRUE(c.Put("bucket", "k", "two", if_match).ok());
  EXPECT_EQ(*c.Get("bucket", "k"), "two");
}

TEST(ObjectLayer, Buckets) {
  Cluster c({.sets = 2, .drives = 4, .parity = 2});
  EXPECT_EQ(c.MakeBucket("Bad_Name").code(), Errc::kInvalidBucketName);
  ASSERT_TRUE(
      SyncWait(c.layer->MakeBucket(c.ctx, "alpha", {.location = "eu-west-1", .config = {}})).ok());
  ASSERT_TRUE(c.MakeBucket("beta").ok());
  EXPECT_EQ(c.MakeBucket("alpha").code(), Errc::kBucketExists);
  auto info = SyncWait(c.layer->GetBucketInfo(c.ctx, "alpha"));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->location, "eu-west-1");
  EXPECT_EQ(SyncWait(c.layer->GetBucketInfo(c.ctx, "gamma")).code(), Errc::kNoSuchBucket);
  auto list = SyncWait(c.layer->ListBuckets(c.ctx));
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "alpha");
  EXPECT_EQ((*list)[1].name, "beta");
  ASSERT_TRUE(c.Put("alpha", "k", "x").ok());
  EXPECT_EQ(SyncWait(c.layer->DeleteBucket(c.ctx, "alpha", {})).code(), Errc::kBucketNotEmpty);
  ASSERT_TRUE(SyncWait(c.layer->DeleteObject(c.ctx, "alpha", "k", {})).ok());
  ASSERT_TRUE(SyncWait(c.layer->DeleteBucket(c.ctx, "alpha", {})).ok());
  EXPECT_EQ(SyncWait(c.layer->GetBucketInfo(c.ctx, "alpha")).code(), Errc::kNoSuchBucket);
  EXPECT_EQ(SyncWait(c.layer->DeleteBucket(c.ctx, "alpha", {})).code(), Errc::kNoSuchBucket);
  ASSERT_TRUE(c.Put("beta", "k", "x").ok());
  EXPECT_TRUE(SyncWait(c.layer->DeleteBucket(c.ctx, "beta", {.force = true})).ok());
}

// Every object and prefix of a listing, page by page, against the expected set.
std::pair<std::vector<std::string>, std::vector<std::string>> ListAll(Cluster& c,
                                                                      const ListOptions& base,
                                                                      int* pages = nullptr) {
  std::vector<std::string> keys, prefixes;
  ListOptions lo = base;
  for (int page = 0; page < 1000; ++page) {
    auto r = SyncWait(c.layer->ListObjects(c.ctx, "bucket", lo));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) {
      break;
    }
    EXPECT_LE(r->objects.size() + r->prefixes.size(), static_cast<std::size_t>(lo.max_keys));
    for (const auto& o : r->objects) {
      keys.push_back(o.key);
    }
    for (const auto& p : r->prefixes) {
      prefixes.push_back(p);
    }
    if (pages) {
      ++*pages;
    }
    if (!r->truncated) {
      break;
    }
    EXPECT_FALSE(r->next_marker.empty());
    lo.marker = r->next_marker;
  }
  return {keys, prefixes};
}

TEST(ObjectLayer, ListingAcrossSets) {
  Cluster c({.sets = 3, .drives = 4, .parity = 2}, Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  std::set<std::string> keys;
  for (int d = 0; d < 6; ++d) {
    for (int f = 0; f < 12; ++f) {
      keys.insert("dir" + std::to_string(d) + "/file" + std::to_string(f));
    }
  }
  for (int f = 0; f < 15; ++f) {
    keys.insert("top" + std::to_string(f));
  }
  keys.insert("dir3/sub/deep");
  std::set<std::size_t> sets_used;
  for (const auto& k : keys) {
    ASSERT_TRUE(c.Put("bucket", k, k).ok());
    sets_used.insert(c.layer->SetIndex(k, 0));
  }
  EXPECT_EQ(sets_used.size(), 3u);  // the keys spread over every set

  for (int max_keys : {1, 7, 1000}) {
    SCOPED_TRACE(max_keys);
    ListOptions lo;
    lo.max_keys = max_keys;
    auto [all, none] = ListAll(c, lo);
    EXPECT_EQ(all, std::vector<std::string>(keys.begin(), keys.end()));
    EXPECT_TRUE(none.empty());

    lo.delimiter = "/";
    auto [top, dirs] = ListAll(c, lo);
    std::vector<std::string> want_top, want_dirs;
    for (const auto& k : keys) {
      if (k.starts_with("top")) {
        want_top.push_back(k);
      }
    }
    for (int d = 0; d < 6; ++d) {
      want_dirs.push_back("dir" + std::to_string(d) + "/");
    }
    EXPECT_EQ(top, want_top);
    EXPECT_EQ(dirs, want_dirs);

    lo.prefix = "dir3/";
    auto [in3, sub3] = ListAll(c, lo);
    EXPECT_EQ(in3.size(), 12u);
    EXPECT_EQ(sub3, std::vector<std::string>{"dir3/sub/"});
  }
  ListOptions lo;
  lo.marker = "dir5/file5";
  lo.max_keys = 1000;
  auto [after, p] = ListAll(c, lo);
  EXPECT_EQ(after.front(), "dir5/file6");
  lo.delimiter = "/";
  lo.marker = "dir2/file0";  // inside a folded prefix: resume after it
  auto [after2, p2] = ListAll(c, lo);
  EXPECT_EQ(p2.front(), "dir3/");
  // Deleted keys disappear from listings.
  ASSERT_TRUE(SyncWait(c.layer->DeleteObject(c.ctx, "bucket", "top3", {})).ok());
  ListOptions tops;
  tops.prefix = "top";
  EXPECT_EQ(ListAll(c, tops).first.size(), 14u);
  EXPECT_EQ(SyncWait(c.layer->ListObjects(c.ctx, "nobucket", {})).code(), Errc::kNoSuchBucket);
}

TEST(ObjectLayer, SeveralPools) {
  Cluster c({.pools = 2, .sets = 2, .drives = 2, .parity = 1}, Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  for (int i = 0; i < 20; ++i) {
    std::string k = "k" + std::to_string(i);
    ASSERT_TRUE(c.Put("bucket", k, k).ok());
    ASSERT_TRUE(c.Put("bucket", k, k + "v2").ok());  // stays in its pool
  }
  for (int i = 0; i < 20; ++i) {
    std::string k = "k" + std::to_string(i);
    EXPECT_EQ(*c.Get("bucket", k), k + "v2");
  }
  ListOptions lo;
  lo.max_keys = 6;
  auto [keys, prefixes] = ListAll(c, lo);
  EXPECT_EQ(keys.size(), 20u);
  auto up = SyncWait(c.layer->NewMultipartUpload(c.ctx, "bucket", "mp", {}));
  ASSERT_TRUE(up.ok());
  EXPECT_TRUE(SyncWait(c.layer->AbortMultipartUpload(c.ctx, "bucket", "mp", *up)).ok());
}

TEST(ObjectLayer, Health) {
  Cluster c({.sets = 2, .drives = 4, .parity = 1}, Backend::kMemory);
  auto h = SyncWait(c.layer->GetHealth(c.ctx));
  EXPECT_TRUE(h.write_quorum);
  EXPECT_TRUE(h.read_quorum);
  EXPECT_EQ(h.drives_online, 8);
  EXPECT_EQ(h.drives_total, 8);
  c.drives[0]->offline = true;
  h = SyncWait(c.layer->GetHealth(c.ctx));
  EXPECT_TRUE(h.write_quorum);  // 3 data of 4: write quorum 3
  c.drives[1]->offline = true;
  h = SyncWait(c.layer->GetHealth(c.ctx));
  EXPECT_FALSE(h.write_quorum);
  EXPECT_FALSE(h.read_quorum);
  EXPECT_EQ(h.drives_online, 6);
}

}  // namespace object_layer_test_internal
}  // namespace cairn::object::test

namespace cairn::object::test {
namespace object_layer_test_internal {

// Concurrent writers and readers of one key: every read returns one whole version.
TEST(ObjectLayer, ConcurrentPutsAndGetsSeeWholeVersions) {
  Cluster c({.drives = 4, .parity = 2}, Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  std::vector<std::string> versions;
  for (std::uint32_t v = 0; v < 4; ++v) {
    versions.push_back(RandomData(300000 + v * 1000, 100 + v));
  }
  ASSERT_TRUE(c.Put("bucket", "k", versions[0]).ok());
  auto results =
      SyncWait(FanOut<Result<std::string>>(12, [&](std::size_t i) -> Task<Result<std::string>> {
        if (i % 3 == 0) {
          StringSource src(versions[i / 3], 50000);
          HashExpectations ex;
          ex.size = static_cast<std::int64_t>(versions[i / 3].size());
          HashReader body(src, ex);
          PutOptions po;  // named: GCC 12 mishandles non-trivial temporaries in co_await
          CO_ASSIGN_OR_RETURN(auto oi, co_await c.layer->PutObject(c.ctx, "bucket", "k", body, po));
          co_return oi.etag;
        }
        GetOptions go;
        CO_ASSIGN_OR_RETURN(auto reader, co_await c.layer->GetObject(c.ctx, "bucket", "k", go));
        std::string out;
        std::vector<std::byte> buf(30000);
        for (;;) {
          CO_ASSIGN_OR_RETURN(std::size_t n, co_await reader->Read(buf));
          if (n == 0) {
            break;
          }
          out.append(reinterpret_cast<const char*>(buf.data()), n);
        }
        co_return out;
      }));
  for (std::size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].status().ToString();
    if (i % 3 != 0) {
      EXPECT_NE(std::find(versions.begin(), versions.end(), *results[i]), versions.end()) << i;
    }
  }
  auto last = c.Get("bucket", "k");
  ASSERT_TRUE(last.ok());
  EXPECT_NE(std::find(versions.begin(), versions.end(), *last), versions.end());
}

}  // namespace object_layer_test_internal
}  // namespace cairn::object::test
