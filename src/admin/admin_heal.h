// The heal endpoints of the admin API: heal/start, heal/status, heal/list and heal/stop over
// heal::HealAdmin, and the sequences' JSON list that `info` shows too.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/query.h"
#include "common/status.h"
#include "common/task.h"
#include "heal/heal_admin.h"

namespace cairn::admin {

// Serves `op` ("heal/start", ...; its method already checked). `access_key` starts the
// sequence; `now_ns` (wall clock) times running ones. Errors: kInvalidArgument (a bad or
// missing parameter), kNotFound (no such sequence), the healer's.
Task<Result<nlohmann::json>> ServeHealSequences(std::string_view op, const QueryParams& q,
                                                heal::HealAdmin& healer,
                                                std::string_view access_key, std::int64_t now_ns);

// The sequences as a JSON array (only the running ones with `running_only`).
nlohmann::json SequencesJson(const std::vector<heal::HealProgress>& list, std::int64_t now_ns,
                             bool running_only);

}  // namespace cairn::admin
