#include "meta/wire.h"

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

namespace cairn::meta {
namespace wire_test_internal {

TEST(XxHash64, ReferenceVectors) {
  EXPECT_EQ(XxHash64(""), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(XxHash64("a"), 0xD24EC4F1A98C6E5BULL);
  EXPECT_EQ(XxHash64("abc"), 0x44BC2CF5AD770999ULL);
}

TEST(XxHash64, LongInputsAndSeedsDiffer) {
  std::string a(1000, 'x');
  std::string b = a;
  b[999] = 'y';
  EXPECT_NE(XxHash64(a), XxHash64(b));
  EXPECT_NE(XxHash64(a, 0), XxHash64(a, 1));
  // Every tail length path (>=32 stripes, 8, 4, 1 byte tails) is deterministic.
  for (std::size_t n = 0; n < 80; ++n) {
    EXPECT_EQ(XxHash64(a.substr(0, n)), XxHash64(std::string(n, 'x')));
  }
}

TEST(Wire, RoundTripsIntegersAndStrings) {
  std::string buf;
  WireWriter w(buf);
  const std::uint64_t values[] = {0, 1, 127, 128, 300, UINT32_MAX, UINT64_MAX};
  for (auto v : values) {
    w.Varint(v);
  }
  const std::int64_t signed_values[] = {0, -1, 1, INT64_MIN, INT64_MAX, -123456789};
  for (auto v : signed_values) {
    w.Signed(v);
  }
  w.Fixed64(0x0102030405060708ULL);
  w.Str("hello");
  w.Str(std::string("a\0b", 3));

  WireReader r(buf);
  for (auto v : values) {
    std::uint64_t got = 0;
    ASSERT_TRUE(r.Varint(got));
    EXPECT_EQ(got, v);
  }
  for (auto v : signed_values) {
    std::int64_t got = 0;
    ASSERT_TRUE(r.Signed(got));
    EXPECT_EQ(got, v);
  }
  std::uint64_t fixed = 0;
  ASSERT_TRUE(r.Fixed64(fixed));
  EXPECT_EQ(fixed, 0x0102030405060708ULL);
  std::string s;
  ASSERT_TRUE(r.Str(s));
  EXPECT_EQ(s, "hello");
  std::string_view sv;
  ASSERT_TRUE(r.Str(sv));
  EXPECT_EQ(sv, std::string_view("a\0b", 3));
  EXPECT_EQ(r.remaining(), 0u);
  std::uint8_t byte = 0;
  EXPECT_FALSE(r.U8(byte));
  EXPECT_FALSE(r.ok());
}

TEST(Wire, RejectsOverlongVarintsAndShortStrings) {
  std::string eleven(11, '\x80');
  std::uint64_t v = 0;
  EXPECT_FALSE(WireReader(eleven).Varint(v));
  std::string overflow = std::string(9, '\xFF') + "\x02";
  EXPECT_FALSE(WireReader(overflow).Varint(v));
  std::string max = std::string(9, '\xFF') + "\x01";
  EXPECT_TRUE(WireReader(max).Varint(v));
  EXPECT_EQ(v, UINT64_MAX);
  std::string_view sv;
  EXPECT_FALSE(WireReader("\x05"
                          "abc")
                   .Str(sv));
  std::uint64_t n = 0;
  EXPECT_FALSE(WireReader("\x64"
                          "abc")
                   .Count(n, 1));
}

TEST(SealedRecord, DetectsEveryCorruption) {
  std::string rec = SealRecord("TEST", 3, "payload");
  auto ok = OpenRecord(rec, "TEST", 3);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, "payload");
  EXPECT_EQ(OpenRecord(rec, "TEST", 4).code(), Errc::kFileCorrupt);
  EXPECT_EQ(OpenRecord(rec, "XXXX", 3).code(), Errc::kFileCorrupt);
  for (std::size_t i = 0; i < rec.size(); ++i) {
    std::string bad = rec;
    bad[i] ^= 0x10;
    EXPECT_EQ(OpenRecord(bad, "TEST", 3).code(), Errc::kFileCorrupt) << i;
    EXPECT_EQ(OpenRecord(std::string_view(rec).substr(0, i), "TEST", 3).code(), Errc::kFileCorrupt);
  }
}

}  // namespace wire_test_internal
}  // namespace cairn::meta
