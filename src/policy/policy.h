// The AWS IAM policy language as S3 uses it: a JSON policy document parsed once into a
// compiled form (lowercased actions, split wildcard patterns, typed condition values) that
// evaluates requests without re-parsing. Identity policies (users, groups, service accounts,
// session policies) and resource policies (bucket policies: Principal required) share it.
// Pure code: no I/O.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace cairn::policy {

// The condition keys of one request and their values (also the source of policy variables
// such as ${aws:username}). Keys are case-insensitive; a key may carry several values
// (ForAnyValue:/ForAllValues: test all of them; a plain operator matches when any does).
class ConditionValues {
 public:
  void Set(std::string_view key, std::string value);  // replaces the key's values
  void Add(std::string_view key, std::string value);  // appends one value
  // nullptr when the request has no such key.
  const std::vector<std::string>* Find(std::string_view key) const;

 private:
  std::vector<std::string>& Slot(std::string_view key);  // the key's values, added if new

  // Few keys per request: a flat list with lowercase keys beats a hash map.
  std::vector<std::pair<std::string, std::vector<std::string>>> values_;
};

enum class Decision {
  kNone,   // no statement applies (implicit deny)
  kAllow,  // an Allow statement applies and no Deny does
  kDeny,   // an explicit Deny applies (beats any Allow anywhere)
};

// What is asked.
struct Request {
  // The AWS action name, "s3:GetObject", "s3:ListBucket", "admin:Heal", "kms:CreateKey".
  std::string_view action;
  // "arn:aws:s3:::bucket" (bucket operations), "arn:aws:s3:::bucket/key" (object operations),
  // "arn:aws:s3:::*" style never; empty for actions without a resource (ListBuckets' s3:
  // ListAllMyBuckets matches Resource "arn:aws:s3:::*"; admin actions match any Resource).
  std::string_view resource;
  // Resource policies only: who asks, in every form a Principal may name it (the user's ARN
  // "arn:aws:iam:::user/alice", the plain name, the access key). Empty for an anonymous
  // request. A statement's Principal "*" (or {"AWS": "*"}) matches every request,
  // anonymous ones included; any other value matches when it equals one of these.
  std::span<const std::string> principals = {};
  // Condition keys and values; nullptr: none (conditions on keys then see them absent).
  const ConditionValues* conditions = nullptr;
};

enum class Kind {
  kIdentity,  // attached to a user, group or credential: no Principal allowed
  kResource,  // a bucket policy: Principal or NotPrincipal required in every statement
};

class Policy {
 public:
  Policy();
  ~Policy();
  Policy(Policy&&) noexcept;
  Policy& operator=(Policy&&) noexcept;

  // Parses and validates a policy document. Errors: kMalformedPolicy with AWS's message
  // ("Policies must be valid JSON and the first byte must be '{'", "Missing required field
  // Statement", "Policy has invalid action", "Policy has invalid resource", "Unknown field
  // ...", "Missing required field Principal", "Invalid Condition operator ...", ...).
  static Result<Policy> Parse(std::string_view json, Kind kind);

  // The decision of this policy alone.
  Decision Evaluate(const Request& request) const;

  // True when every Resource/NotResource of every statement is the bucket's ARN or under it
  // ("arn:aws:s3:::bucket", "arn:aws:s3:::bucket/..."; wildcards only after the bucket
  // name): what PutBucketPolicy requires.
  bool ResourcesWithin(std::string_view bucket) const;

  // True when some statement Allows with Principal "*" and no condition: what
  // GetBucketPolicyStatus reports as IsPublic.
  bool IsPublic() const;

  // The condition keys the policy reads (in conditions and as variables), lowercase, sorted:
  // a request needs to supply only these.
  std::span<const std::string> condition_keys() const;

  // The document as given to Parse.
  const std::string& text() const;
  std::size_t statement_count() const;

 private:
  struct Compiled;
  std::unique_ptr<const Compiled> compiled_;
};

// Several policies together (a user's own and its groups'): Deny anywhere wins, else Allow
// anywhere, else kNone. Null pointers are skipped.
Decision Evaluate(std::span<const Policy* const> policies, const Request& request);

// True when `name` (case-insensitive) is an action that AWS or MinIO defines for the
// services cairn serves (s3:*, admin:*, kms:*, sts:*), or a wildcard pattern over them.
bool IsKnownAction(std::string_view name);

// MinIO's built-in (canned) policies: readonly, readwrite, writeonly, diagnostics,
// consoleAdmin, with MinIO's documents.
struct BuiltinPolicy {
  std::string_view name;
  std::string_view document;
};

std::span<const BuiltinPolicy> BuiltinPolicies();

}  // namespace cairn::policy
