#include <gtest/gtest.h>

#include "s3/conditions.h"
#include "s3/dates.h"
#include "s3/range.h"

namespace cairn::s3 {
namespace range_conditions_test_internal {

using Kind = object::RangeSpec::Kind;

TEST(ParseRange, Forms) {
  auto r = ParseRange("bytes=0-9");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, Kind::kFromTo);
  EXPECT_EQ(r->first, 0);
  EXPECT_EQ(r->last, 9);
  r = ParseRange("bytes=5-");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, Kind::kFromTo);
  EXPECT_EQ(r->first, 5);
  EXPECT_EQ(r->last, -1);
  r = ParseRange("bytes=-3");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, Kind::kSuffix);
  EXPECT_EQ(r->suffix_length, 3);
  r = ParseRange(" bytes= 2 - 4 ");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 2);
  EXPECT_EQ(r->last, 4);
}

TEST(ParseRange, IgnoredHeaders) {
  for (std::string_view bad :
       {"", "bytes=", "bytes=-", "bytes=a-b", "bytes=5-2", "items=0-1", "bytes=0-1,3-4",
        "bytes 0-1", "bytes=1", "bytes=--1", "bytes=-1-2", "bytes=99999999999999999999-"}) {
    EXPECT_FALSE(ParseRange(bad)) << bad;
  }
}

std::pair<std::int64_t, std::int64_t> P(std::int64_t a, std::int64_t b) {
  return {a, b};
}

TEST(ResolveRange, AgainstSize) {
  auto whole = ResolveRange({}, 10);
  EXPECT_EQ(*whole, P(0, 10));
  EXPECT_EQ(*ResolveRange(*ParseRange("bytes=2-4"), 10), P(2, 3));
  EXPECT_EQ(*ResolveRange(*ParseRange("bytes=2-100"), 10), P(2, 8));
  EXPECT_EQ(*ResolveRange(*ParseRange("bytes=9-"), 10), P(9, 1));
  EXPECT_EQ(*ResolveRange(*ParseRange("bytes=-3"), 10), P(7, 3));
  EXPECT_EQ(*ResolveRange(*ParseRange("bytes=-30"), 10), P(0, 10));
  EXPECT_EQ(ResolveRange(*ParseRange("bytes=10-"), 10).code(), Errc::kInvalidRange);
  EXPECT_EQ(ResolveRange(*ParseRange("bytes=10-20"), 10).code(), Errc::kInvalidRange);
  EXPECT_EQ(ResolveRange(*ParseRange("bytes=-0"), 10).code(), Errc::kInvalidRange);
  EXPECT_EQ(ResolveRange(*ParseRange("bytes=0-"), 0).code(), Errc::kInvalidRange);
  EXPECT_EQ(ContentRange(2, 3, 10), "bytes 2-4/10");
}

TEST(ParseCopySourceRange, OnlyClosedRanges) {
  auto r = ParseCopySourceRange("bytes=0-99");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first, 0);
  EXPECT_EQ(r->last, 99);
  for (std::string_view bad : {"bytes=5-", "bytes=-5", "bytes=5-1", "0-5", ""}) {
    EXPECT_EQ(ParseCopySourceRange(bad).code(), Errc::kInvalidArgumentS3) << bad;
  }
}

TEST(Dates, FormatAndParse) {
  // 1994-11-06T08:49:37.250Z
  std::int64_t ns = 784111777'250'000'000;
  EXPECT_EQ(FormatHttpDate(ns), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(FormatIso8601(ns), "1994-11-06T08:49:37.250Z");
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(ParseHttpDate("Sun Nov  6 08:49:37 1994"), 784111777);
  EXPECT_EQ(ParseHttpDate("Sat, 29 Feb 2020 23:59:59 GMT"), 1583020799);
  EXPECT_FALSE(ParseHttpDate("Sun, 31 Feb 1994 08:49:37 GMT"));
  EXPECT_FALSE(ParseHttpDate("yesterday"));
  EXPECT_FALSE(ParseHttpDate("Sun, 06 Nov 1994 08:49:37"));
  EXPECT_FALSE(ParseHttpDate(""));
  // Round trip.
  std::int64_t now = 1'763'781'352'000'000'000;
  EXPECT_EQ(ParseHttpDate(FormatHttpDate(now)), now / 1'000'000'000);
}

constexpr std::int64_t kMod = 784111777'500'000'000;  // Sun, 06 Nov 1994 08:49:37.5 GMT
constexpr std::string_view kBefore = "Sun, 06 Nov 1994 08:49:36 GMT";
constexpr std::string_view kSame = "Sun, 06 Nov 1994 08:49:37 GMT";
constexpr std::string_view kAfter = "Sun, 06 Nov 1994 08:49:38 GMT";

Preconditions Pre(std::optional<std::string> im, std::optional<std::string> inm,
                  std::optional<std::string_view> ims, std::optional<std::string_view> ius) {
  Preconditions p;
  p.if_match = std::move(im);
  p.if_none_match = std::move(inm);
  if (ims) {
    p.if_modified_since = ParseHttpDate(*ims);
  }
  if (ius) {
    p.if_unmodified_since = ParseHttpDate(*ius);
  }
  return p;
}

Errc Get(const Preconditions& p) {
  return EvaluateGetPreconditions(p, "abc", kMod).code();
}

TEST(Conditions, EtagLists) {
  EXPECT_TRUE(EtagListMatches("\"abc\"", "abc"));
  EXPECT_TRUE(EtagListMatches("abc", "\"abc\""));
  EXPECT_TRUE(EtagListMatches("\"x\", \"abc\"", "abc"));
  EXPECT_TRUE(EtagListMatches("W/\"abc\"", "abc"));
  EXPECT_TRUE(EtagListMatches("*", "abc"));
  EXPECT_FALSE(EtagListMatches("\"abd\"", "abc"));
  EXPECT_FALSE(EtagListMatches("", "abc"));
}

TEST(Conditions, SingleHeaders) {
  EXPECT_EQ(Get(Pre({}, {}, {}, {})), Errc::kOk);
  EXPECT_EQ(Get(Pre("\"abc\"", {}, {}, {})), Errc::kOk);
  EXPECT_EQ(Get(Pre("\"zzz\"", {}, {}, {})), Errc::kPreconditionFailed);
  EXPECT_EQ(Get(Pre({}, "\"abc\"", {}, {})), Errc::kNotModified);
  EXPECT_EQ(Get(Pre({}, "*", {}, {})), Errc::kNotModified);
  EXPECT_EQ(Get(Pre({}, "\"zzz\"", {}, {})), Errc::kOk);
  // Second granularity: modified at :37.5 is not modified since :37.
  EXPECT_EQ(Get(Pre({}, {}, kSame, {})), Errc::kNotModified);
  EXPECT_EQ(Get(Pre({}, {}, kAfter, {})), Errc::kNotModified);
  EXPECT_EQ(Get(Pre({}, {}, kBefore, {})), Errc::kOk);
  EXPECT_EQ(Get(Pre({}, {}, {}, kSame)), Errc::kOk);
  EXPECT_EQ(Get(Pre({}, {}, {}, kAfter)), Errc::kOk);
  EXPECT_EQ(Get(Pre({}, {}, {}, kBefore)), Errc::kPreconditionFailed);
  // An unparsable date is ignored.
  EXPECT_EQ(Get(Pre({}, {}, "garbage", "garbage")), Errc::kOk);
}

TEST(Conditions, AwsPrecedence) {
  // If-Match true + If-Unmodified-Since false: 200.
  EXPECT_EQ(Get(Pre("\"abc\"", {}, {}, kBefore)), Errc::kOk);
  // If-None-Match false + If-Modified-Since true: 200 (the etag differs).
  EXPECT_EQ(Get(Pre({}, "\"zzz\"", kAfter, {})), Errc::kOk);
  // If-None-Match true + If-Modified-Since false: 304.
  EXPECT_EQ(Get(Pre({}, "\"abc\"", kBefore, {})), Errc::kNotModified);
  // If-Match failing beats If-None-Match.
  EXPECT_EQ(Get(Pre("\"zzz\"", "\"abc\"", {}, {})), Errc::kPreconditionFailed);
  // If-Unmodified-Since failing beats If-Modified-Since.
  EXPECT_EQ(Get(Pre({}, {}, kAfter, kBefore)), Errc::kPreconditionFailed);
}

TEST(Conditions, CopySourceFailuresAre412) {
  auto copy = [](const Preconditions& p) {
    return EvaluateCopyPreconditions(p, "abc", kMod).code();
  };
  EXPECT_EQ(copy(Pre({}, "\"abc\"", {}, {})), Errc::kPreconditionFailed);
  EXPECT_EQ(copy(Pre({}, {}, kAfter, {})), Errc::kPreconditionFailed);
  EXPECT_EQ(copy(Pre("\"abc\"", {}, {}, kBefore)), Errc::kOk);
  EXPECT_EQ(copy(Pre("\"x\"", {}, {}, {})), Errc::kPreconditionFailed);
}

TEST(Conditions, ReadsHeadersWithPrefix) {
  http::Request r;
  r.headers = {{"if-match", "\"a\""},
               {"x-amz-copy-source-if-none-match", "\"b\""},
               {"x-amz-copy-source-if-modified-since", std::string(kSame)}};
  Preconditions plain = ReadPreconditions(r, "");
  EXPECT_EQ(plain.if_match, "\"a\"");
  EXPECT_FALSE(plain.if_none_match);
  Preconditions copy = ReadPreconditions(r, "x-amz-copy-source-");
  EXPECT_FALSE(copy.if_match);
  EXPECT_EQ(copy.if_none_match, "\"b\"");
  EXPECT_EQ(copy.if_modified_since, 784111777);
}

}  // namespace range_conditions_test_internal
}  // namespace cairn::s3
