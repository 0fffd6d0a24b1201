#include "admin/admin_iam_format.h"

#include <vector>

#include <fmt/format.h>

namespace cairn::admin {
namespace {

using Json = nlohmann::json;

std::string Text(const Json& j, const char* key, std::string_view none = "") {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) {
    return std::string(none);
  }
  return it->get<std::string>();
}

// A list of strings as "a, b"; `none` when empty or absent.
std::string List(const Json& j, const char* key, std::string_view none = "-") {
  auto it = j.find(key);
  std::string out;
  if (it != j.end() && it->is_array()) {
    for (const Json& v : *it) {
      if (v.is_string()) {
        out += out.empty() ? "" : ", ";
        out += v.get<std::string>();
      }
    }
  }
  return out.empty() ? std::string(none) : out;
}

// A policy document (an object, or a string holding one) indented for reading.
std::string Indented(const Json& doc) {
  Json parsed = doc.is_string() ? Json::parse(doc.get<std::string>(), nullptr, false) : doc;
  if (parsed.is_discarded()) {
    return doc.get<std::string>() + "\n";
  }
  return parsed.dump(2) + "\n";
}

}  // namespace

std::string UsersText(const Json& users) {
  if (!users.is_object() || users.empty()) {
    return "no users\n";
  }
  std::string out =
      fmt::format("{:<24} {:<9} {:<30} {}\n", "ACCESS KEY", "STATUS", "POLICIES", "GROUPS");
  for (const auto& [name, u] : users.items()) {
    out += fmt::format("{:<24} {:<9} {:<30} {}\n", name, Text(u, "status"),
                       Text(u, "policyName", "-"), List(u, "memberOf"));
  }
  return out;
}

std::string UserText(std::string_view access_key, const Json& user) {
  return fmt::format("access key: {}\nstatus: {}\npolicies: {}\ngroups: {}\nupdated: {}\n",
                     access_key, Text(user, "status"), Text(user, "policyName", "-"),
                     List(user, "memberOf"), Text(user, "updatedAt", "-"));
}

std::string GroupsText(const Json& groups) {
  if (!groups.is_array() || groups.empty()) {
    return "no groups\n";
  }
  std::string out;
  for (const Json& g : groups) {
    out += g.is_string() ? g.get<std::string>() + "\n" : "";
  }
  return out;
}

std::string GroupText(const Json& group) {
  return fmt::format("group: {}\nstatus: {}\nmembers: {}\npolicies: {}\n", Text(group, "name"),
                     Text(group, "status"), List(group, "members"), Text(group, "policy", "-"));
}

std::string PoliciesText(const Json& policies) {
  if (!policies.is_object() || policies.empty()) {
    return "no policies\n";
  }
  std::string out;
  for (const auto& [name, doc] : policies.items()) {
    out += name + "\n";
  }
  return out;
}

std::string PolicyText(const Json& info) {
  std::string out = fmt::format("policy: {}\n", Text(info, "PolicyName"));
  if (!Text(info, "CreateDate").empty()) {
    out += fmt::format("created: {}\n", Text(info, "CreateDate"));
  }
  if (!Text(info, "UpdateDate").empty()) {
    out += fmt::format("updated: {}\n", Text(info, "UpdateDate"));
  }
  auto doc = info.find("Policy");
  if (doc != info.end() && !doc->is_null()) {
    out += Indented(*doc);
  }
  return out;
}

std::string PolicyAssociationText(const Json& answer, std::string_view user,
                                  std::string_view group) {
  const bool attached = answer.contains("policiesAttached");
  const std::string target =
      group.empty() ? fmt::format("user `{}`", user) : fmt::format("group `{}`", group);
  return fmt::format("{} {} {} {}.\n", attached ? "Attached" : "Detached",
                     List(answer, attached ? "policiesAttached" : "policiesDetached"),
                     attached ? "to" : "from", target);
}

std::string CredentialsText(const Json& answer) {
  const Json creds = answer.value("credentials", Json::object());
  return fmt::format("Access Key: {}\nSecret Key: {}\nExpiration: {}\n", Text(creds, "accessKey"),
                     Text(creds, "secretKey"), Text(creds, "expiration", "no expiry"));
}

std::string ServiceAccountsText(const Json& list) {
  const Json accounts = list.value("accounts", Json::array());
  if (!accounts.is_array() || accounts.empty()) {
    return "no service accounts\n";
  }
  std::string out =
      fmt::format("{:<24} {:<6} {:<22} {}\n", "ACCESS KEY", "STATUS", "EXPIRES", "NAME");
  for (const Json& a : accounts) {
    out += fmt::format("{:<24} {:<6} {:<22} {}\n", Text(a, "accessKey"), Text(a, "accountStatus"),
                       Text(a, "expiration", "never"), Text(a, "name", "-"));
  }
  return out;
}

std::string ServiceAccountText(std::string_view access_key, const Json& info) {
  std::string out = fmt::format(
      "access key: {}\nparent user: {}\nstatus: {}\nname: {}\ndescription: {}\nexpiration: {}\n"
      "policy: {}\n",
      access_key, Text(info, "parentUser"), Text(info, "accountStatus"), Text(info, "name", "-"),
      Text(info, "description", "-"), Text(info, "expiration", "never"),
      info.value("impliedPolicy", true) ? "implied (the parent user's)" : "its own");
  auto doc = info.find("policy");
  if (doc != info.end() && doc->is_string() && !doc->get<std::string>().empty()) {
    out += Indented(*doc);
  }
  return out;
}

}  // namespace cairn::admin
