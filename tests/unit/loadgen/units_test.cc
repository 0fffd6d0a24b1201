#include "loadgen/units.h"

#include <gtest/gtest.h>

namespace cairn::loadgen {
namespace units_test_internal {

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
