#include "server/storage_class.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace cairn::server {
namespace {

constexpr int kDefaultRrsParity = 1;  // MinIO's

// The first of `names` that is set.
std::optional<std::pair<std::string, std::string>> FirstSet(
    const Environment& env, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (auto v = env(name)) {
      return std::make_pair(std::string(name), std::move(*v));
    }
  }
  return std::nullopt;
}

}  // namespace

Result<int> ParseStorageClassParity(std::string_view value, std::string_view var) {
  const auto colon = value.find(':');
  const std::string_view scheme = value.substr(0, colon);
  int parity = -1;
  if (colon != std::string_view::npos && scheme == "EC") {
    const std::string_view digits = value.substr(colon + 1);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parity);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty()) {
      parity = -1;
    }
  }
  if (parity < 0) {
    return Status(Errc::kInvalidArgument,
                  fmt::format("{}={} is not a storage class: give EC:N, N the parity drives of "
                              "each erasure set (EC:2, say)",
                              var, value));
  }
  return parity;
}

Result<StorageClassConfig> StorageClassFromEnvironment(const Environment& env) {
  StorageClassConfig out;
  if (auto v = FirstSet(env, {"CAIRN_STORAGE_CLASS_STANDARD", "MINIO_STORAGE_CLASS_STANDARD"})) {
    ASSIGN_OR_RETURN(out.standard, ParseStorageClassParity(v->second, v->first));
  }
  if (auto v = FirstSet(env, {"CAIRN_STORAGE_CLASS_RRS", "MINIO_STORAGE_CLASS_RRS"})) {
    ASSIGN_OR_RETURN(out.rrs, ParseStorageClassParity(v->second, v->first));
  }
  return out;
}

Result<std::map<std::string, int, std::less<>>> StorageClassParity(
    const StorageClassConfig& config, const cluster::Topology& topology) {
  std::map<std::string, int, std::less<>> out;
  int min_standard = config.standard.value_or(kDefaultRrsParity);
  for (std::size_t p = 0; p < topology.pools.size(); ++p) {
    const cluster::PoolLayout& layout = topology.pools[p].layout;
    const int max = layout.set_size / 2;
    const std::string where =
        topology.pools.size() > 1 ? fmt::format(" (pool {})", p + 1) : std::string();
    if (config.standard && *config.standard > max) {
      return Status(Errc::kInvalidArgument,
                    fmt::format("storage class STANDARD parity EC:{} is more than sets of {} "
                                "drives{} allow: give EC:0 to EC:{}",
                                *config.standard, layout.set_size, where, max));
    }
    const int standard = config.standard.value_or(layout.parity);
    if (config.rrs && *config.rrs > std::min(max, standard)) {
      return Status(
          Errc::kInvalidArgument,
          fmt::format("storage class REDUCED_REDUNDANCY parity EC:{} is too high for "
                      "sets of {} drives{} with STANDARD parity EC:{}: give EC:0 to "
                      "EC:{} (at most half the set and at most STANDARD's)",
                      *config.rrs, layout.set_size, where, standard, std::min(max, standard)));
    }
    min_standard = std::min(min_standard, standard);
  }
  if (config.standard) {
    out.emplace("STANDARD", *config.standard);
  }
  out.emplace("REDUCED_REDUNDANCY", config.rrs.value_or(std::min(kDefaultRrsParity, min_standard)));
  return out;
}

}  // namespace cairn::server
