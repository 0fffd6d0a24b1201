#include <gtest/gtest.h>

#include "common/checksum.h"
#include "s3/handlers/handlers.h"
#include "s3/metadata_text.h"
#include "s3/object_headers.h"
#include "s3/upload_body.h"

namespace cairn::s3 {
namespace headers_test_internal {

std::string Find(const object::Metadata& m, std::string_view key) {
  for (const auto& [k, v] : m) {
    if (k == key) {
      return v;
    }
  }
  return "<absent>";
}

TEST(Metadata, StoresContentHeadersAndUserMetadata) {
  http::Request r;
  r.headers = {{"content-type", "text/plain"}, {"content-encoding", "aws-chunked, gzip"},
               {"cache-control", "no-cache"},  {"content-disposition", "attachment"},
               {"content-language", "en"},     {"expires", "Thu, 01 Dec 1994 16:00:00 GMT"},
               {"x-amz-meta-color", "Blue"},   {"x-amz-meta-empty", ""},
               {"authorization", "secret"},    {"x-amz-date", "20240101T000000Z"}};
  auto meta = MetadataFromRequest(r);
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(Find(*meta, "content-type"), "text/plain");
  EXPECT_EQ(Find(*meta, "content-encoding"), "gzip");
  EXPECT_EQ(Find(*meta, "cache-control"), "no-cache");
  EXPECT_EQ(Find(*meta, "content-disposition"), "attachment");
  EXPECT_EQ(Find(*meta, "content-language"), "en");
  EXPECT_EQ(Find(*meta, "expires"), "Thu, 01 Dec 1994 16:00:00 GMT");
  EXPECT_EQ(Find(*meta, "x-amz-meta-color"), "Blue");
  EXPECT_EQ(Find(*meta, "x-amz-meta-empty"), "");
  EXPECT_EQ(Find(*meta, "authorization"), "<absent>");
  EXPECT_EQ(Find(*meta, "x-amz-date"), "<absent>");
}

TEST(Metadata, ContentEncodingKeptAsSentWithoutAwsChunked) {
  auto encoding = [](std::string value) {
    http::Request r;
    r.headers = {{"content-encoding", std::move(value)}};
    auto meta = MetadataFromRequest(r);
    EXPECT_TRUE(meta.ok());
    return Find(*meta, "content-encoding");
  };
  EXPECT_EQ(encoding("deflate, gzip"), "deflate, gzip");
  EXPECT_EQ(encoding("gzip,deflate"), "gzip,deflate");
  EXPECT_EQ(encoding("aws-chunked,gzip, deflate"), "gzip, deflate");
  EXPECT_EQ(encoding("gzip, AWS-Chunked"), "gzip");
  EXPECT_EQ(encoding("aws-chunked"), "<absent>");
}

TEST(MetadataText, StoredAsUtf8) {
  EXPECT_EQ(StoredMetadataValue("plain value"), "plain value");
  EXPECT_EQ(StoredMetadataValue("Hello World\xc3\xa9"), "Hello World\xc3\xa9");  // UTF-8 as is
  EXPECT_EQ(StoredMetadataValue("Hello World\xe9"), "Hello World\xc3\xa9");      // ISO-8859-1 byte
  // RFC 2047 encoded-words are decoded (B and Q, UTF-8 and ISO-8859-1, several words).
  EXPECT_EQ(StoredMetadataValue("=?UTF-8?B?SGVsbG8gV29ybGTDqQ==?="), "Hello World\xc3\xa9");
  EXPECT_EQ(StoredMetadataValue("=?utf-8?q?caf=C3=A9_au_lait?="), "caf\xc3\xa9 au lait");
  EXPECT_EQ(StoredMetadataValue("=?ISO-8859-1?Q?caf=E9?= =?UTF-8?Q?!?="), "caf\xc3\xa9!");
  // Not an encoded-word (or one this store cannot read): kept as text.
  EXPECT_EQ(StoredMetadataValue("=?UTF-8?Q?unterminated"), "=?UTF-8?Q?unterminated");
  EXPECT_EQ(StoredMetadataValue("=?KOI8-R?Q?x?="), "=?KOI8-R?Q?x?=");
  EXPECT_EQ(StoredMetadataValue("a =?UTF-8?Q?x?="), "a =?UTF-8?Q?x?=");
}

TEST(MetadataText, ReturnedAsAwsDoes) {
  EXPECT_EQ(MetadataHeaderValue("plain value"), "plain value");
  // Every character has an ISO-8859-1 byte: sent as those bytes.
  EXPECT_EQ(MetadataHeaderValue("Hello World\xc3\xa9"), "Hello World\xe9");
  // Control characters and other scripts: an RFC 2047 Q word of the UTF-8.
  EXPECT_EQ(MetadataHeaderValue("\x04mymeta"), "=?UTF-8?Q?=04mymeta?=");
  EXPECT_EQ(MetadataHeaderValue("\xe2\x82\xac 5_=?"), "=?UTF-8?Q?=E2=82=AC_5=5F=3D=3F?=");
  // Round trips through what a client sends back.
  for (std::string v : {"x", "Hello World\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "a\tb"}) {
    EXPECT_EQ(StoredMetadataValue(MetadataHeaderValue(v)), v) << v;
  }
}

TEST(Metadata, DefaultsAndLimits) {
  http::Request r;
  r.headers = {{"content-encoding", "aws-chunked"}};
  auto meta = MetadataFromRequest(r);
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(Find(*meta, "content-type"), "binary/octet-stream");
  EXPECT_EQ(Find(*meta, "content-encoding"), "<absent>");

  r.headers = {{"x-amz-meta-big", std::string(2046, 'x')}};
  EXPECT_EQ(MetadataFromRequest(r).code(), Errc::kMetadataTooLarge);
  r.headers = {{"x-amz-meta-ok", std::string(2040, 'x')}};
  EXPECT_TRUE(MetadataFromRequest(r).ok());
  r.headers = {{"x-amz-storage-class", "GLACIER"}};
  EXPECT_EQ(MetadataFromRequest(r).code(), Errc::kInvalidStorageClass);
  r.headers = {{"x-amz-storage-class", "STANDARD"}};
  EXPECT_TRUE(MetadataFromRequest(r).ok());
}

TEST(ResponseHeaders, FromObjectInfo) {
  object::ObjectInfo info;
  info.etag = "abc";
  info.mod_time_ns = 784111777'000'000'000;
  info.content_type = "text/plain";
  info.metadata = {{"content-type", "text/plain"},
                   {"x-amz-meta-color", "Blue"},
                   {"cache-control", "max-age=1"},
                   {"etag", "abc"},
                   {"x-amz-checksum-crc32", "AAAAAA=="}};
  QueryParams none;
  http::Headers h = ObjectResponseHeaders(info, none, false);
  auto get = [&](std::string_view name) { return Find(h, name); };
  EXPECT_EQ(get("etag"), "\"abc\"");
  EXPECT_EQ(get("last-modified"), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(get("content-type"), "text/plain");
  EXPECT_EQ(get("x-amz-meta-color"), "Blue");
  EXPECT_EQ(get("cache-control"), "max-age=1");
  EXPECT_EQ(get("accept-ranges"), "bytes");
  EXPECT_EQ(get("x-amz-checksum-crc32"), "<absent>");
  EXPECT_EQ(get("x-amz-storage-class"), "<absent>");
  EXPECT_EQ(get("x-amz-version-id"), "<absent>");

  h = ObjectResponseHeaders(info,
                            QueryParams({{"response-content-type", "image/png"},
                                         {"response-cache-control", "no-store"},
                                         {"response-content-disposition", "inline"}}),
                            true);
  EXPECT_EQ(get("content-type"), "image/png");
  EXPECT_EQ(get("cache-control"), "no-store");
  EXPECT_EQ(get("content-disposition"), "inline");
  EXPECT_EQ(get("x-amz-checksum-crc32"), "AAAAAA==");
}

TEST(ChecksumRequest, Headers) {
  http::Request r;
  auto c = ReadChecksumRequest(r);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->algorithm);

  std::string crc = Base64Encode(std::string(4, '\0'));
  r.headers = {{"x-amz-checksum-crc32", crc}, {"x-amz-sdk-checksum-algorithm", "CRC32"}};
  c = ReadChecksumRequest(r);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->algorithm, ChecksumAlgorithm::kCrc32);
  EXPECT_EQ(c->base64, crc);

  r.headers = {{"x-amz-checksum-algorithm", "sha256"}};
  c = ReadChecksumRequest(r);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->algorithm, ChecksumAlgorithm::kSha256);
  EXPECT_TRUE(c->base64.empty());

  r.headers = {{"x-amz-trailer", "x-amz-checksum-crc32c"}};
  c = ReadChecksumRequest(r);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->algorithm, ChecksumAlgorithm::kCrc32c);
  EXPECT_TRUE(c->trailer);

  r.headers = {{"x-amz-checksum-crc32", "not base64!"}};
  EXPECT_EQ(ReadChecksumRequest(r).code(), Errc::kInvalidChecksum);
  r.headers = {{"x-amz-checksum-sha1", crc}};  // wrong length for SHA-1
  EXPECT_EQ(ReadChecksumRequest(r).code(), Errc::kInvalidChecksum);
  r.headers = {{"x-amz-checksum-crc32", crc}, {"x-amz-checksum-crc32c", crc}};
  EXPECT_EQ(ReadChecksumRequest(r).code(), Errc::kInvalidRequest);
  r.headers = {{"x-amz-checksum-crc32", crc}, {"x-amz-sdk-checksum-algorithm", "SHA256"}};
  EXPECT_EQ(ReadChecksumRequest(r).code(), Errc::kInvalidRequest);
  r.headers = {{"x-amz-checksum-algorithm", "MD5"}};
  EXPECT_EQ(ReadChecksumRequest(r).code(), Errc::kInvalidRequest);
  r.headers = {{"x-amz-checksum-mode", "ENABLED"}};
  EXPECT_TRUE(ReadChecksumRequest(r).ok());
}

TEST(ChecksumRequest, MultipartChecksumType) {
  const std::string composite = "COMPOSITE", full = "FULL_OBJECT", bad = "full_object";
  EXPECT_EQ(*MultipartChecksumType(std::nullopt, nullptr), "");
  EXPECT_EQ(MultipartChecksumType(std::nullopt, &full).code(), Errc::kInvalidRequest);
  EXPECT_EQ(*MultipartChecksumType(ChecksumAlgorithm::kCrc32, nullptr), "COMPOSITE");
  EXPECT_EQ(*MultipartChecksumType(ChecksumAlgorithm::kSha256, nullptr), "COMPOSITE");
  EXPECT_EQ(*MultipartChecksumType(ChecksumAlgorithm::kCrc64Nvme, nullptr), "FULL_OBJECT");
  for (auto algo :
       {ChecksumAlgorithm::kCrc32, ChecksumAlgorithm::kCrc32c, ChecksumAlgorithm::kCrc64Nvme}) {
    EXPECT_EQ(*MultipartChecksumType(algo, &full), "FULL_OBJECT");
  }
  EXPECT_EQ(*MultipartChecksumType(ChecksumAlgorithm::kSha1, &composite), "COMPOSITE");
  EXPECT_EQ(MultipartChecksumType(ChecksumAlgorithm::kSha1, &full).code(), Errc::kInvalidRequest);
  EXPECT_EQ(MultipartChecksumType(ChecksumAlgorithm::kSha256, &full).code(), Errc::kInvalidRequest);
  EXPECT_EQ(MultipartChecksumType(ChecksumAlgorithm::kCrc64Nvme, &composite).code(),
            Errc::kInvalidRequest);
  EXPECT_EQ(MultipartChecksumType(ChecksumAlgorithm::kCrc32, &bad).code(), Errc::kInvalidRequest);
}

TEST(CopySource, Parses) {
  auto s = ParseCopySource("/src-bucket/dir/a%20b+c.txt");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->bucket, "src-bucket");
  EXPECT_EQ(s->key, "dir/a b+c.txt");
  EXPECT_EQ(s->version_id, "");
  s = ParseCopySource("bucket/key%3Fx?versionId=0000018c-1234-5678-9abc-def012345678");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->key, "key?x");
  EXPECT_EQ(s->version_id, "0000018c-1234-5678-9abc-def012345678");
  s = ParseCopySource("bucket/key?versionId=null");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->version_id, "null");
  // An id cairn could never have made: AWS's "Invalid version id specified".
  EXPECT_EQ(ParseCopySource("bucket/key?versionId=v%2B1").code(), Errc::kInvalidArgumentS3);
  EXPECT_EQ(ParseCopySource("bucket/key?versionId=").code(), Errc::kInvalidArgumentS3);
  for (std::string_view bad : {"", "/", "bucket", "bucket/", "/bucket/", "/key-only", "b/%zz",
                               "/.cairn.sys/kms/keys/k.json", ".cairn.sys/k"}) {
    EXPECT_EQ(ParseCopySource(bad).code(), Errc::kInvalidCopySource) << bad;
  }
}

TEST(BucketNames, S3Rules) {
  for (const std::string& ok :
       std::vector<std::string>{"abc", "my-bucket", "my.bucket.1", "123", std::string(63, 'a')}) {
    EXPECT_TRUE(IsValidBucketName(ok)) << ok;
  }
  for (std::string_view bad :
       {"ab", "-abc", "abc-", "ABC", "a_b", "a..b", "a.-b", "a-.b", "192.168.1.1", "a b", ".abc"}) {
    EXPECT_FALSE(IsValidBucketName(bad)) << bad;
  }
  EXPECT_FALSE(IsValidBucketName(std::string(64, 'a')));
}

TEST(ContinuationToken, RoundTrip) {
  for (std::string key : {std::string("a"), std::string("dir/sub dir/\xe2\x82\xac+"),
                          std::string(1024, 'z'), std::string("a\0b", 3)}) {
    std::string token = EncodeContinuationToken(key);
    auto back = DecodeContinuationToken(token);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, key);
  }
  EXPECT_EQ(DecodeContinuationToken("***").code(), Errc::kInvalidArgumentS3);
  EXPECT_EQ(DecodeContinuationToken("").code(), Errc::kInvalidArgumentS3);
}

}  // namespace headers_test_internal
}  // namespace cairn::s3
