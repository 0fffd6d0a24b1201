#include "s3/router.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "s3/handlers/handlers.h"

namespace cairn::s3 {
namespace router_test_internal {

// s3/operations.h is the one list: every operation has its own name and a handler, but the two
// that are answered with an error before any handler runs.
TEST(Operations, EveryOpHasANameAndAHandler) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kOpCount; ++i) {
    const auto op = static_cast<Op>(i);
    const std::string_view name = OpName(op);
    EXPECT_FALSE(name.empty()) << i;
    EXPECT_NE(name, "Unknown") << i;
    EXPECT_TRUE(names.insert(name).second) << "two operations named " << name;
    const bool error_only = op == Op::kNotImplemented || op == Op::kMethodNotAllowed;
    EXPECT_EQ(HandlerFor(op) == nullptr, error_only) << name;
  }
  EXPECT_EQ(OpName(Op::kGetObject), "GetObject");
  EXPECT_EQ(OpName(Op::kListObjectsV1), "ListObjects");
  EXPECT_EQ(HandlerFor(Op::kHeadObject), HandlerFor(Op::kGetObject));
  EXPECT_EQ(OpName(static_cast<Op>(kOpCount)), "Unknown");
  EXPECT_EQ(HandlerFor(static_cast<Op>(kOpCount)), nullptr);
}

http::Request MakeRequest(std::string method, std::string target, std::string host = "") {
  http::Request r;
  r.method = std::move(method);
  r.target = target;
  auto q = target.find('?');
  r.path = target.substr(0, q);
  r.query = q == std::string::npos ? "" : target.substr(q + 1);
  if (!host.empty()) {
    r.headers.emplace_back("host", host);
  }
  return r;
}

Route MustRoute(const http::Request& r, std::vector<std::string> domains = {}) {
  auto route = ParseRoute(r, domains);
  EXPECT_TRUE(route.ok()) << route.status().ToString();
  return route.ok() ? *route : Route{};
}

TEST(PercentDecode, PathKeepsPlus) {
  EXPECT_EQ(*PercentDecode("a+b%20c%2Fd", false), "a+b c/d");
  EXPECT_EQ(*PercentDecode("a+b%20c", true), "a b c");
  EXPECT_EQ(*PercentDecode("%e2%82%AC", false), "\xe2\x82\xac");
  EXPECT_FALSE(PercentDecode("%", false));
  EXPECT_FALSE(PercentDecode("%2", false));
  EXPECT_FALSE(PercentDecode("ab%zz", false));
  EXPECT_EQ(*PercentDecode("", false), "");
}

TEST(UrlEncodeS3, EncodesLikeS3) {
  // encoding-type=url as s3-tests pins it against AWS: "foo+1/" -> "foo%2B1/",
  // "quux ab/" -> "quux%20ab/"; '~' stays, '*', '(' and ')' are escaped, UTF-8 byte-wise.
  EXPECT_EQ(UrlEncodeListed("foo+1/"), "foo%2B1/");
  EXPECT_EQ(UrlEncodeListed("quux ab/"), "quux%20ab/");
  EXPECT_EQ(UrlEncodeListed("a~b*c(3).png"), "a~b%2Ac%283%29.png");
  EXPECT_EQ(UrlEncodeListed("line\nbreak"), "line%0Abreak");
  EXPECT_EQ(UrlEncodeListed("\xe2\x82\xac"), "%E2%82%AC");
}

TEST(ParseQuery, DecodesNamesAndValues) {
  auto q = ParseQuery("prefix=a%2Fb+c&uploads&max-keys=5&&delimiter=%2F");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->Get("prefix"), "a/b c");
  EXPECT_TRUE(q->Has("uploads"));
  EXPECT_EQ(q->Get("uploads"), "");
  EXPECT_EQ(q->Get("max-keys"), "5");
  EXPECT_EQ(q->Get("delimiter"), "/");
  EXPECT_FALSE(q->Has("marker"));
  EXPECT_FALSE(ParseQuery("a=%G1"));
}

TEST(ParseRoute, PathStyle) {
  Route r = MustRoute(MakeRequest("GET", "/bucket/dir/a%20b+c.txt", "localhost:9000"));
  EXPECT_EQ(r.bucket, "bucket");
  EXPECT_EQ(r.key, "dir/a b+c.txt");
  EXPECT_FALSE(r.virtual_host);
  EXPECT_EQ(r.op, Op::kGetObject);

  r = MustRoute(MakeRequest("GET", "/bucket/", "localhost"));
  EXPECT_EQ(r.bucket, "bucket");
  EXPECT_EQ(r.key, "");
  EXPECT_EQ(r.op, Op::kListObjectsV1);

  r = MustRoute(MakeRequest("GET", "/", "localhost"));
  EXPECT_EQ(r.bucket, "");
  EXPECT_EQ(r.op, Op::kListBuckets);

  r = MustRoute(MakeRequest("PUT", "/bucket/dir/", "localhost"));
  EXPECT_EQ(r.key, "dir/");
  EXPECT_EQ(r.op, Op::kPutObject);
}

TEST(ParseRoute, VirtualHostStyle) {
  std::vector<std::string> domains = {"s3.example.com"};
  Route r = MustRoute(MakeRequest("GET", "/dir/key%2B1", "mybucket.s3.example.com:9000"), domains);
  EXPECT_TRUE(r.virtual_host);
  EXPECT_EQ(r.bucket, "mybucket");
  EXPECT_EQ(r.key, "dir/key+1");
  EXPECT_EQ(r.op, Op::kGetObject);

  r = MustRoute(MakeRequest("GET", "/", "My.Bucket.S3.Example.COM"), domains);
  EXPECT_EQ(r.bucket, "my.bucket");
  EXPECT_EQ(r.op, Op::kListObjectsV1);

  // The domain itself, or another host, is path style.
  r = MustRoute(MakeRequest("GET", "/b/k", "s3.example.com"), domains);
  EXPECT_FALSE(r.virtual_host);
  EXPECT_EQ(r.bucket, "b");
  r = MustRoute(MakeRequest("GET", "/b/k", "other.example.com"), domains);
  EXPECT_FALSE(r.virtual_host);
  r = MustRoute(MakeRequest("GET", "/b/k", "[::1]:9000"), domains);
  EXPECT_EQ(r.bucket, "b");
  // A domain must match on a label boundary.
  r = MustRoute(MakeRequest("GET", "/b/k", "xs3.example.com"), domains);
  EXPECT_FALSE(r.virtual_host);
}

TEST(ParseRoute, Errors) {
  EXPECT_EQ(ParseRoute(MakeRequest("GET", "/b/%zz"), {}).code(), Errc::kInvalidArgumentS3);
  EXPECT_EQ(ParseRoute(MakeRequest("GET", "/b/k?x=%"), {}).code(), Errc::kInvalidArgumentS3);
  std::string long_key(1025, 'k');
  EXPECT_EQ(ParseRoute(MakeRequest("GET", "/b/" + long_key), {}).code(), Errc::kKeyTooLong);
  EXPECT_TRUE(ParseRoute(MakeRequest("GET", "/b/" + long_key.substr(1)), {}).ok());
}

// The system bucket (object::kSystemBucket, the KMS's keys) cannot be addressed, escaped or not.
TEST(ParseRoute, SystemBucketIsRefused) {
  for (const char* path : {"/.cairn.sys/kms/keys/k.json", "/.cairn.sys", "/.cairn.sys/",
                           "/%2Ecairn.sys/kms/keys/k.json", "/.other"}) {
    EXPECT_EQ(ParseRoute(MakeRequest("GET", path), {}).code(), Errc::kInvalidBucketName) << path;
  }
  EXPECT_EQ(ParseRoute(MakeRequest("PUT", "/.cairn.sys"), {}).code(), Errc::kInvalidBucketName);
}

// The IAM query API: POST / with a url-encoded form, signed (header or query) for service "iam".
TEST(ParseRoute, IamQueryApi) {
  auto iam_post = [](std::string target, std::string type, std::string authorization) {
    http::Request r = MakeRequest("POST", std::move(target), "localhost");
    r.headers.emplace_back("content-type", std::move(type));
    if (!authorization.empty()) {
      r.headers.emplace_back("authorization", std::move(authorization));
    }
    return r;
  };
  const std::string form = "application/x-www-form-urlencoded; charset=utf-8";
  const std::string signed_iam =
      "AWS4-HMAC-SHA256 Credential=AK/ID/20240301/us-east-1/iam/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=00";
  EXPECT_EQ(MustRoute(iam_post("/", form, signed_iam)).op, Op::kIamAction);
  EXPECT_EQ(MustRoute(iam_post("/?X-Amz-Credential=AK%2F20240301%2Fus-east-1%2Fiam%2Faws4_request",
                               form, ""))
                .op,
            Op::kIamAction);
  // A form signed for another service, or unsigned, is the STS API (the middleware then checks
  // the service); no form or a bucket: S3 as before.
  std::string s3 = signed_iam;
  s3.replace(s3.find("/iam/"), 5, "/s3/");
  EXPECT_EQ(MustRoute(iam_post("/", form, s3)).op, Op::kStsAction);
  EXPECT_EQ(MustRoute(iam_post("/", "text/plain", signed_iam)).op, Op::kMethodNotAllowed);
  EXPECT_EQ(MustRoute(iam_post("/b", form, signed_iam)).op, Op::kNotImplemented);
  EXPECT_EQ(MustRoute(iam_post("/", form, "")).op, Op::kStsAction);
  EXPECT_EQ(MustRoute(iam_post("/", form, "AWS4-HMAC-SHA256 Credential=iam")).op, Op::kStsAction);
}

// POST Object: a POST to a bucket with a multipart/form-data body, path or virtual-host style.
TEST(ParseRoute, FormUploadIsPostObject) {
  auto with_type = [](http::Request r, std::string type) {
    r.headers.emplace_back("content-type", std::move(type));
    return r;
  };
  const std::string form = "multipart/form-data; boundary=xyz";
  EXPECT_EQ(MustRoute(with_type(MakeRequest("POST", "/b", "localhost"), form)).op, Op::kPostObject);
  EXPECT_EQ(MustRoute(with_type(MakeRequest("POST", "/b/", "localhost"), "Multipart/Form-Data")).op,
            Op::kPostObject);
  std::vector<std::string> domains = {"s3.example.com"};
  Route r = MustRoute(with_type(MakeRequest("POST", "/", "b.s3.example.com"), form), domains);
  EXPECT_EQ(r.op, Op::kPostObject);
  EXPECT_EQ(r.bucket, "b");
  // Not a form, a key in the path, or a sub-resource: not POST Object.
  EXPECT_EQ(MustRoute(MakeRequest("POST", "/b", "localhost")).op, Op::kNotImplemented);
  EXPECT_EQ(MustRoute(with_type(MakeRequest("POST", "/b", "localhost"), "text/plain")).op,
            Op::kNotImplemented);
  EXPECT_EQ(MustRoute(with_type(MakeRequest("POST", "/b/k", "localhost"), form)).op,
            Op::kNotImplemented);
  EXPECT_EQ(MustRoute(with_type(MakeRequest("POST", "/b?delete", "localhost"), form)).op,
            Op::kDeleteObjects);
  EXPECT_EQ(MustRoute(with_type(MakeRequest("POST", "/b?tagging", "localhost"), form)).op,
            Op::kNotImplemented);
}

struct OpCase {
  std::string method;
  std::string target;
  bool copy_source;
  Op op;
};

class SelectOperationTest : public ::testing::TestWithParam<OpCase> {};

TEST_P(SelectOperationTest, Selects) {
  const OpCase& c = GetParam();
  http::Request r = MakeRequest(c.method, c.target, "localhost");
  if (c.copy_source) {
    r.headers.emplace_back("x-amz-copy-source", "/src/key");
  }
  Route route = MustRoute(r);
  EXPECT_EQ(route.op, c.op) << c.method << " " << c.target << " got " << OpName(route.op);
}

INSTANTIATE_TEST_SUITE_P(
    AllOperations, SelectOperationTest,
    ::testing::Values(
        OpCase{"GET", "/", false, Op::kListBuckets},
        OpCase{"PUT", "/", false, Op::kMethodNotAllowed},
        OpCase{"PUT", "/b", false, Op::kCreateBucket}, OpCase{"HEAD", "/b", false, Op::kHeadBucket},
        OpCase{"DELETE", "/b", false, Op::kDeleteBucket},
        OpCase{"GET", "/b?location", false, Op::kGetBucketLocation},
        OpCase{"GET", "/b?location=", false, Op::kGetBucketLocation},
        OpCase{"GET", "/b?versioning", false, Op::kGetBucketVersioning},
        OpCase{"GET", "/b", false, Op::kListObjectsV1},
        OpCase{"GET", "/b?prefix=a&marker=b&max-keys=3", false, Op::kListObjectsV1},
        OpCase{"GET", "/b?list-type=2&prefix=x", false, Op::kListObjectsV2},
        OpCase{"GET", "/b?uploads", false, Op::kListMultipartUploads},
        OpCase{"POST", "/b?delete", false, Op::kDeleteObjects},
        OpCase{"POST", "/b", false, Op::kNotImplemented},
        OpCase{"PUT", "/b/k", false, Op::kPutObject}, OpCase{"PUT", "/b/k", true, Op::kCopyObject},
        OpCase{"GET", "/b/k", false, Op::kGetObject},
        OpCase{"GET", "/b/k?versionId=null&partNumber=1", false, Op::kGetObject},
        OpCase{"GET", "/b/k?response-content-type=a&x-id=GetObject", false, Op::kGetObject},
        OpCase{"HEAD", "/b/k", false, Op::kHeadObject},
        OpCase{"DELETE", "/b/k", false, Op::kDeleteObject},
        OpCase{"DELETE", "/b/k?versionId=v1", false, Op::kDeleteObject},
        OpCase{"POST", "/b/k?uploads", false, Op::kCreateMultipartUpload},
        OpCase{"PUT", "/b/k?partNumber=1&uploadId=u", false, Op::kUploadPart},
        OpCase{"PUT", "/b/k?uploadId=u&partNumber=2", true, Op::kUploadPartCopy},
        OpCase{"POST", "/b/k?uploadId=u", false, Op::kCompleteMultipartUpload},
        OpCase{"DELETE", "/b/k?uploadId=u", false, Op::kAbortMultipartUpload},
        OpCase{"GET", "/b/k?uploadId=u", false, Op::kListParts},
        // Sub-resources cairn does not implement are 501, never another operation.
        OpCase{"GET", "/b?acl", false, Op::kGetBucketAcl},
        OpCase{"PUT", "/b?acl", false, Op::kPutBucketAcl},
        OpCase{"GET", "/b/k?acl", false, Op::kGetObjectAcl},
        OpCase{"GET", "/b/k?acl&versionId=v", false, Op::kGetObjectAcl},
        OpCase{"PUT", "/b/k?acl", false, Op::kPutObjectAcl},
        OpCase{"GET", "/b?ownershipControls", false, Op::kGetBucketOwnershipControls},
        OpCase{"PUT", "/b?ownershipControls", false, Op::kPutBucketOwnershipControls},
        OpCase{"DELETE", "/b?ownershipControls", false, Op::kDeleteBucketOwnershipControls},
        OpCase{"GET", "/b?website", false, Op::kNotImplemented},
        OpCase{"GET", "/b?versions", false, Op::kListObjectVersions},
        OpCase{"GET", "/b?versions&tagging", false, Op::kNotImplemented},
        OpCase{"GET", "/b?policy", false, Op::kGetBucketPolicy},
        OpCase{"PUT", "/b?policy", false, Op::kPutBucketPolicy},
        OpCase{"DELETE", "/b?policy", false, Op::kDeleteBucketPolicy},
        OpCase{"GET", "/b?policyStatus", false, Op::kGetBucketPolicyStatus},
        OpCase{"GET", "/b?policy&cors", false, Op::kNotImplemented},
        OpCase{"GET", "/b/k?policy", false, Op::kNotImplemented},
        OpCase{"PUT", "/b?versioning", false, Op::kPutBucketVersioning},
        OpCase{"DELETE", "/b?cors", false, Op::kDeleteBucketCors},
        OpCase{"GET", "/b?cors", false, Op::kGetBucketCors},
        OpCase{"PUT", "/b?cors", false, Op::kPutBucketCors},
        OpCase{"PUT", "/b?cors&tagging", false, Op::kNotImplemented},
        OpCase{"GET", "/b?lifecycle", false, Op::kGetBucketLifecycleConfiguration},
        OpCase{"PUT", "/b?lifecycle", false, Op::kPutBucketLifecycleConfiguration},
        OpCase{"DELETE", "/b?lifecycle", false, Op::kDeleteBucketLifecycle},
        OpCase{"PUT", "/b?encryption", false, Op::kPutBucketEncryption},
        OpCase{"GET", "/b?encryption", false, Op::kGetBucketEncryption},
        OpCase{"DELETE", "/b?encryption", false, Op::kDeleteBucketEncryption},
        OpCase{"PUT", "/b?encryption&cors", false, Op::kNotImplemented},
        OpCase{"POST", "/b?encryption", false, Op::kNotImplemented},
        OpCase{"GET", "/b/k?encryption", false, Op::kNotImplemented},
        OpCase{"OPTIONS", "/b", false, Op::kOptionsObject},
        OpCase{"GET", "/b/k?cors", false, Op::kNotImplemented},
        OpCase{"PUT", "/b?tagging", false, Op::kPutBucketTagging},
        OpCase{"GET", "/b?tagging", false, Op::kGetBucketTagging},
        OpCase{"DELETE", "/b?tagging", false, Op::kDeleteBucketTagging},
        OpCase{"PUT", "/b?tagging&acl", false, Op::kNotImplemented},
        OpCase{"GET", "/b/k?tagging", false, Op::kGetObjectTagging},
        OpCase{"GET", "/b/k?tagging&versionId=v", false, Op::kGetObjectTagging},
        OpCase{"GET", "/b/k?tagging&acl", false, Op::kNotImplemented},
        OpCase{"DELETE", "/b/k?acl", false, Op::kNotImplemented},
        OpCase{"PUT", "/b/k?tagging", false, Op::kPutObjectTagging},
        OpCase{"PUT", "/b/k?tagging&versionId=v", false, Op::kPutObjectTagging},
        OpCase{"PUT", "/b/k?retention", false, Op::kPutObjectRetention},
        OpCase{"GET", "/b/k?retention&versionId=v", false, Op::kGetObjectRetention},
        OpCase{"PUT", "/b/k?retention&tagging", false, Op::kNotImplemented},
        OpCase{"PUT", "/b/k?legal-hold&versionId=v", false, Op::kPutObjectLegalHold},
        OpCase{"GET", "/b/k?legal-hold", false, Op::kGetObjectLegalHold},
        OpCase{"DELETE", "/b/k?legal-hold", false, Op::kNotImplemented},
        OpCase{"PUT", "/b?object-lock", false, Op::kPutObjectLockConfiguration},
        OpCase{"GET", "/b?object-lock", false, Op::kGetObjectLockConfiguration},
        OpCase{"GET", "/b?object-lock&versioning", false, Op::kNotImplemented},
        OpCase{"PUT", "/b/k?partNumber=1", false, Op::kNotImplemented},
        OpCase{"POST", "/b/k?select&select-type=2", false, Op::kNotImplemented},
        OpCase{"POST", "/b/k", false, Op::kNotImplemented},
        OpCase{"OPTIONS", "/b/k", false, Op::kOptionsObject},
        OpCase{"DELETE", "/b/k?tagging", false, Op::kDeleteObjectTagging},
        OpCase{"DELETE", "/b/k?tagging&uploadId=u", false, Op::kNotImplemented},
        OpCase{"PATCH", "/b/k", false, Op::kMethodNotAllowed},
        OpCase{"PATCH", "/b", false, Op::kMethodNotAllowed}));

TEST(OpName, EveryOperationHasAName) {
  for (int i = 0; i <= static_cast<int>(Op::kMethodNotAllowed); ++i) {
    EXPECT_NE(OpName(static_cast<Op>(i)), "Unknown") << i;
  }
}

}  // namespace router_test_internal
}  // namespace cairn::s3
