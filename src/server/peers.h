// Peers: the other nodes of a distributed deployment as the server sees them. PlanPeers
// derives them from the drive URLs and cross-checks --peers; the hello exchange (rpc method
// kPeerHello) lets every node check at bring-up that its peers were started with the same
// drive list, layout and credentials (compared as hashes, never sent) and that their clocks
// agree within a few seconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cluster/topology.h"
#include "common/status.h"
#include "common/task.h"
#include "rpc/client.h"
#include "rpc/server.h"

namespace cairn::server {

// The most two nodes' clocks may differ at bring-up.
inline constexpr std::chrono::seconds kMaxClockSkew{5};

struct PeerPlan {
  std::string key;     // "host:port" as the drive URLs name the node
  std::string scheme;  // "http" or "https"
  std::string host;
  std::uint16_t port = 0;
};

// The nodes other than this one that hold drives, in order of first appearance. With
// `peers_flag` non-empty (items "http(s)://host:port" or "host:port"; this node may be listed
// too), it must name exactly those nodes. Errors: kInvalidArgument with a sentence naming
// what differs.
Result<std::vector<PeerPlan>> PlanPeers(const cluster::Topology& topology,
                                        const std::vector<std::string>& peers_flag);

// This node's key ("host:port" as the drive URLs name it): its first local drive URL's; ""
// when it has none (a single node with local paths).
std::string SelfNodeKey(const cluster::Topology& topology);

// What a node says about itself at bring-up.
struct Hello {
  int protocol = 1;
  std::string node;         // this node's key, e.g. "127.0.0.1:9001"
  std::string drives;       // hex SHA-256 of every pool's drive list
  std::string layout;       // "pool 1: 1 set of 16 drives (EC 8+8); ..."
  std::string credentials;  // rpc::CredentialsHash of the root credentials
  std::int64_t time_ms = 0;
  // The deployment id once this node loaded its formats; "" while it waits (not compared).
  std::string deployment;
  // For the console's cluster page (not compared): the node's version and when it started
  // (wall clock, ms); "" and 0 from a node before these were added.
  std::string version;
  std::int64_t started_ms = 0;
};

// The hello of this node (time_ms is filled when it is sent).
Hello MakeHello(const cluster::Topology& topology, std::string node, std::string credentials_hash);
std::string EncodeHello(const Hello& hello);
Result<Hello> DecodeHello(std::string_view json);

// Answers kPeerHello with `self`, the current time and `deployment()`.
void ServeHello(rpc::Server& server, Hello self, std::function<std::string()> deployment);

// Says hello to one peer and compares. Returns the peer's hello when it agrees on everything
// (drive list, layout, credentials, clock); otherwise a
// sentence naming the peer and what differs (kInconsistentDisk for the drive list or layout,
// kRpcUnauthenticated for credentials, kRequestTimeTooSkewed for the clock, kNodeOffline when
// it cannot be reached).
Task<Result<Hello>> CheckPeer(rpc::Client& client, const Hello& self);

// Asks one peer for its hello, with no checks (the cluster page: its version and uptime).
// Errors: the call's (kNodeOffline, a timeout after `timeout`).
Task<Result<Hello>> AskPeer(rpc::Client& client, std::chrono::milliseconds timeout);

}  // namespace cairn::server
