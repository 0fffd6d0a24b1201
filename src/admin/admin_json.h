// The JSON shapes of the admin API (a heal sequence, a drive, the heal counters) built
// from the object layer's heal types, and the names of their enums. One home for the
// contract's field names: the server renders with these and `cairn admin` reads them back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "object/heal_types.h"

namespace cairn::admin {

// "admin", "drive", "scanner".
std::string_view KindName(object::HealSequenceKind kind);
// "running", "done", "failed", "stopped".
std::string_view StateName(object::HealSequenceState state);
// "ok", "offline", "healing", "faulty".
std::string_view DriveStateName(object::DriveState state);

// RFC 3339 UTC with second precision ("2024-05-01T12:00:03Z"); "" for 0.
std::string FormatRfc3339(std::int64_t ns_since_epoch);

// A sequence as the admin API shows it. `now_ns` (wall clock, ns since the epoch) measures
// the elapsed time of a running sequence; "secondsLeft" is null when it cannot be estimated
// (no total, no progress yet) and 0 once the sequence ended.
nlohmann::json SequenceJson(const object::HealProgress& p, std::int64_t now_ns);
nlohmann::json DriveJson(const object::DriveStatus& d);
nlohmann::json CountersJson(const object::HealCounters& c);

}  // namespace cairn::admin
