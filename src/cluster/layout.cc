#include "cluster/layout.h"

#include <map>

#include <fmt/format.h>

namespace cairn::cluster {
namespace {

// Whether sets of `s` drives, dealt round-robin, take the same number from each node.
bool SpreadsEvenly(int s, int nodes) {
  return s % nodes == 0 || nodes % s == 0;
}

bool Fits(int drives, int nodes, int s) {
  return s >= 1 && drives % s == 0 && SpreadsEvenly(s, nodes);
}

std::optional<int> DefaultSetSize(int drives, int nodes) {
  for (int s = kMaxSetSize; s >= kMinSetSize; --s) {
    if (Fits(drives, nodes, s)) {
      return s;
    }
  }
  return std::nullopt;
}

std::string Plural(int n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// "N drives on H nodes" for messages.
std::string Pool(int drives, int nodes) {
  return Plural(drives, "drive", "drives") + " on " + Plural(nodes, "node", "nodes");
}

std::string JoinInts(const std::vector<int>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    out += (i == 0 ? "" : (i + 1 == v.size() ? " or " : ", ")) + std::to_string(v[i]);
  }
  return out;
}

// The nearest drive counts (same node count, same drives on each node) that lay out with
// set size `s` (or the default rule when s == 0).
std::string NearestCounts(int drives, int nodes, int s) {
  auto works = [&](int n) {
    return s == 0 ? (n == 1 || DefaultSetSize(n, nodes).has_value()) : Fits(n, nodes, s);
  };
  std::vector<int> near;
  for (int n = (drives / nodes - 1) * nodes; n >= nodes; n -= nodes) {
    if (works(n)) {
      near.push_back(n);
      break;
    }
  }
  for (int n = (drives / nodes + 1) * nodes; n <= drives + 64 * nodes; n += nodes) {
    if (works(n)) {
      near.push_back(n);
      break;
    }
  }
  return near.empty() ? "" : fmt::format(", such as {} drives", JoinInts(near));
}

Status Refuse(std::string sentence) {
  return Status(Errc::kInvalidArgument, std::move(sentence));
}

}  // namespace

int ReadQuorum(int set_size, int parity) {
  return set_size - parity;
}

int WriteQuorum(int set_size, int parity) {
  const int data = set_size - parity;
  return parity > 0 && data == parity ? data + 1 : data;
}

std::string PoolLayout::Describe() const {
  return fmt::format("{} of {} (EC {}+{})", Plural(set_count(), "set", "sets"),
                     Plural(set_size, "drive", "drives"), data_drives(), parity);
}

Result<PoolLayout> ComputeLayout(const std::vector<std::string>& drive_nodes,
                                 const LayoutOptions& opts) {
  const int drives = static_cast<int>(drive_nodes.size());
  if (drives == 0) {
    return Refuse("a pool has no drives");
  }
  // Drives grouped by node, nodes in order of first appearance.
  std::vector<std::string> node_names;
  std::map<std::string, std::vector<int>> by_node;
  for (int i = 0; i < drives; ++i) {
    auto& list = by_node[drive_nodes[i]];
    if (list.empty()) {
      node_names.push_back(drive_nodes[i]);
    }
    list.push_back(i);
  }
  const int nodes = static_cast<int>(node_names.size());
  for (const std::string& name : node_names) {
    const auto& first = by_node[node_names[0]];
    const auto& list = by_node[name];
    if (list.size() != first.size()) {
      return Refuse(fmt::format(
          "the nodes of a pool hold different numbers of drives ({} has {}, {} has {}); "
          "give every node of a pool the same number of drives",
          node_names[0], first.size(), name, list.size()));
    }
  }

  PoolLayout layout;
  layout.node_count = nodes;
  if (opts.parity && (*opts.parity < 1 || *opts.parity > kMaxSetSize / 2)) {
    return Refuse(fmt::format("--parity {} is out of range; it must be between 1 and {}",
                              *opts.parity, kMaxSetSize / 2));
  }
  if (opts.set_size && (*opts.set_size < kMinSetSize || *opts.set_size > kMaxSetSize)) {
    return Refuse(fmt::format("--set-size {} is out of range; it must be between {} and {}",
                              *opts.set_size, kMinSetSize, kMaxSetSize));
  }
  if (opts.parity && opts.set_size && *opts.parity > *opts.set_size / 2) {
    return Refuse(
        fmt::format("--parity {} is more than half of --set-size {}; parity can be at most {}",
                    *opts.parity, *opts.set_size, *opts.set_size / 2));
  }

  if (!opts.parity && !opts.set_size) {
    if (drives == 1) {
      layout.set_size = 1;
      layout.parity = 0;
    } else if (auto s = DefaultSetSize(drives, nodes)) {
      layout.set_size = *s;
      layout.parity = *s / 2;
    } else {
      std::string near = NearestCounts(drives, nodes, 0);
      if (near.empty()) {
        // No drive count works on this many nodes: suggest node counts that do.
        std::vector<int> node_counts;
        for (int n = nodes - 1; n >= 2 && node_counts.empty(); --n) {
          if (DefaultSetSize(n, n)) {
            node_counts.push_back(n);
          }
        }
        for (int n = nodes + 1; node_counts.size() < 2; ++n) {
          if (DefaultSetSize(n, n)) {
            node_counts.push_back(n);
          }
        }
        near = fmt::format(
            "; no set size spreads evenly over {} nodes, use a node count such "
            "as {} nodes",
            nodes, JoinInts(node_counts));
      }
      return Refuse(fmt::format(
          "{} cannot form erasure sets: a pool needs a drive count that is a multiple of a "
          "set size from {} to {} spreading evenly over its nodes{}",
          Pool(drives, nodes), kMinSetSize, kMaxSetSize, near));
    }
  } else {
    const int s = opts.set_size ? *opts.set_size : 2 * *opts.parity;
    if (!Fits(drives, nodes, s)) {
      std::vector<int> sizes;
      std::vector<int> parities;
      for (int c = kMinSetSize; c <= kMaxSetSize; ++c) {
        if (Fits(drives, nodes, c)) {
          sizes.push_back(c);
          if (c % 2 == 0) {
            parities.push_back(c / 2);
          }
        }
      }
      const std::string why = drives % s != 0
                                  ? fmt::format("{} is not a multiple of {}", drives, s)
                                  : fmt::format("sets of {} do not spread evenly over {}", s,
                                                Plural(nodes, "node", "nodes"));
      std::string works;
      if (opts.set_size && !sizes.empty()) {
        works = fmt::format("; set sizes that work: {}", JoinInts(sizes));
      } else if (!opts.set_size && !parities.empty()) {
        works = fmt::format("; parities that work: {}", JoinInts(parities));
      } else {
        works = fmt::format("; use a drive count that fits sets of {}{}", s,
                            NearestCounts(drives, nodes, s));
      }
      return Refuse(fmt::format("{} cannot form sets of {} drives{}: {}{}", Pool(drives, nodes), s,
                                opts.set_size ? "" : fmt::format(" (--parity {})", *opts.parity),
                                why, works));
    }
    layout.set_size = s;
    layout.parity = opts.parity ? *opts.parity : s / 2;
  }

  // Deal round-robin over the nodes: node 1's first drive, node 2's first drive, ...
  std::vector<int> order;
  order.reserve(drives);
  const std::size_t per_node = by_node[node_names[0]].size();
  for (std::size_t k = 0; k < per_node; ++k) {
    for (const std::string& name : node_names) {
      order.push_back(by_node[name][k]);
    }
  }
  for (int first = 0; first < drives; first += layout.set_size) {
    layout.sets.emplace_back(order.begin() + first, order.begin() + first + layout.set_size);
  }
  return layout;
}

}  // namespace cairn::cluster
