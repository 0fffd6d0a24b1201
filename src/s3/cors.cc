#include "s3/cors.h"

#include <algorithm>
#include <array>

#include "common/text.h"
#include "s3/xml.h"
#include "s3/xml_reader.h"

namespace cairn::s3 {
namespace {

using namespace xml_read;

constexpr std::array<std::string_view, 5> kCorsMethods = {"GET", "PUT", "POST", "DELETE", "HEAD"};

bool HasTwoWildcards(std::string_view s) {
  return std::count(s.begin(), s.end(), '*') > 1;
}

std::vector<std::string> Texts(const pugi::xml_node& rule, std::string_view name) {
  std::vector<std::string> out;
  for (auto child : rule.children()) {
    if (child.type() == pugi::node_element && LocalName(child) == name) {
      out.emplace_back(TrimBlanks(Text(child)));
    }
  }
  return out;
}

Result<CorsRule> ParseCorsRule(const pugi::xml_node& node) {
  CorsRule rule;
  if (auto id = Child(node, "ID")) {
    rule.id = Text(id);
  }
  rule.allowed_origins = Texts(node, "AllowedOrigin");
  rule.allowed_methods = Texts(node, "AllowedMethod");
  rule.allowed_headers = Texts(node, "AllowedHeader");
  rule.expose_headers = Texts(node, "ExposeHeader");
  if (rule.allowed_origins.empty() || rule.allowed_methods.empty()) {
    return Malformed();
  }
  for (const std::string& method : rule.allowed_methods) {
    if (std::find(kCorsMethods.begin(), kCorsMethods.end(), method) == kCorsMethods.end()) {
      return Status(
          Errc::kInvalidRequest,
          StrCat("Found unsupported HTTP method in CORS config. Unsupported method is ", method));
    }
  }
  for (const std::string& origin : rule.allowed_origins) {
    if (HasTwoWildcards(origin)) {
      return Status(Errc::kInvalidRequest,
                    StrCat("AllowedOrigin \"", origin, "\" can not have more than one wildcard."));
    }
  }
  for (const std::string& header : rule.allowed_headers) {
    if (HasTwoWildcards(header)) {
      return Status(Errc::kInvalidRequest,
                    StrCat("AllowedHeader \"", header, "\" can not have more than one wildcard."));
    }
  }
  if (auto max_age = Child(node, "MaxAgeSeconds")) {
    int seconds = 0;
    if (!ParseInt(Text(max_age), seconds) || seconds < 0) {
      return Malformed();
    }
    rule.max_age_seconds = seconds;
  }
  return rule;
}

bool CharEqual(char a, char b, bool ignore_case) {
  if (ignore_case) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return lower(a) == lower(b);
  }
  return a == b;
}

bool EqualText(std::string_view a, std::string_view b, bool ignore_case) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!CharEqual(a[i], b[i], ignore_case)) {
      return false;
    }
  }
  return true;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) {
      out += ", ";
    }
    out += item;
  }
  return out;
}

}  // namespace

Result<CorsConfiguration> ParseCorsConfiguration(std::string_view xml) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(pugi::xml_node root, LoadRoot(doc, xml, "CORSConfiguration"));
  CorsConfiguration config;
  for (auto node : root.children()) {
    if (node.type() != pugi::node_element) {
      continue;
    }
    if (LocalName(node) != "CORSRule") {
      return Malformed();
    }
    if (config.rules.size() >= kMaxCorsRules) {
      return Malformed();
    }
    ASSIGN_OR_RETURN(CorsRule rule, ParseCorsRule(node));
    config.rules.push_back(std::move(rule));
  }
  if (config.rules.empty()) {
    return Malformed();
  }
  return config;
}

std::string RenderCorsConfiguration(const CorsConfiguration& config) {
  XmlWriter w;
  w.Open("CORSConfiguration");
  for (const CorsRule& rule : config.rules) {
    w.Open("CORSRule");
    if (!rule.id.empty()) {
      w.Element("ID", rule.id);
    }
    for (const std::string& h : rule.allowed_headers) {
      w.Element("AllowedHeader", h);
    }
    for (const std::string& m : rule.allowed_methods) {
      w.Element("AllowedMethod", m);
    }
    for (const std::string& o : rule.allowed_origins) {
      w.Element("AllowedOrigin", o);
    }
    for (const std::string& h : rule.expose_headers) {
      w.Element("ExposeHeader", h);
    }
    if (rule.max_age_seconds) {
      w.Element("MaxAgeSeconds", *rule.max_age_seconds);
    }
    w.Close();
  }
  return w.Finish();
}

bool CorsWildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case) {
  const auto star = pattern.find('*');
  if (star == std::string_view::npos) {
    return EqualText(pattern, text, ignore_case);
  }
  const std::string_view head = pattern.substr(0, star);
  const std::string_view tail = pattern.substr(star + 1);
  return text.size() >= head.size() + tail.size() &&
         EqualText(head, text.substr(0, head.size()), ignore_case) &&
         EqualText(tail, text.substr(text.size() - tail.size()), ignore_case);
}

std::vector<std::string> SplitCorsHeaderList(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view item = TrimBlanks(list.substr(0, comma));
    if (!item.empty()) {
      out.push_back(AsciiLower(item));
    }
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return out;
}

const CorsRule* MatchCorsRule(const CorsConfiguration& config, std::string_view origin,
                              std::string_view method,
                              std::span<const std::string> request_headers) {
  for (const CorsRule& rule : config.rules) {
    const bool origin_ok =
        std::any_of(rule.allowed_origins.begin(), rule.allowed_origins.end(),
                    [&](const std::string& o) { return CorsWildcardMatch(o, origin, false); });
    const bool method_ok = std::find(rule.allowed_methods.begin(), rule.allowed_methods.end(),
                                     method) != rule.allowed_methods.end();
    if (!origin_ok || !method_ok) {
      continue;
    }
    const bool headers_ok =
        std::all_of(request_headers.begin(), request_headers.end(), [&](const std::string& h) {
          return std::any_of(
              rule.allowed_headers.begin(), rule.allowed_headers.end(),
              [&](const std::string& allowed) { return CorsWildcardMatch(allowed, h, true); });
        });
    if (headers_ok) {
      return &rule;
    }
  }
  return nullptr;
}

http::Headers CorsResponseHeaders(const CorsRule& rule, std::string_view origin,
                                  std::span<const std::string> request_headers, bool preflight) {
  // "*" only when nothing but the bare wildcard lets the origin in; an origin the rule names
  // (or matches with a pattern) is echoed, with credentials allowed.
  const bool any_origin = std::none_of(
      rule.allowed_origins.begin(), rule.allowed_origins.end(),
      [&](const std::string& o) { return o != "*" && CorsWildcardMatch(o, origin, false); });
  http::Headers h;
  h.emplace_back("access-control-allow-origin", any_origin ? "*" : std::string(origin));
  if (!any_origin) {
    h.emplace_back("access-control-allow-credentials", "true");
  }
  h.emplace_back("access-control-allow-methods", Join(rule.allowed_methods));
  if (preflight && !request_headers.empty()) {
    h.emplace_back("access-control-allow-headers",
                   Join(std::vector<std::string>(request_headers.begin(), request_headers.end())));
  }
  if (!rule.expose_headers.empty()) {
    h.emplace_back("access-control-expose-headers", Join(rule.expose_headers));
  }
  if (preflight && rule.max_age_seconds) {
    h.emplace_back("access-control-max-age", std::to_string(*rule.max_age_seconds));
  }
  h.emplace_back("vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
  return h;
}

}  // namespace cairn::s3
