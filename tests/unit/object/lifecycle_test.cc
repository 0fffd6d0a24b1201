#include "object/lifecycle.h"

#include <limits>

#include <gtest/gtest.h>

namespace cairn::object::lifecycle {
namespace lifecycle_test_internal {

constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::int64_t kDay = 86400;

Rule ExpireAfter(std::string id, int days, std::string prefix = "") {
  Rule r;
  r.id = std::move(id);
  r.filter.prefix = std::move(prefix);
  r.expiration_days = days;
  return r;
}

TEST(Lifecycle, DueAfterDaysRoundsUpToTheNextMidnight) {
  // 2012-12-20 15:00 UTC + 2 days -> 2012-12-23 00:00 UTC.
  const std::int64_t mod = (1356220800 - 3 * kDay + 15 * 3600) * kSec;
  EXPECT_EQ(DueAfterDays(mod, 2, kDay), std::int64_t{1356220800} * kSec);
  // Exactly at midnight still goes to the next one (as MinIO and AWS do).
  EXPECT_EQ(DueAfterDays(0, 1, kDay), 2 * kDay * kSec);
  // Ten-second days for tests.
  EXPECT_EQ(DueAfterDays(25 * kSec, 1, 10), 40 * kSec);
  // Beyond year 2262: "never", not an overflow.
  EXPECT_EQ(DueAfterDays(0, std::numeric_limits<int>::max(), kDay),
            std::numeric_limits<std::int64_t>::max());
}

TEST(Lifecycle, FiltersSelectVersions) {
  Rule r = ExpireAfter("r", 1, "logs/");
  r.filter.tags = {{"class", "tmp"}};
  r.filter.size_greater_than = 10;
  r.filter.size_less_than = 100;
  VersionFacts v;
  v.key = "logs/a";
  v.size = 50;
  v.tags = {{"other", "x"}, {"class", "tmp"}};
  EXPECT_TRUE(Matches(r, v));
  v.size = 10;
  EXPECT_FALSE(Matches(r, v));
  v.size = 50;
  v.key = "data/a";
  EXPECT_FALSE(Matches(r, v));
  v.key = "logs/a";
  v.tags = {{"class", "keep"}};
  EXPECT_FALSE(Matches(r, v));
  v.tags = {{"class", "tmp"}};
  r.enabled = false;
  EXPECT_FALSE(Matches(r, v));
}

TEST(Lifecycle, EarliestRuleDecidesAndDueWaitsForNow) {
  Configuration c;
  c.rules = {ExpireAfter("long", 30), ExpireAfter("short", 2, "tmp/")};
  VersionFacts v;
  v.key = "tmp/x";
  v.mod_time_ns = 5 * kSec;
  Event e = NextAction(c, v, kDay);
  EXPECT_EQ(e.action, Action::kExpireCurrent);
  EXPECT_EQ(e.rule_id, "short");
  EXPECT_EQ(e.due_ns, 3 * kDay * kSec);
  EXPECT_EQ(DueAction(c, v, 3 * kDay * kSec - 1, kDay).action, Action::kNone);
  EXPECT_EQ(DueAction(c, v, 3 * kDay * kSec, kDay).rule_id, "short");
  EXPECT_EQ(CurrentExpiration(c, v, kDay).rule_id, "short");
  v.key = "other";
  EXPECT_EQ(CurrentExpiration(c, v, kDay).rule_id, "long");
}

TEST(Lifecycle, DateExpiration) {
  Rule r;
  r.id = "d";
  r.expiration_date = 1893456000;
  Configuration c{{r}};
  VersionFacts v;
  v.key = "k";
  EXPECT_EQ(CurrentExpiration(c, v, kDay).due_ns, std::int64_t{1893456000} * kSec);
}

TEST(Lifecycle, NoncurrentVersionsAndDeleteMarkers) {
  Rule r;
  r.id = "nc";
  r.noncurrent_days = 1;
  r.newer_noncurrent_versions = 2;
  r.expired_object_delete_marker = true;
  Configuration c{{r}};
  VersionFacts v;
  v.key = "k";
  v.is_latest = false;
  v.noncurrent_since_ns = 10 * kSec;
  v.newer_noncurrent_versions = 1;  // among the 2 newest kept
  EXPECT_EQ(NextAction(c, v, kDay).action, Action::kNone);
  v.newer_noncurrent_versions = 2;
  Event e = NextAction(c, v, kDay);
  EXPECT_EQ(e.action, Action::kExpireNoncurrent);
  EXPECT_EQ(e.due_ns, 2 * kDay * kSec);
  // The current version is not touched by a noncurrent rule.
  VersionFacts cur;
  cur.key = "k";
  EXPECT_EQ(NextAction(c, cur, kDay).action, Action::kNone);
  // A delete marker that is the only version is removed; with other versions it stays.
  VersionFacts marker;
  marker.key = "k";
  marker.delete_marker = true;
  marker.mod_time_ns = 7 * kSec;
  EXPECT_EQ(DueAction(c, marker, 7 * kSec, kDay).action, Action::kRemoveDeleteMarker);
  marker.num_versions = 2;
  EXPECT_EQ(NextAction(c, marker, kDay).action, Action::kNone);
  EXPECT_EQ(CurrentExpiration(c, marker, kDay).action, Action::kNone);
}

TEST(Lifecycle, UploadAbortion) {
  Rule r;
  r.id = "mpu";
  r.filter.prefix = "up/";
  r.abort_upload_days = 1;
  Configuration c{{r}};
  auto e = UploadAbortion(c, "up/x", 0, 10);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->action, Action::kAbortUpload);
  EXPECT_EQ(e->due_ns, 20 * kSec);
  EXPECT_FALSE(UploadAbortion(c, "down/x", 0, 10).has_value());
}

TEST(Lifecycle, TagQuery) {
  EXPECT_EQ(ParseTagQuery("a=1&b%20c=x%2By&empty="),
            (Tags{{"a", "1"}, {"b c", "x+y"}, {"empty", ""}}));
  EXPECT_TRUE(ParseTagQuery("").empty());
  EXPECT_TRUE(ParseTagQuery("bad=%zz").empty());
}

TEST(Lifecycle, ValidateTransitionsAndActions) {
  Rule t = ExpireAfter("t", 1);
  t.has_transition = true;
  EXPECT_EQ(Validate(Configuration{{t}}).code(), Errc::kNotImplemented);
  Rule none;
  EXPECT_EQ(Validate(Configuration{{none}}).code(), Errc::kInvalidRequest);
  EXPECT_TRUE(Validate(Configuration{{ExpireAfter("ok", 1)}}).ok());
  EXPECT_EQ(Validate(Configuration{}).code(), Errc::kMalformedXml);
}

}  // namespace lifecycle_test_internal
}  // namespace cairn::object::lifecycle
