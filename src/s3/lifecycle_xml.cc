#include "s3/lifecycle_xml.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "common/text.h"
#include "s3/dates.h"
#include "s3/xml.h"
#include "s3/xml_reader.h"

namespace cairn::s3 {
namespace {

using namespace xml_read;
namespace lc = object::lifecycle;

bool ParseDigits(std::string_view s, int& out) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos) {
    return false;
  }
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && ptr == s.data() + s.size();
}

std::string TwoDigits(unsigned n) {
  return n < 10 ? StrCat("0", std::to_string(n)) : std::to_string(n);
}

std::string FourDigits(int n) {
  std::string s = std::to_string(n);
  return std::string(s.size() < 4 ? 4 - s.size() : 0, '0') + s;
}

Status ParseFilterTag(const pugi::xml_node& node, lc::Tags& tags) {
  auto key = Child(node, "Key");
  auto value = Child(node, "Value");
  if (!key || Text(key).empty()) {
    return Malformed();
  }
  tags.emplace_back(Text(key), value ? Text(value) : std::string());
  return Status();
}

Status ParseSizeBound(const pugi::xml_node& node, std::optional<std::int64_t>& out) {
  std::int64_t n = 0;
  if (!ParseInt64(Text(node), n)) {
    return Malformed();
  }
  out = n;
  return Status();
}

// One condition of a Filter or of its And: Prefix, Tag, ObjectSizeGreaterThan,
// ObjectSizeLessThan. Returns false for any other element.
Result<bool> ParseCondition(const pugi::xml_node& node, lc::Filter& f) {
  const std::string_view name = LocalName(node);
  if (name == "Prefix") {
    f.prefix = Text(node);
  } else if (name == "Tag") {
    RETURN_IF_ERROR(ParseFilterTag(node, f.tags));
  } else if (name == "ObjectSizeGreaterThan") {
    RETURN_IF_ERROR(ParseSizeBound(node, f.size_greater_than));
  } else if (name == "ObjectSizeLessThan") {
    RETURN_IF_ERROR(ParseSizeBound(node, f.size_less_than));
  } else {
    return false;
  }
  return true;
}

// "2030-01-01T00:00:00.000Z" for a Date (Unix seconds; any year ParseIso8601Seconds takes).
std::string FormatMidnight(std::int64_t seconds) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days(days(seconds / 86400))};
  return StrCat(FourDigits(static_cast<int>(ymd.year())), "-",
                TwoDigits(static_cast<unsigned>(ymd.month())), "-",
                TwoDigits(static_cast<unsigned>(ymd.day())), "T00:00:00.000Z");
}

// A Filter holds one condition, or And over several; both size bounds may stand side by side
// without And.
Status ParseFilter(const pugi::xml_node& filter, lc::Filter& f) {
  int conditions = 0;
  for (auto node : filter.children()) {
    if (node.type() != pugi::node_element) {
      continue;
    }
    const std::string_view name = LocalName(node);
    const bool size = name == "ObjectSizeGreaterThan" || name == "ObjectSizeLessThan";
    const bool second_size = size && conditions == 1 && f.prefix.empty() && f.tags.empty() &&
                             (f.size_greater_than || f.size_less_than);
    if (!second_size) {
      ++conditions;
    }
    if (LocalName(node) == "And") {
      int inside = 0;
      for (auto inner : node.children()) {
        if (inner.type() != pugi::node_element) {
          continue;
        }
        ASSIGN_OR_RETURN(bool known, ParseCondition(inner, f));
        if (!known) {
          return Malformed();
        }
        ++inside;
      }
      if (inside == 0) {
        return Malformed();
      }
      continue;
    }
    ASSIGN_OR_RETURN(bool known, ParseCondition(node, f));
    if (!known) {
      return Malformed();
    }
  }
  return conditions > 1 ? Malformed() : Status();
}

Status PositiveInt(const pugi::xml_node& node, std::optional<int>& out) {
  int n = 0;
  if (!ParseInt(Text(node), n)) {
    return Malformed();
  }
  out = n;
  return Status();
}

Status ParseExpiration(const pugi::xml_node& node, lc::Rule& rule) {
  if (auto days = Child(node, "Days")) {
    RETURN_IF_ERROR(PositiveInt(days, rule.expiration_days));
  }
  if (auto date = Child(node, "Date")) {
    auto secs = ParseIso8601Seconds(TrimBlanks(Text(date)));
    if (!secs) {
      return Status(Errc::kInvalidArgumentS3, "'Date' must be at midnight GMT");
    }
    rule.expiration_date = *secs;
  }
  if (auto marker = Child(node, "ExpiredObjectDeleteMarker")) {
    const std::string v = Text(marker);
    if (v != "true" && v != "false") {
      return Malformed();
    }
    rule.expired_object_delete_marker = v == "true";
  }
  if (!rule.expiration_days && !rule.expiration_date && !Child(node, "ExpiredObjectDeleteMarker")) {
    return Malformed();
  }
  return Status();
}

Result<lc::Rule> ParseLifecycleRule(const pugi::xml_node& node) {
  lc::Rule rule;
  if (auto id = Child(node, "ID")) {
    rule.id = Text(id);
  }
  auto status = Child(node, "Status");
  const std::string s = status ? Text(status) : std::string();
  if (s != "Enabled" && s != "Disabled") {
    return Malformed();
  }
  rule.enabled = s == "Enabled";
  auto filter = Child(node, "Filter");
  auto prefix = Child(node, "Prefix");
  if (filter && prefix) {
    return Status(Errc::kInvalidArgumentS3,
                  "The Filter and Prefix elements are mutually exclusive. You can specify one or "
                  "the other, but not both.");
  }
  if (filter) {
    RETURN_IF_ERROR(ParseFilter(filter, rule.filter));
  } else if (prefix) {
    rule.filter.prefix = Text(prefix);
    rule.legacy_prefix = true;
  } else {
    return Malformed();  // a rule names what it applies to: Filter (may be empty) or Prefix
  }
  if (auto e = Child(node, "Expiration")) {
    RETURN_IF_ERROR(ParseExpiration(e, rule));
  }
  if (auto n = Child(node, "NoncurrentVersionExpiration")) {
    auto days = Child(n, "NoncurrentDays");
    if (!days) {
      return Malformed();
    }
    RETURN_IF_ERROR(PositiveInt(days, rule.noncurrent_days));
    if (auto newer = Child(n, "NewerNoncurrentVersions")) {
      RETURN_IF_ERROR(PositiveInt(newer, rule.newer_noncurrent_versions));
    }
  }
  if (auto a = Child(node, "AbortIncompleteMultipartUpload")) {
    auto days = Child(a, "DaysAfterInitiation");
    if (!days) {
      return Malformed();
    }
    RETURN_IF_ERROR(PositiveInt(days, rule.abort_upload_days));
  }
  rule.has_transition = Child(node, "Transition") || Child(node, "NoncurrentVersionTransition");
  return rule;
}

void RenderFilter(XmlWriter& w, const lc::Filter& f) {
  const int conditions = static_cast<int>(f.tags.size()) + (f.prefix.empty() ? 0 : 1) +
                         (f.size_greater_than ? 1 : 0) + (f.size_less_than ? 1 : 0);
  w.Open("Filter");
  if (conditions > 1) {
    w.Open("And");
  }
  if (!f.prefix.empty() || conditions == 0) {
    w.Element("Prefix", f.prefix);
  }
  for (const auto& [key, value] : f.tags) {
    w.Open("Tag").Element("Key", key).Element("Value", value).Close();
  }
  if (f.size_greater_than) {
    w.Element("ObjectSizeGreaterThan", *f.size_greater_than);
  }
  if (f.size_less_than) {
    w.Element("ObjectSizeLessThan", *f.size_less_than);
  }
  if (conditions > 1) {
    w.Close();
  }
  w.Close();
}

void RenderRule(XmlWriter& w, const lc::Rule& rule) {
  w.Open("Rule");
  if (!rule.id.empty()) {
    w.Element("ID", rule.id);
  }
  if (rule.legacy_prefix) {
    w.Element("Prefix", rule.filter.prefix);
  } else {
    RenderFilter(w, rule.filter);
  }
  w.Element("Status", rule.enabled ? "Enabled" : "Disabled");
  if (rule.expiration_days || rule.expiration_date || rule.expired_object_delete_marker) {
    w.Open("Expiration");
    if (rule.expiration_days) {
      w.Element("Days", *rule.expiration_days);
    }
    if (rule.expiration_date) {
      w.Element("Date", FormatMidnight(*rule.expiration_date));
    }
    if (rule.expired_object_delete_marker) {
      w.Bool("ExpiredObjectDeleteMarker", true);
    }
    w.Close();
  }
  if (rule.noncurrent_days) {
    w.Open("NoncurrentVersionExpiration").Element("NoncurrentDays", *rule.noncurrent_days);
    if (rule.newer_noncurrent_versions) {
      w.Element("NewerNoncurrentVersions", *rule.newer_noncurrent_versions);
    }
    w.Close();
  }
  if (rule.abort_upload_days) {
    w.Open("AbortIncompleteMultipartUpload")
        .Element("DaysAfterInitiation", *rule.abort_upload_days)
        .Close();
  }
  w.Close();
}

}  // namespace

std::optional<std::int64_t> ParseIso8601Seconds(std::string_view t) {
  // YYYY-MM-DD, alone (midnight UTC) or with THH:MM:SS[.fraction](Z|+HH:MM|-HH:MM).
  if (t.size() < 10 || t[4] != '-' || t[7] != '-') {
    return std::nullopt;
  }
  int year = 0;
  int month = 0;
  int day = 0;
  if (!ParseDigits(t.substr(0, 4), year) || !ParseDigits(t.substr(5, 2), month) ||
      !ParseDigits(t.substr(8, 2), day)) {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                           std::chrono::day(day)};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  const std::int64_t midnight =
      static_cast<std::int64_t>(sys_days(ymd).time_since_epoch().count()) * 86400;
  if (t.size() == 10) {
    return midnight;
  }
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (t.size() < 20 || (t[10] != 'T' && t[10] != 't') || t[13] != ':' || t[16] != ':' ||
      !ParseDigits(t.substr(11, 2), hour) || !ParseDigits(t.substr(14, 2), minute) ||
      !ParseDigits(t.substr(17, 2), second) || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  std::string_view rest = t.substr(19);
  if (rest.front() == '.') {
    rest.remove_prefix(1);
    const auto digits = std::min(rest.find_first_not_of("0123456789"), rest.size());
    if (digits == 0 || rest.substr(0, digits).find_first_not_of('0') != std::string_view::npos) {
      return std::nullopt;  // whole seconds only
    }
    rest.remove_prefix(digits);
  }
  int offset = 0;
  if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh = 0;
    int om = 0;
    if (!ParseDigits(rest.substr(1, 2), oh) || !ParseDigits(rest.substr(4, 2), om) || oh > 23 ||
        om > 59) {
      return std::nullopt;
    }
    offset = (rest[0] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  } else if (rest != "Z" && rest != "z") {
    return std::nullopt;
  }
  return midnight + hour * 3600 + minute * 60 + second - offset;
}

Result<lc::Configuration> ParseLifecycleConfiguration(std::string_view xml) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(pugi::xml_node root, LoadRoot(doc, xml, "LifecycleConfiguration"));
  lc::Configuration config;
  for (auto node : root.children()) {
    if (node.type() != pugi::node_element) {
      continue;
    }
    if (LocalName(node) != "Rule" || config.rules.size() >= lc::kMaxRules) {
      return Malformed();
    }
    ASSIGN_OR_RETURN(lc::Rule rule, ParseLifecycleRule(node));
    config.rules.push_back(std::move(rule));
  }
  RETURN_IF_ERROR(lc::Validate(config));
  return config;
}

std::string RenderLifecycleConfiguration(const lc::Configuration& config) {
  XmlWriter w;
  w.Open("LifecycleConfiguration");
  for (const lc::Rule& rule : config.rules) {
    RenderRule(w, rule);
  }
  return w.Finish();
}

std::string ExpirationHeaderValue(const lc::Event& event) {
  return StrCat("expiry-date=\"", FormatHttpDate(event.due_ns), "\", rule-id=\"", event.rule_id,
                "\"");
}

}  // namespace cairn::s3
