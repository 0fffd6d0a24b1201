#include "cluster/layout.h"

#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cairn::cluster {
namespace layout_test_internal {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

LayoutOptions Parity(int p) {
  LayoutOptions o;
  o.parity = p;
  return o;
}

LayoutOptions SetSize(int s) {
  LayoutOptions o;
  o.set_size = s;
  return o;
}

LayoutOptions Both(int p, int s) {
  LayoutOptions o;
  o.parity = p;
  o.set_size = s;
  return o;
}

// `nodes` nodes with `per_node` drives each, listed node by node (n1/d1, n1/d2, ...).
std::vector<std::string> Drives(int nodes, int per_node) {
  std::vector<std::string> out;
  for (int n = 0; n < nodes; ++n) {
    for (int d = 0; d < per_node; ++d) {
      out.push_back(nodes == 1 ? "" : fmt::format("node{}:9000", n + 1));
    }
  }
  return out;
}

PoolLayout Layout(int nodes, int per_node, LayoutOptions opts = {}) {
  auto r = ComputeLayout(Drives(nodes, per_node), opts);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : PoolLayout{};
}

std::string Refusal(int nodes, int per_node, LayoutOptions opts = {}) {
  auto r = ComputeLayout(Drives(nodes, per_node), opts);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Errc::kInvalidArgument);
  return r.status().message();
}

void ExpectSets(const PoolLayout& l, int sets, int size, int parity) {
  EXPECT_EQ(l.set_count(), sets);
  EXPECT_EQ(l.set_size, size);
  EXPECT_EQ(l.parity, parity);
  for (const auto& set : l.sets) {
    EXPECT_EQ(static_cast<int>(set.size()), size);
  }
}

TEST(Quorum, ReadIsDataWriteAddsOneForEvenSplit) {
  EXPECT_EQ(ReadQuorum(16, 8), 8);
  EXPECT_EQ(WriteQuorum(16, 8), 9);
  EXPECT_EQ(ReadQuorum(8, 4), 4);
  EXPECT_EQ(WriteQuorum(8, 4), 5);
  EXPECT_EQ(WriteQuorum(8, 2), 6);
  EXPECT_EQ(ReadQuorum(8, 2), 6);
  EXPECT_EQ(WriteQuorum(7, 3), 4);
  EXPECT_EQ(WriteQuorum(3, 1), 2);
  EXPECT_EQ(WriteQuorum(1, 0), 1);
  EXPECT_EQ(ReadQuorum(1, 0), 1);
  EXPECT_EQ(WriteQuorum(2, 1), 2);
}

TEST(Layout, DesignAndIssueExamples) {
  // 4 nodes x 8 drives with --parity 4: 4 sets of 8, 4 data + 4 parity.
  ExpectSets(Layout(4, 8, Parity(4)), 4, 8, 4);
  // 16 drives on 4 nodes: 1 set of 16, EC 8+8.
  ExpectSets(Layout(4, 4), 1, 16, 8);
  // 8 nodes x 1 drive: EC 4+4.
  ExpectSets(Layout(8, 1), 1, 8, 4);
  // 4 drives: 2+2. 1 drive: 1+0. 6 drives: 3+3. 7 drives: 4+3.
  ExpectSets(Layout(1, 4), 1, 4, 2);
  ExpectSets(Layout(1, 1), 1, 1, 0);
  ExpectSets(Layout(1, 6), 1, 6, 3);
  ExpectSets(Layout(1, 7), 1, 7, 3);
  // 32 drives on 4 nodes without flags: 2 sets of 16.
  ExpectSets(Layout(4, 8), 2, 16, 8);
}

TEST(Layout, LargestSetSizeThatDividesAndSpreads) {
  ExpectSets(Layout(1, 16), 1, 16, 8);
  ExpectSets(Layout(1, 32), 2, 16, 8);
  ExpectSets(Layout(1, 12), 1, 12, 6);
  ExpectSets(Layout(1, 2), 1, 2, 1);
  ExpectSets(Layout(1, 3), 1, 3, 1);
  ExpectSets(Layout(1, 18), 2, 9, 4);
  ExpectSets(Layout(4, 6), 2, 12, 6);  // 24 drives: 16 does not divide, 12 spreads over 4
  ExpectSets(Layout(5, 4), 2, 10, 5);  // 20 drives: 16, 15 ... 11 fail, 10 spreads over 5
  ExpectSets(Layout(3, 4), 1, 12, 6);
  ExpectSets(Layout(32, 1), 2, 16, 8);  // more nodes than drives in a set
  ExpectSets(Layout(20, 1), 2, 10, 5);
  ExpectSets(Layout(3, 5), 1, 15, 7);  // 15 drives on 3 nodes: 15 spreads (5 per node)
  ExpectSets(Layout(7, 3), 3, 7, 3);   // 21 drives on 7 nodes: nothing from 16 to 8 divides
}

TEST(Layout, NodesSpreadCheck) {
  // 6 nodes x 2 drives = 12: 12 spreads (2 per node).
  ExpectSets(Layout(6, 2), 1, 12, 6);
  // 3 nodes x 2 drives = 6: 6 spreads.
  ExpectSets(Layout(3, 2), 1, 6, 3);
}

TEST(Layout, DrivesOfASetAreDealtRoundRobinOverNodes) {
  // 4 nodes x 4 drives, listed node by node; --set-size 4 gives 4 sets, each with one drive
  // of every node.
  auto l = Layout(4, 4, SetSize(4));
  ASSERT_EQ(l.set_count(), 4);
  auto nodes = Drives(4, 4);
  for (const auto& set : l.sets) {
    std::set<std::string> seen;
    for (int i : set) {
      seen.insert(nodes[i]);
    }
    EXPECT_EQ(seen.size(), 4u);
  }
  EXPECT_THAT(l.sets[0], ElementsAre(0, 4, 8, 12));
  EXPECT_THAT(l.sets[1], ElementsAre(1, 5, 9, 13));
  // 8 nodes x 2 drives in sets of 4: each set on 4 distinct nodes.
  auto l2 = Layout(8, 2, SetSize(4));
  auto nodes2 = Drives(8, 2);
  for (const auto& set : l2.sets) {
    std::set<std::string> seen;
    for (int i : set) {
      seen.insert(nodes2[i]);
    }
    EXPECT_EQ(seen.size(), 4u);
  }
  // 2 nodes x 4 drives, sets of 4: 2 drives of each node per set.
  auto l3 = Layout(2, 4, SetSize(4));
  EXPECT_THAT(l3.sets[0], ElementsAre(0, 4, 1, 5));
  EXPECT_THAT(l3.sets[1], ElementsAre(2, 6, 3, 7));
}

TEST(Layout, SingleNodeKeepsArgumentOrder) {
  auto l = Layout(1, 8, SetSize(4));
  EXPECT_THAT(l.sets[0], ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(l.sets[1], ElementsAre(4, 5, 6, 7));
}

TEST(Layout, Flags) {
  ExpectSets(Layout(1, 16, Parity(2)), 4, 4, 2);
  ExpectSets(Layout(1, 16, SetSize(8)), 2, 8, 4);
  ExpectSets(Layout(1, 16, Both(2, 8)), 2, 8, 2);
  ExpectSets(Layout(1, 15, SetSize(5)), 3, 5, 2);
  ExpectSets(Layout(1, 16, Both(1, 16)), 1, 16, 1);
  ExpectSets(Layout(1, 2, Parity(1)), 1, 2, 1);
  auto l = Layout(1, 16, Both(2, 8));
  EXPECT_EQ(l.read_quorum(), 6);
  EXPECT_EQ(l.write_quorum(), 6);
  EXPECT_EQ(l.Describe(), "2 sets of 8 drives (EC 6+2)");
  EXPECT_EQ(Layout(1, 1).Describe(), "1 set of 1 drive (EC 1+0)");
}

TEST(Layout, RefusedCountsSayWhatWorks) {
  // 17 drives: prime above 16.
  EXPECT_THAT(Refusal(1, 17), HasSubstr("17 drives on 1 node cannot form erasure sets"));
  EXPECT_THAT(Refusal(1, 17), HasSubstr("such as 16 or 18 drives"));
  // With several nodes a count is refused only when no set size spreads over the nodes.
  EXPECT_THAT(Refusal(17, 1), HasSubstr("17 drives on 17 nodes cannot form erasure sets"));
  EXPECT_THAT(Refusal(17, 2), HasSubstr("use a node count such as 16 or 18 nodes"));
  // --parity that does not divide.
  EXPECT_THAT(Refusal(4, 8, Parity(3)),
              HasSubstr("32 drives on 4 nodes cannot form sets of 6 drives (--parity 3): 32 is "
                        "not a multiple of 6; parities that work: 1, 2, 4 or 8"));
  EXPECT_THAT(Refusal(1, 12, SetSize(5)), HasSubstr("set sizes that work: 2, 3, 4, 6 or 12"));
  // Sets of 4 do not spread over 3 nodes x 4 drives.
  EXPECT_THAT(Refusal(3, 4, SetSize(4)), HasSubstr("do not spread evenly over 3 nodes"));
  EXPECT_THAT(Refusal(1, 1, Parity(1)), HasSubstr("1 is not a multiple of 2"));
}

TEST(Layout, RefusedFlags) {
  EXPECT_THAT(Refusal(1, 4, Parity(0)), HasSubstr("--parity 0 is out of range"));
  EXPECT_THAT(Refusal(1, 4, Parity(9)), HasSubstr("between 1 and 8"));
  EXPECT_THAT(Refusal(1, 4, SetSize(1)), HasSubstr("--set-size 1 is out of range"));
  EXPECT_THAT(Refusal(1, 34, SetSize(17)), HasSubstr("between 2 and 16"));
  EXPECT_THAT(Refusal(1, 8, Both(5, 8)), HasSubstr("--parity 5 is more than half of --set-size 8"));
}

TEST(Layout, UnevenNodesAreRefused) {
  std::vector<std::string> nodes = {"a:1", "a:1", "a:1", "b:1"};
  auto r = ComputeLayout(nodes, {});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("a:1 has 3, b:1 has 1"));
}

TEST(Layout, EmptyPoolRefused) {
  EXPECT_FALSE(ComputeLayout({}, {}).ok());
}

}  // namespace layout_test_internal
}  // namespace cairn::cluster
