// Who may call what on the admin API: the one table of its endpoints (path, method, the
// policy action a caller needs, with MinIO's names from its admin router and handlers) and
// the caller of a request as authentication found it (the root user, or an IAM identity
// whose policies are asked). AdminApi routes and authorizes with these; no other file names
// an admin action.
#pragma once

#include <string>
#include <string_view>

#include "iam/iam.h"
#include "policy/policy.h"

namespace cairn::admin {

enum class AdminFamily {
  kHeal,  // heal/start, status, list, stop
  kInfo,  // info
  kKms,   // kms/...
  kIam,   // users, groups, policies, service accounts (admin_iam.h)
};

// Who may call an endpoint beyond the callers its action allows (MinIO's "deny only" checks:
// the action is then refused only by an explicit Deny). The handler checks ownership.
enum class SelfService {
  kNone,
  kOwnUser,             // a user about itself: its info, its own secret key
  kOwnServiceAccounts,  // a user about its own service accounts
};

struct AdminRoute {
  std::string_view op;      // the path under /minio/admin/v3/: "heal/start", "add-user"
  std::string_view method;  // "GET", "PUT", "POST", "DELETE"
  AdminFamily family = AdminFamily::kIam;
  std::string_view action;      // "admin:Heal"
  std::string_view alt_action;  // another action that allows it too, or ""
  SelfService self = SelfService::kNone;
  bool body = false;  // the request carries a JSON body (read after authorization)
};

// The route of `op`, or nullptr (404).
const AdminRoute* FindAdminRoute(std::string_view op);

// The metrics pages (/minio/v2/metrics/...).
inline constexpr std::string_view kPrometheusAction = "admin:Prometheus";

// The caller of an admin request, once its signature and its key were checked.
class AdminCaller {
 public:
  // The root user of a node whose IAM is not up yet: allowed everything.
  static AdminCaller Root(std::string access_key);
  // An identity of the IAM store (root's own identity included); `source_ip` and `tls` feed
  // the aws:SourceIp and aws:SecureTransport condition keys.
  static AdminCaller FromIdentity(iam::IdentityPtr identity, std::string_view source_ip, bool tls);

  const std::string& access_key() const { return access_key_; }

  // The user this caller acts for: its own name for a user or the root, the parent user of a
  // service account or STS key.
  const std::string& user() const;
  // True for a user's own key (not root, not derived credentials): the one kind that may act
  // on itself and its service accounts without an admin action.
  bool is_plain_user() const;
  // True for the root user (any key with the root's power, before IAM or not).
  bool is_root() const;

  // iam::Authorize with `action` and no resource.
  bool Allowed(std::string_view action) const;
  bool Allowed(const AdminRoute& route) const;
  // True when one of the caller's policies (or its session policy) denies `action`
  // explicitly: what a self-service call checks.
  bool ExplicitlyDenied(std::string_view action) const;

 private:
  std::string access_key_;
  iam::IdentityPtr identity_;  // nullptr: the root before IAM
  policy::ConditionValues conditions_;
};

}  // namespace cairn::admin
