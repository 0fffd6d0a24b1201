// The typed values of condition operators, read from text: numbers, dates, booleans, IP
// addresses, base64, ARNs. Condition::Compile reads the policy's once; evaluation reads the
// request's with the same functions, so these never allocate.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace cairn::policy {

inline constexpr std::size_t kArnComponents = 6;
using ArnParts = std::array<std::string_view, kArnComponents>;
using IpBytes = std::array<std::uint8_t, 16>;

// A finite decimal number, the whole of `s`.
std::optional<double> ParseNumber(std::string_view s);

// ISO 8601 ("2026-01-02", "2026-01-02T03:04:05Z", "...05.123+02:00") or epoch seconds, as
// seconds since the epoch.
std::optional<double> ParseDate(std::string_view s);

// "true" or "false", any case.
std::optional<bool> ParseBool(std::string_view s);

// An IPv4 or IPv6 address into the first 4 or 16 bytes of `out`; `v6` tells which.
bool ParseAddress(std::string_view s, IpBytes& out, bool& v6);

// Whether the first `bits` bits of `a` and `b` are equal.
bool PrefixEqual(const IpBytes& a, const IpBytes& b, int bits);

// Standard base64 with padding, not empty.
bool IsBase64(std::string_view s);

// The six colon-separated components of an ARN (the last keeps any further colons); false
// when `arn` does not start with "arn:" or has fewer.
bool SplitArn(std::string_view arn, ArnParts& parts);

}  // namespace cairn::policy
