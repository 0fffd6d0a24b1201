#include "admin/admin_iam_json.h"

#include <chrono>

#include <fmt/format.h>

#include "admin/admin_json.h"
#include "common/text.h"

namespace cairn::admin {
namespace {

using Json = nlohmann::json;

// Reads `n` digits at `pos`; -1 when they are not all digits.
int Digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) {
    return -1;
  }
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return -1;
    }
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

Status WrongType(const char* key, const char* want) {
  return Status(Errc::kInvalidArgument, fmt::format("the field {} must be {}", key, want));
}

}  // namespace

std::string_view StatusName(bool enabled) {
  return enabled ? "enabled" : "disabled";
}

Json UserJson(const iam::UserInfo& u) {
  Json j = {{"status", StatusName(u.enabled)}};
  if (!u.policies.empty()) {
    j["policyName"] = JoinNames(u.policies);
  }
  if (!u.groups.empty()) {
    j["memberOf"] = u.groups;
  }
  if (u.updated_ns > 0) {
    j["updatedAt"] = FormatRfc3339(u.updated_ns);
  }
  return j;
}

Json GroupJson(const iam::GroupInfo& g) {
  Json j = {{"name", g.name},
            {"status", StatusName(g.enabled)},
            {"members", g.members},
            {"policy", JoinNames(g.policies)}};
  if (g.updated_ns > 0) {
    j["updatedAt"] = FormatRfc3339(g.updated_ns);
  }
  return j;
}

Json PolicyDocumentJson(std::string_view document) {
  Json j = Json::parse(document, nullptr, false);
  return j.is_discarded() ? Json(std::string(document)) : j;
}

Json PolicyInfoJson(const iam::PolicyInfo& p) {
  Json j = {{"PolicyName", p.name}, {"Policy", PolicyDocumentJson(p.document)}};
  if (p.created_ns > 0) {
    j["CreateDate"] = FormatRfc3339(p.created_ns);
  }
  if (p.updated_ns > 0) {
    j["UpdateDate"] = FormatRfc3339(p.updated_ns);
  }
  return j;
}

Json ServiceAccountJson(const iam::ServiceAccountInfo& s) {
  Json j = {{"accessKey", s.access_key},
            {"parentUser", s.parent_user},
            {"accountStatus", s.enabled ? "on" : "off"},
            {"impliedPolicy", s.session_policy.empty()}};
  if (!s.name.empty()) {
    j["name"] = s.name;
  }
  if (!s.description.empty()) {
    j["description"] = s.description;
  }
  if (s.expires_ns > 0) {
    j["expiration"] = FormatRfc3339(s.expires_ns);
  }
  return j;
}

Json ServiceAccountInfoJson(const iam::ServiceAccountInfo& s, std::string_view implied_policy) {
  Json j = ServiceAccountJson(s);
  j.erase("accessKey");
  j["policy"] = s.session_policy.empty() ? std::string(implied_policy) : s.session_policy;
  return j;
}

std::optional<std::int64_t> ParseRfc3339(std::string_view s) {
  using namespace std::chrono;
  const int y = Digits(s, 0, 4);
  const int mo = Digits(s, 5, 2);
  const int d = Digits(s, 8, 2);
  const int h = Digits(s, 11, 2);
  const int mi = Digits(s, 14, 2);
  const int sec = Digits(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' || h > 23 || mi > 59 ||
      sec > 60) {
    return std::nullopt;
  }
  const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)),
                           day(static_cast<unsigned>(d))};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t frac_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    std::int64_t scale = 100'000'000;
    ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac_ns += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) {
      return std::nullopt;
    }
  }
  std::int64_t offset_s = 0;
  if (pos + 1 == s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
    const int oh = Digits(s, pos + 1, 2);
    const int om = Digits(s, pos + 4, 2);
    if (oh < 0 || om < 0) {
      return std::nullopt;
    }
    offset_s = (s[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return std::nullopt;
  }
  const std::int64_t days_since_epoch = sys_days(ymd).time_since_epoch().count();
  const std::int64_t seconds = days_since_epoch * 86400 + h * 3600 + mi * 60 + sec - offset_s;
  if (seconds <= 0) {
    return 0;  // Go's zero time, the epoch: no expiry
  }
  return seconds * 1'000'000'000 + frac_ns;
}

Result<std::string> StringField(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    return std::string();
  }
  if (!it->is_string()) {
    return WrongType(key, "a string");
  }
  return it->get<std::string>();
}

Result<std::vector<std::string>> StringListField(const Json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    return out;
  }
  if (!it->is_array()) {
    return WrongType(key, "an array of strings");
  }
  for (const Json& v : *it) {
    if (!v.is_string()) {
      return WrongType(key, "an array of strings");
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

Result<std::string> PolicyField(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    return std::string();
  }
  if (it->is_string()) {
    return it->get<std::string>();
  }
  if (!it->is_object()) {
    return WrongType(key, "a policy document (a JSON object)");
  }
  return it->dump();
}

Result<std::optional<std::int64_t>> TimeField(const Json& j, const char* key) {
  ASSIGN_OR_RETURN(std::string text, StringField(j, key));
  if (text.empty()) {
    return std::optional<std::int64_t>();
  }
  std::optional<std::int64_t> ns = ParseRfc3339(text);
  if (!ns) {
    return Status(Errc::kInvalidArgument,
                  fmt::format("the field {} must be an RFC 3339 time, not {}", key, text));
  }
  return ns;
}

std::vector<std::string> SplitNames(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view name = TrimBlanks(list.substr(0, comma));
    if (!name.empty()) {
      out.emplace_back(name);
    }
    if (comma == std::string_view::npos) {
      break;
    }
    list.remove_prefix(comma + 1);
  }
  return out;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    out += out.empty() ? "" : ",";
    out += n;
  }
  return out;
}

}  // namespace cairn::admin
