// A write that finds drives offline raises its parity (as MinIO does): P' = min(P + k, N / 2),
// D' = N - P', recorded in the object's metadata; reads, heals and multipart use the object's
// own geometry, and the S3 answer is the same as for a write with every drive online.
#include <gtest/gtest.h>

#include "common/checksum.h"
#include "object_fixture.h"

namespace cairn::object::test {
namespace degraded_parity_test_internal {

constexpr std::size_t kMiB = 1 << 20;

Result<meta::FileInfo> CopyOn(Cluster& c, std::size_t drive, std::string_view key) {
  return SyncWait(c.inners[drive]->ReadVersion(c.ctx, "bucket", key, "", false));
}

// Every drive in `drives` that holds `key` has the geometry data + parity.
void ExpectGeometry(Cluster& c, std::string_view key, int data, int parity,
                    const std::vector<std::size_t>& drives) {
  for (std::size_t i : drives) {
    auto fi = CopyOn(c, i, key);
    ASSERT_TRUE(fi.ok()) << "drive " << i << ": " << fi.status().ToString();
    EXPECT_EQ(fi->erasure.data_blocks, data) << "drive " << i;
    EXPECT_EQ(fi->erasure.parity_blocks, parity) << "drive " << i;
  }
}

void SetOffline(Cluster& c, const std::vector<std::size_t>& drives, bool offline) {
  for (std::size_t i : drives) {
    c.drives[i]->offline = offline;
  }
}

struct Case {
  int drives;
  int parity;
  int offline;        // drives offline during the write
  int want_parity;    // P' recorded
  std::size_t bytes;  // body size (inline or shard files)
};

class DegradedParity : public ::testing::TestWithParam<Case> {};

TEST_P(DegradedParity, WriteRaisesParityReadsAndHealsWithItsOwnGeometry) {
  const Case k = GetParam();
  Cluster c(Layout{1, 1, k.drives, k.parity}, Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  const std::string data = RandomData(k.bytes, 7);
  const int want_data = k.drives - k.want_parity;

  // All drives online: the set's geometry.
  ASSERT_TRUE(c.Put("bucket", "whole", data).ok());
  ExpectGeometry(c, "whole", k.drives - k.parity, k.parity, {0});

  std::vector<std::size_t> away;
  for (int i = 0; i < k.offline; ++i) {
    away.push_back(static_cast<std::size_t>(i));
  }
  std::vector<std::size_t> present;
  for (int i = k.offline; i < k.drives; ++i) {
    present.push_back(static_cast<std::size_t>(i));
  }
  SetOffline(c, away, true);
  auto put = c.Put("bucket", "k", data);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  // The S3 answer is unchanged: the ETag is the body's MD5, the size the body's.
  EXPECT_EQ(put->etag, HexEncode(Md5(data)));
  EXPECT_EQ(put->size, static_cast<std::int64_t>(data.size()));
  ExpectGeometry(c, "k", want_data, k.want_parity, present);
  SetOffline(c, away, false);
  EXPECT_EQ(CopyOn(c, 0, "k").code(), Errc::kFileNotFound);

  // Readable with P' drives missing: the one that missed the write and P' - k others.
  std::vector<std::size_t> missing = away;
  for (int i = 0; i < k.want_parity - k.offline; ++i) {
    missing.push_back(present[static_cast<std::size_t>(i)]);
  }
  SetOffline(c, missing, true);
  auto got = c.Get("bucket", "k");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == data);
  EXPECT_EQ(c.Head("bucket", "k")->etag, put->etag);
  // Listing needs the object's own read quorum, not the set's: fewer drives than the set's
  // read quorum answer, and the object is listed. "whole", in the set's geometry, cannot be
  // decided from them: listing everything is refused rather than given without it.
  ListOptions only_k;
  only_k.prefix = "k";
  auto listed = SyncWait(c.layer->ListObjects(c.ctx, "bucket", only_k));
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->objects.size(), 1u);
  EXPECT_EQ(listed->objects[0].etag, put->etag);
  EXPECT_EQ(SyncWait(c.layer->ListObjects(c.ctx, "bucket", {})).code(), Errc::kReadQuorum);
  // One drive more is beyond its parity: a clean error, never wrong bytes.
  c.drives[present.back()]->offline = true;
  EXPECT_FALSE(c.Get("bucket", "k").ok());
  SetOffline(c, missing, false);
  c.drives[present.back()]->offline = false;

  // The drive that missed the write gets its shard, in the object's geometry.
  auto healed = SyncWait(c.layer->HealObject(c.ctx, "bucket", "k", "", {}));
  ASSERT_TRUE(healed.ok()) << healed.status().ToString();
  ExpectGeometry(c, "k", want_data, k.want_parity, away);
  // And it serves reads: drop P' drives that were there all along.
  std::vector<std::size_t> others(present.begin(), present.begin() + k.want_parity);
  SetOffline(c, others, true);
  got = c.Get("bucket", "k");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == data);
  SetOffline(c, others, false);

  // Listing reports it as written.
  auto list = SyncWait(c.layer->ListObjects(c.ctx, "bucket", {}));
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->objects.size(), 2u);
  EXPECT_EQ(list->objects[0].etag, put->etag);
  EXPECT_EQ(list->objects[0].size, static_cast<std::int64_t>(data.size()));
}

INSTANTIATE_TEST_SUITE_P(Sets, DegradedParity,
                         ::testing::Values(Case{6, 2, 1, 3, 3 * kMiB + 5}, Case{6, 2, 1, 3, 1000},
                                           Case{8, 2, 1, 3, 2 * kMiB},
                                           Case{8, 2, 2, 4, 2 * kMiB + 1}, Case{8, 2, 2, 4, 100}),
                         [](const auto& info) {
                           const Case& k = info.param;
                           return std::to_string(k.drives) + "drives_parity" +
                                  std::to_string(k.parity) + "_offline" +
                                  std::to_string(k.offline) + "_" + std::to_string(k.bytes) +
                                  "bytes";
                         });

// A parity at half the set already cannot grow.
TEST(DegradedParityLimits, ParityNeverPassesHalfTheSet) {
  Cluster c(Layout{1, 1, 4, 2}, Backend::kMemory);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  c.drives[0]->offline = true;
  ASSERT_TRUE(c.Put("bucket", "k", RandomData(kMiB, 1)).ok());
  ExpectGeometry(c, "k", 2, 2, {1, 2, 3});
}

// A multipart upload takes its geometry when it starts; its parts and the object keep it.
TEST(DegradedParityLimits, MultipartKeepsTheUploadsGeometry) {
  ServerPoolsOptions opts;
  opts.min_part_size = kMiB;
  Cluster c(Layout{1, 1, 6, 2}, Backend::kMemory, opts);
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  c.drives[5]->offline = true;
  auto id = SyncWait(c.layer->NewMultipartUpload(c.ctx, "bucket", "mp", {}));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  c.drives[5]->offline = false;  // back before the parts: they keep the upload's geometry
  const std::string p1 = RandomData(kMiB + 3, 1);
  const std::string p2 = RandomData(1000, 2);
  std::vector<CompletePart> parts;
  for (int n = 1; n <= 2; ++n) {
    StringSource src(n == 1 ? p1 : p2);
    HashExpectations ex;
    ex.size = static_cast<std::int64_t>((n == 1 ? p1 : p2).size());
    HashReader body(src, ex);
    auto part = SyncWait(c.layer->PutObjectPart(c.ctx, "bucket", "mp", *id, n, body));
    ASSERT_TRUE(part.ok()) << part.status().ToString();
    parts.push_back({n, part->etag, {}});
  }
  auto done = SyncWait(c.layer->CompleteMultipartUpload(c.ctx, "bucket", "mp", *id, parts, {}));
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_TRUE(done->etag.ends_with("-2"));
  ExpectGeometry(c, "mp", 3, 3, {0, 1, 2, 3, 4});
  // P' = 3 drives missing: two with the object and the one that never had it.
  SetOffline(c, {0, 1, 5}, true);
  auto got = c.Get("bucket", "mp");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == p1 + p2);
}

}  // namespace degraded_parity_test_internal
}  // namespace cairn::object::test
