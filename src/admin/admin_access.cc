#include "admin/admin_access.h"

#include <array>
#include <utility>
#include <vector>

namespace cairn::admin {
namespace {

using F = AdminFamily;
using S = SelfService;

constexpr AdminRoute Route(std::string_view op, std::string_view method, AdminFamily family,
                           std::string_view action, std::string_view alt_action = "",
                           SelfService self = SelfService::kNone, bool body = false) {
  return AdminRoute{op, method, family, action, alt_action, self, body};
}

// MinIO's actions per endpoint (cmd/admin-router.go and the handlers it names). Where MinIO
// checks one action for both directions (set-user-status, set-group-status,
// update-group-members), so does cairn: a policy written for MinIO means the same here.
constexpr std::array kRoutes = {
    Route("heal/start", "POST", F::kHeal, "admin:Heal"),
    Route("heal/status", "GET", F::kHeal, "admin:Heal"),
    Route("heal/list", "GET", F::kHeal, "admin:Heal"),
    Route("heal/stop", "POST", F::kHeal, "admin:Heal"),
    Route("info", "GET", F::kInfo, "admin:ServerInfo"),
    Route("datausageinfo", "GET", F::kInfo, "admin:DataUsageInfo"),
    // cairn's own: the console's time series (admin/metrics_history.h).
    Route("metrics-history", "GET", F::kInfo, "admin:Prometheus", "admin:ServerInfo"),
    Route("kms/status", "GET", F::kKms, "kms:Status"),
    Route("kms/key/create", "POST", F::kKms, "kms:CreateKey"),
    Route("kms/key/list", "GET", F::kKms, "kms:ListKeys"),
    Route("kms/key/status", "GET", F::kKms, "kms:KeyStatus"),
    // cairn's own: MinIO has no action for these; disabling a key is as grave as deleting it.
    Route("kms/key/disable", "POST", F::kKms, "kms:DeleteKey"),
    Route("kms/key/enable", "POST", F::kKms, "kms:DeleteKey"),
    // Users.
    Route("add-user", "PUT", F::kIam, "admin:CreateUser", "", S::kOwnUser, true),
    Route("remove-user", "DELETE", F::kIam, "admin:DeleteUser"),
    Route("list-users", "GET", F::kIam, "admin:ListUsers"),
    Route("user-info", "GET", F::kIam, "admin:GetUser", "", S::kOwnUser),
    Route("set-user-status", "PUT", F::kIam, "admin:EnableUser"),
    // Policies.
    Route("add-canned-policy", "PUT", F::kIam, "admin:CreatePolicy", "", S::kNone, true),
    Route("remove-canned-policy", "DELETE", F::kIam, "admin:DeletePolicy"),
    Route("list-canned-policies", "GET", F::kIam, "admin:ListUserPolicies"),
    Route("info-canned-policy", "GET", F::kIam, "admin:GetPolicy"),
    Route("idp/builtin/policy/attach", "POST", F::kIam, "admin:AttachUserOrGroupPolicy",
          "admin:UpdatePolicyAssociation", S::kNone, true),
    Route("idp/builtin/policy/detach", "POST", F::kIam, "admin:AttachUserOrGroupPolicy",
          "admin:UpdatePolicyAssociation", S::kNone, true),
    Route("set-user-or-group-policy", "PUT", F::kIam, "admin:AttachUserOrGroupPolicy"),
    // Groups.
    Route("update-group-members", "PUT", F::kIam, "admin:AddUserToGroup", "", S::kNone, true),
    Route("groups", "GET", F::kIam, "admin:ListGroups"),
    Route("group", "GET", F::kIam, "admin:GetGroup"),
    Route("set-group-status", "PUT", F::kIam, "admin:EnableGroup"),
    // Service accounts.
    Route("add-service-account", "PUT", F::kIam, "admin:CreateServiceAccount", "",
          S::kOwnServiceAccounts, true),
    Route("update-service-account", "POST", F::kIam, "admin:UpdateServiceAccount", "",
          S::kOwnServiceAccounts, true),
    Route("info-service-account", "GET", F::kIam, "admin:ListServiceAccounts", "",
          S::kOwnServiceAccounts),
    Route("list-service-accounts", "GET", F::kIam, "admin:ListServiceAccounts", "",
          S::kOwnServiceAccounts),
    Route("delete-service-account", "DELETE", F::kIam, "admin:RemoveServiceAccount", "",
          S::kOwnServiceAccounts),
};

}  // namespace

const AdminRoute* FindAdminRoute(std::string_view op) {
  for (const AdminRoute& route : kRoutes) {
    if (route.op == op) {
      return &route;
    }
  }
  return nullptr;
}

AdminCaller AdminCaller::Root(std::string access_key) {
  AdminCaller caller;
  caller.access_key_ = std::move(access_key);
  return caller;
}

AdminCaller AdminCaller::FromIdentity(iam::IdentityPtr identity, std::string_view source_ip,
                                      bool tls) {
  AdminCaller caller;
  caller.access_key_ = identity->access_key;
  caller.identity_ = std::move(identity);
  if (!source_ip.empty()) {
    caller.conditions_.Set("aws:SourceIp", std::string(source_ip));
  }
  caller.conditions_.Set("aws:SecureTransport", tls ? "true" : "false");
  iam::AddIdentityConditions(caller.identity_.get(), caller.conditions_);
  return caller;
}

const std::string& AdminCaller::user() const {
  return identity_ ? identity_->parent_user : access_key_;
}

bool AdminCaller::is_plain_user() const {
  return identity_ && identity_->kind == iam::IdentityKind::kUser;
}

bool AdminCaller::is_root() const {
  return !identity_ || identity_->kind == iam::IdentityKind::kRoot;
}

bool AdminCaller::Allowed(std::string_view action) const {
  if (!identity_) {
    return true;
  }
  iam::AccessRequest request;
  request.identity = identity_.get();
  request.action = action;
  request.conditions = &conditions_;
  return iam::Authorize(request);
}

bool AdminCaller::Allowed(const AdminRoute& route) const {
  return Allowed(route.action) || (!route.alt_action.empty() && Allowed(route.alt_action));
}

bool AdminCaller::ExplicitlyDenied(std::string_view action) const {
  if (!identity_) {
    return false;
  }
  std::vector<const policy::Policy*> policies;
  for (const iam::PolicyPtr& p : identity_->policies) {
    policies.push_back(p.get());
  }
  policies.push_back(identity_->session_policy.get());
  policy::Request request;
  request.action = action;
  request.conditions = &conditions_;
  return policy::Evaluate(policies, request) == policy::Decision::kDeny;
}

}  // namespace cairn::admin
