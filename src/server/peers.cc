#include "server/peers.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/sha.h>

#include "rpc/protocol.h"
#include "rpc/token.h"
#include "server/config.h"

namespace cairn::server {
namespace {

std::string Sha256Hex(std::string_view s) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), out);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(out), sizeof(out)));
}

// "host:port" (and scheme) of a --peers item.
Result<PeerPlan> ParsePeer(std::string_view item) {
  PeerPlan p;
  std::string_view rest = item;
  if (auto pos = rest.find("://"); pos != std::string_view::npos) {
    p.scheme = std::string(rest.substr(0, pos));
    rest = rest.substr(pos + 3);
  }
  while (!rest.empty() && rest.back() == '/') {
    rest.remove_suffix(1);
  }
  auto ep =
      cluster::ParseEndpoint(fmt::format("{}://{}/x", p.scheme.empty() ? "http" : p.scheme, rest));
  if (!ep.ok() || rest.find('/') != std::string_view::npos) {
    return Status(Errc::kInvalidArgument, fmt::format("--peers: '{}' is not a node address (write "
                                                      "http://HOST:PORT or HOST:PORT)",
                                                      item));
  }
  p.host = ep->host;
  p.port = ep->port;
  p.key = ep->NodeKey();
  return p;
}

std::string Join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    out += (out.empty() ? "" : ", ") + s;
  }
  return out;
}

}  // namespace

Result<std::vector<PeerPlan>> PlanPeers(const cluster::Topology& topology,
                                        const std::vector<std::string>& peers_flag) {
  std::vector<PeerPlan> out;
  std::set<std::string> remote;
  std::set<std::string> local;
  for (const auto& pool : topology.pools) {
    for (const auto& ep : pool.endpoints.endpoints) {
      if (ep.is_local) {
        if (ep.is_url()) {
          local.insert(ep.NodeKey());
        }
        continue;
      }
      if (remote.insert(ep.NodeKey()).second) {
        out.push_back(PeerPlan{ep.NodeKey(), ep.scheme, ep.host, ep.port});
      }
    }
  }
  if (peers_flag.empty()) {
    return out;
  }
  std::set<std::string> named;
  for (const std::string& item : peers_flag) {
    if (item.empty()) {
      continue;
    }
    ASSIGN_OR_RETURN(PeerPlan p, ParsePeer(item));
    if (local.count(p.key) == 0) {
      named.insert(p.key);
    }
  }
  std::set<std::string> missing;
  std::set<std::string> extra;
  std::set_difference(remote.begin(), remote.end(), named.begin(), named.end(),
                      std::inserter(missing, missing.end()));
  std::set_difference(named.begin(), named.end(), remote.begin(), remote.end(),
                      std::inserter(extra, extra.end()));
  if (!missing.empty() || !extra.empty()) {
    std::string msg = "--peers does not match the drive URLs:";
    if (!missing.empty()) {
      msg += fmt::format(" the drives name {} {} that --peers leaves out;",
                         missing.size() == 1 ? "node" : "nodes", Join(missing));
    }
    if (!extra.empty()) {
      msg += fmt::format(" --peers names {} {} that holds none of the drives;",
                         extra.size() == 1 ? "node" : "nodes", Join(extra));
    }
    msg.back() = '.';
    return Status(Errc::kInvalidArgument, msg);
  }
  return out;
}

std::string SelfNodeKey(const cluster::Topology& topology) {
  for (const auto& pool : topology.pools) {
    for (const auto& ep : pool.endpoints.endpoints) {
      if (ep.is_local && ep.is_url()) {
        return ep.NodeKey();
      }
    }
  }
  return "";
}

Hello MakeHello(const cluster::Topology& topology, std::string node, std::string credentials_hash) {
  // The first hello is made at bring-up: its time is when this node started.
  static const std::int64_t started_ms = rpc::NowUnixMs();
  Hello h;
  h.node = std::move(node);
  h.version = std::string(kVersion);
  h.started_ms = started_ms;
  std::string drives;
  for (std::size_t p = 0; p < topology.pools.size(); ++p) {
    drives += fmt::format("pool {}\n", p);
    for (const auto& ep : topology.pools[p].endpoints.endpoints) {
      drives += ep.ToString() + "\n";
    }
  }
  h.drives = Sha256Hex(drives);
  for (const std::string& line : topology.Describe()) {
    h.layout += (h.layout.empty() ? "" : "; ") + line;
  }
  h.credentials = std::move(credentials_hash);
  return h;
}

std::string EncodeHello(const Hello& h) {
  nlohmann::json j = {{"protocol", h.protocol},       {"node", h.node},
                      {"drives", h.drives},           {"layout", h.layout},
                      {"credentials", h.credentials}, {"time_ms", h.time_ms},
                      {"deployment", h.deployment},   {"version", h.version},
                      {"started_ms", h.started_ms}};
  return j.dump();
}

Result<Hello> DecodeHello(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status(Errc::kInvalidArgument, "a malformed peer hello");
  }
  Hello h;
  h.protocol = j.value("protocol", 0);
  h.node = j.value("node", "");
  h.drives = j.value("drives", "");
  h.layout = j.value("layout", "");
  h.credentials = j.value("credentials", "");
  h.time_ms = j.value("time_ms", std::int64_t{0});
  h.deployment = j.value("deployment", "");
  h.version = j.value("version", "");
  h.started_ms = j.value("started_ms", std::int64_t{0});
  return h;
}

void ServeHello(rpc::Server& server, Hello self, std::function<std::string()> deployment) {
  server.Register(
      rpc::method::kPeerHello, "",
      [self, deployment](const RequestContext&, std::string_view) -> Task<Result<std::string>> {
        Hello h = self;
        h.time_ms = rpc::NowUnixMs();
        h.deployment = deployment();
        co_return EncodeHello(h);
      });
}

Task<Result<Hello>> AskPeer(rpc::Client& client, std::chrono::milliseconds timeout) {
  RequestContext ctx = RequestContext::Background("peer-status");
  ctx.deadline = RequestContext::Clock::now() + timeout;
  auto reply = co_await client.Call(ctx, rpc::method::kPeerHello, "", std::string());
  if (!reply.ok()) {
    co_return reply.status();
  }
  co_return DecodeHello(*reply);
}

Task<Result<Hello>> CheckPeer(rpc::Client& client, const Hello& self) {
  RequestContext ctx = RequestContext::Background("bring-up");
  ctx.deadline = RequestContext::Clock::now() + std::chrono::seconds(3);
  Hello mine = self;
  const std::int64_t t0 = rpc::NowUnixMs();
  mine.time_ms = t0;
  auto reply = co_await client.Call(ctx, rpc::method::kPeerHello, "", EncodeHello(mine));
  const std::int64_t t1 = rpc::NowUnixMs();
  const std::string who = client.address();
  if (!reply.ok()) {
    const Status& st = reply.status();
    if (st.code() == Errc::kRequestTimeTooSkewed ||
        (st.code() == Errc::kRpcUnauthenticated && client.peer_time_ms() != 0 &&
         std::abs(client.peer_time_ms() - (t0 + t1) / 2) > kMaxClockSkew.count() * 1000)) {
      co_return Status(Errc::kRequestTimeTooSkewed,
                       fmt::format("node {} refused: its clock is {} s off this node's", who,
                                   (client.peer_time_ms() - (t0 + t1) / 2) / 1000));
    }
    if (st.code() == Errc::kRpcUnauthenticated) {
      co_return Status(Errc::kRpcUnauthenticated,
                       fmt::format("node {} refused our RPC token: it was started with other "
                                   "credentials ({})",
                                   who, st.message()));
    }
    co_return Status(st.code(), fmt::format("node {} is not reachable: {}", who, st.message()));
  }
  auto peer = DecodeHello(*reply);
  if (!peer.ok()) {
    co_return Status(Errc::kInvalidArgument,
                     fmt::format("node {}: {}", who, peer.status().message()));
  }
  if (peer->drives != self.drives) {
    co_return Status(Errc::kInconsistentDisk,
                     fmt::format("node {} refused: it was started with another drive list "
                                 "(every node must be given the same drives, in the same order)",
                                 who));
  }
  if (peer->layout != self.layout) {
    co_return Status(Errc::kInconsistentDisk,
                     fmt::format("node {} refused: its erasure layout differs: '{}' here, '{}' "
                                 "there (give every node the same --parity / --set-size)",
                                 who, self.layout, peer->layout));
  }
  if (peer->credentials != self.credentials) {
    co_return Status(
        Errc::kRpcUnauthenticated,
        fmt::format("node {} refused: it was started with other root credentials", who));
  }
  const std::int64_t skew = peer->time_ms - (t0 + t1) / 2;
  if (std::abs(skew) > kMaxClockSkew.count() * 1000) {
    co_return Status(Errc::kRequestTimeTooSkewed,
                     fmt::format("node {} refused: its clock is {:.1f} s off this node's (at "
                                 "most {} s allowed)",
                                 who, static_cast<double>(skew) / 1000.0, kMaxClockSkew.count()));
  }
  co_return std::move(*peer);
}

}  // namespace cairn::server
