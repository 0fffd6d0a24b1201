#include "audit/entry.h"

#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/query.h"
#include "common/text.h"
#include "http/response_head.h"

namespace cairn::audit {
namespace {

using Json = nlohmann::ordered_json;

bool EqualsLower(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    if (c != lower[i]) {
      return false;
    }
  }
  return true;
}

// Query parameters that carry a signature or a session token (presigned URLs).
bool IsSecretParameter(std::string_view key) {
  return EqualsLower(key, "x-amz-signature") || EqualsLower(key, "x-amz-security-token") ||
         EqualsLower(key, "signature");
}

// "1.2.3.4:5678" -> "1.2.3.4", "[::1]:80" -> "::1".
std::string_view HostOf(std::string_view address) {
  if (address.starts_with('[')) {
    const auto close = address.find(']');
    return close == std::string_view::npos ? address : address.substr(1, close - 1);
  }
  return address.substr(0, address.rfind(':'));
}

const std::string* FindHeader(const http::Headers* headers, std::string_view lower_name) {
  if (headers == nullptr) {
    return nullptr;
  }
  for (const auto& [name, value] : *headers) {
    if (name == lower_name) {
      return &value;
    }
  }
  return nullptr;
}

// Headers as MinIO prints them: canonical names, repeated headers joined with ",".
Json HeaderMap(const http::Headers& headers, const HeaderFilter* filter) {
  Json out = Json::object();
  for (const auto& [name, value] : headers) {
    const std::string lower = AsciiLower(name);
    if (IsSecretHeader(lower) || (filter != nullptr && !filter->Keep(lower))) {
      continue;
    }
    const std::string canonical = CanonicalHeaderName(lower);
    std::string shown = value;
    if (lower == "etag" && shown.size() >= 2 && shown.front() == '"' && shown.back() == '"') {
      shown = shown.substr(1, shown.size() - 2);  // MinIO prints the ETag unquoted
    }
    auto it = out.find(canonical);
    if (it == out.end()) {
      out[canonical] = std::move(shown);
    } else {
      *it = it->get<std::string>() + "," + shown;
    }
  }
  return out;
}

std::string Nanos(std::chrono::nanoseconds d) {
  return std::to_string(d.count());
}

}  // namespace

void FillFromRequest(Entry& entry, const http::Request& r) {
  entry.method = r.method;
  entry.path = r.path;
  entry.query = r.query;
  entry.remote_address = r.remote_address;
  entry.request_headers = &r.headers;
}

HeaderFilter::HeaderFilter(std::vector<std::string> patterns) {
  for (std::string& p : patterns) {
    std::string lower = AsciiLower(TrimSpace(p));
    if (!lower.empty()) {
      patterns_.push_back(std::move(lower));
    }
  }
}

bool HeaderFilter::Keep(std::string_view lower_name) const {
  if (IsSecretHeader(lower_name)) {
    return false;
  }
  if (lower_name.starts_with("x-amz-")) {
    return true;
  }
  for (const std::string& p : patterns_) {
    if (!p.empty() && p.back() == '*') {
      if (lower_name.starts_with(std::string_view(p).substr(0, p.size() - 1))) {
        return true;
      }
    } else if (lower_name == p) {
      return true;
    }
  }
  return false;
}

bool IsSecretHeader(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "proxy-authorization" ||
         lower_name == "cookie" || lower_name == "set-cookie" ||
         lower_name == "x-amz-security-token" ||
         lower_name == "x-amz-server-side-encryption-customer-key" ||
         lower_name == "x-amz-copy-source-server-side-encryption-customer-key";
}

std::string CanonicalHeaderName(std::string_view lower_name) {
  std::string out(lower_name);
  bool upper = true;
  for (char& c : out) {
    if (upper && c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    } else if (!upper && c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    upper = c == '-';
  }
  return out;
}

std::string FormatTime(std::chrono::system_clock::time_point t) {
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ns / 1'000'000'000);
  long long frac = ns % 1'000'000'000;
  if (frac < 0) {
    frac += 1'000'000'000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (frac != 0) {
    std::string digits = fmt::format("{:09}", frac);
    while (!digits.empty() && digits.back() == '0') {
      digits.pop_back();
    }
    out += "." + digits;
  }
  out += "Z";
  return out;
}

std::string RenderEntry(const Entry& e, const HeaderFilter& filter, std::string_view deployment_id,
                        std::string_view node) {
  Json api = Json::object();
  if (!e.api_name.empty()) {
    api["name"] = e.api_name;
  }
  if (!e.bucket.empty()) {
    api["bucket"] = e.bucket;
  }
  if (!e.object.empty()) {
    api["object"] = e.object;
  }
  if (!e.version_id.empty()) {
    api["versionId"] = e.version_id;
  }
  if (e.status_code != 0) {
    api["status"] = http::internal::ReasonPhrase(e.status_code);
    api["statusCode"] = e.status_code;
  }
  api["rx"] = e.rx;
  api["tx"] = e.tx;
  if (e.time_to_first_byte && e.time_to_first_byte->count() > 0) {
    api["timeToFirstByte"] = Nanos(*e.time_to_first_byte) + "ns";
    api["timeToFirstByteInNS"] = Nanos(*e.time_to_first_byte);
  }
  api["timeToResponse"] = Nanos(e.time_to_response) + "ns";
  api["timeToResponseInNS"] = Nanos(e.time_to_response);

  Json out = Json::object();
  out["version"] = "1";
  const std::string_view deployment = e.deployment_id.empty() ? deployment_id : e.deployment_id;
  if (!deployment.empty()) {
    out["deploymentid"] = deployment;
  }
  out["time"] = FormatTime(e.time);
  out["event"] = "";
  out["trigger"] = "incoming";
  out["api"] = std::move(api);
  if (!e.remote_address.empty()) {
    out["remotehost"] = HostOf(e.remote_address);
  }
  if (!e.request_id.empty()) {
    out["requestID"] = e.request_id;
  }
  if (const std::string* agent = FindHeader(e.request_headers, "user-agent")) {
    out["userAgent"] = *agent;
  }
  if (!e.path.empty()) {
    out["requestPath"] = PercentDecodeLenient(e.path, false);
  }
  if (const std::string* host = FindHeader(e.request_headers, "host")) {
    out["requestHost"] = *host;
  }
  const std::string_view request_node = e.node.empty() ? node : e.node;
  if (!request_node.empty()) {
    out["requestNode"] = request_node;
  }
  if (!e.query.empty()) {
    Json query = Json::object();
    const QueryParams params = ParseQueryLenient(e.query);
    for (const QueryParam& p : params.all()) {
      if (IsSecretParameter(p.key)) {
        continue;
      }
      auto it = query.find(p.key);
      if (it == query.end()) {
        query[p.key] = p.value;
      } else {
        *it = it->get<std::string>() + "," + p.value;
      }
    }
    if (!query.empty()) {
      out["requestQuery"] = std::move(query);
    }
  }
  if (e.request_headers != nullptr) {
    Json headers = HeaderMap(*e.request_headers, &filter);
    if (!headers.empty()) {
      out["requestHeader"] = std::move(headers);
    }
  }
  if (e.response_headers != nullptr) {
    Json headers = HeaderMap(*e.response_headers, nullptr);
    if (!headers.empty()) {
      out["responseHeader"] = std::move(headers);
    }
  }
  out["tags"] = Json::object();
  if (!e.access_key.empty()) {
    out["accessKey"] = e.access_key;
  }
  if (!e.parent_user.empty()) {
    out["parentUser"] = e.parent_user;
  }
  if (!e.error_code.empty()) {
    out["error"] = e.error_message.empty() ? e.error_code : e.error_message;
    out["errorCode"] = e.error_code;
  }
  // Invalid UTF-8 in a header or key is replaced, never an exception on the request path.
  return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace cairn::audit
