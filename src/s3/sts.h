// The STS API's wire format, as AWS and MinIO serve it on the S3 port (POST / with a form
// body): the form's parameters and their bounds, and the XML documents it answers (a
// <...Response> with credentials, or STS's <ErrorResponse>). Pure code; the handlers are in
// handlers/sts.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/query.h"
#include "common/status.h"

namespace cairn::s3::sts {

inline constexpr std::string_view kApiVersion = "2011-06-15";
inline constexpr std::string_view kXmlns = "https://sts.amazonaws.com/doc/2011-06-15/";
// The form is small; a larger body is refused.
inline constexpr std::size_t kMaxFormBytes = 64 * 1024;
// AWS: the plain text of a session policy shouldn't exceed 2048 characters.
inline constexpr std::size_t kMaxSessionPolicy = 2048;
inline constexpr std::chrono::seconds kMinDuration{900};
inline constexpr std::chrono::seconds kMaxDuration{43200};
inline constexpr std::chrono::seconds kDefaultDuration{3600};

// An error as STS answers it: <ErrorResponse><Error><Type>Sender</Type><Code>...
struct StsError {
  int http_status = 400;
  std::string code;  // "InvalidParameterValue"
  std::string message;
};

StsError InvalidParameterValue(std::string message);
StsError MissingParameter(std::string message);

template <class T>
using StsResult = std::variant<T, StsError>;

// The form body ("Action=AssumeRole&Version=2011-06-15&..."), decoded.
// Errors: InvalidParameterValue (a bad percent-escape).
StsResult<QueryParams> ParseForm(std::string_view body);

// The checks every action makes first: Version is 2011-06-15 (else MissingParameter, as
// MinIO answers) and Action is one of `known` (else InvalidAction).
std::optional<StsError> CheckVersion(const QueryParams& form);

// DurationSeconds: `def` when absent; else an integer in [kMinDuration, kMaxDuration].
// Errors: InvalidParameterValue.
StsResult<std::chrono::seconds> ParseDuration(const QueryParams& form, std::chrono::seconds def);

// The Policy parameter ("" when absent): at most kMaxSessionPolicy characters
// (InvalidParameterValue) and an identity policy (MalformedPolicyDocument).
StsResult<std::string> SessionPolicy(const QueryParams& form);

// What a successful action answers.
struct Issued {
  std::string access_key;
  std::string secret_key;
  std::string session_token;
  std::int64_t expires_ns = 0;
  std::string assumed_role_arn;  // <AssumedRoleUser><Arn>
  std::string assumed_role_id;   // <AssumedRoleUser><AssumedRoleId>
  std::string subject;           // AssumeRoleWithWebIdentity: <SubjectFromWebIdentityToken>
};

// <{action}Response xmlns=...><{action}Result>...<Credentials>...</Credentials>
// </{action}Result><ResponseMetadata><RequestId>..</RequestId></ResponseMetadata>.
std::string RenderResponse(std::string_view action, const Issued& issued,
                           std::string_view request_id);

// <ErrorResponse xmlns=...><Error><Type>Sender</Type><Code/><Message/></Error>
// <RequestId/></ErrorResponse> (Type Receiver for 5xx).
std::string RenderStsError(std::string_view code, std::string_view message,
                           std::string_view request_id, int http_status = 400);

}  // namespace cairn::s3::sts

namespace cairn::s3 {
using sts::RenderStsError;
}  // namespace cairn::s3
