// Storage classes as MinIO has them: the parity of objects written with x-amz-storage-class
// STANDARD (or none) and REDUCED_REDUNDANCY, from CAIRN_STORAGE_CLASS_STANDARD / _RRS
// (MINIO_STORAGE_CLASS_STANDARD / _RRS read too) in MinIO's "EC:N" form. Every node reads the
// same environment, so the classes need nothing on the wire.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "cluster/topology.h"
#include "common/environment.h"
#include "common/status.h"

namespace cairn::server {

// The parities the environment asks for; nullopt = the default.
struct StorageClassConfig {
  std::optional<int> standard;
  std::optional<int> rrs;
};

// "EC:N" (N >= 0) as N. `var` names the variable in the error. Errors: kInvalidArgument.
Result<int> ParseStorageClassParity(std::string_view value, std::string_view var);

// CAIRN_STORAGE_CLASS_STANDARD (else MINIO_STORAGE_CLASS_STANDARD) and _RRS, parsed.
// Errors: kInvalidArgument naming the variable.
Result<StorageClassConfig> StorageClassFromEnvironment(const Environment& env);

// The parity of each class, checked against every pool of `topology` with MinIO's rules: a
// parity is 0 to half the set size, and RRS's at most STANDARD's. Defaults: STANDARD, each
// pool's own parity (left out of the map); RRS, EC:1, but never more than STANDARD (so EC:0
// with single-drive sets). Errors: kInvalidArgument with a sentence that says which values
// work.
Result<std::map<std::string, int, std::less<>>> StorageClassParity(
    const StorageClassConfig& config, const cluster::Topology& topology);

}  // namespace cairn::server
