// Identity and access management: the users, groups, named policies, service accounts and
// temporary (STS) credentials of a deployment, stored as cluster state (JSON records in the
// system bucket, erasure coded with quorum like any object; secrets sealed under a key derived
// from the root credentials) and served from an immutable in-memory snapshot that is swapped
// whole on every change. Every request looks its access key up in the snapshot (Find) and is
// authorized against compiled policies (Authorize): no store read, no policy parse per request.
//
// Propagation: the node that changes a record rewrites its snapshot at once and calls the
// `changed` hook (the server tells its peers, which ReloadItem the record); a periodic
// ReloadAll covers a node that was away.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/signature.h"
#include "common/request_context.h"
#include "common/status.h"
#include "common/task.h"
#include "policy/policy.h"

namespace cairn::object {
class ObjectLayer;
}

namespace cairn::iam {

// Where the records live in the system bucket (object::kSystemBucket).
inline constexpr std::string_view kIamPrefix = "config/iam/";

enum class IdentityKind {
  kRoot,            // the root user: allowed everything, cannot be disabled or removed
  kUser,            // a user made by an administrator
  kServiceAccount,  // an extra key pair under a user (or root); the parent's policies
  kTemporary,       // STS credentials: a session token, an expiry
};

std::string_view KindName(IdentityKind kind);  // "root", "user", "service-account", "sts"

using PolicyPtr = std::shared_ptr<const policy::Policy>;

// One access key as a request meets it. Immutable; shared by the snapshot and requests.
struct Identity {
  IdentityKind kind = IdentityKind::kUser;
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // kTemporary only
  // The user this key acts for: itself for a user, the parent for service accounts and STS
  // credentials (the root's access key for root's own). aws:username is this name.
  std::string parent_user;
  // False when the key, its parent user, or (for STS/service accounts of root) nothing else
  // disables it: such keys fail authentication with kAccessKeyDisabled.
  bool enabled = true;
  // Wall clock expiry in ns since the epoch; 0 = none. An expired key fails with
  // kExpiredToken.
  std::int64_t expires_ns = 0;
  // True when the key acts with the root's power (root, root's service accounts and STS
  // credentials), still narrowed by `session_policy`.
  bool root_power = false;
  // The parent user's own policies and its enabled groups' policies (policies named but not
  // defined are skipped); for OpenID Connect credentials the policies the claim named.
  std::vector<PolicyPtr> policies;
  // Service accounts and STS credentials may carry a session policy: a request is then
  // allowed only when this policy allows it too (it can only narrow).
  PolicyPtr session_policy;
  std::vector<std::string> groups;  // the parent user's enabled groups
  // The condition keys `policies` and `session_policy` read (lowercase, sorted): a request
  // computes only these (and its bucket policy's).
  std::vector<std::string> condition_keys;
};

using IdentityPtr = std::shared_ptr<const Identity>;

// What a request asks, for Authorize.
struct AccessRequest {
  // The asker; nullptr: anonymous (only the bucket policy can allow).
  const Identity* identity = nullptr;
  std::string_view action;    // "s3:GetObject"
  std::string_view resource;  // "arn:aws:s3:::bucket/key"; see policy::Request
  // The bucket's policy (nullptr: none). Its Principal matches the asker's forms:
  // "arn:aws:iam:::user/<parent>", "<parent>", "<access key>".
  const policy::Policy* bucket_policy = nullptr;
  // Condition keys of the request (aws:SourceIp, s3:prefix, ...), the identity's among them
  // (AddIdentityConditions).
  const policy::ConditionValues* conditions = nullptr;
};

// Sets the keys that describe the asker: aws:username (the parent user), aws:userid (the
// access key), aws:PrincipalType ("Account" for root, "User", "AssumedRole" for STS
// credentials, "Anonymous" when `identity` is nullptr).
void AddIdentityConditions(const Identity* identity, policy::ConditionValues& out);

// AWS's evaluation within one account: an explicit Deny in any policy that applies denies;
// else an Allow in the identity's policies (narrowed by its session policy when it has one:
// both must allow) or in the bucket policy allows; else denied. A key with the root's power
// is allowed everything its session policy allows: bucket policies never lock root out.
bool Authorize(const AccessRequest& request);

// The same, telling an explicit refusal from a missing Allow: kDenied when a policy that
// applies denies (or a session policy does not allow, which nothing else can make up for),
// kNotAllowed when nothing allows and nothing denies (an ACL grant may still allow: s3/acl.h).
enum class Verdict { kAllowed, kDenied, kNotAllowed };
Verdict Decide(const AccessRequest& request);

// Listings for the admin API.
struct UserInfo {
  std::string access_key;
  bool enabled = true;
  std::vector<std::string> policies;  // attached directly
  std::vector<std::string> groups;    // member of
  std::int64_t updated_ns = 0;
};

struct GroupInfo {
  std::string name;
  bool enabled = true;
  std::vector<std::string> members;
  std::vector<std::string> policies;
  std::int64_t updated_ns = 0;
};

struct PolicyInfo {
  std::string name;
  std::string document;  // the JSON as given
  bool builtin = false;  // one of MinIO's canned policies (cannot be removed)
  std::int64_t created_ns = 0;
  std::int64_t updated_ns = 0;
};

struct ServiceAccountInfo {
  std::string access_key;
  std::string parent_user;
  std::string name;         // optional, up to 32 characters
  std::string description;  // optional, up to 256 characters
  bool enabled = true;
  std::int64_t expires_ns = 0;  // 0 = never
  std::string session_policy;   // JSON, empty = inherits the parent's policies unnarrowed
};

struct NewServiceAccount {
  std::string parent_user;  // a user's access key, or the root's
  std::string access_key;   // empty: generated (20 characters)
  std::string secret_key;   // empty: generated (40 characters)
  std::string name;
  std::string description;
  std::string session_policy;   // JSON or empty
  std::int64_t expires_ns = 0;  // 0 = never; else must be in the future
};

struct ServiceAccountUpdate {
  std::optional<std::string> secret_key;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> session_policy;  // "" removes it
  std::optional<bool> enabled;
  std::optional<std::int64_t> expires_ns;
};

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // STS only
  std::int64_t expires_ns = 0;
};

struct TemporaryRequest {
  std::string parent_user;        // the user (or root) the credentials act for
  std::chrono::seconds duration;  // 15 min .. 12 h (the caller checks the bounds)
  std::string session_policy;     // JSON or empty
  // OpenID Connect: the policies the token's claim named (then these, not the parent's
  // policies, apply); empty for AssumeRole.
  std::vector<std::string> claim_policies;
};

// The store. Thread-safe: Find/Authorize-side reads are lock-free snapshot reads; changes
// are serialized per node and checked against concurrent changes on other nodes (If-Match).
class Iam final : public auth::CredentialProvider {
 public:
  struct Options {
    std::string root_access_key;
    std::string root_secret_key;
    // Called after this node changed a record (the path under kIamPrefix, e.g.
    // "users/alice.json"): the server tells its peers. May be empty.
    std::function<Task<void>(const RequestContext&, std::string item)> changed;
    // Injected clock (tests).
    std::function<std::chrono::system_clock::time_point()> now = [] {
      return std::chrono::system_clock::now();
    };
  };

  explicit Iam(Options options);
  ~Iam() override;
  Iam(const Iam&) = delete;
  Iam& operator=(const Iam&) = delete;

  // Gives the store its object layer and loads every record (ReloadAll). Until then only the
  // root user is known. Errors: the object layer's (the caller retries later).
  Task<Status> Attach(const RequestContext& ctx, object::ObjectLayer& layer);

  // auth::CredentialProvider: the secret of any known key, disabled and expired ones too
  // (so that a valid signature by such a key gets kAccessKeyDisabled / kExpiredToken from
  // Check, not kInvalidAccessKeyId).
  std::optional<std::string> SecretKey(std::string_view access_key) const override;

  // The identity of an access key, or nullptr.
  IdentityPtr Find(std::string_view access_key) const;

  // After a signature verified: the identity may act now. Errors: kInvalidAccessKeyId (no
  // such key), kAccessKeyDisabled, kExpiredToken, kInvalidToken (an STS key without its
  // session token, a wrong token, or a token on a key that is not an STS key).
  Result<IdentityPtr> Check(std::string_view access_key, std::string_view session_token) const;

  // Users. Access keys: 3-128 characters, no '=' or ','; secrets 8-40 characters.
  // Errors: kInvalidArgument (bad key/secret, the root's key), kIamNoSuchUser.
  Task<Status> AddUser(const RequestContext& ctx, std::string_view access_key,
                       std::string_view secret_key, bool enabled);
  Task<Status> SetUserEnabled(const RequestContext& ctx, std::string_view access_key, bool enabled);
  // Also removes the user's service accounts and STS credentials, and its group memberships.
  Task<Status> RemoveUser(const RequestContext& ctx, std::string_view access_key);
  std::vector<UserInfo> ListUsers() const;
  Result<UserInfo> GetUser(std::string_view access_key) const;

  // Named policies (the builtins are always there and cannot be changed or removed).
  // Errors: kMalformedPolicy, kInvalidArgument (bad name), kIamNoSuchPolicy,
  // kIamPolicyInUse (removing a policy still attached: MinIO refuses too).
  Task<Status> AddPolicy(const RequestContext& ctx, std::string_view name,
                         std::string_view document);
  Task<Status> RemovePolicy(const RequestContext& ctx, std::string_view name);
  std::vector<PolicyInfo> ListPolicies() const;
  Result<PolicyInfo> GetPolicy(std::string_view name) const;

  // Attaching to a user or a group. Errors: kIamNoSuchPolicy, kIamNoSuchUser,
  // kIamNoSuchGroup, kInvalidArgument (attaching to root).
  Task<Status> AttachPolicies(const RequestContext& ctx, std::string_view user_or_group,
                              bool is_group, const std::vector<std::string>& policies);
  Task<Status> DetachPolicies(const RequestContext& ctx, std::string_view user_or_group,
                              bool is_group, const std::vector<std::string>& policies);
  // Replaces the attached set (MinIO's set-user-or-group-policy).
  Task<Status> SetPolicies(const RequestContext& ctx, std::string_view user_or_group, bool is_group,
                           const std::vector<std::string>& policies);

  // Groups: adding members creates the group; removing with no members names removes the
  // group (only when empty). Errors: kIamNoSuchUser, kIamNoSuchGroup, kIamGroupNotEmpty.
  Task<Status> UpdateGroupMembers(const RequestContext& ctx, std::string_view group,
                                  const std::vector<std::string>& members, bool remove);
  Task<Status> SetGroupEnabled(const RequestContext& ctx, std::string_view group, bool enabled);
  std::vector<std::string> ListGroups() const;
  Result<GroupInfo> GetGroup(std::string_view group) const;

  // Service accounts. Errors: kIamNoSuchUser (parent), kInvalidArgument, kMalformedPolicy,
  // kIamNoSuchServiceAccount, kIamKeyExists.
  Task<Result<Credentials>> AddServiceAccount(const RequestContext& ctx, NewServiceAccount req);
  Task<Status> UpdateServiceAccount(const RequestContext& ctx, std::string_view access_key,
                                    const ServiceAccountUpdate& update);
  Task<Status> RemoveServiceAccount(const RequestContext& ctx, std::string_view access_key);
  // Of one parent (empty: of every parent).
  std::vector<ServiceAccountInfo> ListServiceAccounts(std::string_view parent_user) const;
  Result<ServiceAccountInfo> GetServiceAccount(std::string_view access_key) const;

  // STS: new temporary credentials (stored, so every node accepts them). Errors:
  // kMalformedPolicy (session policy), kIamNoSuchUser, kIamNoSuchPolicy (claim).
  Task<Result<Credentials>> AddTemporary(const RequestContext& ctx, TemporaryRequest req);
  // Revokes temporary credentials before they expire (the console's sign-out). Errors:
  // kInvalidAccessKeyId (no such temporary credentials: expired, or never issued).
  Task<Status> RemoveTemporary(const RequestContext& ctx, std::string_view access_key);

  // Propagation: re-reads one record (a path under kIamPrefix) or everything; expired STS
  // credentials are dropped (and their records deleted by ReloadAll).
  Task<Status> ReloadItem(const RequestContext& ctx, std::string_view item);
  Task<Status> ReloadAll(const RequestContext& ctx);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace cairn::iam
