// Ellipses: cairn's own expansion of drive patterns with three dots, so one argument can name
// many drives: `/mnt/disk{1...8}`, `http://node{1...4}:9000/data{01...16}`, `/d{a...d}`.
// Two dots (`{1..4}`) are the shell's syntax and stay literal here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cairn::cluster {

// The most names one pattern may expand to; more is surely a typo.
inline constexpr std::size_t kMaxEllipsesExpansion = 1 << 16;

// True when `pattern` holds at least one `{X...Y}` group.
bool HasEllipses(std::string_view pattern);

// Expands every `{X...Y}` group of `pattern`. X and Y are both decimal numbers (zero padded
// to the wider of the two when either starts with 0, e.g. `{01...16}`) or both single letters
// of the same case (`{a...d}`), with X <= Y. With several groups the result is their
// cartesian product in MinIO's order: the leftmost group varies fastest, so
// `http://n{1...2}/d{1...2}` gives n1/d1, n2/d1, n1/d2, n2/d2 (consecutive drives on
// different hosts). A pattern without groups expands to itself.
// Errors: kInvalidArgument, with a sentence naming the bad group.
Result<std::vector<std::string>> ExpandEllipses(std::string_view pattern);

}  // namespace cairn::cluster
