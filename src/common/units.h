// Durations ("30s", "2m", "1m30s") and sizes ("4KiB", "64MiB") as the command line gives them:
// `cairn bench` and `cairn admin` flags.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cairn {

// "500ms", "30s", "2m", "1h", "1m30s", "1.5s", "365d"; a bare number is seconds. Errors:
// kInvalidArgument (empty, unknown unit, negative).
Result<std::chrono::nanoseconds> ParseDuration(std::string_view text);

// Bytes. Binary units: "KiB", "MiB", "GiB", "TiB" and the short "K", "M", "G", "T" (any case);
// decimal units: "KB", "MB", "GB", "TB"; "B" or none is bytes. "1.5MiB" is allowed when it
// comes out whole. Errors: kInvalidArgument.
Result<std::uint64_t> ParseSize(std::string_view text);

// "4 KiB", "1 MiB", "1.5 GiB": the largest binary unit that keeps the value >= 1.
std::string FormatSize(std::uint64_t bytes);

}  // namespace cairn
