// The JSON shapes of the admin API (a heal sequence, a drive, the heal counters) built
// from the heal module's admin types, and the names of their enums. One home for the
// contract's field names: the server renders with these and `cairn admin` reads them back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "heal/heal_admin.h"

namespace cairn::admin {

// "admin", "drive", "scanner".
std::string_view KindName(heal::HealSequenceKind kind);
// "running", "done", "failed", "stopped".
std::string_view StateName(heal::HealSequenceState state);
// "ok", "offline", "healing", "faulty".
std::string_view DriveStateName(heal::DriveState state);

// RFC 3339 UTC with second precision ("2024-05-01T12:00:03Z"); "" for 0.
std::string FormatRfc3339(std::int64_t ns_since_epoch);

// A sequence as the admin API shows it. `now_ns` (wall clock, ns since the epoch) measures
// the elapsed time of a running sequence; "secondsLeft" is null when it cannot be estimated
// (no total, no progress yet) and 0 once the sequence ended.
nlohmann::json SequenceJson(const heal::HealProgress& p, std::int64_t now_ns);
nlohmann::json DriveJson(const heal::DriveStatus& d);
nlohmann::json CountersJson(const heal::HealCounters& c);
// MinIO's DataUsageInfo: {"lastUpdate" (RFC 3339; null until every set was scanned once),
// "objectsCount", "objectsTotalSize", "bucketsCount", "bucketsUsageInfo": {bucket: {"size",
// "objectsCount"}}}.
nlohmann::json DataUsageJson(const heal::DataUsage& u);

}  // namespace cairn::admin
