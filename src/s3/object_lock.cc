#include "s3/object_lock.h"

#include "common/text.h"
#include "s3/dates.h"
#include "s3/lifecycle_xml.h"
#include "s3/xml.h"
#include "s3/xml_reader.h"

namespace cairn::s3 {
namespace {

using namespace xml_read;

bool IsMode(std::string_view m) {
  return m == "GOVERNANCE" || m == "COMPLIANCE";
}

Result<int> RetentionNumber(const pugi::xml_node& node) {
  int n = 0;
  if (!ParseInt(Text(node), n)) {
    return Malformed();
  }
  if (n <= 0) {
    return Status(Errc::kInvalidRetentionPeriod);
  }
  return n;
}

Status ParseRule(const pugi::xml_node& rule, LockConfiguration& config) {
  int count = 0;
  pugi::xml_node def = OnlyChild(rule, "DefaultRetention", count);
  if (count != 1) {
    return Malformed();
  }
  pugi::xml_node mode = OnlyChild(def, "Mode", count);
  if (count != 1 || !IsMode(Text(mode))) {
    return Malformed();
  }
  config.mode = Text(mode);
  int days_count = 0;
  int years_count = 0;
  pugi::xml_node days = OnlyChild(def, "Days", days_count);
  pugi::xml_node years = OnlyChild(def, "Years", years_count);
  if (days_count + years_count != 1) {
    return Malformed();
  }
  if (days) {
    ASSIGN_OR_RETURN(config.days, RetentionNumber(days));
  } else {
    ASSIGN_OR_RETURN(config.years, RetentionNumber(years));
  }
  return Status();
}

Status Denied(std::string_view why) {
  return Status(Errc::kAccessDenied, std::string(why));
}

}  // namespace

Result<LockConfiguration> ParseObjectLockConfiguration(std::string_view xml) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(pugi::xml_node root, LoadRoot(doc, xml, "ObjectLockConfiguration"));
  int count = 0;
  pugi::xml_node enabled = OnlyChild(root, "ObjectLockEnabled", count);
  if (count != 1 || Text(enabled) != "Enabled") {
    return Malformed();
  }
  LockConfiguration config;
  pugi::xml_node rule = OnlyChild(root, "Rule", count);
  if (count > 1) {
    return Malformed();
  }
  if (rule) {
    RETURN_IF_ERROR(ParseRule(rule, config));
  }
  return config;
}

std::string RenderObjectLockConfiguration(const LockConfiguration& config) {
  XmlWriter w;
  w.Open("ObjectLockConfiguration").Element("ObjectLockEnabled", "Enabled");
  if (!config.mode.empty()) {
    w.Open("Rule").Open("DefaultRetention").Element("Mode", config.mode);
    if (config.days > 0) {
      w.Element("Days", std::int64_t{config.days});
    } else {
      w.Element("Years", std::int64_t{config.years});
    }
  }
  return w.Finish();
}

std::optional<std::int64_t> ParseRetainUntil(std::string_view text) {
  // ParseIso8601Seconds takes a zero fraction only: cut any fraction and round up.
  std::string whole(text);
  bool fraction = false;
  if (auto dot = whole.find('.'); dot != std::string::npos) {
    std::size_t end = dot + 1;
    while (end < whole.size() && whole[end] >= '0' && whole[end] <= '9') {
      fraction = fraction || whole[end] != '0';
      ++end;
    }
    if (end == dot + 1) {
      return std::nullopt;
    }
    whole.erase(dot, end - dot);
  }
  if (whole.find('T') == std::string::npos) {
    return std::nullopt;
  }
  auto secs = ParseIso8601Seconds(whole);
  if (secs && fraction) {
    ++*secs;
  }
  return secs;
}

Result<Retention> ParseRetentionXml(std::string_view xml, std::int64_t now_s) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(pugi::xml_node root, LoadRoot(doc, xml, "Retention"));
  int mode_count = 0;
  int date_count = 0;
  pugi::xml_node mode = OnlyChild(root, "Mode", mode_count);
  pugi::xml_node date = OnlyChild(root, "RetainUntilDate", date_count);
  if (mode_count > 1 || date_count > 1 || mode_count != date_count) {
    return Malformed();
  }
  Retention r;
  if (mode_count == 0) {
    return r;
  }
  if (!IsMode(Text(mode))) {
    return Malformed();
  }
  r.mode = Text(mode);
  r.until = std::string(TrimBlanks(Text(date)));
  auto secs = ParseRetainUntil(r.until);
  if (!secs) {
    return Malformed();
  }
  if (*secs <= now_s) {
    return Status(Errc::kInvalidArgumentS3, "The retain until date must be in the future!");
  }
  r.until_s = *secs;
  return r;
}

std::string RenderRetentionXml(std::string_view mode, std::string_view until) {
  XmlWriter w;
  w.Open("Retention").Element("Mode", mode).Element("RetainUntilDate", until);
  return w.Finish();
}

Result<std::string> ParseLegalHoldXml(std::string_view xml) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(pugi::xml_node root, LoadRoot(doc, xml, "LegalHold"));
  int count = 0;
  pugi::xml_node status = OnlyChild(root, "Status", count);
  const std::string value = Text(status);
  if (count != 1 || (value != "ON" && value != "OFF")) {
    return Malformed();
  }
  return value;
}

std::string RenderLegalHoldXml(std::string_view status) {
  XmlWriter w;
  w.Open("LegalHold").Element("Status", status);
  return w.Finish();
}

Retention StoredRetention(const object::Metadata& md) {
  Retention r;
  for (const auto& [name, value] : md) {
    if (name == kLockModeMeta) {
      r.mode = value;
    } else if (name == kLockUntilMeta) {
      r.until = value;
    }
  }
  if (r.mode.empty() || r.until.empty()) {
    return Retention();
  }
  r.until_s = ParseRetainUntil(r.until).value_or(0);
  return r;
}

Result<object::Metadata> LockMetadataFromHeaders(const http::Request& req,
                                                 std::string_view bucket_doc, std::int64_t now_s) {
  const std::string* mode = req.Header(kLockModeMeta);
  const std::string* until = req.Header(kLockUntilMeta);
  const std::string* hold = req.Header(kLegalHoldMeta);
  object::Metadata md;
  if (bucket_doc.empty()) {
    if (mode != nullptr || until != nullptr || hold != nullptr) {
      return Status(Errc::kInvalidRequest, std::string(kNoLockConfiguration));
    }
    return md;
  }
  if ((mode == nullptr) != (until == nullptr)) {
    return Status(Errc::kInvalidArgumentS3,
                  "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be "
                  "supplied");
  }
  if (mode != nullptr) {
    if (!IsMode(*mode)) {
      return Status(Errc::kInvalidArgumentS3, "Unknown wormMode directive.");
    }
    auto secs = ParseRetainUntil(*until);
    if (!secs) {
      return Status(Errc::kInvalidArgumentS3,
                    "The retain until date must be provided in ISO 8601 format");
    }
    if (*secs <= now_s) {
      return Status(Errc::kInvalidArgumentS3, "The retain until date must be in the future!");
    }
    md.emplace_back(kLockModeMeta, *mode);
    md.emplace_back(kLockUntilMeta, *until);
  } else {
    // The bucket's default retention, counted from now.
    ASSIGN_OR_RETURN(LockConfiguration config, ParseObjectLockConfiguration(bucket_doc));
    if (!config.mode.empty()) {
      const std::int64_t days = config.days > 0 ? config.days : std::int64_t{config.years} * 365;
      md.emplace_back(kLockModeMeta, config.mode);
      md.emplace_back(kLockUntilMeta, FormatIso8601((now_s + days * 86400) * 1'000'000'000));
    }
  }
  if (hold != nullptr) {
    if (*hold != "ON" && *hold != "OFF") {
      return Status(Errc::kInvalidArgumentS3, "Legal Hold must be either of 'ON' or 'OFF'");
    }
    md.emplace_back(kLegalHoldMeta, *hold);
  }
  return md;
}

Status CheckRetentionChange(const object::Metadata& md, const Retention& next, bool bypass,
                            std::int64_t now_s) {
  const Retention stored = StoredRetention(md);
  if (stored.mode.empty() || stored.until_s <= now_s) {
    return Status();
  }
  // The same mode kept, with a date no earlier.
  const bool extends = next.mode == stored.mode && next.until_s >= stored.until_s;
  if (stored.mode == "COMPLIANCE") {
    if (extends) {
      return Status();
    }
    return Denied("Access Denied because object protected by object lock.");
  }
  if (extends || bypass) {
    return Status();
  }
  return Denied("Access Denied because object protected by object lock.");
}

Status CheckDeleteAllowed(const object::Metadata& md, bool bypass, std::int64_t now_s) {
  for (const auto& [name, value] : md) {
    if (name == kLegalHoldMeta && value == "ON") {
      return Denied("Access Denied because object protected by object lock.");
    }
  }
  const Retention stored = StoredRetention(md);
  if (stored.mode.empty() || stored.until_s <= now_s) {
    return Status();
  }
  if (stored.mode == "GOVERNANCE" && bypass) {
    return Status();
  }
  return Denied("Access Denied because object protected by object lock.");
}

}  // namespace cairn::s3
