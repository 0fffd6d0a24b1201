// The IAM endpoints of the admin API (MinIO's paths, parameters and JSON shapes): users,
// named policies and their attachments, groups, service accounts. Each handler parses,
// calls iam::Iam and renders (admin_iam_json.h). Bodies are plain JSON: madmin's encrypted
// bodies are refused with a 400 that says so.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "admin/admin_access.h"
#include "common/query.h"
#include "common/status.h"
#include "common/task.h"
#include "iam/iam.h"

namespace cairn::admin {

struct IamReply {
  int status = 200;  // 204 (no body) where MinIO answers so
  nlohmann::json body;
};

// Serves `route` (family kIam; its method already checked). AdminApi has authorized the
// caller for the route's action unless the route is self-service: then this checks that
// the caller may act on what it names (its own user, its own service accounts). `body` is
// the request body (routes with `body`). Errors: the iam::Iam's, kInvalidArgument (a
// missing or bad parameter), kBadRequest (a body that is not JSON), kAccessDenied.
Task<Result<IamReply>> ServeIam(const AdminRoute& route, const QueryParams& q,
                                std::string_view body, iam::Iam& iam, const AdminCaller& caller);

}  // namespace cairn::admin
