#include "cluster/topology.h"

#include <fmt/format.h>

namespace cairn::cluster {

int Topology::local_drive_count() const {
  int n = 0;
  for (const PoolPlan& p : pools) {
    for (const Endpoint& ep : p.endpoints.endpoints) {
      n += ep.is_local ? 1 : 0;
    }
  }
  return n;
}

int Topology::drive_count() const {
  int n = 0;
  for (const PoolPlan& p : pools) {
    n += static_cast<int>(p.endpoints.endpoints.size());
  }
  return n;
}

std::vector<std::string> Topology::Describe() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < pools.size(); ++i) {
    const PoolPlan& p = pools[i];
    const std::size_t n = p.endpoints.endpoints.size();
    out.push_back(fmt::format("pool {}: {} drive{} on {} node{}, {}", i + 1, n, n == 1 ? "" : "s",
                              p.layout.node_count, p.layout.node_count == 1 ? "" : "s",
                              p.layout.Describe()));
  }
  return out;
}

Result<Topology> PlanTopology(const std::vector<std::string>& drive_args,
                              const TopologyOptions& opts) {
  ASSIGN_OR_RETURN(auto pools, ParsePools(drive_args));
  RETURN_IF_ERROR(ResolveLocality(pools, opts.locality));
  Topology topology;
  for (std::size_t i = 0; i < pools.size(); ++i) {
    std::vector<std::string> nodes;
    for (const Endpoint& ep : pools[i].endpoints) {
      nodes.push_back(ep.NodeKey(opts.locality.server_port));
    }
    auto layout = ComputeLayout(nodes, opts.layout);
    if (!layout.ok()) {
      if (pools.size() == 1) {
        return layout.status();
      }
      return Status(Errc::kInvalidArgument, fmt::format("pool {} ({}): {}", i + 1, pools[i].source,
                                                        layout.status().message()));
    }
    topology.pools.push_back({std::move(pools[i]), std::move(*layout)});
  }
  return topology;
}

}  // namespace cairn::cluster
