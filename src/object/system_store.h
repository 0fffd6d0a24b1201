// Small records of cairn's own cluster-wide state (the KMS's named keys, IAM's users and
// policies) as objects of the system bucket (kSystemBucket): read whole, written whole with
// the object layer's conditional writes (If-Match / If-None-Match) for read-modify-write.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"
#include "object/object_layer.h"

namespace cairn::object {

struct SystemRecord {
  std::string data;
  std::string etag;
};

// The object `key` of the system bucket. Errors: kNoSuchKey (also when the system bucket does
// not exist yet), kEntityTooLarge (larger than `max_size`: not one of our records), the
// object layer's.
Task<Result<SystemRecord>> ReadSystemRecord(const RequestContext& ctx, ObjectLayer& layer,
                                            std::string_view key, std::size_t max_size);

// Writes `data` as `key` of the system bucket (made on first use), with `opts`' conditions.
// Errors: kPreconditionFailed (a condition failed), the object layer's.
Task<Result<ObjectInfo>> WriteSystemRecord(const RequestContext& ctx, ObjectLayer& layer,
                                           std::string_view key, std::string_view data,
                                           const PutOptions& opts);

// Every key of the system bucket under `prefix`, in order (none when the bucket does not
// exist yet).
Task<Result<std::vector<std::string>>> ListSystemRecords(const RequestContext& ctx,
                                                         ObjectLayer& layer,
                                                         std::string_view prefix);

}  // namespace cairn::object
