// Topology: the drive arguments turned into the deployment's shape, in one step: pools of
// endpoints (endpoints.h), which of them are this node's, and each pool's erasure set
// layout (layout.h). What the server checks before it opens a single drive.
#pragma once

#include <string>
#include <vector>

#include "cluster/endpoints.h"
#include "cluster/layout.h"
#include "common/status.h"

namespace cairn::cluster {

struct PoolPlan {
  PoolEndpoints endpoints;
  PoolLayout layout;
};

struct TopologyOptions {
  LayoutOptions layout;
  LocalityOptions locality;
};

struct Topology {
  std::vector<PoolPlan> pools;

  int local_drive_count() const;
  int drive_count() const;
  // One line per pool: "pool 1: 4 drives on 1 node, 1 set of 4 drives (EC 2+2)".
  std::vector<std::string> Describe() const;
};

// Parses, resolves locality and lays out every pool. Errors: kInvalidArgument with one
// sentence; a pool's layout refusal names the pool when there are several.
Result<Topology> PlanTopology(const std::vector<std::string>& drive_args,
                              const TopologyOptions& opts);

}  // namespace cairn::cluster
