// Multipart uploads through the ObjectLayer: the full flow and every error.
#include <gtest/gtest.h>

#include "common/checksum.h"
#include "object_fixture.h"

namespace cairn::object::test {
namespace multipart_test_internal {

constexpr std::int64_t kMiB = 1 << 20;

Result<PartInfo> PutPart(Cluster& c, std::string_view key, std::string_view id, int n,
                         const std::string& data) {
  StringSource src(data);
  HashExpectations ex;
  ex.size = static_cast<std::int64_t>(data.size());
  HashReader body(src, ex);
  return SyncWait(c.layer->PutObjectPart(c.ctx, "bucket", key, id, n, body));
}

Result<ObjectInfo> Complete(Cluster& c, std::string_view key, std::string_view id,
                            const std::vector<CompletePart>& parts) {
  return SyncWait(c.layer->CompleteMultipartUpload(c.ctx, "bucket", key, id, parts, {}));
}

TEST(Multipart, FullFlow) {
  ServerPoolsOptions opts;
  opts.min_part_size = kMiB;  // keeps the test small; Errors checks the 5 MiB default
  Cluster c({.drives = 4, .parity = 2}, Backend::kLocal, opts);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  PutOptions po;
  po.metadata = {{"content-type", "video/mp4"}};
  auto id = SyncWait(c.layer->NewMultipartUpload(c.ctx, "bucket", "movie", po));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  std::string p1 = RandomData(5 * kMiB, 1);
  std::string p2 = RandomData(kMiB + 77, 2);
  std::string p3 = RandomData(10, 3);
  // Upload part 2 twice (the second replaces the first), and out of order.
  ASSERT_TRUE(PutPart(c, "movie", *id, 2, RandomData(100, 9)).ok());
  auto r2 = PutPart(c, "movie", *id, 2, p2);
  auto r1 = PutPart(c, "movie", *id, 1, p1);
  auto r3 = PutPart(c, "movie", *id, 3, p3);
  ASSERT_TRUE(r1.ok() && r2.ok() && r3.ok());
  EXPECT_EQ(r1->etag, HexEncode(Md5(p1)));
  EXPECT_EQ(r2->size, static_cast<std::int64_t>(p2.size()));

  auto parts = SyncWait(c.layer->ListObjectParts(c.ctx, "bucket", "movie", *id, {0, 2}));
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->parts.size(), 2u);
  EXPECT_TRUE(parts->truncated);
  EXPECT_EQ(parts->next_part_number_marker, 2);
  EXPECT_EQ(parts->parts[1].etag, r2->etag);
  parts = SyncWait(c.layer->ListObjectParts(c.ctx, "bucket", "movie", *id, {2, 2}));
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->parts.size(), 1u);
  EXPECT_EQ(parts->parts[0].number, 3);
  EXPECT_FALSE(parts->truncated);

  auto ups = SyncWait(c.layer->ListMultipartUploads(c.ctx, "bucket", {"", "", "", "", 100}));
  ASSERT_TRUE(ups.ok());
  ASSERT_EQ(ups->uploads.size(), 1u);
  EXPECT_EQ(ups->uploads[0].upload_id, *id);

  auto done = Complete(c, "movie", *id,
                       {{1, "\"" + r1->etag + "\"", {}}, {2, r2->etag, {}}, {3, r3->etag, {}}});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  std::string want_etag =
      HexEncode(Md5(*HexDecode(r1->etag) + *HexDecode(r2->etag) + *HexDecode(r3->etag))) + "-3";
  EXPECT_EQ(done->etag, want_etag);
  EXPECT_EQ(done->size, static_cast<std::int64_t>(p1.size() + p2.size() + p3.size()));

  ObjectInfo info;
  auto got = c.Get("bucket", "movie", {}, &info);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == p1 + p2 + p3);
  EXPECT_EQ(info.content_type, "video/mp4");
  EXPECT_EQ(info.parts.size(), 3u);
  GetOptions range;
  range.range.kind = RangeSpec::Kind::kFromTo;
  range.range.first = 5 * kMiB - 3;
  range.range.last = 5 * kMiB + 2;
  EXPECT_TRUE(*c.Get("bucket", "movie", range) == (p1 + p2).substr(5 * kMiB - 3, 6));
  GetOptions part;
  part.part_number = 2;
  EXPECT_TRUE(*c.Get("bucket", "movie", part) == p2);
  part.part_number = 4;
  EXPECT_EQ(c.Get("bucket", "movie", part).code(), Errc::kInvalidPartNumber);
  // The upload is gone.
  EXPECT_EQ(SyncWait(c.layer->ListObjectParts(c.ctx, "bucket", "movie", *id, {0, 100})).code(),
            Errc::kNoSuchUpload);
  EXPECT_EQ(c.TmpFiles(), 0u);
}

TEST(Multipart, Errors) {
  Cluster c({.drives = 4, .parity = 1}, Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  EXPECT_EQ(SyncWait(c.layer->NewMultipartUpload(c.ctx, "nobucket", "k", {})).code(),
            Errc::kNoSuchBucket);
  auto id = SyncWait(c.layer->NewMultipartUpload(c.ctx, "bucket", "k", {}));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(PutPart(c, "k", *id, 0, "x").code(), Errc::kInvalidArgumentS3);
  EXPECT_EQ(PutPart(c, "k", *id, 10001, "x").code(), Errc::kInvalidArgumentS3);
  EXPECT_EQ(PutPart(c, "k", "bogus.0", 1, "x").code(), Errc::kNoSuchUpload);
  EXPECT_EQ(PutPart(c, "other", *id, 1, "x").code(), Errc::kNoSuchUpload);
  std::string big = RandomData(5 * kMiB, 1);
  auto a = PutPart(c, "k", *id, 1, RandomData(1000, 2));
  auto b = PutPart(c, "k", *id, 2, big);
  auto d = PutPart(c, "k", *id, 3, "tail");
  ASSERT_TRUE(a.ok() && b.ok() && d.ok());
  EXPECT_EQ(Complete(c, "k", *id, {}).code(), Errc::kMalformedXml);
  EXPECT_EQ(Complete(c, "k", *id, {{2, b->etag, {}}, {1, a->etag, {}}}).code(),
            Errc::kInvalidPartOrder);
  EXPECT_EQ(Complete(c, "k", *id, {{1, a->etag, {}}, {1, a->etag, {}}}).code(),
            Errc::kInvalidPartOrder);
  EXPECT_EQ(Complete(c, "k", *id, {{1, b->etag, {}}}).code(), Errc::kInvalidPart);
  EXPECT_EQ(Complete(c, "k", *id, {{4, b->etag, {}}}).code(), Errc::kInvalidPart);
  EXPECT_EQ(Complete(c, "k", *id, {{1, a->etag, {}}, {2, b->etag, {}}}).code(),
            Errc::kEntityTooSmall);
  std::vector<CompletePart> too_many(10001);
  for (int i = 0; i < 10001; ++i) {
    too_many[static_cast<std::size_t>(i)].number = i + 1;
  }
  EXPECT_EQ(Complete(c, "k", *id, too_many).code(), Errc::kTooManyParts);
  // A part list that skips part 1 completes: part 2 is big enough, part 3 is last.
  auto ok = Complete(c, "k", *id, {{2, b->etag, {}}, {3, d->etag, {}}});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_TRUE(*c.Get("bucket", "k") == big + "tail");
  EXPECT_EQ(Complete(c, "k", *id, {{2, b->etag, {}}}).code(), Errc::kNoSuchUpload);

  auto id2 = SyncWait(c.layer->NewMultipartUpload(c.ctx, "bucket", "k2", {}));
  ASSERT_TRUE(id2.ok());
  ASSERT_TRUE(PutPart(c, "k2", *id2, 1, "abc").ok());
  ASSERT_TRUE(SyncWait(c.layer->AbortMultipartUpload(c.ctx, "bucket", "k2", *id2)).ok());
  EXPECT_EQ(SyncWait(c.layer->AbortMultipartUpload(c.ctx, "bucket", "k2", *id2)).code(),
            Errc::kNoSuchUpload);
  EXPECT_EQ(PutPart(c, "k2", *id2, 2, "x").code(), Errc::kNoSuchUpload);
  for (const auto& inner : c.inners) {
    auto* mem = static_cast<MemoryDrive*>(inner.get());
    EXPECT_EQ(mem->TmpFilesForTest(), 0u);
  }
}

TEST(Multipart, ListUploadsWithPrefixAndDelimiter) {
  Cluster c({.sets = 2, .drives = 2, .parity = 1}, Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  std::vector<std::string> keys = {"a/1", "a/2", "a/2", "b/1", "c", "d"};
  std::vector<std::string> ids;
  for (const auto& k : keys) {
    auto id = SyncWait(c.layer->NewMultipartUpload(c.ctx, "bucket", k, {}));
    ASSERT_TRUE(id.ok());
    ids.push_back(*id);
  }
  auto all = SyncWait(c.layer->ListMultipartUploads(c.ctx, "bucket", {"", "", "", "", 100}));
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->uploads.size(), 6u);
  for (std::size_t i = 1; i < all->uploads.size(); ++i) {
    EXPECT_LE(all->uploads[i - 1].key, all->uploads[i].key);
  }
  auto folded = SyncWait(c.layer->ListMultipartUploads(c.ctx, "bucket", {"", "", "", "/", 100}));
  ASSERT_TRUE(folded.ok());
  EXPECT_EQ(folded->prefixes, (std::vector<std::string>{"a/", "b/"}));
  ASSERT_EQ(folded->uploads.size(), 2u);
  EXPECT_EQ(folded->uploads[0].key, "c");
  auto pre = SyncWait(c.layer->ListMultipartUploads(c.ctx, "bucket", {"a/", "", "", "", 100}));
  ASSERT_TRUE(pre.ok());
  EXPECT_EQ(pre->uploads.size(), 3u);
  // Paging two at a time visits every upload once.
  std::size_t seen = 0;
  std::string km, im;
  for (int page = 0; page < 10; ++page) {
    auto r = SyncWait(c.layer->ListMultipartUploads(c.ctx, "bucket", {"", km, im, "", 2}));
    ASSERT_TRUE(r.ok());
    EXPECT_LE(r->uploads.size(), 2u);
    seen += r->uploads.size();
    if (!r->truncated) {
      break;
    }
    km = r->next_key_marker;
    im = r->next_upload_id_marker;
  }
  EXPECT_EQ(seen, 6u);
  auto after = SyncWait(c.layer->ListMultipartUploads(c.ctx, "bucket", {"", "a/2", "", "", 100}));
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->uploads.size(), 3u);
  EXPECT_EQ(after->uploads[0].key, "b/1");
}

}  // namespace multipart_test_internal
}  // namespace cairn::object::test
