// Endpoints: the drives a deployment is made of, as the command line names them. Parses
// every drive argument (a local path or http(s)://host:port/path, with ellipses), groups
// them into pools by DESIGN.md section 1, and decides which drives belong to this node.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::cluster {

struct Endpoint {
  std::string scheme;      // "http" or "https"; empty for a local path
  std::string host;        // host name or IP address (IPv6 without brackets); empty for a path
  std::uint16_t port = 0;  // as given in the URL; 0 when absent (the server's port applies)
  std::string path;        // absolute and normalized, without a trailing slash
  bool is_local = false;   // set by ResolveLocality

  bool is_url() const { return !scheme.empty(); }

  // The node this drive lives on: "host:port" for a URL, "" for a local path (this node).
  std::string NodeKey(std::uint16_t default_port = 0) const;
  // The canonical text: "/srv/d1" or "http://node1:9000/srv/d1".
  std::string ToString() const;

  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// A pool: its drives in the order the arguments expand to.
struct PoolEndpoints {
  std::string source;  // the argument(s) it came from, for messages
  std::vector<Endpoint> endpoints;
};

// Parses one drive without ellipses. Relative local paths are made absolute against the
// current directory. Errors: kInvalidArgument (a bad URL, port, or the root directory "/").
Result<Endpoint> ParseEndpoint(std::string_view text);

// Splits the value of --drives at commas (empty items are dropped; a comma inside an
// ellipses group is not a separator).
std::vector<std::string> SplitDrivesFlag(std::string_view value);

// Groups drive arguments into pools: each argument with ellipses is a pool of its own;
// the arguments without ellipses together form one pool (placed where the first of them
// was). Errors: kInvalidArgument for a bad pattern or endpoint, a drive named twice, a mix
// of local paths and URLs, or no drives at all.
Result<std::vector<PoolEndpoints>> ParsePools(const std::vector<std::string>& args);

struct LocalityOptions {
  // --node-host: "HOST" or "HOST:PORT". A URL drive is local when its host matches (and its
  // port, when PORT is given). Empty: local when the host is one of this machine's
  // addresses (or "localhost") and the port is the server's port.
  std::string node_host;
  std::uint16_t server_port = 9000;
  // The host this node's RPC listener is bound to (the host part of --cluster-address, else of
  // --address). When it is a specific address rather than a wildcard ("", 0.0.0.0, [::]), a
  // URL drive without --node-host is local only when its host names that address: nodes on
  // one machine bound to 127.0.0.1, 127.0.0.2, ... each take only their own drives.
  std::string bind_host;
};

// Sets Endpoint::is_local on every drive. Local paths are always local.
// Errors: kInvalidArgument for a malformed --node-host.
Status ResolveLocality(std::vector<PoolEndpoints>& pools, const LocalityOptions& opts);

// True when `host` names this machine: "localhost", a loopback address (all of 127/8), or an
// address of one of its interfaces (a name is resolved with getaddrinfo).
bool IsLocalHost(std::string_view host);

}  // namespace cairn::cluster
