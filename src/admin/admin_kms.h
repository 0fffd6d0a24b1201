// The KMS endpoints of the admin API: MinIO's kms/status and kms/key/{create,list,status},
// and cairn's kms/key/{disable,enable}, over the kms::Kms interface.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "common/query.h"
#include "common/status.h"
#include "common/task.h"

namespace cairn::kms {
class Kms;
}  // namespace cairn::kms

namespace cairn::admin {

// Serves `op` ("kms/status", "kms/key/create", ...; its method already checked). Errors:
// the KMS's (kKmsKeyNotFound, kKmsKeyExists, ...), kInvalidArgument (no key-id).
Task<Result<nlohmann::json>> ServeKms(std::string_view op, const QueryParams& q, kms::Kms& kms);

}  // namespace cairn::admin
