// The IAM query API (README, "IAM API"): the action table, the authorization of each action
// (the root user may do everything; another identity needs the action's MinIO admin:
// actions), the envelope; and the user and access key actions. Users are iam::Iam users
// whose access key is the user name and whose secret nobody knows; access keys are service
// accounts of the user.
#include <algorithm>
#include <array>

#include "common/text.h"
#include "crypto/keys.h"
#include "s3/handlers/handlers.h"
#include "s3/handlers/iam_query_actions.h"

namespace cairn::s3 {
namespace iam_query {
namespace {

struct Action {
  std::string_view name;
  ActionFn fn;
  // The admin: actions a non-root identity needs (every one of them); "" ends the list.
  std::array<std::string_view, 2> needs;
};

constexpr Action kActions[] = {
    {"CreateUser", &CreateUser, {"admin:CreateUser", ""}},
    {"GetUser", &GetUser, {"admin:GetUser", ""}},
    {"ListUsers", &ListUsers, {"admin:ListUsers", ""}},
    {"DeleteUser", &DeleteUser, {"admin:DeleteUser", ""}},
    // An access key is a service account of the user in cairn's store.
    {"CreateAccessKey", &CreateAccessKey, {"admin:CreateServiceAccount", ""}},
    {"ListAccessKeys", &ListAccessKeys, {"admin:ListServiceAccounts", ""}},
    {"DeleteAccessKey", &DeleteAccessKey, {"admin:RemoveServiceAccount", ""}},
    {"UpdateAccessKey", &UpdateAccessKey, {"admin:UpdateServiceAccount", ""}},
    {"CreatePolicy", &CreatePolicy, {"admin:CreatePolicy", ""}},
    {"GetPolicy", &GetPolicy, {"admin:GetPolicy", ""}},
    {"GetPolicyVersion", &GetPolicyVersion, {"admin:GetPolicy", ""}},
    {"ListPolicies", &ListPolicies, {"admin:ListUserPolicies", ""}},
    {"DeletePolicy", &DeletePolicy, {"admin:DeletePolicy", ""}},
    {"AttachUserPolicy", &AttachUserPolicy, {"admin:AttachUserOrGroupPolicy", ""}},
    {"DetachUserPolicy", &DetachUserPolicy, {"admin:AttachUserOrGroupPolicy", ""}},
    {"AttachGroupPolicy", &AttachGroupPolicy, {"admin:AttachUserOrGroupPolicy", ""}},
    {"DetachGroupPolicy", &DetachGroupPolicy, {"admin:AttachUserOrGroupPolicy", ""}},
    {"ListAttachedUserPolicies", &ListAttachedUserPolicies, {"admin:GetUser", ""}},
    {"ListAttachedGroupPolicies", &ListAttachedGroupPolicies, {"admin:GetGroup", ""}},
    // An inline policy is a named policy attached to its user or group.
    {"PutUserPolicy", &PutUserPolicy, {"admin:CreatePolicy", "admin:AttachUserOrGroupPolicy"}},
    {"GetUserPolicy", &GetUserPolicy, {"admin:GetPolicy", ""}},
    {"DeleteUserPolicy",
     &DeleteUserPolicy,
     {"admin:DeletePolicy", "admin:AttachUserOrGroupPolicy"}},
    {"ListUserPolicies", &ListUserPolicies, {"admin:GetUser", ""}},
    {"PutGroupPolicy", &PutGroupPolicy, {"admin:CreatePolicy", "admin:AttachUserOrGroupPolicy"}},
    {"GetGroupPolicy", &GetGroupPolicy, {"admin:GetPolicy", ""}},
    {"DeleteGroupPolicy",
     &DeleteGroupPolicy,
     {"admin:DeletePolicy", "admin:AttachUserOrGroupPolicy"}},
    {"ListGroupPolicies", &ListGroupPolicies, {"admin:GetGroup", ""}},
    // cairn's groups come into being with their first member (MinIO's admin actions).
    {"CreateGroup", &CreateGroup, {"admin:AddUserToGroup", ""}},
    {"GetGroup", &GetGroup, {"admin:GetGroup", ""}},
    {"ListGroups", &ListGroups, {"admin:ListGroups", ""}},
    {"DeleteGroup", &DeleteGroup, {"admin:RemoveUserFromGroup", ""}},
    {"AddUserToGroup", &AddUserToGroup, {"admin:AddUserToGroup", ""}},
    {"RemoveUserFromGroup", &RemoveUserFromGroup, {"admin:RemoveUserFromGroup", ""}},
    {"ListGroupsForUser", &ListGroupsForUser, {"admin:ListGroups", ""}},
};

// IAM actions cairn knows and does not serve: NotImplemented rather than InvalidAction.
constexpr std::string_view kNotServed[] = {
    "TagUser",
    "UntagUser",
    "ListUserTags",
    "UpdateUser",
    "UpdateGroup",
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "ListPolicyVersions",
    "SetDefaultPolicyVersion",
    "CreateLoginProfile",
    "GetLoginProfile",
    "UpdateLoginProfile",
    "DeleteLoginProfile",
    "CreateRole",
    "GetRole",
    "ListRoles",
    "DeleteRole",
    "TagPolicy",
    "GetAccessKeyLastUsed",
};

// Parameters whose effect cairn cannot give (tags, paths other than "/", permissions
// boundaries): refused rather than dropped without a word.
Status RefuseUnservedParameters(const QueryParams& form) {
  for (const auto& p : form.all()) {
    const bool path = (p.key == "Path" || p.key == "PathPrefix") && p.value != "/";
    if (path || p.key.starts_with("Tags.") || p.key == "PermissionsBoundary") {
      return Status(Errc::kNotImplemented,
                    StrCat("cairn does not implement the parameter ", p.key,
                           " (no tags, no permissions boundaries, every entity at path /)."));
    }
  }
  return Status::Ok();
}

bool Allowed(const S3Request& req, std::string_view action) {
  const iam::Identity* id = req.identity.get();
  if (id == nullptr) {
    return false;
  }
  if (id->root_power && !id->session_policy) {
    return true;
  }
  policy::ConditionValues conditions;
  iam::AddIdentityConditions(id, conditions);
  iam::AccessRequest ar;
  ar.identity = id;
  ar.action = action;
  ar.resource = "";
  ar.conditions = &conditions;
  return iam::Authorize(ar);
}

Status CheckAllowed(const S3Request& req, const Action& action) {
  for (std::string_view need : action.needs) {
    if (!need.empty() && !Allowed(req, need)) {
      return Status(Errc::kAccessDenied, StrCat("User: ", IamUserArn(req.auth.access_key),
                                                " is not authorized to perform: iam:", action.name,
                                                " (cairn: ", need, ")"));
    }
  }
  return Status::Ok();
}

std::string RandomSecret() {
  const crypto::Key a = crypto::RandomKey();
  return HexEncode(std::string_view(reinterpret_cast<const char*>(a.data()), a.size()))
      .substr(0, 40);
}

void WriteAccessKey(IamXml& out, std::string_view element, const iam::ServiceAccountInfo& sa) {
  out.Open(element)
      .Element("UserName", sa.parent_user)
      .Element("AccessKeyId", sa.access_key)
      .Element("Status", sa.enabled ? "Active" : "Inactive")
      .Close();
}

// The service account `key` of `user` (UserName may be absent: the caller's). Errors:
// kIamNoSuchServiceAccount (NoSuchEntity), also for another user's key.
Result<iam::ServiceAccountInfo> KeyOf(const Call& c, std::string_view key) {
  auto sa = c.iam.GetServiceAccount(key);
  if (!sa.ok() || sa->parent_user != TargetUser(c)) {
    return Status(Errc::kIamNoSuchServiceAccount,
                  StrCat("The Access Key with id ", key, " cannot be found."));
  }
  return sa;
}

}  // namespace

std::string TargetUser(const Call& c) {
  if (auto name = c.form.Get("UserName"); name && !name->empty()) {
    return std::string(*name);
  }
  const iam::Identity* id = c.req.identity.get();
  return id != nullptr && id->kind != iam::IdentityKind::kRoot ? id->parent_user
                                                               : c.req.auth.access_key;
}

void WriteUser(IamXml& out, std::string_view element, const iam::UserInfo& user) {
  out.Open(element)
      .Element("Path", "/")
      .Element("UserName", user.access_key)
      .Element("UserId", IamEntityId("AIDA", user.access_key))
      .Element("Arn", IamUserArn(user.access_key))
      .Element("CreateDate", IamDate(user.updated_ns))
      .Close();
}

void WriteGroup(IamXml& out, std::string_view element, std::string_view group,
                std::int64_t created_ns) {
  out.Open(element)
      .Element("Path", "/")
      .Element("GroupName", group)
      .Element("GroupId", IamEntityId("AGPA", group))
      .Element("Arn", IamGroupArn(group))
      .Element("CreateDate", IamDate(created_ns))
      .Close();
}

Task<Status> CreateUser(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string name, RequiredParam(c.form, "UserName"));
  if (c.iam.Find(name) != nullptr || name == c.req.auth.access_key) {
    co_return Status(Errc::kIamKeyExists, StrCat("User with name ", name, " already exists."));
  }
  // An IAM user has no key until CreateAccessKey: its own key pair (the name and a secret
  // nobody learns) is never handed out.
  const std::string secret = RandomSecret();
  CO_RETURN_IF_ERROR(co_await c.iam.AddUser(c.req.ctx, name, secret, true));
  CO_ASSIGN_OR_RETURN(iam::UserInfo user, c.iam.GetUser(name));
  WriteUser(c.out, "User", user);
  co_return Status::Ok();
}

Task<Status> GetUser(Call& c) {
  const std::string name = TargetUser(c);
  const iam::Identity* id = c.req.identity.get();
  if (!c.form.Has("UserName") && id != nullptr && id->kind == iam::IdentityKind::kRoot) {
    c.out.Open("User")
        .Element("Path", "/")
        .Element("UserName", name)
        .Element("UserId", kIamAccountId)
        .Element("Arn", StrCat("arn:aws:iam::", kIamAccountId, ":root"))
        .Element("CreateDate", IamDate(0))
        .Close();
    co_return Status::Ok();
  }
  CO_ASSIGN_OR_RETURN(iam::UserInfo user, c.iam.GetUser(name));
  WriteUser(c.out, "User", user);
  co_return Status::Ok();
}

Task<Status> ListUsers(Call& c) {
  std::vector<iam::UserInfo> users = c.iam.ListUsers();
  std::sort(users.begin(), users.end(),
            [](const auto& a, const auto& b) { return a.access_key < b.access_key; });
  CO_ASSIGN_OR_RETURN(IamPage page, PageOf(c.form, users.size()));
  c.out.Open("Users");
  for (std::size_t i = page.begin; i < page.end; ++i) {
    WriteUser(c.out, "member", users[i]);
  }
  c.out.Close().Paging(page);
  co_return Status::Ok();
}

// IAM refuses to delete a user that still has access keys, policies or groups
// (DeleteConflict); so does cairn, although its store could remove them all.
Task<Status> DeleteUser(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string name, RequiredParam(c.form, "UserName"));
  CO_ASSIGN_OR_RETURN(iam::UserInfo user, c.iam.GetUser(name));
  std::string_view what;
  if (!c.iam.ListServiceAccounts(name).empty()) {
    what = "access keys";
  } else if (!user.policies.empty()) {
    what = "policies";
  } else if (!user.groups.empty()) {
    what = "groups";
  }
  if (!what.empty()) {
    co_return Status(Errc::kIamPolicyInUse,
                     StrCat("Cannot delete entity, must remove ", what, " first."));
  }
  co_return co_await c.iam.RemoveUser(c.req.ctx, name);
}

Task<Status> CreateAccessKey(Call& c) {
  iam::NewServiceAccount request;
  request.parent_user = TargetUser(c);  // the root's own key when root names no user
  CO_ASSIGN_OR_RETURN(iam::Credentials creds, co_await c.iam.AddServiceAccount(c.req.ctx, request));
  c.out.Open("AccessKey")
      .Element("UserName", TargetUser(c))
      .Element("AccessKeyId", creds.access_key)
      .Element("Status", "Active")
      .Element("SecretAccessKey", creds.secret_key)
      .Close();
  co_return Status::Ok();
}

Task<Status> ListAccessKeys(Call& c) {
  const std::string user = TargetUser(c);
  std::vector<iam::ServiceAccountInfo> keys = c.iam.ListServiceAccounts(user);
  std::sort(keys.begin(), keys.end(),
            [](const auto& a, const auto& b) { return a.access_key < b.access_key; });
  CO_ASSIGN_OR_RETURN(IamPage page, PageOf(c.form, keys.size()));
  c.out.Open("AccessKeyMetadata");
  for (std::size_t i = page.begin; i < page.end; ++i) {
    WriteAccessKey(c.out, "member", keys[i]);
  }
  c.out.Close().Paging(page);
  co_return Status::Ok();
}

Task<Status> DeleteAccessKey(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string key, RequiredParam(c.form, "AccessKeyId"));
  CO_RETURN_IF_ERROR(KeyOf(c, key).status());
  co_return co_await c.iam.RemoveServiceAccount(c.req.ctx, key);
}

Task<Status> UpdateAccessKey(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string key, RequiredParam(c.form, "AccessKeyId"));
  CO_ASSIGN_OR_RETURN(std::string status, RequiredParam(c.form, "Status"));
  if (status != "Active" && status != "Inactive") {
    co_return Status(Errc::kInvalidArgument, "Status must be Active or Inactive.");
  }
  CO_RETURN_IF_ERROR(KeyOf(c, key).status());
  iam::ServiceAccountUpdate update;
  update.enabled = status == "Active";
  co_return co_await c.iam.UpdateServiceAccount(c.req.ctx, key, update);
}

}  // namespace iam_query

Task<Status> IamAction(S3Request& req) {
  if (req.opts.iam == nullptr) {
    co_return Status(Errc::kNotImplemented, "This server has no identity store.");
  }
  CO_ASSIGN_OR_RETURN(QueryParams form, ParseIamForm(req.form_body));
  const std::string action(*form.Get("Action"));
  if (auto version = form.Get("Version"); version && *version != kIamVersion) {
    co_return Status(Errc::kInvalidArgument,
                     StrCat("Version ", *version, " is not ", kIamVersion, "."));
  }
  const iam_query::Action* found = nullptr;
  for (const auto& a : iam_query::kActions) {
    if (a.name == action) {
      found = &a;
    }
  }
  if (found == nullptr) {
    for (std::string_view name : iam_query::kNotServed) {
      if (name == action) {
        co_return Status(Errc::kNotImplemented, StrCat("cairn does not implement ", action, "."));
      }
    }
    co_return Status(Errc::kNotFound, StrCat("Could not find operation ", action, "."));
  }
  CO_RETURN_IF_ERROR(iam_query::CheckAllowed(req, *found));
  CO_RETURN_IF_ERROR(iam_query::RefuseUnservedParameters(form));
  IamXml result;
  iam_query::Call call{req, *req.opts.iam, form, result};
  CO_RETURN_IF_ERROR(co_await found->fn(call));
  std::string body = IamResponse(action, result.str(), req.ctx.request_id);
  http::Headers headers = OneHeader("content-type", "text/xml");
  co_return co_await req.ex.Respond(200, std::move(headers), body);
}

}  // namespace cairn::s3
