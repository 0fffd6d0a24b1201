// The query string of a URL, decoded: the one parser that routing (s3/), signature checks
// (auth/) and the admin API share. Pure code.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cairn {

struct QueryParam {
  std::string key;    // decoded
  std::string value;  // decoded ("" when the parameter has no '=')

  friend bool operator==(const QueryParam&, const QueryParam&) = default;
};

// Decoded query parameters in the order sent.
class QueryParams {
 public:
  QueryParams() = default;

  explicit QueryParams(std::vector<QueryParam> params) : params_(std::move(params)) {}

  bool Has(std::string_view key) const { return Get(key).has_value(); }

  // The first value of `key` (exact, case-sensitive), or nullopt when absent.
  std::optional<std::string_view> Get(std::string_view key) const;

  const std::vector<QueryParam>& all() const { return params_; }

 private:
  std::vector<QueryParam> params_;
};

// Splits a raw query on '&' and '=' and percent-decodes both sides, '+' as a space. Empty
// pieces ("a&&b") are skipped. nullopt on a bad escape ('%' without two hex digits).
std::optional<QueryParams> ParseQuery(std::string_view raw);
// The same, keeping a bad escape as it was sent (what a signature check must see).
QueryParams ParseQueryLenient(std::string_view raw);

}  // namespace cairn
