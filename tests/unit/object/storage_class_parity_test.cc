// Storage classes choose the parity of new objects and uploads (ServerPoolsOptions::
// storage_class_parity, PutOptions::parity): recorded in the object's metadata, and raised by
// drives offline as the set's own parity is.
#include <gtest/gtest.h>

#include "object_fixture.h"

namespace cairn::object::test {
namespace storage_class_parity_test_internal {

constexpr std::size_t kMiB = 1 << 20;

int ParityOn(Cluster& c, std::size_t drive, std::string_view key) {
  auto fi = SyncWait(c.inners[drive]->ReadVersion(c.ctx, "bucket", key, "", false));
  EXPECT_TRUE(fi.ok()) << fi.status().ToString();
  return fi.ok() ? fi->erasure.parity_blocks : -1;
}

PutOptions WithClass(std::string_view cls) {
  PutOptions po;
  po.metadata = {{"content-type", "text/plain"}};
  if (!cls.empty()) {
    po.metadata.emplace_back("x-amz-storage-class", std::string(cls));
  }
  return po;
}

ServerPoolsOptions Classes(std::map<std::string, int, std::less<>> parity) {
  ServerPoolsOptions opts;
  opts.min_part_size = 1;
  opts.storage_class_parity = std::move(parity);
  return opts;
}

TEST(StorageClassParity, EachClassGetsItsParity) {
  Cluster c({.drives = 6, .parity = 3}, Backend::kMemory,
            Classes({{"STANDARD", 2}, {"REDUCED_REDUNDANCY", 1}}));
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  const std::string data = RandomData(2 * kMiB, 3);
  ASSERT_TRUE(c.Put("bucket", "none", data, WithClass("")).ok());
  ASSERT_TRUE(c.Put("bucket", "std", data, WithClass("STANDARD")).ok());
  ASSERT_TRUE(c.Put("bucket", "rrs", data, WithClass("REDUCED_REDUNDANCY")).ok());
  EXPECT_EQ(ParityOn(c, 0, "none"), 2);
  EXPECT_EQ(ParityOn(c, 0, "std"), 2);
  EXPECT_EQ(ParityOn(c, 0, "rrs"), 1);
  // An explicit parity wins over the class.
  PutOptions explicit_parity = WithClass("REDUCED_REDUNDANCY");
  explicit_parity.parity = 3;
  ASSERT_TRUE(c.Put("bucket", "explicit", data, explicit_parity).ok());
  EXPECT_EQ(ParityOn(c, 0, "explicit"), 3);
  // The RRS object reads with one drive gone, not with two.
  c.drives[1]->offline = true;
  auto got = c.Get("bucket", "rrs");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == data);
  c.drives[2]->offline = true;
  EXPECT_FALSE(c.Get("bucket", "rrs").ok());
  EXPECT_TRUE(c.Get("bucket", "std").ok());
}

TEST(StorageClassParity, ClassesNotConfiguredGetTheSetsParity) {
  Cluster c({.drives = 4, .parity = 2}, Backend::kMemory, Classes({{"REDUCED_REDUNDANCY", 1}}));
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  ASSERT_TRUE(c.Put("bucket", "std", "x", WithClass("STANDARD")).ok());
  EXPECT_EQ(ParityOn(c, 0, "std"), 2);
}

TEST(StorageClassParity, DrivesOfflineRaiseTheClassParity) {
  Cluster c({.drives = 6, .parity = 3}, Backend::kMemory, Classes({{"REDUCED_REDUNDANCY", 1}}));
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  c.drives[0]->offline = true;
  ASSERT_TRUE(c.Put("bucket", "rrs", RandomData(kMiB, 4), WithClass("REDUCED_REDUNDANCY")).ok());
  EXPECT_EQ(ParityOn(c, 1, "rrs"), 2);
}

TEST(StorageClassParity, MultipartUploadKeepsItsClassParity) {
  Cluster c({.drives = 6, .parity = 3}, Backend::kMemory, Classes({{"REDUCED_REDUNDANCY", 1}}));
  ASSERT_TRUE(c.MakeBucket("bucket").ok());
  auto id =
      SyncWait(c.layer->NewMultipartUpload(c.ctx, "bucket", "mp", WithClass("REDUCED_REDUNDANCY")));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  const std::string data = RandomData(kMiB + 3, 5);
  StringSource src(data);
  HashExpectations ex;
  ex.size = static_cast<std::int64_t>(data.size());
  HashReader body(src, ex);
  auto part = SyncWait(c.layer->PutObjectPart(c.ctx, "bucket", "mp", *id, 1, body));
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  auto done = SyncWait(c.layer->CompleteMultipartUpload(c.ctx, "bucket", "mp", *id,
                                                        {CompletePart{1, part->etag, {}}}, {}));
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->storage_class, "REDUCED_REDUNDANCY");
  EXPECT_EQ(ParityOn(c, 0, "mp"), 1);
}

}  // namespace storage_class_parity_test_internal
}  // namespace cairn::object::test
