#include "server/storage_class.h"

#include <map>

#include <gtest/gtest.h>

namespace cairn::server {
namespace storage_class_test_internal {

Environment Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

// One pool of sets of `set_size` drives with `parity`.
cluster::Topology Pools(std::vector<std::pair<int, int>> layouts) {
  cluster::Topology t;
  for (auto [set_size, parity] : layouts) {
    cluster::PoolPlan& pool = t.pools.emplace_back();
    pool.layout.set_size = set_size;
    pool.layout.parity = parity;
  }
  return t;
}

TEST(StorageClass, ParsesEcForm) {
  EXPECT_EQ(*ParseStorageClassParity("EC:2", "X"), 2);
  EXPECT_EQ(*ParseStorageClassParity("EC:0", "X"), 0);
  for (const char* bad : {"", "EC", "EC:", "EC:-1", "ec:2", "RS:2", "EC:2x", "2"}) {
    auto r = ParseStorageClassParity(bad, "CAIRN_STORAGE_CLASS_RRS");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("CAIRN_STORAGE_CLASS_RRS"), std::string::npos);
  }
}

TEST(StorageClass, ReadsCairnThenMinioVariables) {
  auto cfg = StorageClassFromEnvironment(Env({{"MINIO_STORAGE_CLASS_STANDARD", "EC:3"},
                                              {"CAIRN_STORAGE_CLASS_STANDARD", "EC:2"},
                                              {"MINIO_STORAGE_CLASS_RRS", "EC:1"}}));
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->standard, 2);
  EXPECT_EQ(cfg->rrs, 1);
  auto none = StorageClassFromEnvironment(Env({}));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->standard.has_value());
  EXPECT_FALSE(none->rrs.has_value());
  EXPECT_FALSE(StorageClassFromEnvironment(Env({{"CAIRN_STORAGE_CLASS_RRS", "EC:x"}})).ok());
}

TEST(StorageClass, DefaultsArePoolParityAndEc1) {
  auto map = StorageClassParity(StorageClassConfig{}, Pools({{6, 3}}));
  ASSERT_TRUE(map.ok());
  EXPECT_FALSE(map->contains("STANDARD"));
  EXPECT_EQ(map->at("REDUCED_REDUNDANCY"), 1);
  // A single drive has no parity: RRS gets none either.
  auto single = StorageClassParity(StorageClassConfig{}, Pools({{1, 0}}));
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->at("REDUCED_REDUNDANCY"), 0);
}

TEST(StorageClass, ChecksMinioRules) {
  StorageClassConfig cfg;
  cfg.standard = 3;
  cfg.rrs = 1;
  auto map = StorageClassParity(cfg, Pools({{6, 3}}));
  ASSERT_TRUE(map.ok());
  EXPECT_EQ(map->at("STANDARD"), 3);
  EXPECT_EQ(map->at("REDUCED_REDUNDANCY"), 1);
  cfg.standard = 4;  // more than half of 6
  auto too_much = StorageClassParity(cfg, Pools({{6, 3}}));
  ASSERT_FALSE(too_much.ok());
  EXPECT_NE(too_much.status().message().find("EC:0 to EC:3"), std::string::npos);
  cfg.standard = 1;
  cfg.rrs = 2;  // RRS above STANDARD
  EXPECT_FALSE(StorageClassParity(cfg, Pools({{6, 3}})).ok());
  StorageClassConfig rrs_only;
  rrs_only.rrs = 3;  // the pool's parity, allowed; 4 is not
  EXPECT_TRUE(StorageClassParity(rrs_only, Pools({{6, 3}})).ok());
  rrs_only.rrs = 4;
  EXPECT_FALSE(StorageClassParity(rrs_only, Pools({{8, 4}, {6, 3}})).ok());
}

}  // namespace storage_class_test_internal
}  // namespace cairn::server
