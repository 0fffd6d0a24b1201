// The IAM query API's managed policies (iam::Iam named policies, one version "v1", ARNs of
// account kIamAccountId), inline policies (named policies "<user>.inline.<name>" /
// "<group>.group-inline.<name>" attached to their owner) and groups.
#include <algorithm>
#include <map>

#include "common/text.h"
#include "s3/handlers/iam_query_actions.h"

namespace cairn::s3::iam_query {
namespace {

// How many users and groups each policy is attached to.
std::map<std::string, std::int64_t, std::less<>> AttachmentCounts(const iam::Iam& iam) {
  std::map<std::string, std::int64_t, std::less<>> out;
  for (const auto& u : iam.ListUsers()) {
    for (const auto& p : u.policies) {
      ++out[p];
    }
  }
  for (const auto& g : iam.ListGroups()) {
    if (auto info = iam.GetGroup(g); info.ok()) {
      for (const auto& p : info->policies) {
        ++out[p];
      }
    }
  }
  return out;
}

void WritePolicy(IamXml& out, std::string_view element, const iam::PolicyInfo& p,
                 std::int64_t attachments) {
  out.Open(element)
      .Element("PolicyName", p.name)
      .Element("PolicyId", IamEntityId("ANPA", p.name))
      .Element("Arn", IamPolicyArn(p.name))
      .Element("Path", "/")
      .Element("DefaultVersionId", "v1")
      .Element("AttachmentCount", attachments)
      .Element("PermissionsBoundaryUsageCount", std::int64_t{0})
      .Bool("IsAttachable", true)
      .Element("CreateDate", IamDate(p.created_ns))
      .Element("UpdateDate", IamDate(p.updated_ns))
      .Close();
}

// The document checks CreatePolicy and Put*Policy share. Errors: kEntityTooLarge
// (LimitExceeded).
Result<std::string> PolicyDocumentParam(const QueryParams& form) {
  ASSIGN_OR_RETURN(std::string doc, RequiredParam(form, "PolicyDocument"));
  if (doc.size() > kMaxIamPolicySize) {
    return Status(Errc::kEntityTooLarge, StrCat("Cannot exceed quota for PolicySize: ",
                                                std::to_string(kMaxIamPolicySize)));
  }
  return doc;
}

// The policies attached to a user or a group.
Result<std::vector<std::string>> AttachedTo(const iam::Iam& iam, std::string_view owner,
                                            bool group) {
  if (group) {
    ASSIGN_OR_RETURN(iam::GroupInfo info, iam.GetGroup(owner));
    return std::move(info.policies);
  }
  ASSIGN_OR_RETURN(iam::UserInfo info, iam.GetUser(owner));
  return std::move(info.policies);
}

std::string_view OwnerParam(bool group) {
  return group ? "GroupName" : "UserName";
}

Task<Status> ChangeAttachment(Call& c, bool group, bool attach) {
  CO_ASSIGN_OR_RETURN(std::string owner, RequiredParam(c.form, OwnerParam(group)));
  CO_ASSIGN_OR_RETURN(std::string arn, RequiredParam(c.form, "PolicyArn"));
  CO_ASSIGN_OR_RETURN(std::string name, PolicyNameFromArn(arn));
  if (IsInlinePolicyName(name)) {
    co_return Status(Errc::kIamNoSuchPolicy, StrCat("Policy ", arn, " does not exist."));
  }
  CO_ASSIGN_OR_RETURN(std::vector<std::string> attached, AttachedTo(c.iam, owner, group));
  std::vector<std::string> names;
  names.push_back(name);
  if (attach) {
    co_return co_await c.iam.AttachPolicies(c.req.ctx, owner, group, names);
  }
  if (std::find(attached.begin(), attached.end(), name) == attached.end()) {
    co_return Status(Errc::kIamNoSuchPolicy, StrCat("Policy ", arn, " was not found."));
  }
  co_return co_await c.iam.DetachPolicies(c.req.ctx, owner, group, names);
}

Status ListAttached(Call& c, bool group) {
  ASSIGN_OR_RETURN(std::string owner, RequiredParam(c.form, OwnerParam(group)));
  ASSIGN_OR_RETURN(std::vector<std::string> attached, AttachedTo(c.iam, owner, group));
  std::erase_if(attached, [](const std::string& p) { return IsInlinePolicyName(p); });
  std::sort(attached.begin(), attached.end());
  ASSIGN_OR_RETURN(IamPage page, PageOf(c.form, attached.size()));
  c.out.Open("AttachedPolicies");
  for (std::size_t i = page.begin; i < page.end; ++i) {
    c.out.Open("member")
        .Element("PolicyName", attached[i])
        .Element("PolicyArn", IamPolicyArn(attached[i]))
        .Close();
  }
  c.out.Close().Paging(page);
  return Status::Ok();
}

// The stored name of the inline policy the request names, after checking that its owner
// exists and, with `must_exist`, that the policy is attached to it.
Result<std::string> InlineTarget(Call& c, bool group, bool must_exist) {
  ASSIGN_OR_RETURN(std::string owner, RequiredParam(c.form, OwnerParam(group)));
  ASSIGN_OR_RETURN(std::string name, RequiredParam(c.form, "PolicyName"));
  ASSIGN_OR_RETURN(std::vector<std::string> attached, AttachedTo(c.iam, owner, group));
  std::string stored = InlinePolicyName(owner, group, name);
  if (must_exist && std::find(attached.begin(), attached.end(), stored) == attached.end()) {
    return Status(Errc::kIamNoSuchPolicy, StrCat("The ", group ? "group" : "user",
                                                 " policy with name ", name, " cannot be found."));
  }
  return stored;
}

Task<Status> PutInline(Call& c, bool group) {
  CO_ASSIGN_OR_RETURN(std::string stored, InlineTarget(c, group, false));
  CO_ASSIGN_OR_RETURN(std::string doc, PolicyDocumentParam(c.form));
  CO_RETURN_IF_ERROR(co_await c.iam.AddPolicy(c.req.ctx, stored, doc));
  const std::string owner(*c.form.Get(OwnerParam(group)));
  std::vector<std::string> names;
  names.push_back(stored);
  co_return co_await c.iam.AttachPolicies(c.req.ctx, owner, group, names);
}

Status GetInline(Call& c, bool group) {
  ASSIGN_OR_RETURN(std::string stored, InlineTarget(c, group, true));
  ASSIGN_OR_RETURN(iam::PolicyInfo info, c.iam.GetPolicy(stored));
  c.out.Element(OwnerParam(group), *c.form.Get(OwnerParam(group)))
      .Element("PolicyName", *c.form.Get("PolicyName"))
      .Element("PolicyDocument", UriEncode(info.document, false));
  return Status::Ok();
}

Task<Status> DeleteInline(Call& c, bool group) {
  CO_ASSIGN_OR_RETURN(std::string stored, InlineTarget(c, group, true));
  const std::string owner(*c.form.Get(OwnerParam(group)));
  std::vector<std::string> names;
  names.push_back(stored);
  CO_RETURN_IF_ERROR(co_await c.iam.DetachPolicies(c.req.ctx, owner, group, names));
  co_return co_await c.iam.RemovePolicy(c.req.ctx, stored);
}

Status ListInline(Call& c, bool group) {
  ASSIGN_OR_RETURN(std::string owner, RequiredParam(c.form, OwnerParam(group)));
  ASSIGN_OR_RETURN(std::vector<std::string> attached, AttachedTo(c.iam, owner, group));
  std::vector<std::string> names;
  for (const auto& p : attached) {
    if (auto name = InlinePolicyOf(p, owner, group)) {
      names.push_back(std::move(*name));
    }
  }
  std::sort(names.begin(), names.end());
  ASSIGN_OR_RETURN(IamPage page, PageOf(c.form, names.size()));
  c.out.Open("PolicyNames");
  for (std::size_t i = page.begin; i < page.end; ++i) {
    c.out.Element("member", names[i]);
  }
  c.out.Close().Paging(page);
  return Status::Ok();
}

}  // namespace

Task<Status> CreatePolicy(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string name, RequiredParam(c.form, "PolicyName"));
  CO_ASSIGN_OR_RETURN(std::string doc, PolicyDocumentParam(c.form));
  if (IsInlinePolicyName(name)) {
    co_return Status(Errc::kInvalidArgument,
                     StrCat("Policy names containing '", kUserInlineMarker, "' or '",
                            kGroupInlineMarker, "' are cairn's inline policies."));
  }
  if (c.iam.GetPolicy(name).ok()) {
    co_return Status(
        Errc::kIamKeyExists,
        StrCat("A policy called ", name, " already exists. Duplicate names are not allowed."));
  }
  CO_RETURN_IF_ERROR(co_await c.iam.AddPolicy(c.req.ctx, name, doc));
  CO_ASSIGN_OR_RETURN(iam::PolicyInfo info, c.iam.GetPolicy(name));
  WritePolicy(c.out, "Policy", info, 0);
  co_return Status::Ok();
}

Task<Status> GetPolicy(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string arn, RequiredParam(c.form, "PolicyArn"));
  CO_ASSIGN_OR_RETURN(std::string name, PolicyNameFromArn(arn));
  CO_ASSIGN_OR_RETURN(iam::PolicyInfo info, c.iam.GetPolicy(name));
  const auto counts = AttachmentCounts(c.iam);
  const auto it = counts.find(name);
  WritePolicy(c.out, "Policy", info, it == counts.end() ? 0 : it->second);
  co_return Status::Ok();
}

Task<Status> GetPolicyVersion(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string arn, RequiredParam(c.form, "PolicyArn"));
  CO_ASSIGN_OR_RETURN(std::string version, RequiredParam(c.form, "VersionId"));
  CO_ASSIGN_OR_RETURN(std::string name, PolicyNameFromArn(arn));
  CO_ASSIGN_OR_RETURN(iam::PolicyInfo info, c.iam.GetPolicy(name));
  if (version != "v1") {
    co_return Status(Errc::kIamNoSuchPolicy,
                     StrCat("Policy ", arn, " version ", version, " does not exist."));
  }
  c.out.Open("PolicyVersion")
      .Element("Document", UriEncode(info.document, false))
      .Element("VersionId", "v1")
      .Bool("IsDefaultVersion", true)
      .Element("CreateDate", IamDate(info.updated_ns))
      .Close();
  co_return Status::Ok();
}

Task<Status> ListPolicies(Call& c) {
  const std::string_view scope = c.form.Get("Scope").value_or("All");
  if (scope != "All" && scope != "AWS" && scope != "Local") {
    co_return Status(Errc::kInvalidArgument, "Scope must be All, AWS or Local.");
  }
  const bool only_attached = c.form.Get("OnlyAttached") == "true";
  const auto counts = AttachmentCounts(c.iam);
  std::vector<std::pair<iam::PolicyInfo, std::int64_t>> listed;
  for (auto& p : c.iam.ListPolicies()) {
    const auto it = counts.find(p.name);
    const std::int64_t n = it == counts.end() ? 0 : it->second;
    if (IsInlinePolicyName(p.name) || (only_attached && n == 0) || (scope == "AWS" && !p.builtin) ||
        (scope == "Local" && p.builtin)) {
      continue;
    }
    listed.emplace_back(std::move(p), n);
  }
  std::sort(listed.begin(), listed.end(),
            [](const auto& a, const auto& b) { return a.first.name < b.first.name; });
  CO_ASSIGN_OR_RETURN(IamPage page, PageOf(c.form, listed.size()));
  c.out.Open("Policies");
  for (std::size_t i = page.begin; i < page.end; ++i) {
    WritePolicy(c.out, "member", listed[i].first, listed[i].second);
  }
  c.out.Close().Paging(page);
  co_return Status::Ok();
}

Task<Status> DeletePolicy(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string arn, RequiredParam(c.form, "PolicyArn"));
  CO_ASSIGN_OR_RETURN(std::string name, PolicyNameFromArn(arn));
  CO_RETURN_IF_ERROR(c.iam.GetPolicy(name).status());
  co_return co_await c.iam.RemovePolicy(c.req.ctx, name);
}

Task<Status> AttachUserPolicy(Call& c) {
  co_return co_await ChangeAttachment(c, false, true);
}

Task<Status> DetachUserPolicy(Call& c) {
  co_return co_await ChangeAttachment(c, false, false);
}

Task<Status> AttachGroupPolicy(Call& c) {
  co_return co_await ChangeAttachment(c, true, true);
}

Task<Status> DetachGroupPolicy(Call& c) {
  co_return co_await ChangeAttachment(c, true, false);
}

Task<Status> ListAttachedUserPolicies(Call& c) {
  co_return ListAttached(c, false);
}

Task<Status> ListAttachedGroupPolicies(Call& c) {
  co_return ListAttached(c, true);
}

Task<Status> PutUserPolicy(Call& c) {
  co_return co_await PutInline(c, false);
}

Task<Status> GetUserPolicy(Call& c) {
  co_return GetInline(c, false);
}

Task<Status> DeleteUserPolicy(Call& c) {
  co_return co_await DeleteInline(c, false);
}

Task<Status> ListUserPolicies(Call& c) {
  co_return ListInline(c, false);
}

Task<Status> PutGroupPolicy(Call& c) {
  co_return co_await PutInline(c, true);
}

Task<Status> GetGroupPolicy(Call& c) {
  co_return GetInline(c, true);
}

Task<Status> DeleteGroupPolicy(Call& c) {
  co_return co_await DeleteInline(c, true);
}

Task<Status> ListGroupPolicies(Call& c) {
  co_return ListInline(c, true);
}

// cairn's store makes a group when it first gets members; UpdateGroupMembers with no
// members makes an empty one.
Task<Status> CreateGroup(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string name, RequiredParam(c.form, "GroupName"));
  if (c.iam.GetGroup(name).ok()) {
    co_return Status(Errc::kIamKeyExists, StrCat("Group with name ", name, " already exists."));
  }
  const std::vector<std::string> none;
  CO_RETURN_IF_ERROR(co_await c.iam.UpdateGroupMembers(c.req.ctx, name, none, false));
  CO_ASSIGN_OR_RETURN(iam::GroupInfo info, c.iam.GetGroup(name));
  WriteGroup(c.out, "Group", info.name, info.updated_ns);
  co_return Status::Ok();
}

Task<Status> GetGroup(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string name, RequiredParam(c.form, "GroupName"));
  CO_ASSIGN_OR_RETURN(iam::GroupInfo info, c.iam.GetGroup(name));
  WriteGroup(c.out, "Group", info.name, info.updated_ns);
  std::sort(info.members.begin(), info.members.end());
  CO_ASSIGN_OR_RETURN(IamPage page, PageOf(c.form, info.members.size()));
  c.out.Open("Users");
  for (std::size_t i = page.begin; i < page.end; ++i) {
    if (auto user = c.iam.GetUser(info.members[i]); user.ok()) {
      WriteUser(c.out, "member", *user);
    }
  }
  c.out.Close().Paging(page);
  co_return Status::Ok();
}

Task<Status> ListGroups(Call& c) {
  std::vector<std::string> groups = c.iam.ListGroups();
  std::sort(groups.begin(), groups.end());
  CO_ASSIGN_OR_RETURN(IamPage page, PageOf(c.form, groups.size()));
  c.out.Open("Groups");
  for (std::size_t i = page.begin; i < page.end; ++i) {
    auto info = c.iam.GetGroup(groups[i]);
    WriteGroup(c.out, "member", groups[i], info.ok() ? info->updated_ns : 0);
  }
  c.out.Close().Paging(page);
  co_return Status::Ok();
}

// IAM refuses to delete a group with members or policies (DeleteConflict); so does cairn.
Task<Status> DeleteGroup(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string name, RequiredParam(c.form, "GroupName"));
  CO_ASSIGN_OR_RETURN(iam::GroupInfo info, c.iam.GetGroup(name));
  if (!info.members.empty() || !info.policies.empty()) {
    co_return Status(Errc::kIamGroupNotEmpty,
                     StrCat("Cannot delete entity, must remove ",
                            info.members.empty() ? "policies" : "users", " first."));
  }
  const std::vector<std::string> none;
  co_return co_await c.iam.UpdateGroupMembers(c.req.ctx, name, none, true);
}

Task<Status> AddUserToGroup(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string group, RequiredParam(c.form, "GroupName"));
  CO_ASSIGN_OR_RETURN(std::string user, RequiredParam(c.form, "UserName"));
  CO_RETURN_IF_ERROR(c.iam.GetGroup(group).status());  // IAM never makes a group here
  CO_RETURN_IF_ERROR(c.iam.GetUser(user).status());
  std::vector<std::string> members;
  members.push_back(user);
  co_return co_await c.iam.UpdateGroupMembers(c.req.ctx, group, members, false);
}

Task<Status> RemoveUserFromGroup(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string group, RequiredParam(c.form, "GroupName"));
  CO_ASSIGN_OR_RETURN(std::string user, RequiredParam(c.form, "UserName"));
  CO_ASSIGN_OR_RETURN(iam::GroupInfo info, c.iam.GetGroup(group));
  if (std::find(info.members.begin(), info.members.end(), user) == info.members.end()) {
    co_return Status(Errc::kIamNoSuchUser,
                     StrCat("The user with name ", user, " is not in group ", group, "."));
  }
  std::vector<std::string> members;
  members.push_back(user);
  co_return co_await c.iam.UpdateGroupMembers(c.req.ctx, group, members, true);
}

Task<Status> ListGroupsForUser(Call& c) {
  CO_ASSIGN_OR_RETURN(std::string name, RequiredParam(c.form, "UserName"));
  CO_ASSIGN_OR_RETURN(iam::UserInfo user, c.iam.GetUser(name));
  std::sort(user.groups.begin(), user.groups.end());
  CO_ASSIGN_OR_RETURN(IamPage page, PageOf(c.form, user.groups.size()));
  c.out.Open("Groups");
  for (std::size_t i = page.begin; i < page.end; ++i) {
    auto info = c.iam.GetGroup(user.groups[i]);
    WriteGroup(c.out, "member", user.groups[i], info.ok() ? info->updated_ns : 0);
  }
  c.out.Close().Paging(page);
  co_return Status::Ok();
}

}  // namespace cairn::s3::iam_query
