#include "s3/sts.h"

#include <charconv>

#include "common/text.h"
#include "policy/policy.h"
#include "s3/dates.h"
#include "s3/xml.h"

namespace cairn::s3::sts {

StsError InvalidParameterValue(std::string message) {
  return StsError{400, "InvalidParameterValue", std::move(message)};
}

StsError MissingParameter(std::string message) {
  return StsError{400, "MissingParameter", std::move(message)};
}

StsResult<QueryParams> ParseForm(std::string_view body) {
  auto form = ParseQuery(body);
  if (!form) {
    return InvalidParameterValue("The request body is not a valid form (a bad percent-escape).");
  }
  return std::move(*form);
}

std::optional<StsError> CheckVersion(const QueryParams& form) {
  auto version = form.Get("Version");
  if (!version || *version != kApiVersion) {
    return MissingParameter("Invalid STS API version " + std::string(version.value_or("")) +
                            ", expecting " + std::string(kApiVersion));
  }
  return std::nullopt;
}

StsResult<std::chrono::seconds> ParseDuration(const QueryParams& form, std::chrono::seconds def) {
  auto value = form.Get("DurationSeconds");
  if (!value) {
    return def;
  }
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (value->empty() || ec != std::errc() || ptr != value->data() + value->size() ||
      n < kMinDuration.count() || n > kMaxDuration.count()) {
    return InvalidParameterValue("DurationSeconds must be a number of seconds between " +
                                 std::to_string(kMinDuration.count()) + " and " +
                                 std::to_string(kMaxDuration.count()));
  }
  return std::chrono::seconds(n);
}

StsResult<std::string> SessionPolicy(const QueryParams& form) {
  auto value = form.Get("Policy");
  if (!value || value->empty()) {
    return std::string();
  }
  if (value->size() > kMaxSessionPolicy) {
    return InvalidParameterValue("Session policy shouldn't exceed " +
                                 std::to_string(kMaxSessionPolicy) + " characters");
  }
  auto parsed = policy::Policy::Parse(*value, policy::Kind::kIdentity);
  if (!parsed.ok()) {
    return StsError{400, "MalformedPolicyDocument",
                    "The session policy is not valid: " + parsed.status().message()};
  }
  return std::string(*value);
}

std::string RenderResponse(std::string_view action, const Issued& issued,
                           std::string_view request_id) {
  std::string out = StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<", action,
                           "Response xmlns=\"", kXmlns, "\"><", action, "Result>");
  if (!issued.subject.empty()) {
    out += StrCat("<SubjectFromWebIdentityToken>", XmlEscape(issued.subject),
                  "</SubjectFromWebIdentityToken>");
  }
  out +=
      StrCat("<AssumedRoleUser><Arn>", XmlEscape(issued.assumed_role_arn), "</Arn><AssumedRoleId>",
             XmlEscape(issued.assumed_role_id), "</AssumedRoleId></AssumedRoleUser>");
  out += StrCat("<Credentials><AccessKeyId>", XmlEscape(issued.access_key),
                "</AccessKeyId><SecretAccessKey>", XmlEscape(issued.secret_key),
                "</SecretAccessKey><SessionToken>", XmlEscape(issued.session_token),
                "</SessionToken><Expiration>", FormatIso8601(issued.expires_ns),
                "</Expiration></Credentials>");
  out += StrCat("</", action, "Result><ResponseMetadata><RequestId>", XmlEscape(request_id),
                "</RequestId></ResponseMetadata></", action, "Response>");
  return out;
}

std::string RenderStsError(std::string_view code, std::string_view message,
                           std::string_view request_id, int http_status) {
  return StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"", kXmlns,
                "\"><Error><Type>", http_status >= 500 ? "Receiver" : "Sender", "</Type><Code>",
                XmlEscape(code), "</Code><Message>", XmlEscape(message), "</Message></Error>",
                "<RequestId>", XmlEscape(request_id), "</RequestId></ErrorResponse>");
}

}  // namespace cairn::s3::sts
