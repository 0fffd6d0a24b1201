// The scanner's per-set usage record: what it writes decodes to the same counts, and what is
// not a record is refused.
#include <gtest/gtest.h>

#include "heal/scanner.h"

namespace cairn::heal {
namespace {

TEST(SetUsage, RoundTrips) {
  std::map<std::string, BucketUsage> usage;
  usage["photos"] = BucketUsage{3, 3000};
  usage["empty"] = BucketUsage{0, 0};
  const std::optional<SetUsage> back = DecodeSetUsage(EncodeSetUsage(usage, 1234));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->time_ns, 1234);
  ASSERT_EQ(back->buckets.size(), 2u);
  EXPECT_EQ(back->buckets.at("photos").objects, 3u);
  EXPECT_EQ(back->buckets.at("photos").bytes, 3000u);
}

TEST(SetUsage, RefusesWhatIsNotARecord) {
  EXPECT_FALSE(DecodeSetUsage("").has_value());
  EXPECT_FALSE(DecodeSetUsage("12345").has_value());
  EXPECT_FALSE(DecodeSetUsage(R"({"buckets": {}})").has_value());
  EXPECT_FALSE(DecodeSetUsage(R"({"time_ns": "x", "buckets": {}})").has_value());
}

}  // namespace
}  // namespace cairn::heal
