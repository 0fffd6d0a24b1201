// Peers: --peers against the drive URLs, the hello encoding, and CheckPeer against a real
// loopback RPC server (agreement, another drive list, other credentials, a skewed clock).
#include "server/peers.h"

#include <chrono>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cluster/topology.h"
#include "http/server.h"
#include "rpc/token.h"
#include "testing/sync_wait.h"

namespace cairn::server {
namespace peers_test_internal {

using cairn::testing::SyncWait;
using ::testing::HasSubstr;

cluster::Topology Plan(std::vector<std::string> drives, std::uint16_t port) {
  cluster::TopologyOptions o;
  o.locality.server_port = port;
  auto t = cluster::PlanTopology(drives, o);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(*t) : cluster::Topology{};
}

std::vector<std::string> FourNodes() {
  std::vector<std::string> d;
  for (int n = 1; n <= 4; ++n) {
    for (int i = 1; i <= 2; ++i) {
      d.push_back("http://127.0.0.1:" + std::to_string(9100 + n) + "/srv/n" + std::to_string(n) +
                  "/d" + std::to_string(i));
    }
  }
  return d;
}

TEST(PlanPeers, DerivedFromDriveUrlsAndCrossChecked) {
  auto t = Plan(FourNodes(), 9101);
  auto peers = PlanPeers(t, {});
  ASSERT_TRUE(peers.ok()) << peers.status().ToString();
  ASSERT_EQ(peers->size(), 3u);
  EXPECT_EQ((*peers)[0].key, "127.0.0.1:9102");
  EXPECT_EQ((*peers)[2].port, 9104);

  // The same nodes, in any order and form, this node listed or not: accepted.
  EXPECT_TRUE(
      PlanPeers(t, {"http://127.0.0.1:9104", "127.0.0.1:9102", "http://127.0.0.1:9103/"}).ok());
  EXPECT_TRUE(
      PlanPeers(t, {"127.0.0.1:9101", "127.0.0.1:9102", "127.0.0.1:9103", "127.0.0.1:9104"}).ok());

  auto missing = PlanPeers(t, {"127.0.0.1:9102", "127.0.0.1:9103"});
  EXPECT_EQ(missing.status().code(), Errc::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), HasSubstr("127.0.0.1:9104 that --peers leaves out"));
  auto extra =
      PlanPeers(t, {"127.0.0.1:9102", "127.0.0.1:9103", "127.0.0.1:9104", "127.0.0.1:9999"});
  EXPECT_THAT(extra.status().message(), HasSubstr("127.0.0.1:9999 that holds none"));
  EXPECT_EQ(PlanPeers(t, {"not a node/x"}).status().code(), Errc::kInvalidArgument);

  // A single node has no peers.
  auto single = Plan({"/srv/d{1...4}"}, 9000);
  EXPECT_TRUE(PlanPeers(single, {})->empty());
}

TEST(Hello, EncodesAndDecodes) {
  auto t = Plan(FourNodes(), 9101);
  Hello h = MakeHello(t, "127.0.0.1:9101", rpc::CredentialsHash("a", "bbbbbbbb"));
  h.time_ms = 12345;
  h.deployment = "dep";
  auto back = DecodeHello(EncodeHello(h));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->drives, h.drives);
  EXPECT_EQ(back->layout, h.layout);
  EXPECT_EQ(back->credentials, h.credentials);
  EXPECT_EQ(back->time_ms, 12345);
  EXPECT_EQ(back->deployment, "dep");
  EXPECT_EQ(h.drives.size(), 64u);
  // Every node of the deployment computes the same hello but for its name.
  Hello other = MakeHello(Plan(FourNodes(), 9103), "127.0.0.1:9103", h.credentials);
  EXPECT_EQ(other.drives, h.drives);
  EXPECT_EQ(other.layout, h.layout);
  EXPECT_FALSE(DecodeHello("not json").ok());
}

// A peer: an rpc::Server answering hello with `peer`, shifted in time by `skew_ms`.
class HelloPeer {
 public:
  HelloPeer(const std::string& key, Hello peer, std::int64_t skew_ms = 0) {
    rpc::ServerOptions so;
    so.token_key = key;
    so.token_skew = std::chrono::hours(1);
    rpc_ = std::make_unique<rpc::Server>(so);
    rpc_->Register(
        rpc::method::kPeerHello, "",
        [peer, skew_ms](const RequestContext&, std::string_view) -> Task<Result<std::string>> {
          Hello h = peer;
          h.time_ms = rpc::NowUnixMs() + skew_ms;
          co_return EncodeHello(h);
        });
    http::ServerOptions ho;
    ho.address = "127.0.0.1:0";
    ho.threads = 1;
    ho.shutdown_grace = std::chrono::milliseconds(100);
    http_ = std::make_unique<http::Server>(ho, rpc_->AsHandler());
    EXPECT_TRUE(http_->Start().ok());
  }

  std::uint16_t port() const { return http_->port(); }

 private:
  std::unique_ptr<rpc::Server> rpc_;
  std::unique_ptr<http::Server> http_;
};

Status Check(const std::string& key, const HelloPeer& peer, const Hello& self) {
  rpc::ClientOptions o;
  o.host = "127.0.0.1";
  o.port = peer.port();
  o.token_key = key;
  rpc::Client client(o);
  return SyncWait(CheckPeer(client, self)).status();
}

TEST(CheckPeer, AgreesOrNamesWhatDiffers) {
  const std::string key = rpc::DeriveTokenKey("admin", "secret-key");
  const Hello self = MakeHello(Plan(FourNodes(), 9101), "127.0.0.1:9101",
                               rpc::CredentialsHash("admin", "secret-key"));
  Hello same = self;
  EXPECT_TRUE(Check(key, HelloPeer(key, same), self).ok());

  Hello drives = self;
  drives.drives = "0000";
  Status st = Check(key, HelloPeer(key, drives), self);
  EXPECT_EQ(st.code(), Errc::kInconsistentDisk);
  EXPECT_THAT(st.message(), HasSubstr("another drive list"));

  Hello creds = self;
  creds.credentials = rpc::CredentialsHash("admin", "other");
  EXPECT_EQ(Check(key, HelloPeer(key, creds), self).code(), Errc::kRpcUnauthenticated);

  // Another key altogether: the peer refuses our token.
  st = Check(key, HelloPeer(rpc::DeriveTokenKey("x", "yyyyyyyy"), same), self);
  EXPECT_EQ(st.code(), Errc::kRpcUnauthenticated);
  EXPECT_THAT(st.message(), HasSubstr("other credentials"));

  st = Check(key, HelloPeer(key, same, 9000), self);
  EXPECT_EQ(st.code(), Errc::kRequestTimeTooSkewed);
  EXPECT_THAT(st.message(), HasSubstr("clock is 9.0 s off"));
  EXPECT_TRUE(Check(key, HelloPeer(key, same, 1500), self).ok());
}

}  // namespace peers_test_internal
}  // namespace cairn::server
