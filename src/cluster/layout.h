// Layout: how a pool's drives form erasure sets (DESIGN.md section 1). Computes the set size
// S and parity P from the drive count, the node count and the optional flags, deals the
// drives of every set round-robin over the nodes (so parity maps onto failure domains), and
// holds the quorum rules. Pure code: the same inputs give the same layout on every node.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace cairn::cluster {

inline constexpr int kMinSetSize = 2;
inline constexpr int kMaxSetSize = 16;

// Read quorum: the data shards, S - P.
int ReadQuorum(int set_size, int parity);
// Write quorum: S - P, plus one when P == S - P (two halves can never both accept writes).
int WriteQuorum(int set_size, int parity);

struct LayoutOptions {
  std::optional<int> parity;    // --parity
  std::optional<int> set_size;  // --set-size
};

struct PoolLayout {
  int set_size = 0;
  int parity = 0;
  int node_count = 0;
  // sets[s][i] is the index (into the pool's drive list) of drive i of set s.
  std::vector<std::vector<int>> sets;

  int set_count() const { return static_cast<int>(sets.size()); }

  int data_drives() const { return set_size - parity; }

  int read_quorum() const { return ReadQuorum(set_size, parity); }

  int write_quorum() const { return WriteQuorum(set_size, parity); }

  // "4 sets of 8 drives (EC 4+4)" for logs and messages.
  std::string Describe() const;
};

// Lays out one pool. drive_nodes[i] names the node of drive i (Endpoint::NodeKey; all equal
// for a single node). Rules:
//  - no flags: S is the largest of 16..2 that divides the drive count and spreads evenly over
//    the nodes (S a multiple of the node count, or the node count a multiple of S);
//    P = floor(S/2); a single drive is a set of one without parity;
//  - --parity P alone: S = 2P; --set-size S alone: P = floor(S/2); both: 1 <= P <= S/2.
// Every node of a pool must hold the same number of drives.
// Errors: kInvalidArgument with one sentence that says which counts, set sizes or parities
// work.
Result<PoolLayout> ComputeLayout(const std::vector<std::string>& drive_nodes,
                                 const LayoutOptions& opts);

}  // namespace cairn::cluster
