// The IAM records as stored (JSON objects under kIamPrefix of the system bucket) and as held
// in memory, and the snapshot of identities built from them. Internal to iam/.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "crypto/package.h"
#include "iam/iam.h"

namespace cairn::iam::internal {

struct UserRecord {
  std::string access_key;
  std::string secret_key;
  bool enabled = true;
  std::vector<std::string> policies;
  std::int64_t updated_ns = 0;
};

struct GroupRecord {
  std::string name;
  bool enabled = true;
  std::vector<std::string> members;
  std::vector<std::string> policies;
  std::int64_t updated_ns = 0;
};

struct PolicyRecord {
  std::string name;
  std::string document;
  std::int64_t created_ns = 0;
  std::int64_t updated_ns = 0;
  PolicyPtr compiled;
};

// A service account or STS credentials: a key pair acting for a parent user.
struct KeyRecord {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // STS only
  std::string parent_user;
  std::string name;         // service accounts
  std::string description;  // service accounts
  bool enabled = true;
  std::int64_t expires_ns = 0;
  std::string session_policy;
  PolicyPtr compiled_session;
  std::vector<std::string> claim_policies;  // STS from OpenID Connect
};

enum class RecordKind { kUser, kGroup, kPolicy, kServiceAccount, kTemporary };

// Which record an item path names: "users/<ak>.json" -> {kUser, "<ak>"}; nullopt for any
// other path.
struct ItemName {
  RecordKind kind;
  std::string name;
};

std::optional<ItemName> ParseItem(std::string_view item);
std::string ItemPath(RecordKind kind, std::string_view name);

// Every record of the deployment as this node knows it, with the etag it was read or
// written with (for conditional writes).
struct Records {
  std::map<std::string, UserRecord> users;  // by access key
  std::map<std::string, GroupRecord> groups;
  std::map<std::string, PolicyRecord> policies;  // named ones; the builtins are apart
  std::map<std::string, KeyRecord> service_accounts;
  std::map<std::string, KeyRecord> temporary;
  std::map<std::string, std::string> etags;  // by item path
};

// Secret fields are sealed under `kek` with the item path as associated data (a record
// copied to another name does not open).
std::string EncodeUser(const UserRecord& r, const crypto::Key& kek);
std::string EncodeGroup(const GroupRecord& r);
std::string EncodePolicy(const PolicyRecord& r);
std::string EncodeKey(RecordKind kind, const KeyRecord& r, const crypto::Key& kek);

// Decodes the record of `item` into `out` (replacing what it had under that name).
// Errors: kInvalidArgument (not such a record, or a secret that does not open).
Status DecodeInto(const ItemName& item, std::string_view text, const crypto::Key& kek,
                  Records& out);
// Removes the record of `item` from `out`.
void EraseFrom(const ItemName& item, Records& out);

// The identities of every key the records define, with the root's.
struct Snapshot {
  std::unordered_map<std::string, IdentityPtr> by_key;
  std::map<std::string, PolicyPtr, std::less<>> policies;  // builtins and named, by name
};

std::shared_ptr<const Snapshot> BuildSnapshot(const Records& records,
                                              const std::map<std::string, PolicyPtr>& builtins,
                                              const std::string& root_access_key,
                                              const std::string& root_secret_key);

}  // namespace cairn::iam::internal
