// HTTP Range for GET and x-amz-copy-source-range for UploadPartCopy. S3 serves one range;
// a header it cannot use (several ranges, bad syntax, another unit) is ignored and the
// whole object is served, as AWS does.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "object/object_layer.h"

namespace cairn::s3 {

// "bytes=a-b", "bytes=a-", "bytes=-n". nullopt = ignore the header.
std::optional<object::RangeSpec> ParseRange(std::string_view header);

// {offset, length} of `range` in an object of `size` bytes; the whole object for kNone.
// Errors: kInvalidRange (first byte past the end, or a zero-length suffix).
Result<std::pair<std::int64_t, std::int64_t>> ResolveRange(const object::RangeSpec& range,
                                                           std::int64_t size);

// "bytes=a-b" exactly (both ends, a <= b). Errors: kInvalidArgumentS3.
Result<object::RangeSpec> ParseCopySourceRange(std::string_view header);

// "bytes 0-9/100"
std::string ContentRange(std::int64_t offset, std::int64_t length, std::int64_t size);

}  // namespace cairn::s3
