#include "auth/canonical.h"

#include <algorithm>
#include <string>
#include <vector>

#include "auth/crypto.h"

namespace cairn::auth::internal {
namespace {

bool IsBlank(char c) {
  return c == ' ' || c == '\t';
}

char LowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

std::string CanonicalUri(std::string_view raw_path) {
  if (raw_path.empty()) {
    return "/";
  }
  std::string out;
  out.reserve(raw_path.size() + 16);
  for (std::size_t i = 0; i < raw_path.size(); ++i) {
    if (raw_path[i] == '%' && i + 2 < raw_path.size() && HexDigitValue(raw_path[i + 1]) >= 0 &&
        HexDigitValue(raw_path[i + 2]) >= 0) {
      // An escape: its byte written plainly when unreserved, else escaped again in uppercase.
      const char decoded =
          static_cast<char>(HexDigitValue(raw_path[i + 1]) * 16 + HexDigitValue(raw_path[i + 2]));
      out += UriEncode(std::string_view(&decoded, 1), false);
      i += 2;
    } else {
      out += UriEncode(raw_path.substr(i, 1), true);
    }
  }
  return out;
}

std::string CanonicalQuery(const QueryParams& params, std::string_view exclude) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(params.all().size());
  for (const auto& p : params.all()) {
    if (!exclude.empty() && p.key == exclude) {
      continue;
    }
    encoded.emplace_back(UriEncode(p.key, false), UriEncode(p.value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [k, v] : encoded) {
    if (!out.empty()) {
      out.push_back('&');
    }
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

std::string CanonicalHeaderValue(std::string_view value) {
  value = Trim(value);
  std::string out;
  out.reserve(value.size());
  bool in_blank = false;
  for (char c : value) {
    if (IsBlank(c)) {
      if (!in_blank) {
        out.push_back(' ');
      }
      in_blank = true;
    } else {
      out.push_back(c);
      in_blank = false;
    }
  }
  return out;
}

std::vector<std::string_view> HeaderValues(const HeaderList& headers, std::string_view name) {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : headers) {
    if (IEquals(k, name)) {
      out.emplace_back(v);
    }
  }
  return out;
}

std::optional<std::string_view> HeaderValue(const HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (IEquals(k, name)) {
      return std::string_view(v);
    }
  }
  return std::nullopt;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) {
      return false;
    }
  }
  return true;
}

bool IStartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && IEquals(s.substr(0, prefix.size()), prefix);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (IsBlank(s.front()) || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (IsBlank(s.back()) || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string SigningKey(std::string_view secret, std::string_view date8, std::string_view region,
                       std::string_view service) {
  // The key changes once a day per credential, and deriving it costs four HMACs (a fifth of
  // a request's signature check): each thread keeps the few it derived last.
  struct Cached {
    std::string id;  // secret, date, region and service, NUL-separated
    std::string key;
  };

  thread_local std::vector<Cached> cache;
  std::string id;
  id.reserve(secret.size() + date8.size() + region.size() + service.size() + 3);
  id.append(secret).append(1, '\0').append(date8).append(1, '\0');
  id.append(region).append(1, '\0').append(service);
  for (const Cached& c : cache) {
    if (c.id == id) {
      return c.key;
    }
  }
  std::string k = HmacSha256(std::string("AWS4") + std::string(secret), date8);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service);
  k = HmacSha256(k, "aws4_request");
  constexpr std::size_t kMaxCached = 8;
  if (cache.size() == kMaxCached) {
    cache.erase(cache.begin());
  }
  cache.push_back(Cached{std::move(id), k});
  return k;
}

std::string CanonicalRequest(std::string_view method, std::string_view canonical_uri,
                             std::string_view canonical_query, std::string_view canonical_headers,
                             std::string_view signed_headers, std::string_view payload_hash) {
  std::string out;
  out.reserve(method.size() + canonical_uri.size() + canonical_query.size() +
              canonical_headers.size() + signed_headers.size() + payload_hash.size() + 8);
  out.append(method).append("\n");
  out.append(canonical_uri).append("\n");
  out.append(canonical_query).append("\n");
  out.append(canonical_headers).append("\n");
  out.append(signed_headers).append("\n");
  out.append(payload_hash);
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope,
                         std::string_view canonical_request) {
  std::string out = "AWS4-HMAC-SHA256\n";
  out.append(amz_date).append("\n").append(scope).append("\n");
  out += Sha256Hex(canonical_request);
  return out;
}

std::optional<std::string> CanonicalHeaders(const HeaderList& headers,
                                            const std::vector<std::string>& names,
                                            std::string* missing) {
  // A scan per signed name is O(H * S): cheapest for an ordinary request (a dozen headers,
  // a handful signed), but a request with thousands of signed headers and a wrong secret
  // turned it into CPU for free. Past a small product, the headers are indexed once by
  // lowercase name (in the order received) and each signed name is a lookup: O((H + S) log H).
  constexpr std::size_t kScanLimit = 1024;
  std::vector<std::pair<std::string, std::string_view>> index;
  const bool indexed = headers.size() * names.size() > kScanLimit;
  auto by_name = [](const auto& a, const auto& b) { return a.first < b.first; };
  if (indexed) {
    index.reserve(headers.size());
    for (const auto& [k, v] : headers) {
      index.emplace_back(AsciiLower(k), v);
    }
    std::stable_sort(index.begin(), index.end(), by_name);
  }
  std::string out;
  for (const auto& name : names) {
    std::vector<std::string_view> values;
    if (indexed) {
      auto [first, last] = std::equal_range(
          index.begin(), index.end(), std::pair<std::string, std::string_view>(name, {}), by_name);
      for (auto it = first; it != last; ++it) {
        values.push_back(it->second);
      }
    } else {
      values = HeaderValues(headers, name);
    }
    std::string joined;
    if (values.empty()) {
      // HTTP servers may consume "Expect: 100-continue" before the handler sees it (MinIO
      // restores it the same way).
      if (name != "expect") {
        if (missing != nullptr) {
          *missing = name;
        }
        return std::nullopt;
      }
      joined = "100-continue";
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i > 0) {
        joined.push_back(',');
      }
      joined += CanonicalHeaderValue(values[i]);
    }
    out.append(name).append(":").append(joined).append("\n");
  }
  return out;
}

}  // namespace cairn::auth::internal
