#include "common/units.h"

#include <gtest/gtest.h>

namespace cairn {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ParseDurationTest, AcceptsUnitsAndCompounds) {
  EXPECT_EQ(*ParseDuration("30s"), seconds(30));
  EXPECT_EQ(*ParseDuration("2m"), seconds(120));
  EXPECT_EQ(*ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*ParseDuration("1h"), seconds(3600));
  EXPECT_EQ(*ParseDuration("1m30s"), seconds(90));
  EXPECT_EQ(*ParseDuration("1.5s"), milliseconds(1500));
  EXPECT_EQ(*ParseDuration("10"), seconds(10));
  EXPECT_EQ(*ParseDuration(" 5s "), seconds(5));
  EXPECT_EQ(*ParseDuration("250us"), std::chrono::microseconds(250));
}

TEST(ParseDurationTest, RefusesNonsense) {
  for (const char* bad : {"", "s", "abc", "5x", "1m30", "-5s", "5 s", "1..2s"}) {
    auto d = ParseDuration(bad);
    EXPECT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.code(), Errc::kInvalidArgument) << bad;
  }
}

TEST(ParseSizeTest, BinaryAndDecimalUnits) {
  EXPECT_EQ(*ParseSize("4KiB"), 4096u);
  EXPECT_EQ(*ParseSize("1MiB"), 1u << 20);
  EXPECT_EQ(*ParseSize("64MiB"), 64u << 20);
  EXPECT_EQ(*ParseSize("1GiB"), 1u << 30);
  EXPECT_EQ(*ParseSize("4k"), 4096u);
  EXPECT_EQ(*ParseSize("4K"), 4096u);
  EXPECT_EQ(*ParseSize("2Mi"), 2u << 20);
  EXPECT_EQ(*ParseSize("4KB"), 4000u);
  EXPECT_EQ(*ParseSize("1MB"), 1000000u);
  EXPECT_EQ(*ParseSize("100"), 100u);
  EXPECT_EQ(*ParseSize("100B"), 100u);
  EXPECT_EQ(*ParseSize("0"), 0u);
  EXPECT_EQ(*ParseSize("1.5MiB"), 3u << 19);
  EXPECT_EQ(*ParseSize("5 MiB"), 5u << 20);
  EXPECT_EQ(*ParseSize("1TiB"), std::uint64_t{1} << 40);
}

TEST(ParseSizeTest, RefusesNonsense) {
  for (const char* bad : {"", "KiB", "4XB", "4KiBB", "1.3B", "-1", "4 K i B", "0.1"}) {
    EXPECT_FALSE(ParseSize(bad).ok()) << bad;
  }
}

TEST(FormatSizeTest, PicksTheLargestUnit) {
  EXPECT_EQ(FormatSize(4096), "4 KiB");
  EXPECT_EQ(FormatSize(64u << 20), "64 MiB");
  EXPECT_EQ(FormatSize(100), "100 B");
  EXPECT_EQ(FormatSize(1536), "1.5 KiB");
}

}  // namespace
}  // namespace cairn
