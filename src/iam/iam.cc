// Iam: the store's operations over the records of records.h, and authorization.
#include "iam/iam.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <set>
#include <span>

#include "common/checksum.h"
#include "common/log.h"
#include "crypto/keys.h"
#include "iam/records.h"
#include "object/object_layer.h"
#include "object/object_util.h"
#include "object/system_store.h"

namespace cairn::iam {
namespace {

using internal::ItemName;
using internal::KeyRecord;
using internal::RecordKind;
using internal::Records;

// A record is a few hundred bytes; a policy document at most 20 KiB (AWS's bound).
constexpr std::size_t kMaxRecordSize = 64 << 10;
constexpr int kMaxUpdateAttempts = 5;

enum class AttachMode { kAttach, kDetach, kSet };

std::int64_t ToNs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

bool ValidAccessKey(std::string_view ak) {
  if (ak.size() < 3 || ak.size() > 128) {
    return false;
  }
  return std::all_of(ak.begin(), ak.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != '=' && c != ',' && c != '/' && c != '\\';
  });
}

bool ValidSecretKey(std::string_view sk) {
  return sk.size() >= 8 && sk.size() <= 40;
}

// Group and policy names: 1-128 of letters, digits and _ - . @ + =.
bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 128 || name == "." || name == "..") {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == '@' || c == '+' || c == '=';
  });
}

// `n` random characters of `alphabet`.
std::string RandomString(std::size_t n, std::string_view alphabet) {
  std::string out;
  while (out.size() < n) {
    const crypto::Key bytes = crypto::RandomKey();
    for (auto b : bytes) {
      // Rejection sampling keeps every character equally likely.
      const auto v = static_cast<unsigned char>(b);
      const std::size_t limit = 256 - 256 % alphabet.size();
      if (v < limit && out.size() < n) {
        out.push_back(alphabet[v % alphabet.size()]);
      }
    }
  }
  return out;
}

std::string NewAccessKey() {
  return RandomString(20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
}

std::string NewSecretKey() {
  return RandomString(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
}

void AddUnique(std::vector<std::string>& to, const std::vector<std::string>& names) {
  for (const auto& n : names) {
    if (std::find(to.begin(), to.end(), n) == to.end()) {
      to.push_back(n);
    }
  }
}

void RemoveAll(std::vector<std::string>& from, const std::vector<std::string>& names) {
  std::erase_if(from, [&](const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  });
}

crypto::Key SecretsKey(const std::string& ak, const std::string& sk) {
  auto base = crypto::KeyFromBytes(Sha256(ak + "\n" + sk));
  RELEASE_ASSERT(base.has_value(), "SHA-256 is 32 bytes");
  return crypto::DeriveKey(*base, "cairn iam secrets v1");
}

// The record of `item` in `records` as stored text; nullopt when it is not there (erased).
std::optional<std::string> Encode(const ItemName& item, const Records& r, const crypto::Key& kek) {
  switch (item.kind) {
    case RecordKind::kUser: {
      const auto it = r.users.find(item.name);
      return it == r.users.end() ? std::nullopt
                                 : std::optional(internal::EncodeUser(it->second, kek));
    }
    case RecordKind::kGroup: {
      const auto it = r.groups.find(item.name);
      return it == r.groups.end() ? std::nullopt : std::optional(internal::EncodeGroup(it->second));
    }
    case RecordKind::kPolicy: {
      const auto it = r.policies.find(item.name);
      return it == r.policies.end() ? std::nullopt
                                    : std::optional(internal::EncodePolicy(it->second));
    }
    case RecordKind::kServiceAccount: {
      const auto it = r.service_accounts.find(item.name);
      return it == r.service_accounts.end()
                 ? std::nullopt
                 : std::optional(internal::EncodeKey(item.kind, it->second, kek));
    }
    case RecordKind::kTemporary: {
      const auto it = r.temporary.find(item.name);
      return it == r.temporary.end()
                 ? std::nullopt
                 : std::optional(internal::EncodeKey(item.kind, it->second, kek));
    }
  }
  return std::nullopt;
}

// Moves the record of `item` from `from` into `to` (erasing it from `to` when `from` has none).
void MoveRecord(const ItemName& item, Records& from, Records& to) {
  internal::EraseFrom(item, to);
  auto move = [&](auto& src, auto& dst) {
    auto node = src.extract(item.name);
    if (!node.empty()) {
      dst.insert(std::move(node));
    }
  };
  switch (item.kind) {
    case RecordKind::kUser:
      move(from.users, to.users);
      break;
    case RecordKind::kGroup:
      move(from.groups, to.groups);
      break;
    case RecordKind::kPolicy:
      move(from.policies, to.policies);
      break;
    case RecordKind::kServiceAccount:
      move(from.service_accounts, to.service_accounts);
      break;
    case RecordKind::kTemporary:
      move(from.temporary, to.temporary);
      break;
  }
}

Result<PolicyPtr> CompileSession(std::string_view document) {
  if (document.empty()) {
    return PolicyPtr();
  }
  ASSIGN_OR_RETURN(policy::Policy p, policy::Policy::Parse(document, policy::Kind::kIdentity));
  return std::make_shared<const policy::Policy>(std::move(p));
}

}  // namespace

std::string_view KindName(IdentityKind kind) {
  switch (kind) {
    case IdentityKind::kRoot:
      return "root";
    case IdentityKind::kUser:
      return "user";
    case IdentityKind::kServiceAccount:
      return "service-account";
    case IdentityKind::kTemporary:
      return "sts";
  }
  return "user";
}

void AddIdentityConditions(const Identity* identity, policy::ConditionValues& out) {
  if (identity == nullptr) {
    out.Set("aws:PrincipalType", "Anonymous");
    return;
  }
  out.Set("aws:username", identity->parent_user);
  out.Set("aws:userid", identity->access_key);
  out.Set("aws:PrincipalType", identity->kind == IdentityKind::kRoot        ? "Account"
                               : identity->kind == IdentityKind::kTemporary ? "AssumedRole"
                                                                            : "User");
}

Verdict Decide(const AccessRequest& r) {
  policy::Request pr;
  pr.action = r.action;
  pr.resource = r.resource;
  pr.conditions = r.conditions;
  const Identity* id = r.identity;
  if (id == nullptr) {
    const policy::Decision d =
        r.bucket_policy != nullptr ? r.bucket_policy->Evaluate(pr) : policy::Decision::kNone;
    return d == policy::Decision::kAllow  ? Verdict::kAllowed
           : d == policy::Decision::kDeny ? Verdict::kDenied
                                          : Verdict::kNotAllowed;
  }
  const policy::Decision session =
      id->session_policy ? id->session_policy->Evaluate(pr) : policy::Decision::kAllow;
  if (id->root_power) {
    return session == policy::Decision::kAllow ? Verdict::kAllowed : Verdict::kDenied;
  }
  // The identity's policies as pointers: on the stack for the usual few.
  constexpr std::size_t kFew = 16;
  std::array<const policy::Policy*, kFew> few{};
  std::vector<const policy::Policy*> many;
  std::span<const policy::Policy* const> own;
  if (id->policies.size() <= kFew) {
    for (std::size_t i = 0; i < id->policies.size(); ++i) {
      few[i] = id->policies[i].get();
    }
    own = std::span<const policy::Policy* const>(few.data(), id->policies.size());
  } else {
    for (const auto& p : id->policies) {
      many.push_back(p.get());
    }
    own = many;
  }
  const policy::Decision identity = policy::Evaluate(own, pr);
  policy::Decision bucket = policy::Decision::kNone;
  if (r.bucket_policy != nullptr) {
    const std::string principals[] = {"arn:aws:iam:::user/" + id->parent_user, id->parent_user,
                                      id->access_key};
    pr.principals = principals;
    bucket = r.bucket_policy->Evaluate(pr);
  }
  if (identity == policy::Decision::kDeny || session == policy::Decision::kDeny ||
      bucket == policy::Decision::kDeny) {
    return Verdict::kDenied;
  }
  if (bucket == policy::Decision::kAllow) {
    return Verdict::kAllowed;
  }
  if (session != policy::Decision::kAllow) {
    return Verdict::kDenied;
  }
  return identity == policy::Decision::kAllow ? Verdict::kAllowed : Verdict::kNotAllowed;
}

bool Authorize(const AccessRequest& r) {
  return Decide(r) == Verdict::kAllowed;
}

struct Iam::State {
  explicit State(Options o)
      : opts(std::move(o)), kek(SecretsKey(opts.root_access_key, opts.root_secret_key)) {
    for (const auto& b : policy::BuiltinPolicies()) {
      auto parsed = policy::Policy::Parse(b.document, policy::Kind::kIdentity);
      RELEASE_ASSERT(parsed.ok(), "a builtin policy does not parse");
      builtins.emplace(std::string(b.name),
                       std::make_shared<const policy::Policy>(std::move(*parsed)));
    }
    Rebuild();
  }

  std::int64_t NowNs() const { return ToNs(opts.now()); }

  std::shared_ptr<const internal::Snapshot> Snap() const { return snapshot.load(); }

  // Guarded by mu (or before any other thread sees the state).
  void Rebuild() {
    snapshot.store(
        internal::BuildSnapshot(records, builtins, opts.root_access_key, opts.root_secret_key));
  }

  object::ObjectLayer* Layer() const { return layer.load(std::memory_order_acquire); }

  // The record of `item` as stored now, decoded into `scratch`; its etag ("" when absent).
  Task<Result<std::string>> Fetch(const RequestContext& ctx, const ItemName& item,
                                  Records& scratch) const {
    object::ObjectLayer* l = Layer();
    if (l == nullptr) {
      co_return Status(Errc::kClusterNotReady, "the identity store is not loaded yet");
    }
    const std::string path = std::string(kIamPrefix) + internal::ItemPath(item.kind, item.name);
    auto rec = co_await object::ReadSystemRecord(ctx, *l, path, kMaxRecordSize);
    if (!rec.ok()) {
      if (rec.code() == Errc::kNoSuchKey) {
        co_return std::string();
      }
      co_return rec.status();
    }
    CO_RETURN_IF_ERROR(internal::DecodeInto(item, rec->data, kek, scratch));
    co_return rec->etag;
  }

  // Read-modify-write of one record: `change` edits (or erases) the record in a scratch copy
  // of what is stored now; the write is conditional on the record being unchanged since the
  // read (another node's change makes it read again).
  // (The record is named by kind and name rather than an ItemName: GCC 12 mishandles a
  // non-trivial temporary passed to a coroutine.)
  template <class Change>
  Task<Status> Mutate(const RequestContext& ctx, RecordKind kind, const std::string& name,
                      Change change) {
    const ItemName item{kind, name};
    const std::string rel = internal::ItemPath(item.kind, item.name);
    const std::string path = std::string(kIamPrefix) + rel;
    for (int attempt = 0; attempt < kMaxUpdateAttempts; ++attempt) {
      Records scratch;
      CO_ASSIGN_OR_RETURN(std::string etag, co_await Fetch(ctx, item, scratch));
      CO_RETURN_IF_ERROR(change(scratch));
      const std::optional<std::string> text = Encode(item, scratch, kek);
      std::string new_etag;
      if (!text) {
        if (!etag.empty()) {
          object::DeleteOptions del;
          auto deleted = co_await Layer()->DeleteObject(ctx, object::kSystemBucket, path, del);
          if (!deleted.ok() && deleted.code() != Errc::kNoSuchKey) {
            co_return deleted.status();
          }
        }
      } else {
        object::PutOptions put_opts;
        if (etag.empty()) {
          put_opts.if_none_match = "*";
        } else {
          put_opts.if_match = etag;
        }
        auto put = co_await object::WriteSystemRecord(ctx, *Layer(), path, *text, put_opts);
        if (!put.ok()) {
          if (put.code() == Errc::kPreconditionFailed) {
            continue;
          }
          co_return put.status();
        }
        new_etag = put->etag;
      }
      {
        std::lock_guard lock(mu);
        MoveRecord(item, scratch, records);
        if (!new_etag.empty()) {
          records.etags[rel] = new_etag;
        }
        Rebuild();
      }
      if (opts.changed) {
        co_await opts.changed(ctx, rel);
      }
      co_return Status::Ok();
    }
    co_return Status(Errc::kInternal, rel + " keeps changing; try again");
  }

  // Copies under the lock (the listings).
  Records Copy() const {
    std::lock_guard lock(mu);
    return records;
  }

  // Attaches, detaches or sets the policies of a user or a group.
  Task<Status> ChangeAttached(const RequestContext& ctx, std::string_view target, bool is_group,
                              const std::vector<std::string>& policies, AttachMode mode);

  bool PolicyExists(std::string_view name) const {
    const auto snap = Snap();
    return snap->policies.find(name) != snap->policies.end();
  }

  Options opts;
  const crypto::Key kek;
  std::map<std::string, PolicyPtr> builtins;
  std::atomic<object::ObjectLayer*> layer{nullptr};
  mutable std::mutex mu;
  Records records;  // guarded by mu
  std::atomic<std::shared_ptr<const internal::Snapshot>> snapshot;
};

Iam::Iam(Options options) : state_(std::make_unique<State>(std::move(options))) {}

Iam::~Iam() = default;

Task<Status> Iam::Attach(const RequestContext& ctx, object::ObjectLayer& layer) {
  state_->layer.store(&layer, std::memory_order_release);
  co_return co_await ReloadAll(ctx);
}

std::optional<std::string> Iam::SecretKey(std::string_view access_key) const {
  const auto snap = state_->Snap();
  const auto it = snap->by_key.find(std::string(access_key));
  if (it == snap->by_key.end()) {
    return std::nullopt;
  }
  return it->second->secret_key;
}

IdentityPtr Iam::Find(std::string_view access_key) const {
  const auto snap = state_->Snap();
  const auto it = snap->by_key.find(std::string(access_key));
  return it == snap->by_key.end() ? nullptr : it->second;
}

Result<IdentityPtr> Iam::Check(std::string_view access_key, std::string_view session_token) const {
  IdentityPtr id = Find(access_key);
  if (!id) {
    return Status(Errc::kInvalidAccessKeyId);
  }
  if (id->kind == IdentityKind::kTemporary) {
    if (session_token.empty() || !ConstantTimeEqual(session_token, id->session_token)) {
      return Status(Errc::kInvalidToken);
    }
  } else if (!session_token.empty()) {
    return Status(Errc::kInvalidToken);
  }
  if (!id->enabled) {
    return Status(Errc::kAccessKeyDisabled);
  }
  if (id->expires_ns != 0 && id->expires_ns <= state_->NowNs()) {
    return Status(id->kind == IdentityKind::kTemporary ? Errc::kExpiredToken
                                                       : Errc::kInvalidAccessKeyId);
  }
  return id;
}

// ---- users ----------------------------------------------------------------------------

Task<Status> Iam::AddUser(const RequestContext& ctx, std::string_view access_key,
                          std::string_view secret_key, bool enabled) {
  if (!ValidAccessKey(access_key) || access_key == state_->opts.root_access_key) {
    co_return Status(Errc::kInvalidArgument,
                     "an access key is 3 to 128 printable characters without = , / \\ and "
                     "not the root's");
  }
  if (!ValidSecretKey(secret_key)) {
    co_return Status(Errc::kInvalidArgument, "a secret key is 8 to 40 characters");
  }
  IdentityPtr other = Find(access_key);
  if (other && other->kind != IdentityKind::kUser) {
    co_return Status(Errc::kIamKeyExists, std::string(access_key));
  }
  const std::string ak(access_key);
  const std::string sk(secret_key);
  const std::int64_t now = state_->NowNs();
  co_return co_await state_->Mutate(ctx, RecordKind::kUser, ak, [&](Records& r) -> Status {
    internal::UserRecord& u = r.users[ak];
    u.access_key = ak;
    u.secret_key = sk;
    u.enabled = enabled;
    u.updated_ns = now;
    return Status::Ok();
  });
}

Task<Status> Iam::SetUserEnabled(const RequestContext& ctx, std::string_view access_key,
                                 bool enabled) {
  const std::string ak(access_key);
  const std::int64_t now = state_->NowNs();
  co_return co_await state_->Mutate(ctx, RecordKind::kUser, ak, [&](Records& r) -> Status {
    const auto it = r.users.find(ak);
    if (it == r.users.end()) {
      return Status(Errc::kIamNoSuchUser, ak);
    }
    it->second.enabled = enabled;
    it->second.updated_ns = now;
    return Status::Ok();
  });
}

Task<Status> Iam::RemoveUser(const RequestContext& ctx, std::string_view access_key) {
  const std::string ak(access_key);
  if (!GetUser(ak).ok()) {
    co_return Status(Errc::kIamNoSuchUser, ak);
  }
  const Records now = state_->Copy();
  const std::vector<std::string> drop{ak};
  for (const auto& [name, g] : now.groups) {
    if (std::find(g.members.begin(), g.members.end(), ak) == g.members.end()) {
      continue;
    }
    CO_RETURN_IF_ERROR(
        co_await state_->Mutate(ctx, RecordKind::kGroup, name, [&](Records& r) -> Status {
          if (auto it = r.groups.find(name); it != r.groups.end()) {
            RemoveAll(it->second.members, drop);
          }
          return Status::Ok();
        }));
  }
  for (const auto* keys : {&now.service_accounts, &now.temporary}) {
    const RecordKind kind =
        keys == &now.temporary ? RecordKind::kTemporary : RecordKind::kServiceAccount;
    for (const auto& [key, rec] : *keys) {
      if (rec.parent_user != ak) {
        continue;
      }
      CO_RETURN_IF_ERROR(co_await state_->Mutate(ctx, kind, key, [&](Records& r) {
        internal::EraseFrom(ItemName{kind, key}, r);
        return Status::Ok();
      }));
    }
  }
  co_return co_await state_->Mutate(ctx, RecordKind::kUser, ak, [&](Records& r) {
    if (!r.users.contains(ak)) {
      return Status(Errc::kIamNoSuchUser, ak);
    }
    r.users.erase(ak);
    return Status::Ok();
  });
}

std::vector<UserInfo> Iam::ListUsers() const {
  const Records r = state_->Copy();
  std::vector<UserInfo> out;
  for (const auto& [ak, u] : r.users) {
    UserInfo info;
    info.access_key = ak;
    info.enabled = u.enabled;
    info.policies = u.policies;
    info.updated_ns = u.updated_ns;
    for (const auto& [name, g] : r.groups) {
      if (std::find(g.members.begin(), g.members.end(), ak) != g.members.end()) {
        info.groups.push_back(name);
      }
    }
    out.push_back(std::move(info));
  }
  return out;
}

Result<UserInfo> Iam::GetUser(std::string_view access_key) const {
  for (auto& u : ListUsers()) {
    if (u.access_key == access_key) {
      return std::move(u);
    }
  }
  return Status(Errc::kIamNoSuchUser, std::string(access_key));
}

// ---- policies ---------------------------------------------------------------------------

Task<Status> Iam::AddPolicy(const RequestContext& ctx, std::string_view name,
                            std::string_view document) {
  if (!ValidName(name)) {
    co_return Status(Errc::kInvalidArgument,
                     "a policy name is 1 to 128 of letters, digits and _ - . @ + =");
  }
  if (state_->builtins.contains(std::string(name))) {
    co_return Status(Errc::kInvalidArgument,
                     "the built-in policy " + std::string(name) + " cannot be changed");
  }
  CO_ASSIGN_OR_RETURN(policy::Policy parsed,
                      policy::Policy::Parse(document, policy::Kind::kIdentity));
  auto compiled = std::make_shared<const policy::Policy>(std::move(parsed));
  const std::string n(name);
  const std::string doc(document);
  const std::int64_t now = state_->NowNs();
  co_return co_await state_->Mutate(ctx, RecordKind::kPolicy, n, [&](Records& r) -> Status {
    internal::PolicyRecord& p = r.policies[n];
    p.name = n;
    p.document = doc;
    p.compiled = compiled;
    if (p.created_ns == 0) {
      p.created_ns = now;
    }
    p.updated_ns = now;
    return Status::Ok();
  });
}

Task<Status> Iam::RemovePolicy(const RequestContext& ctx, std::string_view name) {
  const std::string n(name);
  if (state_->builtins.contains(n)) {
    co_return Status(Errc::kInvalidArgument, "the built-in policy " + n + " cannot be removed");
  }
  const Records now = state_->Copy();
  auto uses = [&](const std::vector<std::string>& names) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  for (const auto& [ak, u] : now.users) {
    if (uses(u.policies)) {
      co_return Status(Errc::kIamPolicyInUse, n + " is attached to user " + ak);
    }
  }
  for (const auto& [g, rec] : now.groups) {
    if (uses(rec.policies)) {
      co_return Status(Errc::kIamPolicyInUse, n + " is attached to group " + g);
    }
  }
  co_return co_await state_->Mutate(ctx, RecordKind::kPolicy, n, [&](Records& r) {
    if (!r.policies.contains(n)) {
      return Status(Errc::kIamNoSuchPolicy, n);
    }
    r.policies.erase(n);
    return Status::Ok();
  });
}

std::vector<PolicyInfo> Iam::ListPolicies() const {
  std::vector<PolicyInfo> out;
  for (const auto& b : policy::BuiltinPolicies()) {
    PolicyInfo info;
    info.name = std::string(b.name);
    info.document = std::string(b.document);
    info.builtin = true;
    out.push_back(std::move(info));
  }
  const Records r = state_->Copy();
  for (const auto& [name, p] : r.policies) {
    PolicyInfo info;
    info.name = name;
    info.document = p.document;
    info.created_ns = p.created_ns;
    info.updated_ns = p.updated_ns;
    out.push_back(std::move(info));
  }
  return out;
}

Result<PolicyInfo> Iam::GetPolicy(std::string_view name) const {
  for (auto& p : ListPolicies()) {
    if (p.name == name) {
      return std::move(p);
    }
  }
  return Status(Errc::kIamNoSuchPolicy, std::string(name));
}

Task<Status> Iam::State::ChangeAttached(const RequestContext& ctx, std::string_view target,
                                        bool is_group, const std::vector<std::string>& policies,
                                        AttachMode mode) {
  State& s = *this;
  if (!is_group && target == s.opts.root_access_key) {
    co_return Status(Errc::kInvalidArgument, "the root user has every permission already");
  }
  if (mode != AttachMode::kDetach) {
    for (const auto& p : policies) {
      if (!s.PolicyExists(p)) {
        co_return Status(Errc::kIamNoSuchPolicy, p);
      }
    }
  }
  const std::string t(target);
  const std::int64_t now = s.NowNs();
  auto apply = [&](std::vector<std::string>& attached) {
    if (mode == AttachMode::kAttach) {
      AddUnique(attached, policies);
    } else if (mode == AttachMode::kDetach) {
      RemoveAll(attached, policies);
    } else {
      attached.clear();
      AddUnique(attached, policies);
    }
  };
  if (is_group) {
    co_return co_await s.Mutate(ctx, RecordKind::kGroup, t, [&](Records& r) -> Status {
      const auto it = r.groups.find(t);
      if (it == r.groups.end()) {
        return Status(Errc::kIamNoSuchGroup, t);
      }
      apply(it->second.policies);
      it->second.updated_ns = now;
      return Status::Ok();
    });
  }
  co_return co_await s.Mutate(ctx, RecordKind::kUser, t, [&](Records& r) -> Status {
    const auto it = r.users.find(t);
    if (it == r.users.end()) {
      return Status(Errc::kIamNoSuchUser, t);
    }
    apply(it->second.policies);
    it->second.updated_ns = now;
    return Status::Ok();
  });
}

Task<Status> Iam::AttachPolicies(const RequestContext& ctx, std::string_view user_or_group,
                                 bool is_group, const std::vector<std::string>& policies) {
  co_return co_await state_->ChangeAttached(ctx, user_or_group, is_group, policies,
                                            AttachMode::kAttach);
}

Task<Status> Iam::DetachPolicies(const RequestContext& ctx, std::string_view user_or_group,
                                 bool is_group, const std::vector<std::string>& policies) {
  co_return co_await state_->ChangeAttached(ctx, user_or_group, is_group, policies,
                                            AttachMode::kDetach);
}

Task<Status> Iam::SetPolicies(const RequestContext& ctx, std::string_view user_or_group,
                              bool is_group, const std::vector<std::string>& policies) {
  co_return co_await state_->ChangeAttached(ctx, user_or_group, is_group, policies,
                                            AttachMode::kSet);
}

// ---- groups -----------------------------------------------------------------------------

Task<Status> Iam::UpdateGroupMembers(const RequestContext& ctx, std::string_view group,
                                     const std::vector<std::string>& members, bool remove) {
  const std::string g(group);
  if (!ValidName(g)) {
    co_return Status(Errc::kInvalidArgument,
                     "a group name is 1 to 128 of letters, digits and _ - . @ + =");
  }
  if (!remove) {
    const auto snap = state_->Snap();
    for (const auto& m : members) {
      const auto it = snap->by_key.find(m);
      if (it == snap->by_key.end() || it->second->kind != IdentityKind::kUser) {
        co_return Status(Errc::kIamNoSuchUser, m);
      }
    }
  }
  const std::int64_t now = state_->NowNs();
  co_return co_await state_->Mutate(ctx, RecordKind::kGroup, g, [&](Records& r) -> Status {
    auto it = r.groups.find(g);
    if (!remove) {
      internal::GroupRecord& rec = r.groups[g];
      rec.name = g;
      AddUnique(rec.members, members);
      rec.updated_ns = now;
      return Status::Ok();
    }
    if (it == r.groups.end()) {
      return Status(Errc::kIamNoSuchGroup, g);
    }
    if (members.empty()) {
      if (!it->second.members.empty()) {
        return Status(Errc::kIamGroupNotEmpty, g);
      }
      r.groups.erase(it);
      return Status::Ok();
    }
    RemoveAll(it->second.members, members);
    it->second.updated_ns = now;
    return Status::Ok();
  });
}

Task<Status> Iam::SetGroupEnabled(const RequestContext& ctx, std::string_view group, bool enabled) {
  const std::string g(group);
  const std::int64_t now = state_->NowNs();
  co_return co_await state_->Mutate(ctx, RecordKind::kGroup, g, [&](Records& r) -> Status {
    const auto it = r.groups.find(g);
    if (it == r.groups.end()) {
      return Status(Errc::kIamNoSuchGroup, g);
    }
    it->second.enabled = enabled;
    it->second.updated_ns = now;
    return Status::Ok();
  });
}

std::vector<std::string> Iam::ListGroups() const {
  std::vector<std::string> out;
  for (const auto& [name, g] : state_->Copy().groups) {
    out.push_back(name);
  }
  return out;
}

Result<GroupInfo> Iam::GetGroup(std::string_view group) const {
  const Records r = state_->Copy();
  const auto it = r.groups.find(std::string(group));
  if (it == r.groups.end()) {
    return Status(Errc::kIamNoSuchGroup, std::string(group));
  }
  GroupInfo info;
  info.name = it->first;
  info.enabled = it->second.enabled;
  info.members = it->second.members;
  info.policies = it->second.policies;
  info.updated_ns = it->second.updated_ns;
  return info;
}

// ---- service accounts -------------------------------------------------------------------

namespace {

ServiceAccountInfo InfoOf(const KeyRecord& r) {
  ServiceAccountInfo info;
  info.access_key = r.access_key;
  info.parent_user = r.parent_user;
  info.name = r.name;
  info.description = r.description;
  info.enabled = r.enabled;
  info.expires_ns = r.expires_ns;
  info.session_policy = r.session_policy;
  return info;
}

Status CheckLabels(std::string_view name, std::string_view description) {
  if (name.size() > 32) {
    return Status(Errc::kInvalidArgument, "a service account name is at most 32 characters");
  }
  if (description.size() > 256) {
    return Status(Errc::kInvalidArgument,
                  "a service account description is at most 256 characters");
  }
  return Status::Ok();
}

}  // namespace

Task<Result<Credentials>> Iam::AddServiceAccount(const RequestContext& ctx, NewServiceAccount req) {
  const bool root_parent = req.parent_user == state_->opts.root_access_key;
  if (!root_parent && !GetUser(req.parent_user).ok()) {
    co_return Status(Errc::kIamNoSuchUser, req.parent_user);
  }
  if (req.access_key.empty()) {
    req.access_key = NewAccessKey();
  } else if (!ValidAccessKey(req.access_key)) {
    co_return Status(Errc::kInvalidArgument,
                     "an access key is 3 to 128 printable characters without = , / \\");
  }
  if (req.secret_key.empty()) {
    req.secret_key = NewSecretKey();
  } else if (!ValidSecretKey(req.secret_key)) {
    co_return Status(Errc::kInvalidArgument, "a secret key is 8 to 40 characters");
  }
  CO_RETURN_IF_ERROR(CheckLabels(req.name, req.description));
  if (req.expires_ns != 0 && req.expires_ns <= state_->NowNs()) {
    co_return Status(Errc::kInvalidArgument, "the expiry is in the past");
  }
  CO_ASSIGN_OR_RETURN(PolicyPtr session, CompileSession(req.session_policy));
  if (Find(req.access_key)) {
    co_return Status(Errc::kIamKeyExists, req.access_key);
  }
  KeyRecord rec;
  rec.access_key = req.access_key;
  rec.secret_key = req.secret_key;
  rec.parent_user = req.parent_user;
  rec.name = req.name;
  rec.description = req.description;
  rec.expires_ns = req.expires_ns;
  rec.session_policy = req.session_policy;
  rec.compiled_session = session;
  CO_RETURN_IF_ERROR(co_await state_->Mutate(ctx, RecordKind::kServiceAccount, rec.access_key,
                                             [&](Records& r) -> Status {
                                               if (r.service_accounts.contains(rec.access_key)) {
                                                 return Status(Errc::kIamKeyExists, rec.access_key);
                                               }
                                               r.service_accounts.emplace(rec.access_key, rec);
                                               return Status::Ok();
                                             }));
  co_return Credentials{req.access_key, req.secret_key, "", req.expires_ns};
}

Task<Status> Iam::UpdateServiceAccount(const RequestContext& ctx, std::string_view access_key,
                                       const ServiceAccountUpdate& update) {
  if (update.secret_key && !ValidSecretKey(*update.secret_key)) {
    co_return Status(Errc::kInvalidArgument, "a secret key is 8 to 40 characters");
  }
  CO_RETURN_IF_ERROR(CheckLabels(update.name.value_or(""), update.description.value_or("")));
  PolicyPtr session;
  if (update.session_policy) {
    CO_ASSIGN_OR_RETURN(session, CompileSession(*update.session_policy));
  }
  if (update.expires_ns && *update.expires_ns != 0 && *update.expires_ns <= state_->NowNs()) {
    co_return Status(Errc::kInvalidArgument, "the expiry is in the past");
  }
  const std::string ak(access_key);
  co_return co_await state_->Mutate(ctx, RecordKind::kServiceAccount, ak,
                                    [&](Records& r) -> Status {
                                      const auto it = r.service_accounts.find(ak);
                                      if (it == r.service_accounts.end()) {
                                        return Status(Errc::kIamNoSuchServiceAccount, ak);
                                      }
                                      KeyRecord& rec = it->second;
                                      if (update.secret_key) {
                                        rec.secret_key = *update.secret_key;
                                      }
                                      if (update.name) {
                                        rec.name = *update.name;
                                      }
                                      if (update.description) {
                                        rec.description = *update.description;
                                      }
                                      if (update.session_policy) {
                                        rec.session_policy = *update.session_policy;
                                        rec.compiled_session = session;
                                      }
                                      if (update.enabled) {
                                        rec.enabled = *update.enabled;
                                      }
                                      if (update.expires_ns) {
                                        rec.expires_ns = *update.expires_ns;
                                      }
                                      return Status::Ok();
                                    });
}

Task<Status> Iam::RemoveServiceAccount(const RequestContext& ctx, std::string_view access_key) {
  const std::string ak(access_key);
  co_return co_await state_->Mutate(ctx, RecordKind::kServiceAccount, ak,
                                    [&](Records& r) -> Status {
                                      if (!r.service_accounts.contains(ak)) {
                                        return Status(Errc::kIamNoSuchServiceAccount, ak);
                                      }
                                      r.service_accounts.erase(ak);
                                      return Status::Ok();
                                    });
}

std::vector<ServiceAccountInfo> Iam::ListServiceAccounts(std::string_view parent_user) const {
  std::vector<ServiceAccountInfo> out;
  for (const auto& [ak, r] : state_->Copy().service_accounts) {
    if (parent_user.empty() || r.parent_user == parent_user) {
      out.push_back(InfoOf(r));
    }
  }
  return out;
}

Result<ServiceAccountInfo> Iam::GetServiceAccount(std::string_view access_key) const {
  const Records r = state_->Copy();
  const auto it = r.service_accounts.find(std::string(access_key));
  if (it == r.service_accounts.end()) {
    return Status(Errc::kIamNoSuchServiceAccount, std::string(access_key));
  }
  return InfoOf(it->second);
}

// ---- STS --------------------------------------------------------------------------------

Task<Result<Credentials>> Iam::AddTemporary(const RequestContext& ctx, TemporaryRequest req) {
  const bool root_parent = req.parent_user == state_->opts.root_access_key;
  if (req.claim_policies.empty() && !root_parent && !GetUser(req.parent_user).ok()) {
    co_return Status(Errc::kIamNoSuchUser, req.parent_user);
  }
  if (!req.claim_policies.empty()) {
    const bool any = std::any_of(req.claim_policies.begin(), req.claim_policies.end(),
                                 [&](const std::string& p) { return state_->PolicyExists(p); });
    if (!any) {
      co_return Status(Errc::kIamNoSuchPolicy, req.claim_policies.front());
    }
  }
  CO_ASSIGN_OR_RETURN(PolicyPtr session, CompileSession(req.session_policy));
  KeyRecord rec;
  rec.access_key = NewAccessKey();
  rec.secret_key = NewSecretKey();
  rec.session_token =
      RandomString(64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
  rec.parent_user = req.parent_user;
  rec.expires_ns = ToNs(state_->opts.now() + req.duration);
  rec.session_policy = req.session_policy;
  rec.compiled_session = session;
  rec.claim_policies = req.claim_policies;
  CO_RETURN_IF_ERROR(co_await state_->Mutate(ctx, RecordKind::kTemporary, rec.access_key,
                                             [&](Records& r) -> Status {
                                               r.temporary.insert_or_assign(rec.access_key, rec);
                                               return Status::Ok();
                                             }));
  co_return Credentials{rec.access_key, rec.secret_key, rec.session_token, rec.expires_ns};
}

Task<Status> Iam::RemoveTemporary(const RequestContext& ctx, std::string_view access_key) {
  const std::string ak(access_key);
  co_return co_await state_->Mutate(ctx, RecordKind::kTemporary, ak, [&](Records& r) -> Status {
    if (r.temporary.erase(ak) == 0) {
      return Status(Errc::kInvalidAccessKeyId, ak);
    }
    return Status::Ok();
  });
}

// ---- propagation ------------------------------------------------------------------------

Task<Status> Iam::ReloadItem(const RequestContext& ctx, std::string_view item) {
  const auto name = internal::ParseItem(item);
  if (!name) {
    co_return Status(Errc::kInvalidArgument, "not an IAM record: " + std::string(item));
  }
  Records scratch;
  CO_ASSIGN_OR_RETURN(std::string etag, co_await state_->Fetch(ctx, *name, scratch));
  std::lock_guard lock(state_->mu);
  MoveRecord(*name, scratch, state_->records);
  if (!etag.empty()) {
    state_->records.etags[std::string(item)] = etag;
  }
  state_->Rebuild();
  co_return Status::Ok();
}

Task<Status> Iam::ReloadAll(const RequestContext& ctx) {
  object::ObjectLayer* layer = state_->Layer();
  if (layer == nullptr) {
    co_return Status(Errc::kClusterNotReady, "the identity store has no object layer yet");
  }
  CO_ASSIGN_OR_RETURN(std::vector<std::string> paths,
                      co_await object::ListSystemRecords(ctx, *layer, kIamPrefix));
  Records fresh;
  const std::int64_t now = state_->NowNs();
  for (const auto& path : paths) {
    const std::string_view rel = std::string_view(path).substr(kIamPrefix.size());
    const auto name = internal::ParseItem(rel);
    if (!name) {
      continue;
    }
    auto rec = co_await object::ReadSystemRecord(ctx, *layer, path, kMaxRecordSize);
    if (!rec.ok()) {
      if (rec.code() == Errc::kNoSuchKey) {
        continue;  // removed since the listing
      }
      co_return rec.status();
    }
    Status decoded = internal::DecodeInto(*name, rec->data, state_->kek, fresh);
    if (!decoded.ok()) {
      LOG_WARN("iam: skipping {}: {}", path, decoded.message());
      continue;
    }
    fresh.etags[std::string(rel)] = rec->etag;
    // Expired STS credentials are dropped, their records removed.
    if (name->kind == RecordKind::kTemporary && fresh.temporary.at(name->name).expires_ns <= now) {
      internal::EraseFrom(*name, fresh);
      object::DeleteOptions del;
      auto deleted = co_await layer->DeleteObject(ctx, object::kSystemBucket, path, del);
      (void)deleted;
    }
  }
  std::lock_guard lock(state_->mu);
  state_->records = std::move(fresh);
  state_->Rebuild();
  co_return Status::Ok();
}

}  // namespace cairn::iam
