#include "auth/canonical.h"

#include <gtest/gtest.h>

#include "auth/crypto.h"
#include "auth_test_util.h"

namespace cairn::auth::internal {
namespace canonical_test_internal {

TEST(UriEncode, EncodesAllButUnreserved) {
  EXPECT_EQ(UriEncode("a b+c/d~e_f.g-h", false), "a%20b%2Bc%2Fd~e_f.g-h");
  EXPECT_EQ(UriEncode("a b+c/d", true), "a%20b%2Bc/d");
  EXPECT_EQ(UriEncode("100%", false), "100%25");
  EXPECT_EQ(UriEncode("\xd0\xba", false), "%D0%BA");
  EXPECT_EQ(UriEncode("=&?#*", false), "%3D%26%3F%23%2A");
}

TEST(UriDecode, PlusAndBadEscapes) {
  EXPECT_EQ(PercentDecodeLenient("a+b%20c%2b", true), "a b c+");
  EXPECT_EQ(PercentDecodeLenient("a+b", false), "a+b");
  EXPECT_EQ(PercentDecodeLenient("100%", true), "100%");
  EXPECT_EQ(PercentDecodeLenient("%zz%4", true), "%zz%4");
  EXPECT_EQ(PercentDecodeLenient("%e1%88%B4", true), "\xe1\x88\xb4");
}

TEST(CanonicalUri, PathAsSentEncodedOnce) {
  EXPECT_EQ(CanonicalUri(""), "/");
  EXPECT_EQ(CanonicalUri("/"), "/");
  // The S3 docs example: '$' is encoded, once.
  EXPECT_EQ(CanonicalUri("/test$file.text"), "/test%24file.text");
  EXPECT_EQ(CanonicalUri("/test%24file.text"), "/test%24file.text");
  // Not double-encoded, and lowercase escapes are normalized.
  EXPECT_EQ(CanonicalUri("/a%20b"), "/a%20b");
  EXPECT_EQ(CanonicalUri("/a%2fb"), "/a%2Fb");
  EXPECT_EQ(CanonicalUri("/a%2Fb"), "/a%2Fb");
  // An escaped unreserved byte is written plainly.
  EXPECT_EQ(CanonicalUri("/%41%7e"), "/A~");
  // Literal bytes that need escaping are escaped.
  EXPECT_EQ(CanonicalUri("/a b+c!"), "/a%20b%2Bc%21");
  EXPECT_EQ(CanonicalUri("/100%"), "/100%25");
  // No path normalization for S3: dots and double slashes stay.
  EXPECT_EQ(CanonicalUri("/b//./../k"), "/b//./../k");
}

TEST(CanonicalQuery, SortsAndReencodes) {
  EXPECT_EQ(CanonicalQuery(ParseQueryLenient("")), "");
  EXPECT_EQ(CanonicalQuery(ParseQueryLenient("b=2&a=1")), "a=1&b=2");
  // Keys without '=' get an empty value; empty pieces are skipped.
  EXPECT_EQ(CanonicalQuery(ParseQueryLenient("uploads&&acl")), "acl=&uploads=");
  // '+' is a space (%20); an encoded plus stays %2B.
  EXPECT_EQ(CanonicalQuery(ParseQueryLenient("p=a+b&q=a%2Bb&r=a%20b")), "p=a%20b&q=a%2Bb&r=a%20b");
  // Sorted by encoded key, then by value.
  EXPECT_EQ(CanonicalQuery(ParseQueryLenient("a=2&a=1&B=0")), "B=0&a=1&a=2");
  // Reserved characters in values are encoded, including '/'.
  EXPECT_EQ(CanonicalQuery(ParseQueryLenient("prefix=a/b&delimiter=%2F")),
            "delimiter=%2F&prefix=a%2Fb");
  EXPECT_EQ(CanonicalQuery(ParseQueryLenient("X-Amz-Signature=abc&x=1"), "X-Amz-Signature"), "x=1");
}

TEST(CanonicalHeaders, TrimsCollapsesAndJoins) {
  EXPECT_EQ(CanonicalHeaderValue("  a   b \t c  "), "a b c");
  EXPECT_EQ(CanonicalHeaderValue(""), "");
  HeaderList h = {{"host", "x"}, {"my-h", " 1 "}, {"My-H", "2  3"}};
  std::string missing;
  auto out = CanonicalHeaders(h, {"host", "my-h"}, &missing);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, "host:x\nmy-h:1,2 3\n");
  EXPECT_FALSE(CanonicalHeaders(h, {"host", "range"}, &missing).has_value());
  EXPECT_EQ(missing, "range");
  // Expect: 100-continue may have been consumed by the HTTP layer.
  EXPECT_EQ(*CanonicalHeaders(h, {"expect"}, &missing), "expect:100-continue\n");
}

TEST(CanonicalHeaders, ManySignedHeadersGiveTheSameAnswerIndexed) {
  // Past a small headers x names product the headers are indexed instead of scanned per
  // name: the canonical form is the same (repeated names joined in the order received).
  HeaderList h;
  std::vector<std::string> names;
  std::string want;
  for (int i = 0; i < 300; ++i) {
    const std::string name = "x-amz-meta-h" + std::to_string(1000 + i);
    h.emplace_back(i % 2 == 0 ? name : "X-Amz-Meta-H" + std::to_string(1000 + i), "v1");
    h.emplace_back(name, " v2 ");
    names.push_back(name);
    want += name + ":v1,v2\n";
  }
  std::string missing;
  auto out = CanonicalHeaders(h, names, &missing);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, want);
  names.push_back("x-amz-meta-absent");
  EXPECT_FALSE(CanonicalHeaders(h, names, &missing).has_value());
  EXPECT_EQ(missing, "x-amz-meta-absent");
}

TEST(Dates, AmzDateRoundTrip) {
  auto t = ParseAmzDate("20130524T000000Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatAmzDate(*t), "20130524T000000Z");
  EXPECT_EQ(FormatAmzDate(*ParseAmzDate("20241231T235959Z")), "20241231T235959Z");
  EXPECT_EQ(FormatHttpDate(*t), "Fri, 24 May 2013 00:00:00 GMT");
  EXPECT_FALSE(ParseAmzDate("20130524T000000").has_value());
  EXPECT_FALSE(ParseAmzDate("20130524 000000Z").has_value());
  EXPECT_FALSE(ParseAmzDate("20130230T000000Z").has_value());  // 30 February
  EXPECT_FALSE(ParseAmzDate("20131324T000000Z").has_value());
  EXPECT_FALSE(ParseAmzDate("20130524T250000Z").has_value());
  EXPECT_FALSE(ParseAmzDate("2013o524T000000Z").has_value());
}

TEST(Dates, HttpDateForms) {
  auto want = ParseAmzDate("20070327T193642Z");
  EXPECT_EQ(ParseHttpDate("Tue, 27 Mar 2007 19:36:42 +0000"), want);
  EXPECT_EQ(ParseHttpDate("Tue, 27 Mar 2007 19:36:42 GMT"), want);
  EXPECT_EQ(ParseHttpDate("Tue, 27 Mar 2007 21:36:42 +0200"), want);
  EXPECT_EQ(ParseHttpDate("Tue, 27 Mar 2007 14:36:42 -0500"), want);
  EXPECT_EQ(ParseHttpDate("Tuesday, 27-Mar-07 19:36:42 GMT"), want);
  EXPECT_EQ(ParseHttpDate("Tue Mar 27 19:36:42 2007"), want);
  EXPECT_EQ(ParseHttpDate("20070327T193642Z"), want);
  EXPECT_FALSE(ParseHttpDate("Tue, 27 Foo 2007 19:36:42 GMT").has_value());
  EXPECT_FALSE(ParseHttpDate("Tue, 27 Mar 2007 19:36:42").has_value());
  EXPECT_FALSE(ParseHttpDate("Tue, 27 Mar 2007 19:36:42 CEST").has_value());
  EXPECT_FALSE(ParseHttpDate("yesterday").has_value());
  EXPECT_FALSE(ParseHttpDate("").has_value());
}

TEST(Crypto, KnownDigests) {
  EXPECT_EQ(Sha256Hex(""), kEmptySha256Hex);
  EXPECT_EQ(Sha256Hex("Welcome to Amazon S3."),
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("foob"), "Zm9vYg==");
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "ab"));
  Sha256Stream s;
  s.Update("Welcome to ", 11);
  s.Update("Amazon S3.", 10);
  EXPECT_EQ(s.FinishHex(), Sha256Hex("Welcome to Amazon S3."));
  EXPECT_EQ(s.FinishHex(), kEmptySha256Hex);  // reset after finishing
}

}  // namespace canonical_test_internal
}  // namespace cairn::auth::internal
