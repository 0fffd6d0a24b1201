// Time formats of the S3 API: RFC 1123 for HTTP headers (Last-Modified, Date) and ISO 8601
// with milliseconds for XML (LastModified, CreationDate, Initiated). Times are nanoseconds
// since the Unix epoch, as ObjectInfo stores them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cairn::s3 {

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::string FormatHttpDate(std::int64_t unix_ns);
// "1994-11-06T08:49:37.000Z"
std::string FormatIso8601(std::int64_t unix_ns);
// Parses an HTTP date in any of the three forms RFC 9110 allows (RFC 1123, RFC 850,
// asctime); returns whole seconds since the epoch, or nullopt when it is not a date.
std::optional<std::int64_t> ParseHttpDate(std::string_view text);

}  // namespace cairn::s3
