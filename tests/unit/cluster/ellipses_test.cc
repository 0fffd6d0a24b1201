#include "cluster/ellipses.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cairn::cluster {
namespace ellipses_test_internal {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Expand(std::string_view pattern) {
  auto r = ExpandEllipses(pattern);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::vector<std::string>{};
}

std::string ErrorOf(std::string_view pattern) {
  auto r = ExpandEllipses(pattern);
  EXPECT_FALSE(r.ok()) << pattern;
  EXPECT_EQ(r.code(), Errc::kInvalidArgument);
  return r.status().message();
}

TEST(Ellipses, SimpleRange) {
  EXPECT_THAT(Expand("/mnt/disk{1...4}"),
              ElementsAre("/mnt/disk1", "/mnt/disk2", "/mnt/disk3", "/mnt/disk4"));
  EXPECT_EQ(Expand("/mnt/disk{1...8}").size(), 8u);
  EXPECT_THAT(Expand("/d{0...2}"), ElementsAre("/d0", "/d1", "/d2"));
  EXPECT_THAT(Expand("/d{5...5}"), ElementsAre("/d5"));
}

TEST(Ellipses, ZeroPadded) {
  auto v = Expand("/data{01...16}");
  ASSERT_EQ(v.size(), 16u);
  EXPECT_EQ(v.front(), "/data01");
  EXPECT_EQ(v[8], "/data09");
  EXPECT_EQ(v.back(), "/data16");
  EXPECT_THAT(Expand("/x{098...101}"), ElementsAre("/x098", "/x099", "/x100", "/x101"));
  // Without a leading zero the numbers are not padded.
  EXPECT_THAT(Expand("/x{9...11}"), ElementsAre("/x9", "/x10", "/x11"));
}

TEST(Ellipses, Letters) {
  EXPECT_THAT(Expand("/d{a...d}"), ElementsAre("/da", "/db", "/dc", "/dd"));
  EXPECT_THAT(Expand("/D{X...Z}"), ElementsAre("/DX", "/DY", "/DZ"));
}

TEST(Ellipses, SeveralGroupsLeftmostVariesFastest) {
  // MinIO's order: consecutive drives are on different hosts.
  EXPECT_THAT(
      Expand("http://node{1...2}:9000/disk{1...3}"),
      ElementsAre("http://node1:9000/disk1", "http://node2:9000/disk1", "http://node1:9000/disk2",
                  "http://node2:9000/disk2", "http://node1:9000/disk3", "http://node2:9000/disk3"));
  EXPECT_EQ(Expand("http://n{1...4}/d{1...4}/x{a...b}").size(), 32u);
}

TEST(Ellipses, NoGroupExpandsToItself) {
  EXPECT_THAT(Expand("/mnt/disk1"), ElementsAre("/mnt/disk1"));
  EXPECT_FALSE(HasEllipses("/mnt/disk1"));
}

TEST(Ellipses, TwoDotsAndPlainBracesStayLiteral) {
  EXPECT_FALSE(HasEllipses("/mnt/disk{1..4}"));
  EXPECT_THAT(Expand("/mnt/disk{1..4}"), ElementsAre("/mnt/disk{1..4}"));
  EXPECT_THAT(Expand("/a{b}c"), ElementsAre("/a{b}c"));
  EXPECT_THAT(Expand("/a{{1...2}"), ElementsAre("/a{1", "/a{2"));
  EXPECT_TRUE(HasEllipses("/a/{1...2}"));
  EXPECT_FALSE(HasEllipses("/a/{1...2"));
}

TEST(Ellipses, BadRangesSayWhy) {
  EXPECT_THAT(ErrorOf("/d{8...1}"), HasSubstr("backwards; write {1...8}"));
  EXPECT_THAT(ErrorOf("/d{d...a}"), HasSubstr("backwards"));
  EXPECT_THAT(ErrorOf("/d{...4}"), HasSubstr("both ends"));
  EXPECT_THAT(ErrorOf("/d{1...}"), HasSubstr("both ends"));
  EXPECT_THAT(ErrorOf("/d{1...a}"), HasSubstr("numbers"));
  EXPECT_THAT(ErrorOf("/d{ab...cd}"), HasSubstr("single letters"));
  EXPECT_THAT(ErrorOf("/d{a...D}"), HasSubstr("same case"));
  EXPECT_THAT(ErrorOf("/d{1...2...3}"), HasSubstr("exactly one"));
  EXPECT_THAT(ErrorOf("/d{1...4"), HasSubstr("no closing"));
  EXPECT_THAT(ErrorOf("/d{-1...4}"), HasSubstr("numbers"));
  EXPECT_THAT(ErrorOf("/d{1...9999999999}"), HasSubstr("too large"));
  EXPECT_THAT(ErrorOf("/d{1...100000}"), HasSubstr("more than"));
  EXPECT_THAT(ErrorOf("/a{1...1000}/b{1...1000}"), HasSubstr("more than"));
  // The message names the pattern.
  EXPECT_THAT(ErrorOf("/mnt/x{4...2}"), HasSubstr("/mnt/x{4...2}"));
}

}  // namespace ellipses_test_internal
}  // namespace cairn::cluster
