#include "cluster/topology.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cairn::cluster {
namespace topology_test_internal {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TopologyOptions Opts(std::string node_host = "", std::uint16_t port = 9000) {
  TopologyOptions o;
  o.locality.node_host = std::move(node_host);
  o.locality.server_port = port;
  return o;
}

TEST(Topology, SingleNodeDefault) {
  auto t = PlanTopology({"/data/disk{1...4}"}, Opts());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->pools.size(), 1u);
  EXPECT_EQ(t->drive_count(), 4);
  EXPECT_EQ(t->local_drive_count(), 4);
  EXPECT_THAT(t->Describe(), ElementsAre("pool 1: 4 drives on 1 node, 1 set of 4 drives (EC 2+2)"));
}

TEST(Topology, FourNodesOnOneMachine) {
  // DESIGN.md's example: the URLs of a 4-node cluster on one machine as plain arguments.
  std::vector<std::string> args;
  for (int n = 1; n <= 4; ++n) {
    for (int d = 1; d <= 4; ++d) {
      args.push_back("http://127.0.0." + std::to_string(n) + ":9001/tmp/n" + std::to_string(n) +
                     "/d" + std::to_string(d));
    }
  }
  auto t = PlanTopology(args, Opts("127.0.0.2"));
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->local_drive_count(), 4);
  const PoolPlan& pool = t->pools[0];
  EXPECT_EQ(pool.layout.node_count, 4);
  EXPECT_EQ(pool.layout.set_size, 16);
  EXPECT_EQ(pool.layout.parity, 8);
  // Round-robin over nodes: the first four drives of the set are on four nodes.
  EXPECT_EQ(pool.endpoints.endpoints[pool.layout.sets[0][0]].host, "127.0.0.1");
  EXPECT_EQ(pool.endpoints.endpoints[pool.layout.sets[0][1]].host, "127.0.0.2");
  EXPECT_EQ(pool.endpoints.endpoints[pool.layout.sets[0][2]].host, "127.0.0.3");
  EXPECT_EQ(pool.endpoints.endpoints[pool.layout.sets[0][3]].host, "127.0.0.4");
}

TEST(Topology, EllipsesAcrossNodesWithParity) {
  auto o = Opts("node3");
  o.layout.parity = 4;
  auto t = PlanTopology({"http://node{1...4}:9000/mnt/disk{1...8}"}, o);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->pools[0].layout.Describe(), "4 sets of 8 drives (EC 4+4)");
  EXPECT_EQ(t->local_drive_count(), 8);
}

TEST(Topology, TwoPools) {
  auto t = PlanTopology({"/p1/d{1...4}", "/p2/d{1...8}"}, Opts());
  ASSERT_TRUE(t.ok());
  EXPECT_THAT(t->Describe(), ElementsAre("pool 1: 4 drives on 1 node, 1 set of 4 drives (EC 2+2)",
                                         "pool 2: 8 drives on 1 node, 1 set of 8 drives (EC 4+4)"));
}

TEST(Topology, RefusalNamesThePool) {
  auto t = PlanTopology({"/p1/d{1...4}", "/p2/d{1...17}"}, Opts());
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(),
              HasSubstr("pool 2 (/p2/d{1...17}): 17 drives on 1 node cannot form erasure sets"));
  auto single = PlanTopology({"/p/d{1...17}"}, Opts());
  EXPECT_THAT(single.status().message(), ::testing::StartsWith("17 drives"));
}

TEST(Topology, BadArgumentsPassThrough) {
  EXPECT_EQ(PlanTopology({"/d{3...1}"}, Opts()).code(), Errc::kInvalidArgument);
  EXPECT_EQ(PlanTopology({"http://h:1/a"}, Opts("h:x")).code(), Errc::kInvalidArgument);
}

}  // namespace topology_test_internal
}  // namespace cairn::cluster
