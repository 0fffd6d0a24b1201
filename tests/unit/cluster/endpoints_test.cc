#include "cluster/endpoints.h"

#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cairn::cluster {
namespace endpoints_test_internal {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Names(const PoolEndpoints& pool) {
  std::vector<std::string> out;
  for (const auto& ep : pool.endpoints) {
    out.push_back(ep.ToString());
  }
  return out;
}

TEST(Endpoint, LocalPathIsNormalized) {
  auto ep = ParseEndpoint("/mnt//disk1/./x/../");
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  EXPECT_FALSE(ep->is_url());
  EXPECT_EQ(ep->path, "/mnt/disk1");
  EXPECT_EQ(ep->ToString(), "/mnt/disk1");
  EXPECT_EQ(ep->NodeKey(9000), "");
}

TEST(Endpoint, RelativePathBecomesAbsolute) {
  auto ep = ParseEndpoint("data/disk1");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->path, (std::filesystem::current_path() / "data/disk1").generic_string());
}

TEST(Endpoint, Url) {
  auto ep = ParseEndpoint("http://Node1.Example.com:9000/srv/d1/");
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  EXPECT_TRUE(ep->is_url());
  EXPECT_EQ(ep->scheme, "http");
  EXPECT_EQ(ep->host, "node1.example.com");
  EXPECT_EQ(ep->port, 9000);
  EXPECT_EQ(ep->path, "/srv/d1");
  EXPECT_EQ(ep->ToString(), "http://node1.example.com:9000/srv/d1");
  EXPECT_EQ(ep->NodeKey(1234), "node1.example.com:9000");
}

TEST(Endpoint, UrlWithoutPortUsesServerPortAsNode) {
  auto ep = ParseEndpoint("https://10.0.0.1/d");
  ASSERT_TRUE(ep.ok());
  EXPECT_EQ(ep->port, 0);
  EXPECT_EQ(ep->NodeKey(9000), "10.0.0.1:9000");
  EXPECT_EQ(ep->ToString(), "https://10.0.0.1/d");
}

TEST(Endpoint, Ipv6) {
  auto ep = ParseEndpoint("http://[::1]:9001/d1");
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  EXPECT_EQ(ep->host, "::1");
  EXPECT_EQ(ep->port, 9001);
  EXPECT_EQ(ep->ToString(), "http://[::1]:9001/d1");
  EXPECT_EQ(ep->NodeKey(), "[::1]:9001");
}

TEST(Endpoint, BadOnesSayWhy) {
  auto msg = [](std::string_view text) {
    auto r = ParseEndpoint(text);
    EXPECT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.code(), Errc::kInvalidArgument);
    return r.status().message();
  };
  EXPECT_THAT(msg("ftp://h/d"), HasSubstr("only http:// and https://"));
  EXPECT_THAT(msg("http://h:99999/d"), HasSubstr("not a port"));
  EXPECT_THAT(msg("http://h:0/d"), HasSubstr("not a port"));
  EXPECT_THAT(msg("http://h:x/d"), HasSubstr("not a port"));
  EXPECT_THAT(msg("http://h:/d"), HasSubstr("port is empty"));
  EXPECT_THAT(msg("http://h:9000"), HasSubstr("no path"));
  EXPECT_THAT(msg("http://h:9000/"), HasSubstr("root directory"));
  EXPECT_THAT(msg("/"), HasSubstr("root directory"));
  EXPECT_THAT(msg("http://h/d?x=1"), HasSubstr("no query"));
  EXPECT_THAT(msg("http://[::1/d"), HasSubstr("closing ']'"));
  EXPECT_THAT(msg("http://[zz]:1/d"), HasSubstr("IPv6"));
  EXPECT_THAT(msg("http://bad host/d"), HasSubstr("not a host name"));
  EXPECT_THAT(msg(""), HasSubstr("empty"));
}

TEST(DrivesFlag, SplitsAtCommasOutsideGroups) {
  EXPECT_THAT(SplitDrivesFlag("/a{1...4}, /b,,/c "), ElementsAre("/a{1...4}", "/b", "/c"));
  EXPECT_THAT(SplitDrivesFlag(""), ElementsAre());
}

TEST(Pools, EachEllipsesArgumentIsAPool) {
  auto pools = ParsePools({"/p1/d{1...4}", "/p2/d{1...8}"});
  ASSERT_TRUE(pools.ok()) << pools.status().ToString();
  ASSERT_EQ(pools->size(), 2u);
  EXPECT_EQ((*pools)[0].endpoints.size(), 4u);
  EXPECT_EQ((*pools)[1].endpoints.size(), 8u);
  EXPECT_EQ((*pools)[1].source, "/p2/d{1...8}");
}

TEST(Pools, PlainArgumentsFormOnePool) {
  auto pools = ParsePools({"http://127.0.0.1:9001/tmp/n1/d1", "http://127.0.0.2:9001/tmp/n2/d1",
                           "http://127.0.0.3:9001/tmp/n3/d1", "http://127.0.0.4:9001/tmp/n4/d1"});
  ASSERT_TRUE(pools.ok()) << pools.status().ToString();
  ASSERT_EQ(pools->size(), 1u);
  EXPECT_THAT(Names((*pools)[0]),
              ElementsAre("http://127.0.0.1:9001/tmp/n1/d1", "http://127.0.0.2:9001/tmp/n2/d1",
                          "http://127.0.0.3:9001/tmp/n3/d1", "http://127.0.0.4:9001/tmp/n4/d1"));
}

TEST(Pools, MixedPlainAndEllipses) {
  auto pools = ParsePools({"/a", "/p{1...2}", "/b"});
  ASSERT_TRUE(pools.ok());
  ASSERT_EQ(pools->size(), 2u);
  EXPECT_THAT(Names((*pools)[0]), ElementsAre("/a", "/b"));
  EXPECT_THAT(Names((*pools)[1]), ElementsAre("/p1", "/p2"));
}

TEST(Pools, Refusals) {
  auto msg = [](std::vector<std::string> args) {
    auto r = ParsePools(args);
    EXPECT_FALSE(r.ok());
    return r.status().message();
  };
  EXPECT_THAT(msg({}), HasSubstr("no drives"));
  EXPECT_THAT(msg({"/d{1...4}", "/d3"}), HasSubstr("more than once"));
  EXPECT_THAT(msg({"/d/x/..", "/d"}), HasSubstr("more than once"));
  EXPECT_THAT(msg({"/d1", "http://h:1/d2"}), HasSubstr("mix local paths and URLs"));
  EXPECT_THAT(msg({"/d{4...1}"}), HasSubstr("backwards"));
}

LocalityOptions Locality(std::string node_host, std::uint16_t server_port,
                         std::string bind_host = "") {
  LocalityOptions opts;
  opts.node_host = std::move(node_host);
  opts.server_port = server_port;
  opts.bind_host = std::move(bind_host);
  return opts;
}

TEST(Locality, PathsAreAlwaysLocal) {
  auto pools = ParsePools({"/d{1...4}"});
  ASSERT_TRUE(pools.ok());
  ASSERT_TRUE(ResolveLocality(*pools, {}).ok());
  for (const auto& ep : (*pools)[0].endpoints) {
    EXPECT_TRUE(ep.is_local);
  }
}

TEST(Locality, NodeHostPicksOwnDrives) {
  auto pools = ParsePools({"http://127.0.0.{1...4}:9001/tmp/d{1...2}"});
  ASSERT_TRUE(pools.ok()) << pools.status().ToString();
  ASSERT_TRUE(ResolveLocality(*pools, Locality("127.0.0.3", 0)).ok());
  std::vector<std::string> local;
  for (const auto& ep : (*pools)[0].endpoints) {
    if (ep.is_local) {
      local.push_back(ep.ToString());
    }
  }
  EXPECT_THAT(local, ElementsAre("http://127.0.0.3:9001/tmp/d1", "http://127.0.0.3:9001/tmp/d2"));
}

TEST(Locality, NodeHostWithPortTellsNodesOnOneMachineApart) {
  auto pools = ParsePools({"http://127.0.0.1:{9001...9004}/tmp/d"});
  ASSERT_TRUE(pools.ok()) << pools.status().ToString();
  ASSERT_TRUE(ResolveLocality(*pools, Locality("127.0.0.1:9002", 9000)).ok());
  int local = 0;
  for (const auto& ep : (*pools)[0].endpoints) {
    local += ep.is_local;
    EXPECT_EQ(ep.is_local, ep.port == 9002);
  }
  EXPECT_EQ(local, 1);
}

TEST(Locality, WithoutNodeHostUsesOwnAddressesAndPort) {
  auto pools = ParsePools({"http://127.0.0.1:9000/a", "http://127.0.0.1:9100/b",
                           "http://192.0.2.1:9000/c", "http://localhost:9000/d"});
  ASSERT_TRUE(pools.ok());
  ASSERT_TRUE(ResolveLocality(*pools, Locality("", 9000)).ok());
  const auto& eps = (*pools)[0].endpoints;
  EXPECT_TRUE(eps[0].is_local);
  EXPECT_FALSE(eps[1].is_local);  // another port: another node on this machine
  EXPECT_FALSE(eps[2].is_local);  // TEST-NET address, not ours
  EXPECT_TRUE(eps[3].is_local);
}

TEST(Locality, SpecificBindAddressTakesOnlyItsOwnDrives) {
  // Four nodes on one machine, each bound to its own loopback address and the same port:
  // every 127.x address is this machine's, so only the bind address tells them apart.
  auto pools = ParsePools({"http://127.0.0.{1...4}:9000/tmp/d{1...2}"});
  ASSERT_TRUE(pools.ok()) << pools.status().ToString();
  ASSERT_TRUE(ResolveLocality(*pools, Locality("", 9000, "127.0.0.2")).ok());
  std::vector<std::string> local;
  for (const auto& ep : (*pools)[0].endpoints) {
    if (ep.is_local) {
      local.push_back(ep.ToString());
    }
  }
  EXPECT_THAT(local, ElementsAre("http://127.0.0.2:9000/tmp/d1", "http://127.0.0.2:9000/tmp/d2"));
}

TEST(Locality, WildcardBindAddressUsesEveryOwnAddress) {
  auto pools = ParsePools({"http://127.0.0.1:9000/a", "http://127.0.0.2:9000/b"});
  ASSERT_TRUE(pools.ok());
  for (const char* wildcard : {"", "0.0.0.0", "[::]"}) {
    ASSERT_TRUE(ResolveLocality(*pools, Locality("", 9000, wildcard)).ok());
    EXPECT_TRUE((*pools)[0].endpoints[0].is_local) << wildcard;
    EXPECT_TRUE((*pools)[0].endpoints[1].is_local) << wildcard;
  }
}

TEST(Locality, NodeHostWinsOverBindAddress) {
  auto pools = ParsePools({"http://127.0.0.1:9000/a", "http://127.0.0.2:9000/b"});
  ASSERT_TRUE(pools.ok());
  ASSERT_TRUE(ResolveLocality(*pools, Locality("127.0.0.2", 9000, "127.0.0.1")).ok());
  EXPECT_FALSE((*pools)[0].endpoints[0].is_local);
  EXPECT_TRUE((*pools)[0].endpoints[1].is_local);
}

TEST(Locality, LocalhostBindAddressMatchesLoopbackDrives) {
  auto pools = ParsePools({"http://127.0.0.1:9000/a", "http://127.0.0.3:9000/b"});
  ASSERT_TRUE(pools.ok());
  ASSERT_TRUE(ResolveLocality(*pools, Locality("", 9000, "localhost")).ok());
  EXPECT_TRUE((*pools)[0].endpoints[0].is_local);
  EXPECT_FALSE((*pools)[0].endpoints[1].is_local);
}

TEST(Locality, BadNodeHost) {
  auto pools = ParsePools({"http://h:1/a"});
  ASSERT_TRUE(pools.ok());
  EXPECT_EQ(ResolveLocality(*pools, Locality("h:abc", 9000)).code(), Errc::kInvalidArgument);
}

TEST(Locality, IsLocalHost) {
  EXPECT_TRUE(IsLocalHost("localhost"));
  EXPECT_TRUE(IsLocalHost("127.0.0.1"));
  EXPECT_FALSE(IsLocalHost("192.0.2.55"));
}

}  // namespace endpoints_test_internal
}  // namespace cairn::cluster
