// The SSE header parsers and the size rules of s3/sse.h (the round trips are in
// s3_api_test.cc, through the handlers).
#include "s3/sse.h"

#include <gtest/gtest.h>

#include "common/checksum.h"

namespace cairn::s3 {
namespace {

http::Request Req(http::Headers headers) {
  http::Request r;
  r.headers = std::move(headers);
  return r;
}

const std::string kKey(32, 'k');

http::Headers CustomerKey(std::string prefix = "x-amz-server-side-encryption-customer-") {
  return {{prefix + "algorithm", "AES256"},
          {prefix + "key", Base64Encode(kKey)},
          {prefix + "key-md5", Base64Encode(Md5(kKey))}};
}

TEST(Sse, WriteHeaders) {
  EXPECT_EQ(ParseSseWrite(Req({}))->mode, SseMode::kNone);
  EXPECT_EQ(ParseSseWrite(Req({{"x-amz-server-side-encryption", "AES256"}}))->mode,
            SseMode::kSseS3);
  auto kms =
      ParseSseWrite(Req({{"x-amz-server-side-encryption", "aws:kms"},
                         {"x-amz-server-side-encryption-aws-kms-key-id", "arn:aws:kms:k1"},
                         {"x-amz-server-side-encryption-bucket-key-enabled", "true"},
                         {"x-amz-server-side-encryption-context", Base64Encode(R"({"a":"b"})")}}));
  ASSERT_TRUE(kms.ok());
  EXPECT_EQ(kms->mode, SseMode::kSseKms);
  EXPECT_EQ(kms->kms_key_id, "k1");
  EXPECT_TRUE(kms->bucket_key);
  EXPECT_EQ(kms->context.at("a"), "b");
  auto c = ParseSseWrite(Req(CustomerKey()));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->mode, SseMode::kSseC);
  EXPECT_EQ(c->customer_key_md5, Base64Encode(Md5(kKey)));

  EXPECT_EQ(ParseSseWrite(Req({{"x-amz-server-side-encryption", "AES512"}})).code(),
            Errc::kSseInvalidMethod);
  EXPECT_EQ(ParseSseWrite(Req({{"x-amz-server-side-encryption-aws-kms-key-id", "k"}})).code(),
            Errc::kInvalidArgumentS3);
  EXPECT_EQ(ParseSseWrite(Req({{"x-amz-server-side-encryption", "AES256"},
                               {"x-amz-server-side-encryption-context", "e30="}}))
                .code(),
            Errc::kInvalidArgumentS3);
  EXPECT_EQ(ParseSseWrite(Req({{"x-amz-server-side-encryption", "aws:kms"},
                               {"x-amz-server-side-encryption-context", "not base64!"}}))
                .code(),
            Errc::kInvalidArgumentS3);
  EXPECT_EQ(
      ParseSseWrite(Req({{"x-amz-server-side-encryption", "aws:kms"},
                         {"x-amz-server-side-encryption-context", Base64Encode(R"({"a":1})")}}))
          .code(),
      Errc::kInvalidArgumentS3);
  http::Headers both = CustomerKey();
  both.emplace_back("x-amz-server-side-encryption", "AES256");
  EXPECT_EQ(ParseSseWrite(Req(both)).code(), Errc::kSseIncompatible);
}

TEST(Sse, CustomerKeyHeaders) {
  http::Headers h = CustomerKey();
  EXPECT_EQ(ParseSseC(Req({h[0]}), false).code(), Errc::kSseMissingKey);
  EXPECT_EQ(ParseSseC(Req({h[0], h[1]}), false).code(), Errc::kSseMissingKeyMd5);
  EXPECT_EQ(ParseSseC(Req({h[1], h[2]}), false).code(), Errc::kInvalidArgumentS3);
  http::Headers algo = h;
  algo[0].second = "AES128";
  EXPECT_EQ(ParseSseC(Req(algo), false).code(), Errc::kSseInvalidAlgorithm);
  http::Headers md5 = h;
  md5[2].second = Base64Encode(Md5("other"));
  EXPECT_EQ(ParseSseC(Req(md5), false).code(), Errc::kSseKeyMd5Mismatch);
  http::Headers short_key = h;
  short_key[1].second = Base64Encode("sixteen byte key");
  short_key[2].second = Base64Encode(Md5("sixteen byte key"));
  EXPECT_EQ(ParseSseC(Req(short_key), false).code(), Errc::kInvalidArgumentS3);
  // The copy source's key is its own set of headers.
  EXPECT_EQ(ParseSseC(Req(h), true)->mode, SseMode::kNone);
  auto src =
      ParseSseC(Req(CustomerKey("x-amz-copy-source-server-side-encryption-customer-")), true);
  ASSERT_TRUE(src.ok());
  EXPECT_EQ(src->mode, SseMode::kSseC);
  // A read takes only SSE-C.
  EXPECT_EQ(ParseSseRead(Req({{"x-amz-server-side-encryption", "AES256"}})).code(),
            Errc::kInvalidArgumentS3);
  EXPECT_EQ(ParseSseRead(Req(h))->mode, SseMode::kSseC);
}

TEST(Sse, PlainSizes) {
  object::ObjectInfo info;
  info.size = crypto::EncryptedSize(100000);
  EXPECT_EQ(PlainObjectSize(info), info.size);  // not encrypted: as stored
  info.metadata.emplace_back(std::string(kSseMeta), "SSE-S3");
  EXPECT_EQ(PlainObjectSize(info), 100000);
  info.parts = {{1, "e1", crypto::EncryptedSize(70000), 0, {}},
                {2, "e2", crypto::EncryptedSize(30000), 0, {}}};
  info.size = info.parts[0].size + info.parts[1].size;
  object::ObjectInfo plain = PlainObjectInfo(info);
  EXPECT_EQ(plain.size, 100000);
  EXPECT_EQ(plain.parts[0].size, 70000);
  EXPECT_EQ(plain.parts[1].size, 30000);
  EXPECT_EQ(StoredSseMode(info.metadata), SseMode::kSseS3);
}

TEST(Sse, PartKeysDiffer) {
  const crypto::Key k = crypto::RandomKey();
  EXPECT_NE(PartKey(k, 1), PartKey(k, 2));
  EXPECT_EQ(PartKey(k, 3), PartKey(k, 3));
}

}  // namespace
}  // namespace cairn::s3
