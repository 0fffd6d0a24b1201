#include "s3/range.h"

#include <charconv>
#include <string>

#include "common/text.h"

namespace cairn::s3 {
namespace {

std::optional<std::int64_t> ParseNumber(std::string_view s) {
  std::int64_t v = 0;
  if (s.empty() || s.front() < '0' || s.front() > '9') {
    return std::nullopt;
  }
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

std::optional<object::RangeSpec> ParseRange(std::string_view header) {
  header = TrimBlanks(header);
  constexpr std::string_view kPrefix = "bytes=";
  if (header.substr(0, kPrefix.size()) != kPrefix) {
    return std::nullopt;
  }
  std::string_view spec = TrimBlanks(header.substr(kPrefix.size()));
  if (spec.find(',') != std::string_view::npos) {
    return std::nullopt;
  }
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view first = TrimBlanks(spec.substr(0, dash));
  std::string_view last = TrimBlanks(spec.substr(dash + 1));
  object::RangeSpec range;
  if (first.empty()) {
    auto n = ParseNumber(last);
    if (!n) {
      return std::nullopt;
    }
    range.kind = object::RangeSpec::Kind::kSuffix;
    range.suffix_length = *n;
    return range;
  }
  auto a = ParseNumber(first);
  if (!a) {
    return std::nullopt;
  }
  range.kind = object::RangeSpec::Kind::kFromTo;
  range.first = *a;
  if (last.empty()) {
    range.last = -1;
    return range;
  }
  auto b = ParseNumber(last);
  if (!b || *b < *a) {
    return std::nullopt;
  }
  range.last = *b;
  return range;
}

Result<std::pair<std::int64_t, std::int64_t>> ResolveRange(const object::RangeSpec& range,
                                                           std::int64_t size) {
  using Kind = object::RangeSpec::Kind;
  switch (range.kind) {
    case Kind::kNone:
      return std::pair<std::int64_t, std::int64_t>(0, size);
    case Kind::kSuffix:
      if (range.suffix_length <= 0 || size == 0) {
        return Status(Errc::kInvalidRange);
      }
      if (range.suffix_length >= size) {
        return std::pair<std::int64_t, std::int64_t>(0, size);
      }
      return std::pair<std::int64_t, std::int64_t>(size - range.suffix_length, range.suffix_length);
    case Kind::kFromTo: {
      if (range.first >= size) {
        return Status(Errc::kInvalidRange);
      }
      std::int64_t last = range.last < 0 || range.last >= size ? size - 1 : range.last;
      return std::pair<std::int64_t, std::int64_t>(range.first, last - range.first + 1);
    }
  }
  return Status(Errc::kInvalidRange);
}

Result<object::RangeSpec> ParseCopySourceRange(std::string_view header) {
  auto range = ParseRange(header);
  if (!range || range->kind != object::RangeSpec::Kind::kFromTo || range->last < 0) {
    return Status(Errc::kInvalidArgumentS3,
                  "The x-amz-copy-source-range value must be of the form bytes=first-last "
                  "where first and last are the zero-based offsets of the first and last bytes "
                  "to copy");
  }
  return *range;
}

std::string ContentRange(std::int64_t offset, std::int64_t length, std::int64_t size) {
  return "bytes " + std::to_string(offset) + "-" + std::to_string(offset + length - 1) + "/" +
         std::to_string(size);
}

}  // namespace cairn::s3
