// The AWS IAM query API's wire format, as `aws iam` and boto3's iam client speak it on the S3
// port (POST / with a form body, SigV4 service "iam"): the form, the ARNs of cairn's one
// account, the <XResponse> envelope and <ErrorResponse>. Pure code; the handlers that map the
// actions onto iam::Iam are handlers/iam_query*.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/query.h"
#include "common/status.h"
#include "s3/errors.h"

namespace cairn::s3 {

inline constexpr std::string_view kIamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/";
inline constexpr std::string_view kIamVersion = "2010-05-08";
// The account every ARN names: cairn has one.
inline constexpr std::string_view kIamAccountId = "000000000000";
// The form body's bound (AWS's query API takes far less than this).
inline constexpr std::size_t kMaxIamQueryBody = 64u << 10;
// AWS's quota on a managed policy document (LimitExceeded above it).
inline constexpr std::size_t kMaxIamPolicySize = 6144;

// Names of the policies that stand for inline policies: "<user>.inline.<name>" attached to
// the user, "<group>.group-inline.<name>" attached to the group. CreatePolicy refuses names
// with either marker; ListPolicies does not list them.
inline constexpr std::string_view kUserInlineMarker = ".inline.";
inline constexpr std::string_view kGroupInlineMarker = ".group-inline.";
std::string InlinePolicyName(std::string_view owner, bool group, std::string_view name);
// The inline policy's name when `policy` is an inline policy of `owner`; nullopt otherwise.
std::optional<std::string> InlinePolicyOf(std::string_view policy, std::string_view owner,
                                          bool group);
bool IsInlinePolicyName(std::string_view policy);

std::string IamUserArn(std::string_view user);
std::string IamGroupArn(std::string_view group);
std::string IamPolicyArn(std::string_view policy);
// AWS-shaped stable ids derived from the name ("AIDA" + 17 characters for a user, "AGPA" for
// a group, "ANPA" for a policy).
std::string IamEntityId(std::string_view prefix, std::string_view name);

// The policy name a PolicyArn names: "arn:aws:iam::<account>:policy/<path>/<name>" (any account,
// so AWS's "arn:aws:iam::aws:policy/..." names a builtin). Errors: kInvalidArgument
// (ValidationError).
Result<std::string> PolicyNameFromArn(std::string_view arn);

// The form body. Errors: kInvalidArgument (a bad percent escape; no Action). An unknown
// Action is the caller's kNotFound (InvalidAction).
Result<QueryParams> ParseIamForm(std::string_view body);

// A required parameter. Errors: kInvalidArgument ("ValidationError: ... must not be null").
Result<std::string> RequiredParam(const QueryParams& form, std::string_view name);

// Marker / MaxItems paging over `total` items (Marker is the index of the next item).
struct IamPage {
  std::size_t begin = 0;
  std::size_t end = 0;
  bool truncated = false;
};

// Errors: kInvalidArgument (MaxItems not 1..1000, a bad Marker).
Result<IamPage> PageOf(const QueryParams& form, std::size_t total);

// Builds the XML inside <XResult>: Open/Close nest, Element writes an escaped leaf.
class IamXml {
 public:
  IamXml& Open(std::string_view name);
  IamXml& Close();
  IamXml& Element(std::string_view name, std::string_view text);
  IamXml& Element(std::string_view name, std::int64_t value);
  IamXml& Bool(std::string_view name, bool value);
  // The paging trailer of a list: IsTruncated, and Marker when truncated.
  IamXml& Paging(const IamPage& page);

  const std::string& str() const { return out_; }

 private:
  std::string out_;
  std::vector<std::string> open_;
};

// "<ActionResponse xmlns=...><ActionResult>result</ActionResult><ResponseMetadata>
// <RequestId/></ResponseMetadata></ActionResponse>"; no Result element when `result` is empty
// (DeleteUser and the other actions AWS answers without one).
std::string IamResponse(std::string_view action, std::string_view result,
                        std::string_view request_id);

// IAM's <ErrorResponse> for `status`: IAM's codes where IAM has its own (NoSuchEntity,
// EntityAlreadyExists, DeleteConflict, MalformedPolicyDocument, ValidationError,
// InvalidAction, LimitExceeded, InvalidClientTokenId), else the S3 table's code and status
// (SignatureDoesNotMatch, AccessDenied, ...). Type is Sender for 4xx, Receiver for 5xx.
RenderedError RenderIamError(const Status& status, std::string_view request_id);

// ISO 8601 with seconds, as IAM writes dates ("2026-12-07T02:35:43Z").
std::string IamDate(std::int64_t unix_ns);

}  // namespace cairn::s3
