// RandomData: n pseudo-random bytes, the same for the same seed (std::mt19937), for tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

namespace cairn::testing {

inline std::string RandomData(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) {
    c = static_cast<char>(rng());
  }
  return s;
}

}  // namespace cairn::testing
