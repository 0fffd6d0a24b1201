// The IAM records' JSON encoding and the snapshot of identities built from them.
#include "iam/records.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "common/checksum.h"
#include "crypto/keys.h"

namespace cairn::iam::internal {
namespace {

using Json = nlohmann::json;

constexpr int kRecordVersion = 1;

struct KindPrefix {
  RecordKind kind;
  std::string_view prefix;
};

constexpr KindPrefix kPrefixes[] = {
    {RecordKind::kUser, "users/"},      {RecordKind::kGroup, "groups/"},
    {RecordKind::kPolicy, "policies/"}, {RecordKind::kServiceAccount, "service-accounts/"},
    {RecordKind::kTemporary, "sts/"},
};
constexpr std::string_view kSuffix = ".json";

std::string Str(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t Int(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

bool Enabled(const Json& j) {
  return Str(j, "status") != "disabled";
}

std::vector<std::string> Strings(const Json& j, const char* key) {
  std::vector<std::string> out;
  const auto it = j.find(key);
  if (it != j.end() && it->is_array()) {
    for (const auto& v : *it) {
      if (v.is_string()) {
        out.push_back(v.get<std::string>());
      }
    }
  }
  return out;
}

const char* StatusText(bool enabled) {
  return enabled ? "enabled" : "disabled";
}

std::string Seal(const crypto::Key& kek, std::string_view secret, std::string_view item) {
  return Base64Encode(crypto::SealBytes(kek, secret, item));
}

Result<std::string> Open(const crypto::Key& kek, const Json& j, const char* key,
                         std::string_view item) {
  const std::string sealed = Str(j, key);
  if (sealed.empty()) {
    return std::string();
  }
  auto raw = Base64Decode(sealed);
  if (!raw) {
    return Status(Errc::kInvalidArgument, std::string(item) + ": a secret is not base64");
  }
  auto opened = crypto::OpenBytes(kek, *raw, item);
  if (!opened.ok()) {
    return Status(
        Errc::kInvalidArgument,
        std::string(item) + ": a secret does not open (were the root credentials changed?)");
  }
  return std::move(*opened);
}

Result<PolicyPtr> Compile(std::string_view document, std::string_view item) {
  if (document.empty()) {
    return PolicyPtr();
  }
  auto parsed = policy::Policy::Parse(document, policy::Kind::kIdentity);
  if (!parsed.ok()) {
    return Status(Errc::kInvalidArgument, std::string(item) + ": " + parsed.status().message());
  }
  return std::make_shared<const policy::Policy>(std::move(*parsed));
}

void AppendPolicies(const std::vector<std::string>& names,
                    const std::map<std::string, PolicyPtr, std::less<>>& policies,
                    std::vector<PolicyPtr>& out) {
  for (const auto& name : names) {
    const auto it = policies.find(name);
    if (it != policies.end() && std::find(out.begin(), out.end(), it->second) == out.end()) {
      out.push_back(it->second);
    }
  }
}

// The union of the condition keys of the identity's policies.
void CollectConditionKeys(Identity& id) {
  std::vector<std::string>& keys = id.condition_keys;
  for (const auto& p : id.policies) {
    keys.insert(keys.end(), p->condition_keys().begin(), p->condition_keys().end());
  }
  if (id.session_policy) {
    keys.insert(keys.end(), id.session_policy->condition_keys().begin(),
                id.session_policy->condition_keys().end());
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
}

}  // namespace

std::optional<ItemName> ParseItem(std::string_view item) {
  for (const auto& p : kPrefixes) {
    if (item.starts_with(p.prefix) && item.ends_with(kSuffix) &&
        item.size() > p.prefix.size() + kSuffix.size()) {
      std::string_view name = item.substr(p.prefix.size());
      name.remove_suffix(kSuffix.size());
      return ItemName{p.kind, std::string(name)};
    }
  }
  return std::nullopt;
}

std::string ItemPath(RecordKind kind, std::string_view name) {
  for (const auto& p : kPrefixes) {
    if (p.kind == kind) {
      return std::string(p.prefix) + std::string(name) + std::string(kSuffix);
    }
  }
  return std::string();
}

std::string EncodeUser(const UserRecord& r, const crypto::Key& kek) {
  Json j;
  j["version"] = kRecordVersion;
  j["accessKey"] = r.access_key;
  j["secretKey"] = Seal(kek, r.secret_key, ItemPath(RecordKind::kUser, r.access_key));
  j["status"] = StatusText(r.enabled);
  j["policies"] = r.policies;
  j["updated_ns"] = r.updated_ns;
  return j.dump();
}

std::string EncodeGroup(const GroupRecord& r) {
  Json j;
  j["version"] = kRecordVersion;
  j["name"] = r.name;
  j["status"] = StatusText(r.enabled);
  j["members"] = r.members;
  j["policies"] = r.policies;
  j["updated_ns"] = r.updated_ns;
  return j.dump();
}

std::string EncodePolicy(const PolicyRecord& r) {
  Json j;
  j["version"] = kRecordVersion;
  j["name"] = r.name;
  j["policy"] = r.document;
  j["created_ns"] = r.created_ns;
  j["updated_ns"] = r.updated_ns;
  return j.dump();
}

std::string EncodeKey(RecordKind kind, const KeyRecord& r, const crypto::Key& kek) {
  const std::string item = ItemPath(kind, r.access_key);
  Json j;
  j["version"] = kRecordVersion;
  j["accessKey"] = r.access_key;
  j["secretKey"] = Seal(kek, r.secret_key, item);
  if (!r.session_token.empty()) {
    j["sessionToken"] = Seal(kek, r.session_token, item);
  }
  j["parent"] = r.parent_user;
  j["name"] = r.name;
  j["description"] = r.description;
  j["status"] = StatusText(r.enabled);
  j["expires_ns"] = r.expires_ns;
  j["sessionPolicy"] = r.session_policy;
  j["claimPolicies"] = r.claim_policies;
  return j.dump();
}

Status DecodeInto(const ItemName& item, std::string_view text, const crypto::Key& kek,
                  Records& out) {
  const std::string path = ItemPath(item.kind, item.name);
  const Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || Int(j, "version") != kRecordVersion) {
    return Status(Errc::kInvalidArgument, path + ": not an IAM record");
  }
  switch (item.kind) {
    case RecordKind::kUser: {
      UserRecord r;
      r.access_key = item.name;
      ASSIGN_OR_RETURN(r.secret_key, Open(kek, j, "secretKey", path));
      r.enabled = Enabled(j);
      r.policies = Strings(j, "policies");
      r.updated_ns = Int(j, "updated_ns");
      out.users.insert_or_assign(item.name, std::move(r));
      return Status::Ok();
    }
    case RecordKind::kGroup: {
      GroupRecord r;
      r.name = item.name;
      r.enabled = Enabled(j);
      r.members = Strings(j, "members");
      r.policies = Strings(j, "policies");
      r.updated_ns = Int(j, "updated_ns");
      out.groups.insert_or_assign(item.name, std::move(r));
      return Status::Ok();
    }
    case RecordKind::kPolicy: {
      PolicyRecord r;
      r.name = item.name;
      r.document = Str(j, "policy");
      r.created_ns = Int(j, "created_ns");
      r.updated_ns = Int(j, "updated_ns");
      ASSIGN_OR_RETURN(r.compiled, Compile(r.document, path));
      if (!r.compiled) {
        return Status(Errc::kInvalidArgument, path + ": no policy document");
      }
      out.policies.insert_or_assign(item.name, std::move(r));
      return Status::Ok();
    }
    case RecordKind::kServiceAccount:
    case RecordKind::kTemporary: {
      KeyRecord r;
      r.access_key = item.name;
      ASSIGN_OR_RETURN(r.secret_key, Open(kek, j, "secretKey", path));
      ASSIGN_OR_RETURN(r.session_token, Open(kek, j, "sessionToken", path));
      r.parent_user = Str(j, "parent");
      r.name = Str(j, "name");
      r.description = Str(j, "description");
      r.enabled = Enabled(j);
      r.expires_ns = Int(j, "expires_ns");
      r.session_policy = Str(j, "sessionPolicy");
      ASSIGN_OR_RETURN(r.compiled_session, Compile(r.session_policy, path));
      r.claim_policies = Strings(j, "claimPolicies");
      auto& map = item.kind == RecordKind::kTemporary ? out.temporary : out.service_accounts;
      map.insert_or_assign(item.name, std::move(r));
      return Status::Ok();
    }
  }
  return Status(Errc::kInvalidArgument, path + ": not an IAM record");
}

void EraseFrom(const ItemName& item, Records& out) {
  switch (item.kind) {
    case RecordKind::kUser:
      out.users.erase(item.name);
      break;
    case RecordKind::kGroup:
      out.groups.erase(item.name);
      break;
    case RecordKind::kPolicy:
      out.policies.erase(item.name);
      break;
    case RecordKind::kServiceAccount:
      out.service_accounts.erase(item.name);
      break;
    case RecordKind::kTemporary:
      out.temporary.erase(item.name);
      break;
  }
  out.etags.erase(ItemPath(item.kind, item.name));
}

std::shared_ptr<const Snapshot> BuildSnapshot(const Records& records,
                                              const std::map<std::string, PolicyPtr>& builtins,
                                              const std::string& root_access_key,
                                              const std::string& root_secret_key) {
  auto snap = std::make_shared<Snapshot>();
  for (const auto& [name, p] : builtins) {
    snap->policies.emplace(name, p);
  }
  for (const auto& [name, r] : records.policies) {
    snap->policies.insert_or_assign(name, r.compiled);
  }
  auto root = std::make_shared<Identity>();
  root->kind = IdentityKind::kRoot;
  root->access_key = root_access_key;
  root->secret_key = root_secret_key;
  root->parent_user = root_access_key;
  root->root_power = true;
  snap->by_key.emplace(root_access_key, root);

  // A user's own policies and those of its enabled groups.
  std::map<std::string, std::vector<std::string>> groups_of;
  for (const auto& [name, g] : records.groups) {
    if (!g.enabled) {
      continue;
    }
    for (const auto& m : g.members) {
      groups_of[m].push_back(name);
    }
  }
  std::map<std::string, std::shared_ptr<const Identity>> users;
  for (const auto& [ak, u] : records.users) {
    if (ak == root_access_key) {
      continue;  // the root's key cannot be taken over by a user record
    }
    auto id = std::make_shared<Identity>();
    id->kind = IdentityKind::kUser;
    id->access_key = ak;
    id->secret_key = u.secret_key;
    id->parent_user = ak;
    id->enabled = u.enabled;
    AppendPolicies(u.policies, snap->policies, id->policies);
    if (const auto it = groups_of.find(ak); it != groups_of.end()) {
      id->groups = it->second;
      for (const auto& g : it->second) {
        AppendPolicies(records.groups.at(g).policies, snap->policies, id->policies);
      }
    }
    CollectConditionKeys(*id);
    users.emplace(ak, id);
    snap->by_key.emplace(ak, std::move(id));
  }
  // Service accounts and STS credentials act with their parent's policies (or, for OpenID
  // Connect credentials, the policies the claim named).
  auto add_key = [&](const KeyRecord& r, IdentityKind kind) {
    if (snap->by_key.contains(r.access_key)) {
      return;  // never shadow a user or the root
    }
    auto id = std::make_shared<Identity>();
    id->kind = kind;
    id->access_key = r.access_key;
    id->secret_key = r.secret_key;
    id->session_token = r.session_token;
    id->parent_user = r.parent_user;
    id->enabled = r.enabled;
    id->expires_ns = r.expires_ns;
    id->session_policy = r.compiled_session;
    if (!r.claim_policies.empty()) {
      AppendPolicies(r.claim_policies, snap->policies, id->policies);
    } else if (r.parent_user == root_access_key) {
      id->root_power = true;
    } else {
      const auto parent = users.find(r.parent_user);
      if (parent == users.end()) {
        return;  // the parent is gone: so is the key
      }
      id->enabled = id->enabled && parent->second->enabled;
      id->policies = parent->second->policies;
      id->groups = parent->second->groups;
    }
    CollectConditionKeys(*id);
    snap->by_key.emplace(r.access_key, std::move(id));
  };
  for (const auto& [ak, r] : records.service_accounts) {
    add_key(r, IdentityKind::kServiceAccount);
  }
  for (const auto& [ak, r] : records.temporary) {
    add_key(r, IdentityKind::kTemporary);
  }
  return snap;
}

}  // namespace cairn::iam::internal
