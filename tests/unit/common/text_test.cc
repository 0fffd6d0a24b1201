// The one copy of hex and percent coding (common/text.h) and of query parsing
// (common/query.h): the union of what auth/, s3/, rpc/ and loadgen/ each relied on.
#include "common/text.h"

#include <string>

#include <gtest/gtest.h>

#include "common/query.h"

namespace cairn {
namespace {

TEST(HexTest, LowercaseOutEitherCaseIn) {
  EXPECT_EQ(HexEncode(std::string("\x00\x0f\xab\xff", 4)), "000fabff");
  EXPECT_EQ(HexDecode("000FabFF"), std::string("\x00\x0f\xab\xff", 4));
  EXPECT_FALSE(HexDecode("abc"));  // odd length
  EXPECT_FALSE(HexDecode("zz"));
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('F'), 15);
  EXPECT_EQ(HexDigitValue('g'), -1);
  EXPECT_EQ(HexDigitValue('%'), -1);
}

TEST(UriEncodeTest, EncodesLikeAws) {
  // Unreserved: A-Z a-z 0-9 - _ . ~; escapes in uppercase hex.
  const std::string unreserved =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
  EXPECT_EQ(UriEncode(unreserved, false), unreserved);
  for (int c = 0; c < 256; ++c) {
    const bool plain = unreserved.find(static_cast<char>(c)) != std::string::npos && c != 0;
    EXPECT_EQ(IsUriUnreserved(static_cast<unsigned char>(c)), plain) << c;
  }
  EXPECT_EQ(UriEncode("a b/c~d", true), "a%20b/c~d");
  EXPECT_EQ(UriEncode("a b/c", false), "a%20b%2Fc");
  EXPECT_EQ(UriEncode("\xff", false), "%FF");
  EXPECT_EQ(UriEncode("+*=&%", false), "%2B%2A%3D%26%25");
  EXPECT_EQ(UriEncode("\xe2\x82\xac", true), "%E2%82%AC");
}

TEST(PercentDecodeTest, PlusAndBadEscapes) {
  EXPECT_EQ(*PercentDecode("a+b%20c%2Fd", false), "a+b c/d");  // a path keeps '+'
  EXPECT_EQ(*PercentDecode("a+b%20c", true), "a b c");         // a query's '+' is a space
  EXPECT_EQ(*PercentDecode("%e2%82%AC", false), "\xe2\x82\xac");
  EXPECT_EQ(*PercentDecode("", false), "");
  EXPECT_FALSE(PercentDecode("%", false));
  EXPECT_FALSE(PercentDecode("%2", false));
  EXPECT_FALSE(PercentDecode("ab%zz", true));
  // Lenient: a bad escape stays as it is.
  EXPECT_EQ(PercentDecodeLenient("%", true), "%");
  EXPECT_EQ(PercentDecodeLenient("a%2", true), "a%2");
  EXPECT_EQ(PercentDecodeLenient("%zz+%41", true), "%zz A");
  EXPECT_EQ(PercentDecodeLenient("%zz+%41", false), "%zz+A");
  // Round trips.
  for (const std::string s : {"a b/c", "\x01\xff", "~!*'()", "%41"}) {
    EXPECT_EQ(*PercentDecode(UriEncode(s, false), false), s);
    EXPECT_EQ(*PercentDecode(UriEncode(s, true), false), s);
  }
}

TEST(QueryTest, ParsesInOrder) {
  auto q = ParseQuery("prefix=a%2Fb+c&uploads&max-keys=5&&delimiter=%2F&prefix=x");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->all().size(), 5u);
  EXPECT_EQ(q->all()[0], (QueryParam{"prefix", "a/b c"}));
  EXPECT_EQ(q->all()[1], (QueryParam{"uploads", ""}));
  EXPECT_EQ(q->Get("prefix"), "a/b c");  // the first one
  EXPECT_TRUE(q->Has("uploads"));
  EXPECT_EQ(q->Get("max-keys"), "5");
  EXPECT_EQ(q->Get("delimiter"), "/");
  EXPECT_FALSE(q->Get("Prefix"));  // case-sensitive
  EXPECT_TRUE(ParseQuery("")->all().empty());
}

TEST(QueryTest, StrictRefusesBadEscapesLenientKeepsThem) {
  EXPECT_FALSE(ParseQuery("a=%G1"));
  EXPECT_FALSE(ParseQuery("%=1"));
  const QueryParams q = ParseQueryLenient("a=%G1&b%=2+3");
  ASSERT_EQ(q.all().size(), 2u);
  EXPECT_EQ(q.Get("a"), "%G1");
  EXPECT_EQ(q.Get("b%"), "2 3");
}

}  // namespace
}  // namespace cairn
