// Multipart uploads through the ObjectLayer: the full flow and every error.
#include <gtest/gtest.h>

#include "common/checksum.h"
#include "object/multipart_checksum.h"
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
  // A number listed twice is no order error (S3 allows it: a client lists both uploads of
  // a part); the entry naming the stored part counts, and with none it is InvalidPart.
  EXPECT_EQ(Complete(c, "k", *id, {{1, b->etag, {}}, {1, d->etag, {}}}).code(), Errc::kInvalidPart);
  // Here `a` counts for part 1 (it names the stored part); 1000 bytes and not the last.
  EXPECT_EQ(Complete(c, "k", *id, {{1, b->etag, {}}, {1, a->etag, {}}, {2, b->etag, {}}}).code(),
            Errc::kEntityTooSmall);
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
  EXPECT_EQ(Complete(c, "k", *id, {{2, b->etag, {}}}).code(), Errc::kInvalidPart);
  EXPECT_EQ(Complete(c, "k", "bogus.0", {{2, b->etag, {}}}).code(), Errc::kNoSuchUpload);

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

// A completion retried after it succeeded (its answer lost) answers with the same object;
// with other parts InvalidPart; once the key holds another object, NoSuchUpload.
TEST(Multipart, RetriedCompletionAnswersAgain) {
  Cluster c({.drives = 4, .parity = 2}, Backend::kLocal);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  auto id = SyncWait(c.layer->NewMultipartUpload(c.ctx, "bucket", "k", {}));
  ASSERT_TRUE(id.ok());
  auto p1 = PutPart(c, "k", *id, 1, RandomData(5 * kMiB, 1));
  auto p2 = PutPart(c, "k", *id, 2, "tail");
  ASSERT_TRUE(p1.ok() && p2.ok());
  const std::vector<CompletePart> parts = {{1, p1->etag, {}}, {2, "\"" + p2->etag + "\"", {}}};
  auto first = Complete(c, "k", *id, parts);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto again = Complete(c, "k", *id, parts);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->etag, first->etag);
  EXPECT_EQ(again->size, first->size);
  EXPECT_EQ(again->mod_time_ns, first->mod_time_ns);
  EXPECT_EQ(Complete(c, "k", *id, {{1, p1->etag, {}}}).code(), Errc::kInvalidPart);
  EXPECT_EQ(Complete(c, "k", *id, {{1, p1->etag, {}}, {2, p1->etag, {}}}).code(),
            Errc::kInvalidPart);
  EXPECT_EQ(Complete(c, "k", *id, {{1, p1->etag, {}}, {3, p2->etag, {}}}).code(),
            Errc::kInvalidPart);
  // Another upload's id, or the same id for another key, never finds this object.
  EXPECT_EQ(Complete(c, "k", "another.0", parts).code(), Errc::kNoSuchUpload);
  EXPECT_EQ(Complete(c, "k2", *id, parts).code(), Errc::kNoSuchUpload);
  ASSERT_TRUE(c.Put("bucket", "k", "replaced").ok());
  EXPECT_EQ(Complete(c, "k", *id, parts).code(), Errc::kNoSuchUpload);
}

// The object checksum of a completion: COMPOSITE needs every part's checksum named, and
// FULL_OBJECT is the CRC of the whole object; a Complete header checksum must match.
TEST(Multipart, ObjectChecksums) {
  Cluster c({.drives = 4, .parity = 2}, Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  const std::string a = RandomData(5 * kMiB, 7);
  const std::string b = RandomData(1000, 8);
  auto crc = [](const std::string& data) {
    auto h = NewChecksumHasher(ChecksumAlgorithm::kCrc32c);
    h->Update(data);
    return Base64Encode(h->Finish());
  };
  auto put = [&](const std::string& key, const std::string& id, int n, const std::string& data,
                 std::optional<ChecksumAlgorithm> algo = ChecksumAlgorithm::kCrc32c) {
    StringSource src(data);
    HashExpectations ex;
    ex.size = static_cast<std::int64_t>(data.size());
    ex.checksum = algo;
    HashReader body(src, ex);
    return SyncWait(c.layer->PutObjectPart(c.ctx, "bucket", key, id, n, body));
  };
  for (const char* type_name : {"COMPOSITE", "FULL_OBJECT"}) {
    const std::string type = type_name;
    const std::string key = "ck-" + type;
    PutOptions po;
    po.metadata = {{"x-amz-checksum-algorithm", "CRC32C"}, {"x-amz-checksum-type", type}};
    auto id = SyncWait(c.layer->NewMultipartUpload(c.ctx, "bucket", key, po));
    ASSERT_TRUE(id.ok());
    // A part with another checksum is refused; one without gets the upload's.
    EXPECT_EQ(put(key, *id, 2, b, ChecksumAlgorithm::kSha1).code(), Errc::kInvalidRequest);
    auto r1 = put(key, *id, 1, a);
    auto r2 = put(key, *id, 2, b, std::nullopt);
    ASSERT_TRUE(r1.ok() && r2.ok());
    EXPECT_EQ(r2->checksums, (Metadata{{"CRC32C", crc(b)}}));
    const std::vector<CompletePart> bare = {{1, r1->etag, {}}, {2, r2->etag, {}}};
    const std::vector<CompletePart> named = {{1, r1->etag, {{"CRC32C", crc(a)}}},
                                             {2, r2->etag, {{"CRC32C", crc(b)}}}};
    const std::vector<CompletePart> wrong = {{1, r1->etag, {{"CRC32C", crc(b)}}},
                                             {2, r2->etag, {{"CRC32C", crc(b)}}}};
    EXPECT_EQ(Complete(c, key, *id, wrong).code(), Errc::kInvalidPart);
    PutOptions bad;
    bad.checksum_algorithm = ChecksumAlgorithm::kCrc32c;
    bad.checksum_base64 = crc(b);
    EXPECT_EQ(
        SyncWait(c.layer->CompleteMultipartUpload(c.ctx, "bucket", key, *id, named, bad)).code(),
        Errc::kBadDigest);
    bad.checksum_algorithm = ChecksumAlgorithm::kCrc32;
    EXPECT_EQ(
        SyncWait(c.layer->CompleteMultipartUpload(c.ctx, "bucket", key, *id, named, bad)).code(),
        Errc::kInvalidRequest);
    Result<ObjectInfo> done;
    if (type == "COMPOSITE") {
      EXPECT_EQ(Complete(c, key, *id, bare).code(), Errc::kInvalidRequest);
      done = Complete(c, key, *id, named);
      ASSERT_TRUE(done.ok()) << done.status().ToString();
      auto raw = *Base64Decode(crc(a)) + *Base64Decode(crc(b));
      EXPECT_EQ(done->Meta("x-amz-checksum-crc32c"), crc(raw) + "-2");
    } else {
      PutOptions good;
      good.checksum_algorithm = ChecksumAlgorithm::kCrc32c;
      good.checksum_base64 = crc(a + b);
      done = SyncWait(c.layer->CompleteMultipartUpload(c.ctx, "bucket", key, *id, bare, good));
      ASSERT_TRUE(done.ok()) << done.status().ToString();
      EXPECT_EQ(done->Meta("x-amz-checksum-crc32c"), crc(a + b));
    }
    EXPECT_EQ(done->Meta("x-amz-checksum-type"), type);
    auto head = SyncWait(c.layer->GetObjectInfo(c.ctx, "bucket", key, {}));
    ASSERT_TRUE(head.ok());
    EXPECT_EQ(head->Meta("x-amz-checksum-crc32c"), done->Meta("x-amz-checksum-crc32c"));
    EXPECT_EQ(head->Meta("x-amz-checksum-type"), type);
  }
}

TEST(MultipartChecksum, UploadChecksumDefaults) {
  EXPECT_FALSE(UploadChecksumOf({}).has_value());
  auto crc64 = UploadChecksumOf({{"x-amz-checksum-algorithm", "CRC64NVME"}});
  ASSERT_TRUE(crc64.has_value());
  EXPECT_TRUE(crc64->full_object);
  auto sha = UploadChecksumOf({{"x-amz-checksum-algorithm", "SHA256"}});
  ASSERT_TRUE(sha.has_value());
  EXPECT_FALSE(sha->full_object);
  auto full = UploadChecksumOf(
      {{"x-amz-checksum-algorithm", "CRC32"}, {"x-amz-checksum-type", "FULL_OBJECT"}});
  ASSERT_TRUE(full.has_value());
  EXPECT_TRUE(full->full_object);
  EXPECT_EQ(full->algorithm, ChecksumAlgorithm::kCrc32);
}

TEST(MultipartChecksum, PartsWithoutChecksumsAreRefused) {
  UploadChecksum cs{ChecksumAlgorithm::kCrc32, true};
  std::vector<meta::ObjectPart> stored = {{1, "e1", 3, 0, {}}};
  std::vector<CompletePart> given = {{1, "e1", {}}};
  EXPECT_EQ(MultipartObjectChecksum(cs, stored, given).code(), Errc::kInvalidPart);
  stored[0].checksums = {{"CRC32", "not base64!"}};
  EXPECT_EQ(MultipartObjectChecksum(cs, stored, given).code(), Errc::kInvalidPart);
  stored[0].checksums = {{"CRC32", Base64Encode(std::string("\x01\x02\x03\x04", 4))}};
  auto one = MultipartObjectChecksum(cs, stored, given);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, stored[0].checksums[0].second);  // one part: its own CRC, no "-1"
  given[0].checksums = {{"SHA256", "x"}};
  EXPECT_EQ(MultipartObjectChecksum(cs, stored, given).code(), Errc::kInvalidPart);
  EXPECT_EQ(
      MultipartObjectChecksum({ChecksumAlgorithm::kSha1, true}, stored, {{1, "e1", {}}}).code(),
      Errc::kInvalidPart);
}

}  // namespace multipart_test_internal
}  // namespace cairn::object::test
