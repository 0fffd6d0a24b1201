#include "admin/admin_iam_format.h"

#include <vector>

#include <fmt/format.h>

namespace cairn::admin {
namespace {

using Json = nlohmann::json;

std::string FieldText(const Json& j, const char* key, std::string_view none = "") {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) {
    return std::string(none);
  }
  return it->get<std::string>();
}

// A list of strings as "a, b"; `none` when empty or absent.
std::string FieldList(const Json& j, const char* key, std::string_view none = "-") {
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
std::string PolicyPretty(const Json& doc) {
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
    out += fmt::format("{:<24} {:<9} {:<30} {}\n", name, FieldText(u, "status"),
                       FieldText(u, "policyName", "-"), FieldList(u, "memberOf"));
  }
  return out;
}

std::string UserText(std::string_view access_key, const Json& user) {
  return fmt::format("access key: {}\nstatus: {}\npolicies: {}\ngroups: {}\nupdated: {}\n",
                     access_key, FieldText(user, "status"), FieldText(user, "policyName", "-"),
                     FieldList(user, "memberOf"), FieldText(user, "updatedAt", "-"));
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
  return fmt::format("group: {}\nstatus: {}\nmembers: {}\npolicies: {}\n", FieldText(group, "name"),
                     FieldText(group, "status"), FieldList(group, "members"),
                     FieldText(group, "policy", "-"));
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
  std::string out = fmt::format("policy: {}\n", FieldText(info, "PolicyName"));
  if (!FieldText(info, "CreateDate").empty()) {
    out += fmt::format("created: {}\n", FieldText(info, "CreateDate"));
  }
  if (!FieldText(info, "UpdateDate").empty()) {
    out += fmt::format("updated: {}\n", FieldText(info, "UpdateDate"));
  }
  auto doc = info.find("Policy");
  if (doc != info.end() && !doc->is_null()) {
    out += PolicyPretty(*doc);
  }
  return out;
}

std::string PolicyAssociationText(const Json& answer, std::string_view user,
                                  std::string_view group) {
  const bool attached = answer.contains("policiesAttached");
  const std::string target =
      group.empty() ? fmt::format("user `{}`", user) : fmt::format("group `{}`", group);
  return fmt::format("{} {} {} {}.\n", attached ? "Attached" : "Detached",
                     FieldList(answer, attached ? "policiesAttached" : "policiesDetached"),
                     attached ? "to" : "from", target);
}

std::string CredentialsText(const Json& answer) {
  const Json creds = answer.value("credentials", Json::object());
  return fmt::format("Access Key: {}\nSecret Key: {}\nExpiration: {}\n",
                     FieldText(creds, "accessKey"), FieldText(creds, "secretKey"),
                     FieldText(creds, "expiration", "no expiry"));
}

std::string ServiceAccountsText(const Json& list) {
  const Json accounts = list.value("accounts", Json::array());
  if (!accounts.is_array() || accounts.empty()) {
    return "no service accounts\n";
  }
  std::string out =
      fmt::format("{:<24} {:<6} {:<22} {}\n", "ACCESS KEY", "STATUS", "EXPIRES", "NAME");
  for (const Json& a : accounts) {
    out += fmt::format("{:<24} {:<6} {:<22} {}\n", FieldText(a, "accessKey"),
                       FieldText(a, "accountStatus"), FieldText(a, "expiration", "never"),
                       FieldText(a, "name", "-"));
  }
  return out;
}

std::string ServiceAccountText(std::string_view access_key, const Json& info) {
  std::string out = fmt::format(
      "access key: {}\nparent user: {}\nstatus: {}\nname: {}\ndescription: {}\nexpiration: {}\n"
      "policy: {}\n",
      access_key, FieldText(info, "parentUser"), FieldText(info, "accountStatus"),
      FieldText(info, "name", "-"), FieldText(info, "description", "-"),
      FieldText(info, "expiration", "never"),
      info.value("impliedPolicy", true) ? "implied (the parent user's)" : "its own");
  auto doc = info.find("policy");
  if (doc != info.end() && doc->is_string() && !doc->get<std::string>().empty()) {
    out += PolicyPretty(*doc);
  }
  return out;
}

}  // namespace cairn::admin
