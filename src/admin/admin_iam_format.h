// What `cairn admin user|group|policy|svcacct` prints by default, as pure functions over the
// IAM endpoints' JSON (admin_iam_json.h), tested without a server. --json prints the JSON
// itself.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace cairn::admin {

// list-users: one row per user (access key, status, policies, groups); "no users".
std::string UsersText(const nlohmann::json& users);
// user-info: the user's status, policies, groups and last change.
std::string UserText(std::string_view access_key, const nlohmann::json& user);

// groups: one name per line; "no groups".
std::string GroupsText(const nlohmann::json& groups);
// group: its status, members and policies.
std::string GroupText(const nlohmann::json& group);

// list-canned-policies: one name per line.
std::string PoliciesText(const nlohmann::json& policies);
// info-canned-policy?v=2: the name, dates, then the document indented.
std::string PolicyText(const nlohmann::json& info);
// attach / detach: "Attached policies [a b] to user `alice`." (or the group's).
std::string PolicyAssociationText(const nlohmann::json& answer, std::string_view user,
                                  std::string_view group);

// add-service-account: the new key pair (the secret is shown this once) and its expiry.
std::string CredentialsText(const nlohmann::json& answer);
// list-service-accounts: one row per account (access key, status, expiry, name); "no service
// accounts".
std::string ServiceAccountsText(const nlohmann::json& list);
// info-service-account: parent, status, name, description, expiry, and the policy.
std::string ServiceAccountText(std::string_view access_key, const nlohmann::json& info);

}  // namespace cairn::admin
