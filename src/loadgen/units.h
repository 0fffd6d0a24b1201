// Parsing of the values only the bench command takes on its command line: the operation mix
// of the mixed workload ("get=45,stat=30,put=15,delete=10") and CPU lists ("0,2-3").
// Durations and sizes are common/units.h's (`cairn admin` takes them too).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/units.h"

namespace cairn::loadgen {

// The operations of the mixed workload.
enum class MixOp { kGet = 0, kStat = 1, kPut = 2, kDelete = 3 };
inline constexpr std::size_t kMixOps = 4;
std::string_view MixOpName(MixOp op);  // "GET", "STAT", "PUT", "DELETE"

// Relative weights of the mixed workload's operations (need not sum to 100).
struct Mix {
  std::array<std::uint32_t, kMixOps> weight = {45, 30, 15, 10};

  std::uint32_t total() const { return weight[0] + weight[1] + weight[2] + weight[3]; }

  // The operation for a draw in [0, total()).
  MixOp Pick(std::uint32_t draw) const;
};

// "get=45,stat=30,put=15,delete=10" (names in any case, ':' also separates, operations left
// out weigh 0, "head" means stat). Errors: kInvalidArgument (unknown operation, repeated
// operation, bad number, all weights 0).
Result<Mix> ParseMix(std::string_view text);

// "0", "0,2", "1-3", "0,2-3". Errors: kInvalidArgument.
Result<std::vector<int>> ParseCpuList(std::string_view text);

}  // namespace cairn::loadgen
