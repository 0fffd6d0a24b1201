#include "s3/acl.h"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "common/text.h"
#include "s3/xml.h"
#include "s3/xml_reader.h"

namespace cairn::s3::acl {
namespace {

constexpr std::string_view kXsi = "http://www.w3.org/2001/XMLSchema-instance";

struct PermissionNameEntry {
  Permission permission;
  std::string_view name;
};

constexpr PermissionNameEntry kPermissionNames[] = {
    {Permission::kRead, "READ"},
    {Permission::kWrite, "WRITE"},
    {Permission::kReadAcp, "READ_ACP"},
    {Permission::kWriteAcp, "WRITE_ACP"},
    {Permission::kFullControl, "FULL_CONTROL"},
};

bool Holds(Permission granted, Permission needed) {
  const auto g = static_cast<std::uint8_t>(granted);
  const auto n = static_cast<std::uint8_t>(needed);
  return n != 0 && (g & n) == n;
}

std::optional<GranteeType> GroupOfUri(std::string_view uri) {
  if (uri == kAllUsersUri) {
    return GranteeType::kAllUsers;
  }
  if (uri == kAuthenticatedUsersUri) {
    return GranteeType::kAuthenticatedUsers;
  }
  if (uri == kLogDeliveryUri) {
    return GranteeType::kLogDelivery;
  }
  return std::nullopt;
}

std::string_view UriOfGroup(GranteeType t) {
  switch (t) {
    case GranteeType::kAllUsers:
      return kAllUsersUri;
    case GranteeType::kAuthenticatedUsers:
      return kAuthenticatedUsersUri;
    case GranteeType::kLogDelivery:
      return kLogDeliveryUri;
    case GranteeType::kUser:
      break;
  }
  return "";
}

// Short names of the groups in the stored form.
std::string_view GroupKey(GranteeType t) {
  switch (t) {
    case GranteeType::kAllUsers:
      return "AllUsers";
    case GranteeType::kAuthenticatedUsers:
      return "AuthenticatedUsers";
    case GranteeType::kLogDelivery:
      return "LogDelivery";
    case GranteeType::kUser:
      break;
  }
  return "";
}

Status BadGrantee(std::string_view what) {
  return Status(Errc::kInvalidArgumentS3, std::string(what));
}

// One grantee of a grant header or document: "id", "uri" or "emailAddress" and its value.
Result<Grant> MakeGrant(std::string_view type, std::string_view value, Permission permission,
                        const ResolveId& resolve) {
  Grant g;
  g.permission = permission;
  const std::string lower = AsciiLower(type);
  if (lower == "id") {
    ASSIGN_OR_RETURN(g.id, resolve(value));
    g.type = GranteeType::kUser;
    return g;
  }
  if (lower == "uri") {
    auto group = GroupOfUri(value);
    if (!group) {
      return BadGrantee("Invalid group uri");
    }
    g.type = *group;
    return g;
  }
  if (lower == "emailaddress") {
    return Status(Errc::kUnresolvableGrantByEmail);
  }
  return BadGrantee("Argument format not recognized");
}

void AddGrant(std::vector<Grant>& grants, Grant g) {
  if (std::find(grants.begin(), grants.end(), g) == grants.end()) {
    grants.push_back(std::move(g));
  }
}

}  // namespace

std::string_view PermissionName(Permission p) {
  for (const auto& e : kPermissionNames) {
    if (e.permission == p) {
      return e.name;
    }
  }
  return "";
}

std::optional<Permission> ParsePermission(std::string_view name) {
  for (const auto& e : kPermissionNames) {
    if (e.name == name) {
      return e.permission;
    }
  }
  return std::nullopt;
}

Acl Private(std::string_view owner) {
  Acl acl;
  acl.owner = std::string(owner);
  acl.grants.push_back(Grant{GranteeType::kUser, acl.owner, Permission::kFullControl});
  return acl;
}

bool IsPrivate(const Acl& acl) {
  return acl.grants.size() == 1 && acl.grants[0].type == GranteeType::kUser &&
         acl.grants[0].id == acl.owner && acl.grants[0].permission == Permission::kFullControl;
}

Result<Acl> Canned(std::string_view name, std::string_view owner, std::string_view bucket_owner) {
  Acl acl = Private(owner);
  auto add = [&](GranteeType type, std::string_view id, Permission p) {
    AddGrant(acl.grants, Grant{type, std::string(id), p});
  };
  if (name == "private" || name == "aws-exec-read") {
    return acl;
  }
  if (name == "public-read") {
    add(GranteeType::kAllUsers, "", Permission::kRead);
  } else if (name == "public-read-write") {
    add(GranteeType::kAllUsers, "", Permission::kRead);
    add(GranteeType::kAllUsers, "", Permission::kWrite);
  } else if (name == "authenticated-read") {
    add(GranteeType::kAuthenticatedUsers, "", Permission::kRead);
  } else if (name == "bucket-owner-read") {
    if (bucket_owner != owner) {
      add(GranteeType::kUser, bucket_owner, Permission::kRead);
    }
  } else if (name == "bucket-owner-full-control") {
    if (bucket_owner != owner) {
      add(GranteeType::kUser, bucket_owner, Permission::kFullControl);
    }
  } else if (name == "log-delivery-write") {
    add(GranteeType::kLogDelivery, "", Permission::kWrite);
    add(GranteeType::kLogDelivery, "", Permission::kReadAcp);
  } else {
    return Status(Errc::kInvalidArgumentS3, "Invalid canned ACL: " + std::string(name));
  }
  return acl;
}

Result<std::vector<Grant>> ParseGrantHeader(Permission permission, std::string_view value,
                                            const ResolveId& resolve) {
  std::vector<Grant> grants;
  std::string_view rest = value;
  while (!rest.empty()) {
    // type=value or type="value", then a comma or the end.
    const std::size_t eq = rest.find('=');
    if (eq == std::string_view::npos) {
      return BadGrantee("Argument format not recognized");
    }
    const std::string_view type = TrimBlanks(rest.substr(0, eq));
    rest = TrimBlanks(rest.substr(eq + 1));
    std::string_view v;
    if (rest.starts_with('"')) {
      const std::size_t close = rest.find('"', 1);
      if (close == std::string_view::npos) {
        return BadGrantee("Argument format not recognized");
      }
      v = rest.substr(1, close - 1);
      rest = TrimBlanks(rest.substr(close + 1));
      if (!rest.empty() && rest.front() != ',') {
        return BadGrantee("Argument format not recognized");
      }
    } else {
      const std::size_t comma = rest.find(',');
      v = TrimBlanks(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma);
    }
    ASSIGN_OR_RETURN(Grant g, MakeGrant(type, v, permission, resolve));
    AddGrant(grants, std::move(g));
    if (!rest.empty()) {
      rest.remove_prefix(1);  // the comma
    }
  }
  if (grants.empty()) {
    return BadGrantee("Argument format not recognized");
  }
  return grants;
}

Result<Acl> ParseXml(std::string_view xml, std::string_view owner, const ResolveId& resolve) {
  pugi::xml_document doc;
  auto root = xml_read::LoadRoot(doc, xml, "AccessControlPolicy");
  if (!root.ok()) {
    return Status(Errc::kMalformedAcl);
  }
  Acl acl;
  acl.owner = std::string(owner);
  if (auto o = xml_read::Child(*root, "Owner")) {
    auto id = xml_read::Child(o, "ID");
    if (!id) {
      return Status(Errc::kMalformedAcl);
    }
    const std::string text = xml_read::Text(id);
    ASSIGN_OR_RETURN(std::string given, text == owner ? Result<std::string>(text) : resolve(text));
    if (given != owner) {
      return Status(Errc::kAccessDenied, "the Owner is not the resource's owner");
    }
  }
  auto list = xml_read::Child(*root, "AccessControlList");
  if (!list) {
    return Status(Errc::kMalformedAcl);
  }
  for (auto grant : list.children()) {
    if (grant.type() != pugi::node_element) {
      continue;
    }
    if (xml_read::LocalName(grant) != "Grant" || acl.grants.size() >= 100) {
      return Status(Errc::kMalformedAcl);
    }
    auto grantee = xml_read::Child(grant, "Grantee");
    auto perm_node = xml_read::Child(grant, "Permission");
    if (!grantee || !perm_node) {
      return Status(Errc::kMalformedAcl);
    }
    auto permission = ParsePermission(xml_read::Text(perm_node));
    if (!permission) {
      return Status(Errc::kMalformedAcl);
    }
    // The grantee's type is its xsi:type; without one, the child element says.
    std::string type;
    for (auto attr : grantee.attributes()) {
      std::string_view name = attr.name();
      const auto colon = name.find(':');
      if ((colon == std::string_view::npos ? name : name.substr(colon + 1)) == "type") {
        type = attr.value();
      }
    }
    auto id = xml_read::Child(grantee, "ID");
    auto uri = xml_read::Child(grantee, "URI");
    auto email = xml_read::Child(grantee, "EmailAddress");
    if (type.empty()) {
      type = id ? "CanonicalUser" : uri ? "Group" : email ? "AmazonCustomerByEmail" : "";
    }
    Result<Grant> g = Status(Errc::kMalformedAcl);
    if (type == "CanonicalUser" && id) {
      g = MakeGrant("id", xml_read::Text(id), *permission, resolve);
    } else if (type == "Group" && uri) {
      g = MakeGrant("uri", xml_read::Text(uri), *permission, resolve);
    } else if (type == "AmazonCustomerByEmail" && email) {
      g = MakeGrant("emailAddress", xml_read::Text(email), *permission, resolve);
    }
    if (!g.ok()) {
      return g.status();
    }
    AddGrant(acl.grants, std::move(*g));
  }
  return acl;
}

std::string RenderXml(const Acl& acl,
                      const std::function<std::string(std::string_view id)>& display_name) {
  std::string out = R"(<?xml version="1.0" encoding="UTF-8"?>)";
  out += "<AccessControlPolicy xmlns=\"";
  out += kS3Namespace;
  out += "\">";
  auto user = [&](std::string_view id) {
    out += "<ID>" + XmlEscape(id) + "</ID>";
    const std::string name = display_name(id);
    if (!name.empty()) {
      out += "<DisplayName>" + XmlEscape(name) + "</DisplayName>";
    }
  };
  out += "<Owner>";
  user(acl.owner);
  out += "</Owner><AccessControlList>";
  for (const Grant& g : acl.grants) {
    out += "<Grant><Grantee xmlns:xsi=\"";
    out += kXsi;
    if (g.type == GranteeType::kUser) {
      out += "\" xsi:type=\"CanonicalUser\">";
      user(g.id);
    } else {
      out += "\" xsi:type=\"Group\"><URI>";
      out += UriOfGroup(g.type);
      out += "</URI>";
    }
    out += "</Grantee><Permission>";
    out += PermissionName(g.permission);
    out += "</Permission></Grant>";
  }
  out += "</AccessControlList></AccessControlPolicy>";
  return out;
}

std::string Encode(const Acl& acl) {
  nlohmann::json j;
  j["owner"] = acl.owner;
  auto& grants = j["grants"];
  grants = nlohmann::json::array();
  for (const Grant& g : acl.grants) {
    nlohmann::json e;
    if (g.type == GranteeType::kUser) {
      e["user"] = g.id;
    } else {
      e["group"] = GroupKey(g.type);
    }
    e["permission"] = PermissionName(g.permission);
    grants.push_back(std::move(e));
  }
  return j.dump();
}

Acl Decode(std::string_view stored, std::string_view default_owner) {
  if (stored.empty()) {
    return Private(default_owner);
  }
  const auto j = nlohmann::json::parse(stored, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("owner") || !j["owner"].is_string()) {
    return Private(default_owner);
  }
  Acl acl;
  acl.owner = j["owner"].get<std::string>();
  if (!j.contains("grants") || !j["grants"].is_array()) {
    return acl;
  }
  for (const auto& e : j["grants"]) {
    if (!e.is_object() || !e.contains("permission") || !e["permission"].is_string()) {
      continue;
    }
    auto p = ParsePermission(e["permission"].get<std::string>());
    if (!p) {
      continue;
    }
    Grant g;
    g.permission = *p;
    if (e.contains("user") && e["user"].is_string()) {
      g.type = GranteeType::kUser;
      g.id = e["user"].get<std::string>();
    } else if (e.contains("group") && e["group"].is_string()) {
      const std::string group = e["group"].get<std::string>();
      if (group == "AllUsers") {
        g.type = GranteeType::kAllUsers;
      } else if (group == "AuthenticatedUsers") {
        g.type = GranteeType::kAuthenticatedUsers;
      } else if (group == "LogDelivery") {
        g.type = GranteeType::kLogDelivery;
      } else {
        continue;
      }
    } else {
      continue;
    }
    acl.grants.push_back(std::move(g));
  }
  return acl;
}

bool Permits(const Acl& acl, std::string_view requester, Permission needed) {
  // An owner can always read and change the ACL: it cannot lock itself out.
  if (!requester.empty() && requester == acl.owner &&
      (needed == Permission::kReadAcp || needed == Permission::kWriteAcp)) {
    return true;
  }
  for (const Grant& g : acl.grants) {
    if (!Holds(g.permission, needed)) {
      continue;
    }
    switch (g.type) {
      case GranteeType::kAllUsers:
        return true;
      case GranteeType::kAuthenticatedUsers:
        if (!requester.empty()) {
          return true;
        }
        break;
      case GranteeType::kUser:
        if (!requester.empty() && g.id == requester) {
          return true;
        }
        break;
      case GranteeType::kLogDelivery:
        break;
    }
  }
  return false;
}

bool IsPublic(const Acl& acl) {
  return std::any_of(acl.grants.begin(), acl.grants.end(), [](const Grant& g) {
    return g.type == GranteeType::kAllUsers || g.type == GranteeType::kAuthenticatedUsers;
  });
}

std::string_view OwnershipName(Ownership o) {
  switch (o) {
    case Ownership::kBucketOwnerEnforced:
      return "BucketOwnerEnforced";
    case Ownership::kBucketOwnerPreferred:
      return "BucketOwnerPreferred";
    case Ownership::kObjectWriter:
      return "ObjectWriter";
  }
  return "";
}

std::optional<Ownership> ParseOwnership(std::string_view name) {
  for (Ownership o : {Ownership::kBucketOwnerEnforced, Ownership::kBucketOwnerPreferred,
                      Ownership::kObjectWriter}) {
    if (OwnershipName(o) == name) {
      return o;
    }
  }
  return std::nullopt;
}

Ownership StoredOwnership(std::string_view stored) {
  if (stored.empty()) {
    return Ownership::kBucketOwnerEnforced;
  }
  if (stored == kOwnershipDeleted) {
    return Ownership::kObjectWriter;
  }
  return ParseOwnership(stored).value_or(Ownership::kBucketOwnerEnforced);
}

Result<Ownership> ParseOwnershipControls(std::string_view xml) {
  pugi::xml_document doc;
  ASSIGN_OR_RETURN(pugi::xml_node root, xml_read::LoadRoot(doc, xml, "OwnershipControls"));
  int rules = 0;
  auto rule = xml_read::OnlyChild(root, "Rule", rules);
  if (rules != 1) {
    return xml_read::Malformed();
  }
  auto value = xml_read::Child(rule, "ObjectOwnership");
  if (!value) {
    return xml_read::Malformed();
  }
  auto o = ParseOwnership(xml_read::Text(value));
  if (!o) {
    return xml_read::Malformed();
  }
  return *o;
}

std::string RenderOwnershipControls(Ownership o) {
  XmlWriter w;
  w.Open("OwnershipControls").Open("Rule").Element("ObjectOwnership", OwnershipName(o));
  return w.Finish();
}

}  // namespace cairn::s3::acl
