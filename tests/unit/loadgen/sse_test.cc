#include "loadgen/sse.h"

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/checksum.h"

namespace cairn::loadgen {
namespace sse_test_internal {

std::string Value(const std::vector<SignedHeader>& headers, std::string_view name) {
  for (const SignedHeader& h : headers) {
    if (h.name == name) {
      return h.value;
    }
  }
  return "<absent>";
}

bool Sorted(const std::vector<SignedHeader>& headers) {
  return std::is_sorted(headers.begin(), headers.end(),
                        [](const auto& a, const auto& b) { return a.name < b.name; });
}

TEST(SseTest, ParseAndName) {
  for (Sse sse : {Sse::kNone, Sse::kS3, Sse::kKms, Sse::kC}) {
    auto parsed = ParseSse(SseName(sse));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, sse);
  }
  EXPECT_EQ(ParseSse("aes256").code(), Errc::kInvalidArgument);
  EXPECT_EQ(ParseSse("").code(), Errc::kInvalidArgument);
}

TEST(SseTest, NoneSendsNothing) {
  auto h = MakeSseHeaders(BenchConfig{});
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->write.empty());
  EXPECT_TRUE(h->read.empty());
}

TEST(SseTest, S3AndKmsAskOnWritesOnly) {
  BenchConfig cfg;
  cfg.sse = Sse::kS3;
  auto s3 = MakeSseHeaders(cfg);
  ASSERT_TRUE(s3.ok());
  ASSERT_EQ(s3->write.size(), 1u);
  EXPECT_EQ(Value(s3->write, "x-amz-server-side-encryption"), "AES256");
  EXPECT_TRUE(s3->read.empty());

  cfg.sse = Sse::kKms;
  auto kms = MakeSseHeaders(cfg);
  ASSERT_TRUE(kms.ok());
  ASSERT_EQ(kms->write.size(), 1u);
  EXPECT_EQ(Value(kms->write, "x-amz-server-side-encryption"), "aws:kms");
  EXPECT_TRUE(kms->read.empty());

  cfg.sse_kms_key_id = "bench-key";
  auto keyed = MakeSseHeaders(cfg);
  ASSERT_TRUE(keyed.ok());
  ASSERT_EQ(keyed->write.size(), 2u);
  EXPECT_TRUE(Sorted(keyed->write));
  EXPECT_EQ(Value(keyed->write, "x-amz-server-side-encryption-aws-kms-key-id"), "bench-key");
  EXPECT_TRUE(keyed->read.empty());
}

TEST(SseTest, CustomerKeyGoesWithWritesAndReads) {
  BenchConfig cfg;
  cfg.sse = Sse::kC;
  auto fixed = MakeSseHeaders(cfg);
  ASSERT_TRUE(fixed.ok());
  ASSERT_EQ(fixed->write.size(), 3u);
  EXPECT_TRUE(Sorted(fixed->write));
  EXPECT_EQ(fixed->read.size(), 3u);
  EXPECT_EQ(Value(fixed->write, "x-amz-server-side-encryption-customer-algorithm"), "AES256");
  EXPECT_EQ(Value(fixed->write, "x-amz-server-side-encryption"), "<absent>");
  for (const SignedHeader& h : fixed->write) {
    EXPECT_EQ(Value(fixed->read, h.name), h.value);
  }
  auto key = Base64Decode(Value(fixed->write, "x-amz-server-side-encryption-customer-key"));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->size(), 32u);
  EXPECT_EQ(Value(fixed->write, "x-amz-server-side-encryption-customer-key-md5"),
            Base64Encode(Md5(*key)));
  // The default key is the same in every run (kept objects stay readable).
  EXPECT_EQ(MakeSseHeaders(cfg)->read[1].value, fixed->read[1].value);

  std::string mine(32, '\x07');
  cfg.sse_c_key = Base64Encode(mine);
  auto given = MakeSseHeaders(cfg);
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(Value(given->read, "x-amz-server-side-encryption-customer-key"), cfg.sse_c_key);
  EXPECT_EQ(Value(given->read, "x-amz-server-side-encryption-customer-key-md5"),
            Base64Encode(Md5(mine)));
}

TEST(SseTest, RefusesOptionsThatDoNotFit) {
  BenchConfig cfg;
  cfg.sse = Sse::kC;
  for (const std::string& bad :
       std::vector<std::string>{"not base64!", Base64Encode(std::string(16, 'k'))}) {
    cfg.sse_c_key = bad;
    EXPECT_EQ(MakeSseHeaders(cfg).code(), Errc::kInvalidArgument) << bad;
  }
  cfg.sse_c_key.clear();
  cfg.sse_kms_key_id = "k";
  EXPECT_EQ(MakeSseHeaders(cfg).code(), Errc::kInvalidArgument);
  cfg.sse = Sse::kS3;
  EXPECT_EQ(MakeSseHeaders(cfg).code(), Errc::kInvalidArgument);
  cfg.sse_kms_key_id.clear();
  cfg.sse_c_key = Base64Encode(std::string(32, 'k'));
  EXPECT_EQ(MakeSseHeaders(cfg).code(), Errc::kInvalidArgument);
}

}  // namespace sse_test_internal
}  // namespace cairn::loadgen
