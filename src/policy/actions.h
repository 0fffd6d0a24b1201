// The table of known actions behind IsKnownAction, numbered so that a compiled statement
// can hold the set of known actions its patterns cover as a bitset: evaluation then tests
// one bit per statement instead of matching each of its action patterns.
#pragma once

#include <bitset>
#include <cstddef>
#include <optional>
#include <string_view>

namespace cairn::policy {

class Pattern;

inline constexpr std::size_t kMaxKnownActions = 256;
using ActionSet = std::bitset<kMaxKnownActions>;

// The known actions `pattern` (lowercase) matches.
ActionSet KnownActionsMatching(const Pattern& pattern);

// The number of the known action `lowercase_name`, or nullopt.
std::optional<std::size_t> KnownActionIndex(std::string_view lowercase_name);

}  // namespace cairn::policy
