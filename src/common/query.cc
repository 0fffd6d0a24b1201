#include "common/query.h"

#include "common/text.h"

namespace cairn {
namespace {

std::optional<QueryParams> Parse(std::string_view raw, bool strict) {
  std::vector<QueryParam> params;
  while (!raw.empty()) {
    const std::size_t amp = raw.find('&');
    const std::string_view piece = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (piece.empty()) {
      continue;
    }
    const std::size_t eq = piece.find('=');
    const std::string_view key = piece.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
    QueryParam p;
    if (strict) {
      std::optional<std::string> k = PercentDecode(key, true);
      std::optional<std::string> v = PercentDecode(value, true);
      if (!k || !v) {
        return std::nullopt;
      }
      p.key = std::move(*k);
      p.value = std::move(*v);
    } else {
      p.key = PercentDecodeLenient(key, true);
      p.value = PercentDecodeLenient(value, true);
    }
    params.push_back(std::move(p));
  }
  return QueryParams(std::move(params));
}

}  // namespace

std::optional<std::string_view> QueryParams::Get(std::string_view key) const {
  for (const QueryParam& p : params_) {
    if (p.key == key) {
      return std::string_view(p.value);
    }
  }
  return std::nullopt;
}

std::optional<QueryParams> ParseQuery(std::string_view raw) {
  return Parse(raw, true);
}

QueryParams ParseQueryLenient(std::string_view raw) {
  return *Parse(raw, false);
}

}  // namespace cairn
