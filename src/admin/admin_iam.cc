#include "admin/admin_iam.h"

#include <array>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "admin/admin_iam_json.h"
#include "admin/admin_json.h"

namespace cairn::admin {
namespace {

using Json = nlohmann::json;

// One request as the handlers see it.
struct Call {
  const AdminRoute& route;
  const QueryParams& q;
  std::string_view body;
  iam::Iam& iam;
  const AdminCaller& caller;
  RequestContext ctx;
};

IamReply Ok(Json body = Json::object()) {
  return IamReply{200, std::move(body)};
}

IamReply NoContent() {
  return IamReply{204, nullptr};
}

Result<std::string> Param(const Call& c, std::string_view key) {
  std::optional<std::string_view> v = c.q.Get(key);
  if (!v || v->empty()) {
    return Status(Errc::kInvalidArgument, fmt::format("the parameter {} is required", key));
  }
  return std::string(*v);
}

Result<bool> StatusParam(const Call& c) {
  ASSIGN_OR_RETURN(std::string status, Param(c, "status"));
  if (status != "enabled" && status != "disabled") {
    return Status(Errc::kInvalidArgument,
                  fmt::format("status={}: expected enabled or disabled", status));
  }
  return status == "enabled";
}

Result<Json> JsonBody(const Call& c) {
  Json j = Json::parse(c.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status(Errc::kBadRequest,
                  "the request body is not a JSON object: cairn takes admin requests as plain "
                  "JSON (not madmin's encrypted bodies); send JSON");
  }
  return j;
}

// A self-service route: the caller's action allows it, or a user acts on its own `own`
// things and none of its policies denies the action explicitly.
Status CheckSelf(const Call& c, bool own) {
  if (c.caller.Allowed(c.route)) {
    return Status::Ok();
  }
  if (own && c.caller.is_plain_user() && !c.caller.ExplicitlyDenied(c.route.action)) {
    return Status::Ok();
  }
  return Status(Errc::kAccessDenied,
                fmt::format("access denied: {} needs {}", c.route.op, c.route.action));
}

// --- Users ---

Task<Result<IamReply>> AddUser(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string access_key, Param(c, "accessKey"));
  const bool self = access_key == c.caller.access_key();
  CO_RETURN_IF_ERROR(CheckSelf(c, self));
  if (!c.caller.is_plain_user() && !c.caller.is_root() && access_key == c.caller.user()) {
    co_return Status(Errc::kInvalidArgument,
                     "a service account or STS key cannot change its parent user");
  }
  CO_ASSIGN_OR_RETURN(Json j, JsonBody(c));
  CO_ASSIGN_OR_RETURN(std::string secret_key, StringField(j, "secretKey"));
  CO_ASSIGN_OR_RETURN(std::string status, StringField(j, "status"));
  CO_ASSIGN_OR_RETURN(std::string policies, StringField(j, "policy"));
  if (!status.empty() && status != "enabled" && status != "disabled") {
    co_return Status(Errc::kInvalidArgument,
                     fmt::format("status {}: expected enabled or disabled", status));
  }
  const bool enabled = status != "disabled";
  if (self && !c.caller.Allowed(c.route) && (!enabled || !policies.empty())) {
    co_return Status(Errc::kAccessDenied, "a user may change only its own secret key");
  }
  if (self && !enabled) {
    co_return Status(Errc::kInvalidArgument, "a user cannot disable itself");
  }
  CO_RETURN_IF_ERROR(co_await c.iam.AddUser(c.ctx, access_key, secret_key, enabled));
  if (!policies.empty()) {
    const std::vector<std::string> names = SplitNames(policies);
    CO_RETURN_IF_ERROR(co_await c.iam.SetPolicies(c.ctx, access_key, false, names));
  }
  co_return Ok();
}

Task<Result<IamReply>> RemoveUser(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string access_key, Param(c, "accessKey"));
  if (access_key == c.caller.access_key() || access_key == c.caller.user()) {
    co_return Status(Errc::kInvalidArgument, "a user cannot remove itself");
  }
  CO_RETURN_IF_ERROR(co_await c.iam.RemoveUser(c.ctx, access_key));
  co_return Ok();
}

Task<Result<IamReply>> ListUsers(Call& c) {
  Json out = Json::object();
  for (const iam::UserInfo& u : c.iam.ListUsers()) {
    out[u.access_key] = UserJson(u);
  }
  co_return Ok(std::move(out));
}

Task<Result<IamReply>> UserInfo(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string access_key, Param(c, "accessKey"));
  CO_RETURN_IF_ERROR(CheckSelf(c, access_key == c.caller.access_key()));
  CO_ASSIGN_OR_RETURN(iam::UserInfo u, c.iam.GetUser(access_key));
  co_return Ok(UserJson(u));
}

Task<Result<IamReply>> SetUserStatus(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string access_key, Param(c, "accessKey"));
  CO_ASSIGN_OR_RETURN(bool enabled, StatusParam(c));
  if (access_key == c.caller.access_key() || access_key == c.caller.user()) {
    co_return Status(Errc::kInvalidArgument, "a user cannot enable or disable itself");
  }
  CO_RETURN_IF_ERROR(co_await c.iam.SetUserEnabled(c.ctx, access_key, enabled));
  co_return Ok();
}

// --- Policies ---

Task<Result<IamReply>> AddPolicy(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string name, Param(c, "name"));
  if (c.body.empty()) {
    co_return Status(Errc::kInvalidArgument, "the body must be the policy document (JSON)");
  }
  CO_RETURN_IF_ERROR(co_await c.iam.AddPolicy(c.ctx, name, c.body));
  co_return Ok();
}

Task<Result<IamReply>> RemovePolicy(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string name, Param(c, "name"));
  CO_RETURN_IF_ERROR(co_await c.iam.RemovePolicy(c.ctx, name));
  co_return Ok();
}

Task<Result<IamReply>> ListPolicies(Call& c) {
  Json out = Json::object();
  for (const iam::PolicyInfo& p : c.iam.ListPolicies()) {
    out[p.name] = PolicyDocumentJson(p.document);
  }
  co_return Ok(std::move(out));
}

Task<Result<IamReply>> PolicyInfo(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string name, Param(c, "name"));
  const std::string_view version = c.q.Get("v").value_or("");
  if (!version.empty() && version != "2") {
    co_return Status(Errc::kInvalidArgument, fmt::format("v={}: expected 2 or nothing", version));
  }
  CO_ASSIGN_OR_RETURN(iam::PolicyInfo p, c.iam.GetPolicy(name));
  co_return Ok(version == "2" ? PolicyInfoJson(p) : PolicyDocumentJson(p.document));
}

// idp/builtin/policy/attach and detach: {"policies": [...], "user": U} or {"group": G}.
Task<Result<IamReply>> AttachDetach(Call& c) {
  const bool attach = c.route.op.ends_with("/attach");
  CO_ASSIGN_OR_RETURN(Json j, JsonBody(c));
  CO_ASSIGN_OR_RETURN(std::vector<std::string> policies, StringListField(j, "policies"));
  CO_ASSIGN_OR_RETURN(std::string user, StringField(j, "user"));
  CO_ASSIGN_OR_RETURN(std::string group, StringField(j, "group"));
  if (policies.empty() || user.empty() == group.empty()) {
    co_return Status(Errc::kInvalidArgument,
                     "the body needs \"policies\" and one of \"user\" or \"group\"");
  }
  const bool is_group = !group.empty();
  const std::string& target = is_group ? group : user;
  if (attach) {
    CO_RETURN_IF_ERROR(co_await c.iam.AttachPolicies(c.ctx, target, is_group, policies));
  } else {
    CO_RETURN_IF_ERROR(co_await c.iam.DetachPolicies(c.ctx, target, is_group, policies));
  }
  std::int64_t updated_ns = 0;
  if (is_group) {
    auto g = c.iam.GetGroup(group);
    updated_ns = g.ok() ? g->updated_ns : 0;
  } else {
    auto u = c.iam.GetUser(user);
    updated_ns = u.ok() ? u->updated_ns : 0;
  }
  Json out = {{attach ? "policiesAttached" : "policiesDetached", policies}};
  if (updated_ns > 0) {
    out["updatedAt"] = FormatRfc3339(updated_ns);
  }
  co_return Ok(std::move(out));
}

Task<Result<IamReply>> SetUserOrGroupPolicy(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string target, Param(c, "userOrGroup"));
  const std::string_view is_group = c.q.Get("isGroup").value_or("false");
  if (is_group != "true" && is_group != "false") {
    co_return Status(Errc::kInvalidArgument, "isGroup: expected true or false");
  }
  const std::vector<std::string> names = SplitNames(c.q.Get("policyName").value_or(""));
  CO_RETURN_IF_ERROR(co_await c.iam.SetPolicies(c.ctx, target, is_group == "true", names));
  co_return Ok();
}

// --- Groups ---

Task<Result<IamReply>> UpdateGroupMembers(Call& c) {
  CO_ASSIGN_OR_RETURN(Json j, JsonBody(c));
  CO_ASSIGN_OR_RETURN(std::string group, StringField(j, "group"));
  CO_ASSIGN_OR_RETURN(std::vector<std::string> members, StringListField(j, "members"));
  auto remove = j.find("isRemove");
  if (remove != j.end() && !remove->is_boolean() && !remove->is_null()) {
    co_return Status(Errc::kInvalidArgument, "the field isRemove must be true or false");
  }
  const bool is_remove = remove != j.end() && remove->is_boolean() && remove->get<bool>();
  if (group.empty()) {
    co_return Status(Errc::kInvalidArgument, "the field group is required");
  }
  if (!is_remove && members.empty()) {
    co_return Status(Errc::kInvalidArgument, "adding to a group needs members");
  }
  CO_RETURN_IF_ERROR(co_await c.iam.UpdateGroupMembers(c.ctx, group, members, is_remove));
  co_return Ok();
}

Task<Result<IamReply>> ListGroups(Call& c) {
  co_return Ok(Json(c.iam.ListGroups()));
}

Task<Result<IamReply>> GroupInfo(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string group, Param(c, "group"));
  CO_ASSIGN_OR_RETURN(iam::GroupInfo g, c.iam.GetGroup(group));
  co_return Ok(GroupJson(g));
}

Task<Result<IamReply>> SetGroupStatus(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string group, Param(c, "group"));
  CO_ASSIGN_OR_RETURN(bool enabled, StatusParam(c));
  CO_RETURN_IF_ERROR(co_await c.iam.SetGroupEnabled(c.ctx, group, enabled));
  co_return Ok();
}

// --- Service accounts ---

// The parent's policies as one document (MinIO shows them as an implied policy): the
// statements of the user's own policies and its groups'. "" when the parent is not a user.
std::string ImpliedPolicy(const iam::Iam& iam, const std::string& parent) {
  Result<iam::UserInfo> user = iam.GetUser(parent);
  if (!user.ok()) {
    return "";
  }
  std::vector<std::string> names = user->policies;
  for (const std::string& group : user->groups) {
    Result<iam::GroupInfo> g = iam.GetGroup(group);
    if (g.ok() && g->enabled) {
      names.insert(names.end(), g->policies.begin(), g->policies.end());
    }
  }
  Json statements = Json::array();
  for (const std::string& name : names) {
    Result<iam::PolicyInfo> p = iam.GetPolicy(name);
    Json doc = p.ok() ? Json::parse(p->document, nullptr, false) : Json();
    if (!doc.is_object() || !doc.contains("Statement")) {
      continue;
    }
    const Json& s = doc["Statement"];
    if (s.is_array()) {
      statements.insert(statements.end(), s.begin(), s.end());
    } else {
      statements.push_back(s);
    }
  }
  return Json{{"Version", "2012-10-17"}, {"Statement", std::move(statements)}}.dump();
}

Task<Result<IamReply>> AddServiceAccount(Call& c) {
  CO_ASSIGN_OR_RETURN(Json j, JsonBody(c));
  iam::NewServiceAccount req;
  CO_ASSIGN_OR_RETURN(req.parent_user, StringField(j, "targetUser"));
  if (req.parent_user.empty()) {
    req.parent_user = c.caller.user();
  }
  CO_RETURN_IF_ERROR(CheckSelf(c, req.parent_user == c.caller.user()));
  CO_ASSIGN_OR_RETURN(req.access_key, StringField(j, "accessKey"));
  CO_ASSIGN_OR_RETURN(req.secret_key, StringField(j, "secretKey"));
  CO_ASSIGN_OR_RETURN(req.name, StringField(j, "name"));
  CO_ASSIGN_OR_RETURN(req.description, StringField(j, "description"));
  CO_ASSIGN_OR_RETURN(req.session_policy, PolicyField(j, "policy"));
  CO_ASSIGN_OR_RETURN(std::optional<std::int64_t> expires, TimeField(j, "expiration"));
  req.expires_ns = expires.value_or(0);
  CO_ASSIGN_OR_RETURN(iam::Credentials creds, co_await c.iam.AddServiceAccount(c.ctx, req));
  Json out = {{"accessKey", creds.access_key}, {"secretKey", creds.secret_key}};
  if (creds.expires_ns > 0) {
    out["expiration"] = FormatRfc3339(creds.expires_ns);
  }
  co_return Ok(Json{{"credentials", std::move(out)}});
}

// The service account named by ?accessKey=, once the caller may act on it. A caller that
// may not learns only that there is no such account (MinIO's answer, against probing).
Result<iam::ServiceAccountInfo> OwnedServiceAccount(const Call& c) {
  ASSIGN_OR_RETURN(std::string access_key, Param(c, "accessKey"));
  ASSIGN_OR_RETURN(iam::ServiceAccountInfo sa, c.iam.GetServiceAccount(access_key));
  if (!CheckSelf(c, sa.parent_user == c.caller.user()).ok()) {
    return Status(Errc::kIamNoSuchServiceAccount, "no such service account: " + access_key);
  }
  return sa;
}

Task<Result<IamReply>> UpdateServiceAccount(Call& c) {
  CO_ASSIGN_OR_RETURN(iam::ServiceAccountInfo sa, OwnedServiceAccount(c));
  CO_ASSIGN_OR_RETURN(Json j, JsonBody(c));
  iam::ServiceAccountUpdate update;
  CO_ASSIGN_OR_RETURN(std::string secret_key, StringField(j, "newSecretKey"));
  CO_ASSIGN_OR_RETURN(std::string status, StringField(j, "newStatus"));
  if (j.contains("newName") && !j["newName"].is_null()) {
    CO_ASSIGN_OR_RETURN(update.name, StringField(j, "newName"));
  }
  if (j.contains("newDescription") && !j["newDescription"].is_null()) {
    CO_ASSIGN_OR_RETURN(update.description, StringField(j, "newDescription"));
  }
  CO_ASSIGN_OR_RETURN(std::optional<std::int64_t> expires, TimeField(j, "newExpiration"));
  update.expires_ns = expires;
  if (!secret_key.empty()) {
    update.secret_key = secret_key;
  }
  if (status == "on" || status == "enabled") {
    update.enabled = true;
  } else if (status == "off" || status == "disabled") {
    update.enabled = false;
  } else if (!status.empty()) {
    co_return Status(Errc::kInvalidArgument, "newStatus: expected on or off");
  }
  auto policy = j.find("newPolicy");
  if (policy != j.end() && !policy->is_null()) {
    // An empty document ({}) removes the session policy.
    const bool empty = policy->is_object() && policy->empty();
    CO_ASSIGN_OR_RETURN(std::string text, PolicyField(j, "newPolicy"));
    update.session_policy = empty ? std::string() : std::move(text);
  }
  CO_RETURN_IF_ERROR(co_await c.iam.UpdateServiceAccount(c.ctx, sa.access_key, update));
  co_return NoContent();
}

Task<Result<IamReply>> ServiceAccountInfo(Call& c) {
  CO_ASSIGN_OR_RETURN(iam::ServiceAccountInfo sa, OwnedServiceAccount(c));
  const std::string implied = sa.session_policy.empty() ? ImpliedPolicy(c.iam, sa.parent_user) : "";
  co_return Ok(ServiceAccountInfoJson(sa, implied));
}

Task<Result<IamReply>> ListServiceAccounts(Call& c) {
  std::string user(c.q.Get("user").value_or(""));
  if (user.empty()) {
    user = c.caller.user();
  }
  CO_RETURN_IF_ERROR(CheckSelf(c, user == c.caller.user()));
  Json accounts = Json::array();
  for (const iam::ServiceAccountInfo& sa : c.iam.ListServiceAccounts(user)) {
    accounts.push_back(ServiceAccountJson(sa));
  }
  co_return Ok(Json{{"accounts", std::move(accounts)}});
}

Task<Result<IamReply>> DeleteServiceAccount(Call& c) {
  CO_ASSIGN_OR_RETURN(iam::ServiceAccountInfo sa, OwnedServiceAccount(c));
  CO_RETURN_IF_ERROR(co_await c.iam.RemoveServiceAccount(c.ctx, sa.access_key));
  co_return NoContent();
}

using Handler = Task<Result<IamReply>> (*)(Call&);

struct HandlerEntry {
  std::string_view op;
  Handler handler;
};

constexpr std::array kHandlers = {
    HandlerEntry{"add-user", AddUser},
    HandlerEntry{"remove-user", RemoveUser},
    HandlerEntry{"list-users", ListUsers},
    HandlerEntry{"user-info", UserInfo},
    HandlerEntry{"set-user-status", SetUserStatus},
    HandlerEntry{"add-canned-policy", AddPolicy},
    HandlerEntry{"remove-canned-policy", RemovePolicy},
    HandlerEntry{"list-canned-policies", ListPolicies},
    HandlerEntry{"info-canned-policy", PolicyInfo},
    HandlerEntry{"idp/builtin/policy/attach", AttachDetach},
    HandlerEntry{"idp/builtin/policy/detach", AttachDetach},
    HandlerEntry{"set-user-or-group-policy", SetUserOrGroupPolicy},
    HandlerEntry{"update-group-members", UpdateGroupMembers},
    HandlerEntry{"groups", ListGroups},
    HandlerEntry{"group", GroupInfo},
    HandlerEntry{"set-group-status", SetGroupStatus},
    HandlerEntry{"add-service-account", AddServiceAccount},
    HandlerEntry{"update-service-account", UpdateServiceAccount},
    HandlerEntry{"info-service-account", ServiceAccountInfo},
    HandlerEntry{"list-service-accounts", ListServiceAccounts},
    HandlerEntry{"delete-service-account", DeleteServiceAccount},
};

}  // namespace

Task<Result<IamReply>> ServeIam(const AdminRoute& route, const QueryParams& q,
                                std::string_view body, iam::Iam& iam, const AdminCaller& caller) {
  for (const HandlerEntry& e : kHandlers) {
    if (e.op == route.op) {
      Call call{route, q, body, iam, caller, RequestContext::Background("admin-iam")};
      call.ctx.access_key = caller.access_key();
      co_return co_await e.handler(call);
    }
  }
  co_return Status(Errc::kNotFound, fmt::format("no such admin API: {}", route.op));
}

}  // namespace cairn::admin
