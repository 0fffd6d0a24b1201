// RefuseUnsupportedFeatures: which requests asking for encryption, object lock, ACLs or tags
// are refused, with which error, and that everything else passes.
#include "s3/unsupported.h"

#include <gtest/gtest.h>

namespace cairn::s3 {
namespace {

http::Request With(std::vector<std::pair<std::string, std::string>> headers, bool tls = false) {
  http::Request r;
  r.method = "PUT";
  for (auto& [name, value] : headers) {
    r.headers.emplace_back(std::move(name), std::move(value));
  }
  r.tls = tls;
  return r;
}

Status Refuse(Op op, const http::Request& request) {
  return RefuseUnsupportedFeatures(op, request, QueryParams{});
}

TEST(Unsupported, PlainRequestsPass) {
  for (Op op : {Op::kPutObject, Op::kGetObject, Op::kHeadObject, Op::kCopyObject,
                Op::kCreateMultipartUpload, Op::kUploadPart, Op::kListObjectsV2}) {
    EXPECT_TRUE(Refuse(op, With({{"content-type", "text/plain"}})).ok());
  }
}

TEST(Unsupported, EncryptionHeadersPassTheTable) {
  // Server-side encryption is served (s3/sse.h checks the headers in the handlers).
  for (const char* header :
       {"x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
        "x-amz-server-side-encryption-context", "x-amz-server-side-encryption-bucket-key-enabled",
        "x-amz-server-side-encryption-customer-algorithm"}) {
    for (Op op : {Op::kPutObject, Op::kCopyObject, Op::kCreateMultipartUpload}) {
      EXPECT_TRUE(Refuse(op, With({{header, "AES256"}})).ok()) << header;
    }
  }
  for (Op op : {Op::kGetObject, Op::kHeadObject, Op::kUploadPart, Op::kUploadPartCopy}) {
    EXPECT_TRUE(
        Refuse(op, With({{"x-amz-server-side-encryption-customer-algorithm", "AES256"}})).ok());
  }
}

TEST(Unsupported, ObjectLockHeadersPassTheTable) {
  // The handlers store them in a bucket with object lock and refuse them elsewhere.
  for (const char* header : {"x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date",
                             "x-amz-object-lock-legal-hold"}) {
    EXPECT_TRUE(Refuse(Op::kPutObject, With({{header, "x"}})).ok());
    EXPECT_TRUE(Refuse(Op::kCreateMultipartUpload, With({{header, "x"}})).ok());
  }
}

TEST(Unsupported, AclHeadersPassTheTable) {
  // The handlers apply them under the bucket's Object Ownership (s3/acl_access.h).
  for (Op op : {Op::kPutObject, Op::kCopyObject, Op::kCreateMultipartUpload, Op::kCreateBucket}) {
    EXPECT_TRUE(Refuse(op, With({{"x-amz-acl", "public-read"}})).ok());
    EXPECT_TRUE(Refuse(op, With({{"x-amz-grant-read", "id=someone"}})).ok());
  }
}

TEST(Unsupported, OtherFeatures) {
  // Tags are supported: the table lets them through.
  EXPECT_TRUE(Refuse(Op::kPutObject, With({{"x-amz-tagging", "a=b"}})).ok());
  EXPECT_TRUE(Refuse(Op::kCreateMultipartUpload, With({{"x-amz-tagging", "a=b"}})).ok());
  EXPECT_EQ(Refuse(Op::kDeleteObject, With({{"if-match", "\"abc\""}})).code(),
            Errc::kNotImplemented);
  EXPECT_TRUE(Refuse(Op::kCreateBucket, With({{"x-amz-bucket-object-lock-enabled", "true"}})).ok());
  EXPECT_TRUE(
      Refuse(Op::kCreateBucket, With({{"x-amz-bucket-object-lock-enabled", "false"}})).ok());
  EXPECT_TRUE(
      Refuse(Op::kCreateBucket, With({{"x-amz-object-ownership", "BucketOwnerEnforced"}})).ok());
  EXPECT_TRUE(Refuse(Op::kCreateBucket, With({{"x-amz-object-ownership", "ObjectWriter"}})).ok());
  // The same headers where they mean nothing to the operation are left alone.
  EXPECT_TRUE(Refuse(Op::kGetObject, With({{"x-amz-tagging", "a=b"}})).ok());
}

}  // namespace
}  // namespace cairn::s3
