// Internal to the IAM query API handlers: what one action gets, and the actions of
// iam_query.cc (users, access keys) and iam_query_policies.cc (policies, groups, inline
// policies). The dispatch, authorization and envelope are IamAction's (iam_query.cc).
#pragma once

#include <string>
#include <string_view>

#include "common/query.h"
#include "common/status.h"
#include "common/task.h"
#include "iam/iam.h"
#include "s3/iam_query.h"
#include "s3/request.h"

namespace cairn::s3::iam_query {

struct Call {
  S3Request& req;
  iam::Iam& iam;
  const QueryParams& form;
  IamXml& out;  // the content of <ActionResult>; empty: no Result element
};

using ActionFn = Task<Status> (*)(Call&);

// The user an action names: UserName, else the caller's own (root: its access key).
std::string TargetUser(const Call& c);

// One <member> (or named element) of users, groups and policies.
void WriteUser(IamXml& out, std::string_view element, const iam::UserInfo& user);
void WriteGroup(IamXml& out, std::string_view element, std::string_view group,
                std::int64_t created_ns);

// iam_query.cc
Task<Status> CreateUser(Call& c);
Task<Status> GetUser(Call& c);
Task<Status> ListUsers(Call& c);
Task<Status> DeleteUser(Call& c);
Task<Status> CreateAccessKey(Call& c);
Task<Status> ListAccessKeys(Call& c);
Task<Status> DeleteAccessKey(Call& c);
Task<Status> UpdateAccessKey(Call& c);

// iam_query_policies.cc
Task<Status> CreatePolicy(Call& c);
Task<Status> GetPolicy(Call& c);
Task<Status> GetPolicyVersion(Call& c);
Task<Status> ListPolicies(Call& c);
Task<Status> DeletePolicy(Call& c);
Task<Status> AttachUserPolicy(Call& c);
Task<Status> DetachUserPolicy(Call& c);
Task<Status> AttachGroupPolicy(Call& c);
Task<Status> DetachGroupPolicy(Call& c);
Task<Status> ListAttachedUserPolicies(Call& c);
Task<Status> ListAttachedGroupPolicies(Call& c);
Task<Status> PutUserPolicy(Call& c);
Task<Status> GetUserPolicy(Call& c);
Task<Status> DeleteUserPolicy(Call& c);
Task<Status> ListUserPolicies(Call& c);
Task<Status> PutGroupPolicy(Call& c);
Task<Status> GetGroupPolicy(Call& c);
Task<Status> DeleteGroupPolicy(Call& c);
Task<Status> ListGroupPolicies(Call& c);
Task<Status> CreateGroup(Call& c);
Task<Status> GetGroup(Call& c);
Task<Status> ListGroups(Call& c);
Task<Status> DeleteGroup(Call& c);
Task<Status> AddUserToGroup(Call& c);
Task<Status> RemoveUserFromGroup(Call& c);
Task<Status> ListGroupsForUser(Call& c);

}  // namespace cairn::s3::iam_query
