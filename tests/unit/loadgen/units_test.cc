#include "loadgen/units.h"

#include <gtest/gtest.h>

namespace cairn::loadgen {
namespace units_test_internal {

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

TEST(ParseMixTest, ParsesWeights) {
  auto mix = ParseMix("get=45,stat=30,put=15,delete=10");
  ASSERT_TRUE(mix.ok());
  EXPECT_EQ(mix->weight, (std::array<std::uint32_t, 4>{45, 30, 15, 10}));
  auto partial = ParseMix(" PUT : 3 , head=1 ");
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->weight, (std::array<std::uint32_t, 4>{0, 1, 3, 0}));
  EXPECT_EQ(partial->total(), 4u);
}

TEST(ParseMixTest, RefusesBadMixes) {
  for (const char* bad : {"", "get", "get=x", "copy=5", "get=1,get=2", "get=0,put=0", "put=-1"}) {
    EXPECT_FALSE(ParseMix(bad).ok()) << bad;
  }
}

TEST(MixTest, DefaultIsTheIssueMixAndPickCoversTheRanges) {
  Mix mix;
  EXPECT_EQ(mix.weight, (std::array<std::uint32_t, 4>{45, 30, 15, 10}));
  ASSERT_EQ(mix.total(), 100u);
  std::array<int, 4> counts = {};
  for (std::uint32_t draw = 0; draw < mix.total(); ++draw) {
    ++counts[static_cast<int>(mix.Pick(draw))];
  }
  EXPECT_EQ(counts, (std::array<int, 4>{45, 30, 15, 10}));
  EXPECT_EQ(mix.Pick(0), MixOp::kGet);
  EXPECT_EQ(mix.Pick(45), MixOp::kStat);
  EXPECT_EQ(mix.Pick(75), MixOp::kPut);
  EXPECT_EQ(mix.Pick(99), MixOp::kDelete);
  auto only_put = ParseMix("put=7");
  ASSERT_TRUE(only_put.ok());
  for (std::uint32_t draw = 0; draw < 7; ++draw) {
    EXPECT_EQ(only_put->Pick(draw), MixOp::kPut);
  }
}

TEST(ParseCpuListTest, ListsAndRanges) {
  EXPECT_EQ(*ParseCpuList("0"), (std::vector<int>{0}));
  EXPECT_EQ(*ParseCpuList("0,2-4"), (std::vector<int>{0, 2, 3, 4}));
  EXPECT_FALSE(ParseCpuList("").ok());
  EXPECT_FALSE(ParseCpuList("3-1").ok());
  EXPECT_FALSE(ParseCpuList("a").ok());
}

}  // namespace units_test_internal
}  // namespace cairn::loadgen
