// POST Object (browser uploads): the POST policy and the form's signature. The policy is a
// base64 JSON document ({"expiration", "conditions"}) that the form carries and signs with
// SigV4 (x-amz-signature over the base64 text) or SigV2 (signature); every form field must
// be covered by a condition and every condition met. Pure code over the form's fields.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/signature.h"
#include "common/status.h"

namespace cairn::auth {

// The form's fields before the file, in order: names lowercase (form field names are
// case-insensitive), values as sent.
using FormFields = std::vector<std::pair<std::string, std::string>>;

struct PostPolicyCondition {
  enum class Op { kEq, kStartsWith };
  Op op = Op::kEq;
  std::string field;  // lowercase, without the '$': "key", "x-amz-meta-tag"
  std::string value;
};

struct PostPolicy {
  std::chrono::system_clock::time_point expiration;
  std::vector<PostPolicyCondition> conditions;
  // ["content-length-range", min, max]: the bounds of the file's size, when given.
  std::optional<std::pair<std::int64_t, std::int64_t>> length_range;
};

// Parses the JSON policy (already base64-decoded). Errors: kInvalidPolicyDocument (not JSON,
// no expiration or conditions, a malformed expiration or condition) with AWS's message.
Result<PostPolicy> ParsePostPolicy(std::string_view json);

// Checks `fields` against `policy` at `now`: the policy has not expired, every condition
// holds (a condition on "$bucket" is checked against `bucket`, the one of the URL; an absent
// field counts as ""; the caller gives "key" as it will be stored, ${filename} replaced), and
// every field is named by a condition, but file, policy, x-amz-signature, signature,
// awsaccesskeyid and x-ignore-*. Errors: kPostPolicyDenied ("Invalid according to Policy:
// Policy expired.", "... Policy Condition failed: [...]", "... Extra input fields: ...").
Status CheckPostPolicy(const PostPolicy& policy, const FormFields& fields, std::string_view bucket,
                       std::chrono::system_clock::time_point now);

// Verifies the form's signature of its base64 policy: SigV4 (x-amz-algorithm,
// x-amz-credential, x-amz-date, x-amz-signature) or SigV2 (awsaccesskeyid, signature).
// Returns the principal (payload kNone, never presigned). A form without a signature nor a
// policy is anonymous (anonymous = true). Errors: kInvalidArgumentS3 (400: a signed form
// without a policy, or a signature field missing), kAuthorizationQueryParametersError (400: a
// malformed x-amz-credential), kMalformedDate (400: x-amz-date), kUnsupportedSignature (400:
// another x-amz-algorithm), kInvalidAccessKeyId, kSignatureDoesNotMatch (403).
Result<AuthResult> VerifyPostSignature(const FormFields& fields, const CredentialProvider& creds);

// Client side (tests and tools): the SigV4 signature (hex) of a base64 policy, and the SigV2
// one (base64).
std::string SignPostPolicyV4(std::string_view policy_base64, std::string_view secret_key,
                             std::string_view date8, std::string_view region);
std::string SignPostPolicyV2(std::string_view policy_base64, std::string_view secret_key);

}  // namespace cairn::auth
