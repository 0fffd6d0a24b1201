// Requests built and signed by a real client, botocore 1.43.11 (boto3), recorded by
// boto_vectors_gen.py with a fixed clock (2024-03-01T12:00:00Z). The Host header is the one
// the HTTP client adds from the URL.
#include <gtest/gtest.h>

#include "auth/crypto.h"
#include "auth/signature.h"
#include "auth_test_util.h"
#include "testing/sync_wait.h"

namespace cairn::auth {
namespace boto_vectors_test_internal {

using cairn::testing::SyncWait;
using testing::At;
using namespace std::chrono_literals;

constexpr const char* kUserAgent =
    "Botocore/1.43.11 ua/2.1 os/linux#6.18.44-fc-v657 md/arch#x86_64 lang/python#3.11.7 "
    "md/pyimpl#CPython m/e,b,D,N,Z cfg/retry-mode#legacy";

struct Recorded {
  Recorded(std::string m, std::string p, std::string q, HeaderList h, std::string b = {})
      : method(std::move(m)),
        path(std::move(p)),
        query(std::move(q)),
        headers(std::move(h)),
        bucket(std::move(b)) {}

  std::string method;
  std::string path;
  std::string query;
  HeaderList headers;
  std::string bucket;  // virtual host
  std::chrono::system_clock::time_point now = At("20240301T120000Z");

  Result<AuthResult> Auth() const {
    RequestView v;
    v.method = method;
    v.path = path;
    v.query = query;
    v.headers = &headers;
    v.now = now;
    v.virtual_host_bucket = bucket;
    return Authenticate(v, testing::DocCredentials());
  }
};

TEST(Boto3, SigV4PutObjectWithSignedPayload) {
  Recorded r{
      "PUT",
      "/bkt/dir/a%20b%2Bc~%21%28x%29.txt",
      "",
      {{"host", "127.0.0.1:9000"},
       {"Content-Type", "text/plain"},
       {"x-amz-meta-k", "v"},
       {"User-Agent", kUserAgent},
       {"Expect", "100-continue"},
       {"x-amz-checksum-crc32", "DUoRhQ=="},
       {"x-amz-sdk-checksum-algorithm", "CRC32"},
       {"X-Amz-Date", "20240301T120000Z"},
       {"X-Amz-Content-SHA256", "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"},
       {"Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240301/us-east-1/s3/"
        "aws4_request, SignedHeaders=content-type;host;x-amz-checksum-crc32;x-amz-content-"
        "sha256;x-amz-date;x-amz-meta-k;x-amz-sdk-checksum-algorithm, "
        "Signature=9cdecab4f1f9a3d2cc518a5b497f2784e7ce4516e5c47bc7e17c925fb9a63739"},
       {"amz-sdk-invocation-id", "3255fd00-3adc-46b0-b026-306a8bcb9b11"},
       {"amz-sdk-request", "attempt=1"},
       {"Content-Length", "11"}}};
  auto res = r.Auth();
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->payload, PayloadKind::kSigned);
  EXPECT_EQ(res->payload_sha256_hex, internal::Sha256Hex("hello world"));
}

TEST(Boto3, SigV4ListAndGet) {
  Recorded list{
      "GET",
      "/bkt",
      "list-type=2&prefix=a%20b%2F&delimiter=%2F&encoding-type=url",
      {{"host", "127.0.0.1:9000"},
       {"User-Agent", kUserAgent},
       {"X-Amz-Date", "20240301T120000Z"},
       {"X-Amz-Content-SHA256", testing::kEmptySha},
       {"Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240301/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
        "Signature=9af8ac939c749c478923e3d51051823ab90803468e529a95810ffd489bb56093"}}};
  EXPECT_TRUE(list.Auth().ok()) << list.Auth().status().ToString();
  Recorded get{
      "GET",
      "/bkt/dir/k",
      "versionId=v1",
      {{"host", "127.0.0.1:9000"},
       {"Range", "bytes=0-9"},
       {"x-amz-checksum-mode", "ENABLED"},
       {"User-Agent", kUserAgent},
       {"X-Amz-Date", "20240301T120000Z"},
       {"X-Amz-Content-SHA256", testing::kEmptySha},
       {"Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240301/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;range;x-amz-checksum-mode;x-amz-content-sha256;x-amz-date, "
        "Signature=ba66366b06957968fda4cd96b1d9c8c98258724bf5543543f5946ad9b71cffa3"}}};
  EXPECT_TRUE(get.Auth().ok()) << get.Auth().status().ToString();
}

TEST(Boto3, SigV4PresignedGetWithResponseOverride) {
  Recorded r{"GET",
             "/bkt/dir/a%20b.txt",
             "response-content-disposition=attachment%3B%20filename%3D%22x%20y.txt%22&X-Amz-"
             "Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240301%2Fus-"
             "east-1%2Fs3%2Faws4_request&X-Amz-Date=20240301T120000Z&X-Amz-Expires=3600&X-Amz-"
             "SignedHeaders=host&X-Amz-Signature="
             "96a01ec0a100ec3635e99ecbcef6e73ce1d44394e7542f05b1feb7e6d959e0df",
             {{"host", "127.0.0.1:9000"}, {"user-agent", "curl/8.5.0"}}};
  r.now += 59min;
  EXPECT_TRUE(r.Auth().ok()) << r.Auth().status().ToString();
  r.now += 2min;
  EXPECT_EQ(r.Auth().code(), Errc::kRequestExpired);
}

TEST(Boto3, AwsChunkedUnsignedTrailerUpload) {
  // put_object with a stream body over https: aws-chunked with a trailing CRC32.
  HeaderList headers = {
      {"host", "127.0.0.1:9000"},
      {"User-Agent", kUserAgent},
      {"Expect", "100-continue"},
      {"Transfer-Encoding", "chunked"},
      {"Content-Encoding", "aws-chunked"},
      {"X-Amz-Trailer", "x-amz-checksum-crc32"},
      {"X-Amz-Decoded-Content-Length", "70000"},
      {"x-amz-sdk-checksum-algorithm", "CRC32"},
      {"X-Amz-Date", "20240301T120000Z"},
      {"X-Amz-Content-SHA256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240301/us-east-1/s3/aws4_request, "
       "SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-"
       "content-length;x-amz-sdk-checksum-algorithm;x-amz-trailer, "
       "Signature=fe6bdc90cbd60e3bfcfb405f2e680c491d76e34ea139fbf67ddde1730f4f54dc"}};
  Recorded r{"PUT", "/bkt/big", "", headers};
  auto res = r.Auth();
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_EQ(res->payload, PayloadKind::kStreamingUnsignedTrailer);
  EXPECT_EQ(res->decoded_content_length, 70000);
  std::string body =
      "11170\r\n" + std::string(70000, 'x') + "\r\n0\r\nx-amz-checksum-crc32:xWFIKA==\r\n\r\n";
  testing::StringSource raw(body, 9, 5000);
  AwsChunkedReader reader(raw, *res);
  std::string data;
  std::vector<std::byte> buf(8192);
  while (true) {
    auto n = SyncWait(reader.Read(buf));
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    if (*n == 0) {
      break;
    }
    data.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
  EXPECT_EQ(data, std::string(70000, 'x'));
  EXPECT_EQ(reader.trailers(), (HeaderList{{"x-amz-checksum-crc32", "xWFIKA=="}}));
}

TEST(Boto3, SigV2HeaderAndPresigned) {
  Recorded get{"GET",
               "/bkt/dir/a%20b.txt",
               "",
               {{"host", "127.0.0.1:9000"},
                {"x-amz-checksum-mode", "ENABLED"},
                {"User-Agent", kUserAgent},
                {"Date", "Fri, 01 Mar 2024 12:00:00 GMT"},
                {"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:Y8uEVOAHPzwfruhMioG1lVpaOIo="}}};
  EXPECT_TRUE(get.Auth().ok()) << get.Auth().status().ToString();
  Recorded presigned{"GET",
                     "/bkt/dir/a%20b.txt",
                     "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=7DhmUunYrFKKR6gfXxubqywRnzc%3D&"
                     "Expires=1709298000",
                     {{"host", "127.0.0.1:9000"}}};
  EXPECT_TRUE(presigned.Auth().ok()) << presigned.Auth().status().ToString();
  presigned.now += 61min;
  EXPECT_EQ(presigned.Auth().code(), Errc::kRequestExpired);
}

TEST(Boto3, SigV2VirtualHost) {
  Recorded put{"PUT",
               "/k",
               "",
               {{"host", "bkt.s3.local:9000"},
                {"x-amz-acl", "public-read"},
                {"User-Agent", kUserAgent},
                {"Expect", "100-continue"},
                {"x-amz-checksum-crc32", "NSRBwg=="},
                {"x-amz-sdk-checksum-algorithm", "CRC32"},
                {"Date", "Fri, 01 Mar 2024 12:00:00 GMT"},
                {"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:qIaKYqUW0aLpLM7vxMrGb3eVXEk="},
                {"Content-Length", "3"}},
               "bkt"};
  EXPECT_TRUE(put.Auth().ok()) << put.Auth().status().ToString();
  Recorded presigned{"GET",
                     "/k",
                     "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=tf2EmQV97QrUf%2BP5a3CgFPlImZ8%"
                     "3D&Expires=1709294460",
                     {{"host", "bkt.s3.local:9000"}},
                     "bkt"};
  EXPECT_TRUE(presigned.Auth().ok()) << presigned.Auth().status().ToString();
  // Without the bucket from the Host header the V2 resource is wrong.
  presigned.bucket.clear();
  EXPECT_EQ(presigned.Auth().code(), Errc::kSignatureDoesNotMatch);
}

}  // namespace boto_vectors_test_internal
}  // namespace cairn::auth
