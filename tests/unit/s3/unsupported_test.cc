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

TEST(Unsupported, ServerSideEncryptionOnWritesIsNotImplemented) {
  for (const char* header :
       {"x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
        "x-amz-server-side-encryption-context",
        "x-amz-server-side-encryption-bucket-key-enabled"}) {
    for (Op op : {Op::kPutObject, Op::kCopyObject, Op::kCreateMultipartUpload}) {
      Status st = Refuse(op, With({{header, "AES256"}}));
      EXPECT_EQ(st.code(), Errc::kNotImplemented) << header;
      EXPECT_NE(st.message().find("KMS is not configured"), std::string::npos);
    }
  }
  // Reads and listings carry no such header meaningfully: left to the handler.
  EXPECT_TRUE(Refuse(Op::kGetObject, With({{"x-amz-server-side-encryption", "AES256"}})).ok());
}

TEST(Unsupported, CustomerKeys) {
  const std::pair<std::string, std::string> key = {
      "x-amz-server-side-encryption-customer-algorithm", "AES256"};
  const std::pair<std::string, std::string> copy_key = {
      "x-amz-copy-source-server-side-encryption-customer-key", "a2V5"};
  // Over plain HTTP every use of a customer key is refused, reads included.
  for (Op op : {Op::kPutObject, Op::kGetObject, Op::kHeadObject, Op::kUploadPart}) {
    Status st = Refuse(op, With({key}));
    EXPECT_EQ(st.code(), Errc::kInvalidRequest);
    EXPECT_NE(st.message().find("secure connection"), std::string::npos);
  }
  EXPECT_EQ(Refuse(Op::kUploadPartCopy, With({copy_key})).code(), Errc::kInvalidRequest);
  // Over TLS: no object is encrypted, so a read with a key does not apply; a write is not
  // implemented.
  EXPECT_EQ(Refuse(Op::kGetObject, With({key}, true)).code(), Errc::kInvalidRequest);
  EXPECT_EQ(Refuse(Op::kPutObject, With({key}, true)).code(), Errc::kNotImplemented);
}

TEST(Unsupported, ObjectLockHeadersPassTheTable) {
  // The handlers store them in a bucket with object lock and refuse them elsewhere.
  for (const char* header : {"x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date",
                             "x-amz-object-lock-legal-hold"}) {
    EXPECT_TRUE(Refuse(Op::kPutObject, With({{header, "x"}})).ok());
    EXPECT_TRUE(Refuse(Op::kCreateMultipartUpload, With({{header, "x"}})).ok());
  }
}

TEST(Unsupported, AclsOtherThanPrivateAreRefused) {
  for (Op op : {Op::kPutObject, Op::kCopyObject, Op::kCreateMultipartUpload, Op::kCreateBucket}) {
    EXPECT_TRUE(Refuse(op, With({{"x-amz-acl", "private"}})).ok());
    EXPECT_TRUE(Refuse(op, With({{"x-amz-acl", "bucket-owner-full-control"}})).ok());
    EXPECT_EQ(Refuse(op, With({{"x-amz-acl", "public-read"}})).code(),
              Errc::kAccessControlListNotSupported);
    EXPECT_EQ(Refuse(op, With({{"x-amz-grant-read", "id=someone"}})).code(),
              Errc::kAccessControlListNotSupported);
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
  EXPECT_EQ(Refuse(Op::kCreateBucket, With({{"x-amz-object-ownership", "ObjectWriter"}})).code(),
            Errc::kInvalidArgumentS3);
  // The same headers where they mean nothing to the operation are left alone.
  EXPECT_TRUE(Refuse(Op::kGetObject, With({{"x-amz-tagging", "a=b"}})).ok());
}

}  // namespace
}  // namespace cairn::s3
