#include "object/object_util.h"

#include <gtest/gtest.h>

#include "object/quorum.h"

namespace cairn::object {
namespace object_util_test_internal {

TEST(Names, BucketRules) {
  for (const char* ok : {"abc", "my-bucket", "my.bucket.1", "a1b", "123"}) {
    EXPECT_TRUE(CheckBucketName(ok).ok()) << ok;
  }
  for (const char* bad : {"ab", "Abc", "a_b", "-abc", "abc-", ".abc", "a..b", "a.-b", "a-.b",
                          "192.168.1.1", "xn--abc", "abc-s3alias", ""}) {
    EXPECT_EQ(CheckBucketName(bad).code(), Errc::kInvalidBucketName) << bad;
  }
  EXPECT_EQ(CheckBucketName(std::string(64, 'a')).code(), Errc::kInvalidBucketName);
  EXPECT_TRUE(CheckBucketName(std::string(63, 'a')).ok());
  // The one exception: cairn's own system bucket (s3/ refuses every name starting with '.').
  EXPECT_TRUE(CheckBucketName(kSystemBucket).ok());
  EXPECT_EQ(CheckBucketName(".cairn.sys2").code(), Errc::kInvalidBucketName);
}

TEST(Names, ObjectRules) {
  EXPECT_TRUE(CheckObjectName("a/b/../c").ok());
  EXPECT_TRUE(CheckObjectName("héllo wörld/日本").ok());
  EXPECT_TRUE(CheckObjectName(std::string(1024, 'k')).ok());
  EXPECT_EQ(CheckObjectName(std::string(1025, 'k')).code(), Errc::kKeyTooLong);
  EXPECT_EQ(CheckObjectName("").code(), Errc::kInvalidObjectName);
  EXPECT_EQ(CheckObjectName(std::string("a\0b", 3)).code(), Errc::kInvalidObjectName);
  EXPECT_EQ(CheckObjectName("bad\xff").code(), Errc::kInvalidObjectName);
  EXPECT_EQ(CheckObjectName("\xc0\xaf").code(), Errc::kInvalidObjectName);  // overlong
  EXPECT_EQ(CheckObjectName("trunc\xe6\x97").code(), Errc::kInvalidObjectName);
}

TEST(Ids, UploadIdsAndUuids) {
  std::string id = NewUploadId();
  EXPECT_EQ(id.size(), 22u);
  EXPECT_EQ(
      id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_NE(NewUploadId(), id);
  std::string u = NewUuid();
  EXPECT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
}

TEST(Distribution, IsARotation) {
  auto d = HashOrder("some/key", 6);
  ASSERT_EQ(d.size(), 6u);
  for (std::size_t i = 1; i < d.size(); ++i) {
    EXPECT_EQ(d[i], d[i - 1] % 6 + 1);
  }
  EXPECT_EQ(HashOrder("some/key", 6), d);
}

TEST(Quorum, ReduceAndMap) {
  std::vector<Status> r = {Status::Ok(), Status::Ok(), Status(Errc::kDiskNotFound), Status::Ok()};
  EXPECT_TRUE(ReduceQuorum(r, 3, Errc::kWriteQuorum).ok());
  EXPECT_EQ(ReduceQuorum(r, 4, Errc::kWriteQuorum).code(), Errc::kWriteQuorum);
  std::vector<Status> nf = {Status(Errc::kFileNotFound), Status(Errc::kFileNotFound),
                            Status(Errc::kDiskNotFound), Status::Ok()};
  EXPECT_EQ(ReduceQuorum(nf, 2, Errc::kReadQuorum).code(), Errc::kNoSuchKey);
  std::vector<Status> off = {Status(Errc::kDiskNotFound), Status(Errc::kDiskNotFound),
                             Status(Errc::kDiskNotFound), Status::Ok()};
  EXPECT_EQ(ReduceQuorum(off, 2, Errc::kReadQuorum).code(), Errc::kReadQuorum);
  EXPECT_EQ(ToObjectError(Errc::kVolumeNotFound, Errc::kReadQuorum), Errc::kNoSuchBucket);
  EXPECT_EQ(ToObjectError(Errc::kUploadNotFound, Errc::kReadQuorum), Errc::kNoSuchUpload);
  EXPECT_EQ(ToObjectError(Errc::kFileCorrupt, Errc::kWriteQuorum), Errc::kWriteQuorum);
}

}  // namespace object_util_test_internal
}  // namespace cairn::object
